// Two `cobuy serve` replicas on one immutable artifact and one PostgreSQL order log, behind
// haproxy from Debian with the repository's deploy/haproxy-replicas.cfg (issue 15, item 2); all
// started by this test on loopback and stopped by it. An order posted through the balancer is
// known to both replicas' very next offers call, offers logged by one are not offered again by
// the other, and neither a rolling reload nor SIGKILL of one replica under load fails a request
// (haproxy sends the requests that hit the dead replica again, to the other).

#include <atomic>
#include <mutex>

#include "api/store/order_store.h"
#include "core/artifact.h"
#include "haproxy_process.h"
#include "serve_process.h"
#include "support/postgres_server.h"

namespace cobuy {
namespace {

using testing::PostgresServer;

std::string order_json(const std::string& order_id, const std::string& customer) {
  return R"({"order_id": ")" + order_id + R"(", "customer_id": ")" + customer +
         R"(", "timestamp": "2011-04-10T09:00:00Z", "items": [{"item_id": "tea", "quantity": 2, "price": 2.5}]})";
}

class Replicas : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kHaproxy, X_OK) != 0) GTEST_SKIP() << kHaproxy << " is not installed (scripts/setup.sh installs it)";
    if (const auto why = PostgresServer::unavailable_reason(); !why.empty()) {
      if (PostgresServer::required()) FAIL() << why;
      GTEST_SKIP() << why;
    }
    dir_ = fs::temp_directory_path() / ("cobuy-replicas-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    save_model(*make_model(), (dir_ / "model").string());
    pg_ = std::make_unique<PostgresServer>();
    uri_ = pg_->create_database("orders");
    for (auto& r : replicas_) r = std::make_unique<ServeProcess>(dir_ / "model", fs::path(uri_));
    proxy_ = std::make_unique<Haproxy>(
        free_port(), "haproxy-replicas.cfg",
        std::vector<std::pair<std::string, std::string>>{
            {"COBUY_BACKEND_1", "127.0.0.1:" + std::to_string(replicas_[0]->port())},
            {"COBUY_BACKEND_2", "127.0.0.1:" + std::to_string(replicas_[1]->port())}});
  }
  void TearDown() override {
    proxy_.reset();
    for (auto& r : replicas_) r.reset();
    pg_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  static json post(httplib::Client c, const std::string& path, const std::string& body, int status = 200) {
    const auto res = c.Post(path, body, "application/json");
    if (!res) {
      ADD_FAILURE() << "no answer to POST " << path;
      return json();
    }
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    return json::parse(res->body);
  }

  fs::path dir_;
  std::unique_ptr<PostgresServer> pg_;
  std::string uri_;
  std::unique_ptr<ServeProcess> replicas_[2];
  std::unique_ptr<Haproxy> proxy_;
};

TEST_F(Replicas, AnOrderPostedThroughTheBalancerIsKnownToBothReplicasNextOffers) {
  // Round robin: the four orders land on both replicas.
  for (int k = 0; k < 4; ++k) {
    const std::string customer = "bob" + std::to_string(k);
    EXPECT_EQ(post(proxy_->client(), "/v1/orders", order_json("b" + std::to_string(k), customer), 201)["status"],
              "recorded");
    for (const auto& r : replicas_) {
      // What the model alone answers for a customer it has never seen is "unknown"; both
      // replicas know this one from the shared log, and offer tea's complement first.
      const auto offers = post(r->client(), "/v1/offers",
                               R"({"customer_id": ")" + customer + R"(", "context": "shipping", "preview": true})");
      EXPECT_FALSE(offers.contains("unknown_customer")) << customer << " at replica port " << r->port();
      EXPECT_EQ(offers["segment"], "new") << customer;
      EXPECT_EQ(offers["at"], "2011-04-10T09:00:00Z") << customer;
      ASSERT_FALSE(offers["offers"].empty()) << customer;
      EXPECT_EQ(offers["offers"][0]["item_id"], "saucer") << customer;
    }
  }
  EXPECT_EQ(post(replicas_[1]->client(), "/v1/orders", order_json("b0", "bob0"))["status"], "duplicate")
      << "the other replica knows the order id too";

  // The offer log is shared as well: what replica 1 offered, replica 2 does not offer again.
  const std::string request = R"({"customer_id": "bob0", "context": "shipping", "at": "2011-04-11", "limit": 2})";
  const auto first = post(replicas_[0]->client(), "/v1/offers", request);
  const auto second = post(replicas_[1]->client(), "/v1/offers", request);
  ASSERT_FALSE(first["offers"].empty());
  for (const auto& a : first["offers"]) {
    for (const auto& b : second["offers"]) EXPECT_NE(a["item_id"], b["item_id"]);
  }
}

