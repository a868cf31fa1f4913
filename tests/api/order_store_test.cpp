// The order log: round trips, idempotency, validation, the offers log, reopening, WAL, and
// durability of acknowledged orders when the writing process is killed.
#include "api/store/order_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "core/error.h"
#include "support/placed_orders.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

using testing::placed_order;

void expect_same(const PlacedOrder& got, const PlacedOrder& want) {
  EXPECT_EQ(got.order_id, want.order_id);
  EXPECT_EQ(got.customer_id, want.customer_id);
  EXPECT_EQ(got.time, want.time);
  ASSERT_EQ(got.lines.size(), want.lines.size()) << want.order_id;
  for (std::size_t k = 0; k < want.lines.size(); ++k) {
    EXPECT_EQ(got.lines[k].item_id, want.lines[k].item_id) << want.order_id << " line " << k;
    EXPECT_EQ(got.lines[k].quantity, want.lines[k].quantity) << want.order_id << " line " << k;
    EXPECT_EQ(got.lines[k].price, want.lines[k].price) << want.order_id << " line " << k;
  }
}

std::vector<std::string> ids_of(const std::vector<PlacedOrder>& orders) {
  std::vector<std::string> ids;
  for (const auto& o : orders) ids.push_back(o.order_id);
  return ids;
}

/// The Error `f` throws, or an Error(internal, "no error").
Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::internal, "no error");
}

class OrderStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("cobuy-order-store-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "orders.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
};

// Lines are given out of item-id order so reading them back in insertion order is checked.
const PlacedOrder kLate = placed_order("o3", "c1", 3000, {{"zebra", 1, 2.5}, {"apple", 2, std::nullopt}});
const PlacedOrder kEarly = placed_order("o1", "c1", 1000, {{"mug", 1, 4.0}});
const PlacedOrder kSameTime = placed_order("o0", "c1", 3000, {{"tea", 0.5, 0.0}});
const PlacedOrder kOther = placed_order("o2", "c2", 2000, {{"mug", 3, 3.5}, {"saucer", 1, 1.25}, {"bowl", 1, 9.0}});

TEST_F(OrderStoreTest, RecordsAndReadsBackInTimeOrder) {
  auto store = OrderStore::open(path_);
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

TEST_F(OrderStoreTest, TheSameOrderAgainIsADuplicate) {
  auto store = OrderStore::open(path_);
  EXPECT_EQ(store->record_order(kOther), RecordResult::recorded);
  EXPECT_EQ(store->record_order(kOther), RecordResult::duplicate);
  PlacedOrder reordered = kOther;
  std::swap(reordered.lines[0], reordered.lines[2]);
  EXPECT_EQ(store->record_order(reordered), RecordResult::duplicate) << "line order is not content";
  EXPECT_EQ(store->order_count(), 1u);
  expect_same(store->all_orders().at(0), kOther);
}

TEST_F(OrderStoreTest, TheSameIdWithOtherContentsIsRefused) {
  auto store = OrderStore::open(path_);
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

TEST_F(OrderStoreTest, MalformedOrdersAreRefusedNamingTheFieldAndNothingIsWritten) {
  auto store = OrderStore::open(path_);
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

TEST_F(OrderStoreTest, OffersLogRoundTripAndSinceFilter) {
  auto store = OrderStore::open(path_);
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
  EXPECT_EQ(error_of([&] { store->record_offers("c1", {{"mug", "x"}, {"", "y"}}, "shipping", 1); }).code(),
            ErrorCode::bad_request);
  EXPECT_EQ(store->offered_since("c1", 0).size(), 3u) << "a refused batch writes nothing";
}

TEST_F(OrderStoreTest, OffersLogReadsAtMostTheLatestRows) {
  auto store = OrderStore::open(path_);
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

TEST_F(OrderStoreTest, ReopeningKeepsEverything) {
  {
    auto store = OrderStore::open(path_);
    store->record_order(kLate);
    store->record_order(kOther);
    store->record_offers("c1", {{"mug", "of-1"}}, "shipping", 100);
  }
  auto store = OrderStore::open(path_);
  EXPECT_EQ(store->order_count(), 2u);
  const auto all = store->all_orders();
  ASSERT_EQ(all.size(), 2u);
  expect_same(all[0], kOther);
  expect_same(all[1], kLate);
  EXPECT_EQ(store->offered_since("c1", 0).size(), 1u);
  EXPECT_EQ(store->record_order(kLate), RecordResult::duplicate);
}

TEST_F(OrderStoreTest, TheFileIsInWalMode) {
  auto store = OrderStore::open(path_);
  store->record_order(kEarly);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  std::string mode;
  auto read_mode = [](void* out, int, char** values, char**) {
    *static_cast<std::string*>(out) = values[0] ? values[0] : "";
    return 0;
  };
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA journal_mode", read_mode, &mode, nullptr), SQLITE_OK);
  EXPECT_EQ(mode, "wal");
  std::string version;
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA user_version", read_mode, &version, nullptr), SQLITE_OK);
  EXPECT_EQ(version, std::to_string(OrderStore::kSchemaVersion));
}

TEST_F(OrderStoreTest, RefusesANewerSchemaAndUnopenableFiles) {
  OrderStore::open(path_).reset();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA user_version=7", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  Error e = error_of([&] { OrderStore::open(path_); });
  EXPECT_EQ(e.code(), ErrorCode::bad_data);
  EXPECT_NE(std::string(e.what()).find("schema version 7"), std::string::npos) << e.what();

  const std::string missing_dir = (dir_ / "no-such-dir" / "orders.db").string();
  e = error_of([&] { OrderStore::open(missing_dir); });
  EXPECT_EQ(e.code(), ErrorCode::io);
  EXPECT_NE(std::string(e.what()).find(missing_dir), std::string::npos) << e.what();

  const std::string garbage = (dir_ / "garbage.db").string();
  std::ofstream(garbage) << std::string(4096, 'x');
  e = error_of([&] { OrderStore::open(garbage); });
  EXPECT_EQ(e.code(), ErrorCode::io);
  EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
}

TEST_F(OrderStoreTest, ManyThreadsWriteAndReadAtOnce) {
  auto store = OrderStore::open(path_);
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

TEST_F(OrderStoreTest, AcknowledgedOrdersSurviveSigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes orders until it is killed; a line on the pipe acknowledges each one.
    ::close(fds[0]);
    try {
      auto store = OrderStore::open(path_);
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

  auto store = OrderStore::open(path_);
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
