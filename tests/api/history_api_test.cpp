// Changes to history over a real socket: POST /v1/orders/{order_id}/cancel and .../returns, and
// DELETE /v1/customers/{customer_id}. A cancelled order or returned items no longer count in
// offers; an erased customer is answered as one the model does not know, though the model still
// holds their history; bad input gets a clear error naming the field or id.

#include <limits>

#include "api/store/order_store.h"
#include "server_fixture.h"

namespace cobuy {
namespace {

class HistoryApiTest : public LoggedServerTest {
 protected:
  json erase(const std::string& customer_id, int status = 200) {
    auto cli = client();
    auto res = cli.Delete(("/v1/customers/" + customer_id).c_str());
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << res->body;
    return json::parse(res->body);
  }
  json shipping_offers(const std::string& customer_id) {
    return post("/v1/offers", R"({"customer_id": ")" + customer_id + R"(", "context": "shipping", "at": "2011-04-11"})");
  }
};

const char* kBobOrder =
    R"({"order_id": "b1", "customer_id": "bob", "timestamp": "2011-04-10T09:00:00Z",
        "items": [{"item_id": "tea", "quantity": 2, "price": 2.5}, {"item_id": "pen", "quantity": 1}]})";

/// The reasons of an offers answer's offers.
std::vector<std::string> reasons(const json& answer) {
  std::vector<std::string> out;
  for (const auto& o : answer["offers"]) out.push_back(o["reason"]);
  return out;
}

TEST_F(HistoryApiTest, ACancelledOrderNoLongerCountsInOffers) {
  post("/v1/orders", kBobOrder, 201);
  const auto before = shipping_offers("bob");
  EXPECT_FALSE(before.contains("unknown_customer"));
  EXPECT_EQ(before["offers"][0]["reason"], "tea") << before;

  const auto cancelled = post("/v1/orders/b1/cancel", "", 200);
  EXPECT_EQ(cancelled, json({{"order_id", "b1"}, {"status", "cancelled"}}));
  EXPECT_EQ(post("/v1/orders/b1/cancel", "", 200)["status"], "already_cancelled");
  EXPECT_EQ(post("/v1/orders", kBobOrder, 200)["status"], "duplicate") << "posting it again does not revive it";

  const auto after = shipping_offers("bob");
  EXPECT_EQ(after["unknown_customer"], true) << "bob's only order is cancelled: " << after;
  for (const auto& reason : reasons(after)) EXPECT_NE(reason, "tea");

  const auto unknown = post("/v1/orders/nope/cancel", "", 404);
  expect_error(unknown, "not_found", "the order log has no order 'nope'");
}

TEST_F(HistoryApiTest, ReturnedItemsNoLongerCountInOffers) {
  post("/v1/orders", kBobOrder, 201);
  const std::string tea_back = R"({"return_id": "rma-1", "items": [{"item_id": "tea", "quantity": 2}]})";
  EXPECT_EQ(post("/v1/orders/b1/returns", tea_back, 201),
            json({{"order_id", "b1"}, {"return_id", "rma-1"}, {"status", "recorded"}}));
  EXPECT_EQ(post("/v1/orders/b1/returns", tea_back, 200)["status"], "duplicate");

  const auto offers = shipping_offers("bob");
  EXPECT_FALSE(offers.contains("unknown_customer"));
  EXPECT_EQ(offers["offers"][0]["item_id"], "paper") << "the pen's complement first: " << offers;
  for (const auto& reason : reasons(offers)) EXPECT_NE(reason, "tea") << offers;

  expect_error(post("/v1/orders/b1/returns", R"({"return_id": "rma-2", "items": [{"item_id": "cake"}]})", 400),
               "bad_request", "item 'cake' is not on order 'b1'");
  expect_error(post("/v1/orders/b1/returns", R"({"return_id": "rma-2", "items": [{"item_id": "pen", "quantity": 2}]})", 400),
               "bad_request", "makes 2 returned, but order 'b1' has 1");
  expect_error(post("/v1/orders/b1/returns", R"({"items": [{"item_id": "pen"}]})", 400), "bad_request", "return_id");
  expect_error(post("/v1/orders/b1/returns", R"({"return_id": "rma-2", "items": "pen"})", 400), "bad_request", "items");
  expect_error(post("/v1/orders/b2/returns", R"({"return_id": "rma-2", "items": [{"item_id": "pen"}]})", 404),
               "not_found", "'b2'");
}