/// Four clients through the balancer, each alternating a read and a new order, until finish().
class Load {
 public:
  explicit Load(const Haproxy& proxy) {
    for (int t = 0; t < kClients; ++t) {
      clients_.emplace_back([this, &proxy, t] {
        auto c = proxy.client();
        c.set_tcp_nodelay(true);  // no 40 ms Nagle stall between a POST's head and body
        c.set_keep_alive(true);
        for (int k = 0; !stop_; ++k) {
          const std::string id = "load-" + std::to_string(t) + "-" + std::to_string(k);
          const bool read = k % 2 == 0;
          const auto res = read ? c.Get("/v1/items/tea/bought-together?limit=3")
                                : c.Post("/v1/orders", order_json(id, "c" + std::to_string(t)), "application/json");
          if (res && (res->status == 200 || (!read && res->status == 201))) {
            ++answered_;
            if (!read) ++orders_;
            continue;
          }
          std::lock_guard lock(mutex_);
          failures_.push_back((read ? "GET " : "POST ") + id + ": " +
                              (res ? std::to_string(res->status) + " " + res->body : httplib::to_string(res.error())));
        }
      });
    }
  }
  ~Load() { finish(); }

  int answered() const { return answered_; }
  /// Stops the clients; the failed requests, each described.
  std::vector<std::string> finish() {
    stop_ = true;
    for (auto& c : clients_) {
      if (c.joinable()) c.join();
    }
    return failures_;
  }
  int orders() const { return orders_; }

 private:
  static constexpr int kClients = 4;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0}, orders_{0};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  std::vector<std::thread> clients_;
};

void expect_no_failures(const std::vector<std::string>& failures) {
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed requests";
  for (std::size_t k = 0; k < failures.size() && k < 5; ++k) ADD_FAILURE() << failures[k];
}

TEST_F(Replicas, ARollingReloadUnderLoadFailsNoRequest) {
  Load load(*proxy_);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // One replica at a time: each swaps the artifact in while it keeps answering.
  for (const auto& r : replicas_) {
    const auto res = r->client().Post("/v1/admin/reload", "", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const auto failures = load.finish();
  std::printf("replicas, rolling reload: %d requests answered, %zu failed\n", load.answered(), failures.size());
  expect_no_failures(failures);
  EXPECT_GT(load.answered(), 100);
}

TEST_F(Replicas, SigkillOfOneReplicaUnderLoadFailsNoRequest) {
  Load load(*proxy_);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const int before = load.answered();
  replicas_[0]->kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  const auto failures = load.finish();
  std::printf("replicas, SIGKILL: %d requests answered (%d before the kill), %zu failed, %d orders recorded\n",
              load.answered(), before, failures.size(), load.orders());
  expect_no_failures(failures);
  EXPECT_GT(load.answered() - before, 100) << "the surviving replica took the load";
  EXPECT_EQ(OrderStore::open(uri_)->order_count(), static_cast<std::uint64_t>(load.orders()))
      << "every acknowledged order is in the shared log, once";
}

}  // namespace
}  // namespace cobuy
