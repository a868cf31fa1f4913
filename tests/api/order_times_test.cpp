// Order times from the future or the distant past are refused with the field named (POST
// /v1/orders, an offers request's order and `at`), and every acknowledged order the model does
// not hold counts in its customer's profile, whatever its time (by order id).

#include <filesystem>

#include "api/http/offer_routes.h"
#include "api/store/order_store.h"
#include "core/customer_profile.h"
#include "server_fixture.h"
#include "support/order_builder.h"
#include "support/placed_orders.h"
#include "training/train.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// alice: a1 (2011-01-10), a2 (2011-03-01); bob: b1 (2011-02-01); the model's last order is a2.
std::shared_ptr<Model> trained_model() {
  OrderData d;
  for (int k = 0; k < 6; ++k) testing::add_order(d, "t" + std::to_string(k), {"tea", "saucer"}, "", "2011-01-05");
  testing::add_order(d, "a1", {"tea", "cake"}, "alice", "2011-01-10");
  testing::add_order(d, "b1", {"pen", "paper"}, "bob", "2011-02-01");
  testing::add_order(d, "a2", {"tea", "saucer"}, "alice", "2011-03-01");
  TrainConfig c;
  c.cooccurrence.min_support = 1;
  c.embedding.epochs = 0;  // no embeddings: not needed here
  return std::make_shared<Model>(train_model(d, c));
}

std::string iso(Timestamp t) { return format_timestamp(t); }

class OrderTimesTest : public ServerTest {
 protected:
  void SetUp() override {
    db_ = fs::temp_directory_path() / ("cobuy-order-times-" + std::to_string(::getpid()) + ".db");
    fs::remove(db_);
    model_ = trained_model();
    ServerOptions o = Running::test_options();
    store_ = OrderStore::open(db_.string());
    o.orders = store_;
    o.max_clock_skew = 3600;  // `cobuy serve --max-clock-skew 3600`
    running_ = std::make_unique<Running>(model_, o);
  }
  void TearDown() override {
    running_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_.string() + suffix);
  }
  json order_at(const std::string& id, const std::string& customer, const std::string& when, int status) {
    return post("/v1/orders",
                R"({"order_id": ")" + id + R"(", "customer_id": ")" + customer + R"(", "timestamp": ")" + when +
                    R"(", "items": [{"item_id": "tea", "quantity": 1, "price": 2.5}]})",
                status);
  }
  static std::string message(const json& answer) { return answer["error"]["message"].get<std::string>(); }

  fs::path db_;
  std::shared_ptr<OrderStore> store_;
};

TEST_F(OrderTimesTest, OrdersFromTheFutureOrTheDistantPastAreRefusedNamingTheField) {
  const auto future = order_at("f1", "carol", "9999-12-31", 400);
  EXPECT_EQ(future["error"]["code"], "bad_request");
  EXPECT_EQ(message(future).find("field 'timestamp': 9999-12-31T00:00:00Z is more than 1 hour ahead of the server "
                                 "clock"),
            0u)
      << message(future);
  EXPECT_EQ(message(order_at("f2", "carol", "0001-01-01", 400)),
            "field 'timestamp': 0001-01-01T00:00:00Z is before 1990-01-01");
  EXPECT_NE(message(order_at("f3", "carol", iso(unix_now() + 7200), 400)).find("1 hour ahead"), std::string::npos)
      << "the server's --max-clock-skew, not the default day";
  order_at("ok", "carol", iso(unix_now() + 600), 201);
  EXPECT_EQ(store_->order_count(), 1u) << "refused orders leave nothing behind";
}

TEST_F(OrderTimesTest, AnOffersRequestsOrderAndAtAreBoundedToo) {
  const auto order = post("/v1/offers",
                          R"({"customer_id": "alice", "order": {"order_id": "z", "timestamp": "9999-12-31",
                              "items": [{"item_id": "tea"}]}})",
                          400);
  EXPECT_EQ(message(order).find("field 'order.timestamp': 9999-12-31T00:00:00Z is more than 1 hour ahead"), 0u)
      << message(order);
  EXPECT_EQ(message(post("/v1/offers", R"({"customer_id": "alice", "at": "0001-01-01"})", 400)),
            "field 'at': 0001-01-01T00:00:00Z is before 1990-01-01");
  EXPECT_NE(message(post("/v1/offers", R"({"customer_id": "alice", "at": "9999-12-31"})", 400)).find("field 'at'"),
            std::string::npos);
  // A campaign planned for the coming months is fine.
  const std::string campaign = iso(unix_now() + 100 * 86400);
  EXPECT_EQ(post("/v1/offers", R"({"customer_id": "alice", "at": ")" + campaign + "\"}")["at"], campaign);
}

TEST_F(OrderTimesTest, ALateOrderOfANewCustomerCountsAtOnce) {
  // Dated before the model's last order (2011-03-01): a late export, a back-office entry.
  order_at("c1", "carol", "2011-02-15T10:00:00Z", 201);
  const auto offers = post("/v1/offers", R"({"customer_id": "carol", "context": "shipping", "at": "2011-03-02"})");
  EXPECT_FALSE(offers.contains("unknown_customer")) << offers.dump();
  EXPECT_EQ(offers["segment"], "new");
  ASSERT_FALSE(offers["offers"].empty());
  EXPECT_EQ(offers["offers"][0]["item_id"], "saucer") << "cross-sold from her order's tea";
  EXPECT_EQ(offers["offers"][0]["reason"], "tea");

  const CustomerLog log = customer_log(store_.get(), *model_, "carol");
  ASSERT_EQ(log.orders.size(), 1u);
  const auto profile = build_profile(*model_, "carol", log.orders, *parse_timestamp("2011-03-02"), {});
  EXPECT_TRUE(profile.known);
  EXPECT_EQ(profile.orders, 1u);
  EXPECT_EQ(profile.last_order, *parse_timestamp("2011-02-15T10:00:00Z"));
  EXPECT_DOUBLE_EQ(profile.spend, 2.5);
}

TEST_F(OrderTimesTest, AnOrderTheModelHoldsIsNotCountedTwice) {
  // a1 is in the model; the shop also posted it, and a late a0 the model has not seen.
  store_->record_order(testing::placed_order("a1", "alice", *parse_timestamp("2011-01-10"), {{"tea", 1, std::nullopt}, {"cake", 1, std::nullopt}}));
  store_->record_order(testing::placed_order("a0", "alice", *parse_timestamp("2011-01-02"), {{"cake", 1, std::nullopt}}));
  const CustomerLog log = customer_log(store_.get(), *model_, "alice");
  ASSERT_EQ(log.orders.size(), 1u) << "only the order the model does not hold";
  EXPECT_EQ(log.orders[0].order_id, "a0");

  const Timestamp at = *parse_timestamp("2011-03-02");
  EXPECT_EQ(build_profile(*model_, "alice", log.orders, at, {}).orders, 3u) << "a1, a2 and a0";
  // Handed the held order directly (as an offers request's order), the profile skips it too.
  const std::vector<PlacedOrder> again = {
      testing::placed_order("a1", "", *parse_timestamp("2011-01-10"), {{"tea", 1, std::nullopt}, {"cake", 1, std::nullopt}})};
  const auto profile = build_profile(*model_, "alice", again, at, {});
  EXPECT_EQ(profile.orders, 2u);
  EXPECT_EQ(profile.first_order, *parse_timestamp("2011-01-10"));
}

}  // namespace
}  // namespace cobuy
