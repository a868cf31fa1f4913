// The order log survives a killed server: `cobuy serve --orders-db` is SIGKILLed at a random
// moment while clients are posting orders, several times over the same file. Every order it
// acknowledged is there, whole, after a restart; an order in flight at the kill is either whole
// or absent (never a part of its lines); the restarted server knows them and treats them as
// duplicates.

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "api/store/order_store.h"
#include "core/artifact.h"
#include "core/time_util.h"
#include "serve_process.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kFirstOrderTime = 1302000000;
constexpr int kCustomers = 5;

/// Order number `k`: customer k mod 5, one hour after order k - 1, and 1 to 5 lines (k mod 5 + 1)
/// of distinct items with quantity and price derived from k, so a partial order is recognisable.
json order_json(int k) {
  json lines = json::array();
  const char* items[] = {"tea", "saucer", "cake", "pen", "paper"};
  for (int i = 0; i <= k % 5; ++i) {
    lines.push_back({{"item_id", items[i]}, {"quantity", 1 + (k + i) % 3}, {"price", 0.5 * (i + 1)}});
  }
  return {{"order_id", "k" + std::to_string(k)},
          {"customer_id", "cust" + std::to_string(k % kCustomers)},
          {"timestamp", kFirstOrderTime + k * 60},  // a minute apart: 300k orders stay in the past
          {"items", lines}};
}

/// Checks that `stored` is exactly order k as posted.
void expect_whole(const PlacedOrder& stored, int k) {
  const json posted = order_json(k);
  EXPECT_EQ(stored.customer_id, posted["customer_id"]) << stored.order_id;
  EXPECT_EQ(stored.time, posted["timestamp"].get<Timestamp>()) << stored.order_id;
  ASSERT_EQ(stored.lines.size(), posted["items"].size()) << stored.order_id << " is not whole";
  for (std::size_t i = 0; i < stored.lines.size(); ++i) {
    EXPECT_EQ(stored.lines[i].item_id, posted["items"][i]["item_id"]) << stored.order_id;
    EXPECT_EQ(stored.lines[i].quantity, posted["items"][i]["quantity"].get<double>()) << stored.order_id;
    EXPECT_EQ(stored.lines[i].price, posted["items"][i]["price"].get<double>()) << stored.order_id;
  }
}

/// What the posting clients saw.
struct Outcome {
  std::mutex mutex;
  std::set<int> acknowledged;  ///< answered 201 (or 200 duplicate)
  std::set<int> unanswered;    ///< posted, no answer: the connection failed
  int in_flight = 0;           ///< of those, failed after the request was sent (read/write error)
};

/// Posts orders first_k, first_k + 1, ... from `threads` clients until a post gets no answer;
/// SIGKILLs the server once `kill_after` orders of this round are acknowledged and a random
/// further 0-20 ms have passed, while the clients keep posting.
void post_until_killed(ServeProcess& serve, int first_k, int threads, int kill_after, std::mt19937& rng,
                       Outcome& outcome) {
  std::atomic<int> next{first_k};
  std::atomic<int> acked{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      // A connection per post: a read or write error then means the server accepted the
      // connection before it died (the request was in flight), and a post after the kill is
      // refused at connect.
      auto c = serve.client();
      for (;;) {
        const int k = next.fetch_add(1);
        auto res = c.Post("/v1/orders", order_json(k).dump(), "application/json");
        std::lock_guard lock(outcome.mutex);
        if (!res) {
          outcome.unanswered.insert(k);
          if (res.error() == httplib::Error::Read || res.error() == httplib::Error::Write) ++outcome.in_flight;
          return;
        }
        if (res->status != 201) {
          ADD_FAILURE() << "order k" << k << ": " << res->status << " " << res->body;
          return;
        }
        outcome.acknowledged.insert(k);
        acked.fetch_add(1);
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (acked.load() < kill_after && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
  serve.kill(SIGKILL);
  for (auto& c : clients) c.join();
  EXPECT_GE(acked.load(), kill_after);
}

TEST(ServeKill, OrdersAcknowledgedBeforeASigkillMidStreamAreThereWholeAfterRestart) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-serve-kill-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  save_model(*make_model(), (dir / "model").string());
  const fs::path db = dir / "orders.db";

  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int kRounds = 3;
  constexpr int kThreads = 4;
  Outcome outcome;
  int first_k = 0;
  for (int round = 0; round < kRounds; ++round) {
    {
      ServeProcess serve(dir / "model", db);
      post_until_killed(serve, first_k, kThreads, 40 + std::uniform_int_distribution<int>(0, 30)(rng), rng, outcome);
    }
    first_k += 100000;  // each round's ids apart from the last's
  }
  // The kills landed while posts were in flight (a client lost its connection mid-request).
  EXPECT_GE(outcome.in_flight, 1) << "no post was in flight at any of the kills";
  EXPECT_GE(outcome.acknowledged.size(), static_cast<std::size_t>(kRounds * 40));

  std::map<std::string, PlacedOrder> stored;
  {
    const auto store = OrderStore::open(db.string());
    for (auto& o : store->all_orders()) stored.emplace(o.order_id, std::move(o));
  }
  for (const int k : outcome.acknowledged) {
    const auto it = stored.find("k" + std::to_string(k));
    if (it == stored.end()) {
      ADD_FAILURE() << "acknowledged order k" << k << " is lost";
      continue;
    }
    expect_whole(it->second, k);
  }
  int unanswered_stored = 0;
  for (const int k : outcome.unanswered) {
    const auto it = stored.find("k" + std::to_string(k));
    if (it == stored.end()) continue;  // absent: fine
    ++unanswered_stored;
    expect_whole(it->second, k);
  }
  EXPECT_EQ(stored.size(), outcome.acknowledged.size() + static_cast<std::size_t>(unanswered_stored))
      << "the log holds orders nobody posted";

  // The restarted server knows them: each customer's latest stored order anchors its offers.
  ServeProcess again(dir / "model", db);
  auto c = again.client();
  for (int cust = 0; cust < kCustomers; ++cust) {
    Timestamp latest = kNoTime;
    for (const auto& [id, o] : stored) {
      if (o.customer_id == "cust" + std::to_string(cust)) latest = std::max(latest, o.time);
    }
    if (latest == kNoTime) continue;
    auto res = c.Post("/v1/offers",
                      json({{"customer_id", "cust" + std::to_string(cust)}, {"context", "shipping"}, {"preview", true}})
                          .dump(),
                      "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const auto answer = json::parse(res->body);
    EXPECT_EQ(answer["at"], format_timestamp(latest)) << "cust" << cust;
    EXPECT_FALSE(answer.contains("unknown_customer"));
  }
  // An acknowledged order posted again is a duplicate; an unanswered one is recorded now unless
  // it had reached the log.
  const int acked_k = *outcome.acknowledged.begin();
  auto dup = c.Post("/v1/orders", order_json(acked_k).dump(), "application/json");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 200) << "the same order again is a duplicate, not a new one: " << dup->body;
  for (const int k : outcome.unanswered) {
    auto res = c.Post("/v1/orders", order_json(k).dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, stored.count("k" + std::to_string(k)) ? 200 : 201) << "k" << k << ": " << res->body;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
