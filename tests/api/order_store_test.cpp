// The order log's one contract, run against both stores (the SQLite file, and PostgreSQL on a
// server this test starts on loopback): round trips, idempotency, validation, the offers log,
// reopening, two stores on one log (two replicas), and durability of acknowledged orders when
// the writing process is killed. What is each store's own is in order_store_backends_test.cpp.
#include "api/store/order_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <set>
#include <thread>

#include "core/error.h"
#include "support/order_store_fixture.h"
#include "support/placed_orders.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

using testing::Backend;
using testing::error_of;
using testing::expect_same;
using testing::ids_of;
using testing::kEarly;
using testing::kLate;
using testing::kOther;
using testing::kSameTime;
using testing::OrderStoreTest;
using testing::placed_order;

INSTANTIATE_TEST_SUITE_P(Stores, OrderStoreTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         testing::backend_name);

TEST_P(OrderStoreTest, RecordsAndReadsBackInTimeOrder) {
  auto store = open();
  for (const auto& o : {kLate, kEarly, kOther, kSameTime}) EXPECT_EQ(store->record_order(o), RecordResult::recorded);
  EXPECT_EQ(store->order_count(), 4u);

  const auto c1 = store->customer_orders("c1");
  EXPECT_EQ(ids_of(c1), (std::vector<std::string>{"o1", "o0", "o3"})) << "by time, then order id";
  ASSERT_EQ(c1.size(), 3u);
  expect_same(c1[0], kEarly);
  expect_same(c1[1], kSameTime);
  expect_same(c1[2], kLate);
  // The filter sees each order's id and time; only the orders it accepts are read, with their lines.
  const auto not_o0 = store->customer_orders("c1", [](std::string_view id, Timestamp) { return id != "o0"; });
  EXPECT_EQ(ids_of(not_o0), (std::vector<std::string>{"o1", "o3"}));
  ASSERT_EQ(not_o0.size(), 2u);
  expect_same(not_o0[1], kLate);
  const auto early = store->customer_orders("c1", [](std::string_view, Timestamp t) { return t < 2000; });
  EXPECT_EQ(ids_of(early), (std::vector<std::string>{"o1"}));
  EXPECT_TRUE(store->customer_orders("c1", [](std::string_view, Timestamp) { return false; }).empty());
  EXPECT_TRUE(store->customer_orders("nobody").empty());

  const auto all = store->all_orders();
  EXPECT_EQ(ids_of(all), (std::vector<std::string>{"o1", "o2", "o0", "o3"}));
  ASSERT_EQ(all.size(), 4u);
  expect_same(all[1], kOther);
}

TEST_P(OrderStoreTest, TheSameOrderAgainIsADuplicate) {
  auto store = open();
  EXPECT_EQ(store->record_order(kOther), RecordResult::recorded);
  EXPECT_EQ(store->record_order(kOther), RecordResult::duplicate);
  PlacedOrder reordered = kOther;
  std::swap(reordered.lines[0], reordered.lines[2]);
  EXPECT_EQ(store->record_order(reordered), RecordResult::duplicate) << "line order is not content";
  EXPECT_EQ(store->order_count(), 1u);
  expect_same(store->all_orders().at(0), kOther);
}

TEST_P(OrderStoreTest, TheSameIdWithOtherContentsIsRefused) {
  auto store = open();
  ASSERT_EQ(store->record_order(kLate), RecordResult::recorded);
  std::vector<PlacedOrder> changed(7, kLate);
  changed[0].customer_id = "c9";
  changed[1].time += 1;
  changed[2].lines[0].quantity = 2;
  changed[3].lines[0].price = 2.75;
  changed[4].lines[1].price = 0.0;  // a price where there was none
  changed[5].lines.push_back({"extra", 1, std::nullopt});
  changed[6].lines.pop_back();
  for (std::size_t k = 0; k < changed.size(); ++k) {
    const Error e = error_of([&] { store->record_order(changed[k]); });
    EXPECT_EQ(e.code(), ErrorCode::bad_request) << k;
    EXPECT_STREQ(e.what(), "order 'o3' was already recorded with different contents") << k;
  }
  ASSERT_EQ(store->order_count(), 1u);
  expect_same(store->all_orders().at(0), kLate);
}