TEST_F(HistoryApiTest, AnErasedCustomerIsAnsweredAsAnUnknownOne) {
  // alice's history is in the model.
  const auto known = shipping_offers("alice");
  EXPECT_FALSE(known.contains("unknown_customer"));
  EXPECT_EQ(known["segment"], "loyal");
  post("/v1/orders", R"({"order_id": "a9", "customer_id": "alice", "timestamp": "2011-04-09", "items": [{"item_id": "cake"}]})",
       201);
  post("/v1/offers", R"({"customer_id": "alice", "context": "delivered", "send_id": "mail-1"})");
  post("/v1/events", R"({"send_id": "mail-1", "type": "opened"})", 201);

  const auto erased = erase("alice");
  EXPECT_EQ(erased["status"], "erased");
  EXPECT_EQ(erased["customer_id"], "alice");
  EXPECT_EQ(erased["deleted"], json({{"orders", 1}, {"offers", 6}, {"sends", 1}, {"events", 1}}))
      << "3 offers shown, 3 in the send, and the send's event";
  const auto again = erase("alice");
  EXPECT_EQ(again["status"], "already_erased");
  EXPECT_EQ(again["deleted"], json({{"orders", 0}, {"offers", 0}, {"sends", 0}, {"events", 0}}));

  // The model still holds alice's orders; the answers do not use them.
  const auto offers = shipping_offers("alice");
  const auto stranger = shipping_offers("zed");
  EXPECT_EQ(offers["unknown_customer"], true);
  EXPECT_EQ(offers["segment"], "new");
  EXPECT_EQ(offers["customer_id"], "alice");
  EXPECT_EQ(item_ids(offers["offers"]), item_ids(stranger["offers"]));
  const auto recommended = post("/v1/recommendations", R"({"customer_id": "alice", "limit": 3})");
  EXPECT_EQ(recommended["unknown_customer"], true);
  EXPECT_EQ(recommended["fallback"], true);
  EXPECT_EQ(item_ids(recommended["items"]),
            item_ids(post("/v1/recommendations", R"({"customer_id": "zed", "limit": 3})")["items"]));

  // Nothing more of alice is kept.
  expect_error(post("/v1/orders", R"({"order_id": "a10", "customer_id": "alice", "timestamp": "2011-04-10",
                                      "items": [{"item_id": "tea"}]})",
                    400),
               "bad_request", "customer 'alice' was erased");
  post("/v1/offers", R"({"customer_id": "alice", "context": "delivered", "send_id": "mail-2"})");
  const auto store = OrderStore::open(db_.string());
  EXPECT_TRUE(store->offered_since("alice", 0).empty());
  EXPECT_FALSE(store->find_send("mail-1"));
  EXPECT_FALSE(store->find_send("mail-2"));
  EXPECT_TRUE(store->events_between(std::numeric_limits<Timestamp>::min() + 1, std::numeric_limits<Timestamp>::max())
                  .empty());
  EXPECT_EQ(store->order_count(), 0u);
}

TEST_F(HistoryApiTest, EachRouteTakesItsOneMethod) {
  const auto get_customer = get("/v1/customers/alice", 405);
  expect_error(get_customer, "method_not_allowed", "allowed: DELETE, OPTIONS");
  auto cli = client();
  const auto deleted = cli.Delete("/v1/orders/b1/cancel");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 405);
  EXPECT_EQ(deleted->get_header_value("Allow"), "POST, OPTIONS");
}

class HistoryWithoutLogTest : public ServerTest {};

TEST_F(HistoryWithoutLogTest, ChangingHistoryNeedsAnOrderLog) {
  expect_error(post("/v1/orders/b1/cancel", "", 503), "unavailable", "--orders-db");
  auto cli = client();
  const auto res = cli.Delete("/v1/customers/alice");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  expect_error(json::parse(res->body), "unavailable", "--orders-db");
}

}  // namespace
}  // namespace cobuy