TEST_P(OrderStoreTest, MalformedOrdersAreRefusedNamingTheFieldAndNothingIsWritten) {
  auto store = open();
  struct Case {
    std::function<void(PlacedOrder&)> spoil;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](PlacedOrder& o) { o.lines.clear(); }, "has no items"},
      {[](PlacedOrder& o) { o.lines[1].quantity = 0; }, "items[1].quantity"},
      {[](PlacedOrder& o) { o.lines[0].price = -1.0; }, "items[0].price"},
      {[](PlacedOrder& o) { o.customer_id.clear(); }, "customer_id"},
      {[](PlacedOrder& o) { o.time = kNoTime; }, "timestamp"},
      {[](PlacedOrder& o) { o.lines[1].item_id = o.lines[0].item_id; }, "appears twice"},
      {[](PlacedOrder& o) { o.order_id.clear(); }, "order_id"},
  };
  for (const auto& c : cases) {
    PlacedOrder o = kOther;
    c.spoil(o);
    const Error e = error_of([&] { store->record_order(o); });
    EXPECT_EQ(e.code(), ErrorCode::bad_request) << c.expected;
    EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
  }
  EXPECT_EQ(store->order_count(), 0u);
  EXPECT_TRUE(store->all_orders().empty());
  EXPECT_EQ(store->record_order(kOther), RecordResult::recorded) << "a refused order leaves its id free";
}

TEST_P(OrderStoreTest, OffersLogRoundTripAndSinceFilter) {
  auto store = open();
  store->record_offers("c1", {{"mug", "of-1"}, {"tea", "of-2"}}, "shipping", 100);
  store->record_offers("c2", {{"bowl", "of-3"}}, "delivered", 150);
  store->record_offers("c1", {{"bowl", "of-4"}}, "review_request", 200);
  store->record_offers("c1", {}, "shipping", 300);  // nothing to log
  using Offers = std::vector<std::pair<std::string, Timestamp>>;
  EXPECT_EQ(store->offered_since("c1", 0), (Offers{{"mug", 100}, {"tea", 100}, {"bowl", 200}}));
  EXPECT_EQ(store->offered_since("c1", 100), (Offers{{"mug", 100}, {"tea", 100}, {"bowl", 200}})) << "at or after";
  EXPECT_EQ(store->offered_since("c1", 101), (Offers{{"bowl", 200}}));
  EXPECT_TRUE(store->offered_since("c1", 201).empty());
  EXPECT_EQ(store->offered_since("c2", 0), (Offers{{"bowl", 150}}));
  EXPECT_TRUE(store->offered_since("c3", 0).empty());
  EXPECT_EQ(error_of([&] { store->record_offers("", {{"mug", "x"}}, "shipping", 1); }).code(), ErrorCode::bad_request);
  EXPECT_EQ(error_of([&] {
              store->record_offers("c1", {{"mug", "x"}, {"", "y"}}, "shipping", 1);
            }).code(),
            ErrorCode::bad_request);
  EXPECT_EQ(store->offered_since("c1", 0).size(), 3u) << "a refused batch writes nothing";
}

TEST_P(OrderStoreTest, OffersLogReadsAtMostTheLatestRows) {
  auto store = open();
  // More offers than the limit: the latest kMaxOfferedRows come back, oldest first.
  std::vector<std::pair<std::string, std::string>> many;
  for (std::size_t k = 0; k < OrderStore::kMaxOfferedRows + 5; ++k) many.emplace_back("item" + std::to_string(k), "o");
  store->record_offers("c2", many, "shipping", 300);
  store->record_offers("c2", {{"late", "o"}}, "shipping", 400);
  const auto got = store->offered_since("c2", 0);
  ASSERT_EQ(got.size(), OrderStore::kMaxOfferedRows);
  EXPECT_EQ(got.back(), (std::pair<std::string, Timestamp>{"late", 400}));
  EXPECT_EQ(got.front().second, 300);
}

TEST_P(OrderStoreTest, ASendIsRecordedOnceWithItsOffersAndReadBack) {
  auto store = open();
  EXPECT_FALSE(store->find_send("s1"));
  const OrderStore::Send send{"s1", "c1", "shipping", 100, R"({"offers":[1]})", ""};
  EXPECT_FALSE(store->record_send(send, {{"mug", "of-1"}, {"tea", "of-2"}})) << "recorded";
  const auto found = store->find_send("s1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->customer_id, "c1");
  EXPECT_EQ(found->context, "shipping");
  EXPECT_EQ(found->at, 100);
  EXPECT_EQ(found->answer, send.answer);
  using Offers = std::vector<std::pair<std::string, Timestamp>>;
  EXPECT_EQ(store->offered_since("c1", 0), (Offers{{"mug", 100}, {"tea", 100}}));
  // The same id again: the stored send comes back and nothing is written.
  const auto again = store->record_send({"s1", "c1", "shipping", 200, R"({"offers":[2]})", ""}, {{"bowl", "of-3"}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->answer, send.answer);
  EXPECT_EQ(again->at, 100);
  EXPECT_EQ(store->offered_since("c1", 0).size(), 2u);
  // An anonymous send keeps its answer and logs no offers; refused sends write nothing.
  EXPECT_FALSE(store->record_send({"s2", "", "shipping", 100, "{}", ""}, {{"mug", "of-4"}}));
  EXPECT_EQ(store->find_send("s2")->customer_id, "");
  EXPECT_EQ(error_of([&] { store->record_send({"", "c1", "shipping", 100, "{}", ""}, {}); }).code(), ErrorCode::bad_request);
  EXPECT_EQ(error_of([&] { store->record_send({"s3", "c1", "shipping", kNoTime, "{}", ""}, {}); }).code(),
            ErrorCode::bad_request);
  EXPECT_EQ(error_of([&] { store->record_send({"s4", "c1", "shipping", 100, "{}", ""}, {{"", "x"}}); }).code(),
            ErrorCode::bad_request);
  EXPECT_FALSE(store->find_send("s3"));
  EXPECT_FALSE(store->find_send("s4"));
  EXPECT_EQ(store->offered_since("c1", 0).size(), 2u);
}

// Two replicas answering one send id at once: exactly one answer is stored and both get it.
TEST_P(OrderStoreTest, TwoStoresRacingOneSendIdRecordItOnce) {
  auto a = open(), b = open();
  constexpr int kSends = 30;
  std::atomic<int> recorded{0};
  std::vector<std::string> answers_a(kSends), answers_b(kSends);
  auto send_all = [&](OrderStore& store, const std::string& answer, std::vector<std::string>& got) {
    for (int k = 0; k < kSends; ++k) {
      const auto stored = store.record_send({"race-" + std::to_string(k), "c9", "shipping", 100, answer, ""}, {{"mug", "o"}});
      if (!stored) ++recorded;
      got[static_cast<std::size_t>(k)] = stored ? stored->answer : answer;
    }
  };
  std::thread ta([&] { send_all(*a, "from a", answers_a); }), tb([&] { send_all(*b, "from b", answers_b); });
  ta.join();
  tb.join();
  EXPECT_EQ(recorded.load(), kSends);
  EXPECT_EQ(answers_a, answers_b) << "both replicas answer what the one stored send says";
  EXPECT_EQ(a->offered_since("c9", 0).size(), static_cast<std::size_t>(kSends)) << "each send's offers logged once";
}

TEST_P(OrderStoreTest, ReopeningKeepsEverything) {
  {
    auto store = open();
    store->record_order(kLate);
    store->record_order(kOther);
    store->record_offers("c1", {{"mug", "of-1"}}, "shipping", 100);
    store->record_send({"s1", "c1", "shipping", 100, "{}", ""}, {});
  }
  auto store = open();
  EXPECT_TRUE(store->find_send("s1"));
  EXPECT_EQ(store->order_count(), 2u);
  const auto all = store->all_orders();
  ASSERT_EQ(all.size(), 2u);
  expect_same(all[0], kOther);
  expect_same(all[1], kLate);
  EXPECT_EQ(store->offered_since("c1", 0).size(), 1u);
  EXPECT_EQ(store->record_order(kLate), RecordResult::duplicate);
}

// Two stores on one log are two replicas: each sees what the other recorded at once, and when
// both record the same orders at the same time, each order is recorded exactly once.
TEST_P(OrderStoreTest, TwoStoresOnOneLogShareOrdersAndRecordEachOnce) {
  auto a = open(), b = open();
  ASSERT_EQ(a->record_order(kLate), RecordResult::recorded);
  const auto seen = b->customer_orders("c1");
  ASSERT_EQ(seen.size(), 1u);
  expect_same(seen[0], kLate);
  EXPECT_EQ(b->record_order(kLate), RecordResult::duplicate);
  PlacedOrder changed = kLate;
  changed.lines[0].quantity = 5;
  EXPECT_EQ(error_of([&] { b->record_order(changed); }).code(), ErrorCode::bad_request);
  b->record_offers("c1", {{"mug", "of-1"}}, "shipping", 100);
  EXPECT_EQ(a->offered_since("c1", 0), (std::vector<std::pair<std::string, Timestamp>>{{"mug", 100}}));

  constexpr int kOrders = 40;
  std::atomic<int> recorded{0}, duplicates{0};
  auto record_all = [&](OrderStore& store) {
    for (int k = 0; k < kOrders; ++k) {
      const auto r =
          store.record_order(placed_order("race-" + std::to_string(k), "c9", k, {{"a", 1, 1.0}, {"b", 2, 0.5}}));
      (r == RecordResult::recorded ? recorded : duplicates)++;
    }
  };
  std::thread ta([&] { record_all(*a); }), tb([&] { record_all(*b); });
  ta.join();
  tb.join();
  EXPECT_EQ(recorded.load(), kOrders);
  EXPECT_EQ(duplicates.load(), kOrders);
  EXPECT_EQ(a->order_count(), static_cast<std::uint64_t>(kOrders + 1));
  for (const auto& o : b->customer_orders("c9")) EXPECT_EQ(o.lines.size(), 2u) << o.order_id;
}

TEST_P(OrderStoreTest, ManyThreadsWriteAndReadAtOnce) {
  auto store = open();
  constexpr int kThreads = 4, kPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(k);
        store->record_order(placed_order(id, "c" + std::to_string(t), k, {{"a", 1, 1.0}, {"b", 2, std::nullopt}}));
        store->customer_orders("c" + std::to_string((t + 1) % kThreads));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store->order_count(), static_cast<std::uint64_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(store->customer_orders("c" + std::to_string(t)).size(), 40u);
}

// The order a child process records as number k: 1 to 5 lines, so a half-written order shows.
PlacedOrder numbered_order(int k) {
  std::vector<PlacedOrderLine> lines;
  for (int j = 0; j <= k % 5; ++j) {
    lines.push_back({"item-" + std::to_string(j), static_cast<double>(j + 1),
                     j == 0 ? std::nullopt : std::optional<double>(0.5 * j)});
  }
  return placed_order("order-" + std::to_string(k), "c" + std::to_string(k % 7), 1000 + k, std::move(lines));
}

TEST_P(OrderStoreTest, AcknowledgedOrdersSurviveSigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes orders until it is killed; a line on the pipe acknowledges each one.
    ::close(fds[0]);
    try {
      auto store = open();
      for (int k = 0; k < 1000000; ++k) {
        store->record_order(numbered_order(k));
        char ack[32];
        const int n = std::snprintf(ack, sizeof ack, "%d\n", k);
        if (::write(fds[1], ack, static_cast<std::size_t>(n)) != n) ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  FILE* acks = ::fdopen(fds[0], "r");
  ASSERT_NE(acks, nullptr);
  std::set<int> acked;
  char line[32];
  while (acked.size() < 60 && std::fgets(line, sizeof line, acks)) acked.insert(std::atoi(line));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  // Acks written before the kill are acks too.
  while (std::fgets(line, sizeof line, acks)) acked.insert(std::atoi(line));
  std::fclose(acks);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child stopped before it was killed, exit " << WEXITSTATUS(status);
  ASSERT_GE(acked.size(), 60u);

  auto store = open();
  const auto all = store->all_orders();
  std::set<std::string> stored;
  for (const auto& o : all) {
    const int k = std::atoi(o.order_id.c_str() + 6);
    expect_same(o, numbered_order(k));  // complete: every line there, nothing half-written
    stored.insert(o.order_id);
  }
  for (int k : acked) EXPECT_TRUE(stored.count("order-" + std::to_string(k))) << "acknowledged order " << k << " lost";
  EXPECT_LE(all.size(), acked.size() + 1) << "at most the order being recorded when killed is there unacknowledged";
  EXPECT_EQ(store->order_count(), all.size());
}

}  // namespace
}  // namespace cobuy
