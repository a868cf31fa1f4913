// POST /v1/offers and POST /v1/orders over a real socket: a new customer's order is recorded,
// the shipping email's offers know it, the offer log keeps items from coming back too soon, and
// bad input gets a clear error.

#include "api/store/order_store.h"
#include "server_fixture.h"

namespace cobuy {
namespace {

class OffersApiTest : public LoggedServerTest {};

const char* kBobOrder =
    R"({"order_id": "b1", "customer_id": "bob", "timestamp": "2011-04-10T09:00:00Z",
        "items": [{"item_id": "tea", "quantity": 2, "price": 2.5}]})";

TEST_F(OffersApiTest, ANewCustomersOrderIsRecordedAndTheShippingEmailKnowsIt) {
  const auto recorded = post("/v1/orders", kBobOrder, 201);
  EXPECT_EQ(recorded["status"], "recorded");
  EXPECT_EQ(recorded["order_id"], "b1");
  EXPECT_EQ(post("/v1/orders", kBobOrder, 200)["status"], "duplicate");

  const auto offers = post("/v1/offers", R"({"customer_id": "bob", "context": "shipping"})");
  EXPECT_EQ(offers["customer_id"], "bob");
  EXPECT_EQ(offers["context"], "shipping");
  EXPECT_EQ(offers["at"], "2011-04-10T09:00:00Z");
  EXPECT_EQ(offers["segment"], "new");
  EXPECT_FALSE(offers.contains("unknown_customer"));
  const auto& list = offers["offers"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["item_id"], "saucer");  // tea's first complement
  EXPECT_EQ(list[0]["kind"], "cross_sell");
  EXPECT_EQ(list[0]["reason"], "tea");
  EXPECT_EQ(list[0]["relation"], "complement");
  EXPECT_EQ(list[0]["discount_percent"], 10.0);  // new customers: 10% for 14 days
  EXPECT_EQ(list[0]["valid_until"], "2011-04-24T09:00:00Z");
  EXPECT_EQ(list[0]["offer_id"].get<std::string>().size(), 16u);
  for (const auto& o : list) {
    EXPECT_NE(o["item_id"], "tea") << "never the item just bought";
    EXPECT_NE(o["item_id"], "cafe") << "never a substitute of it";
  }
}

TEST_F(OffersApiTest, OffersShownAreNotShownAgainWithinTheReofferWindow) {
  post("/v1/orders", kBobOrder, 201);
  const std::string request = R"({"customer_id": "bob", "context": "shipping", "at": "2011-04-11"})";
  const auto dry = post("/v1/offers", R"({"customer_id": "bob", "context": "shipping", "at": "2011-04-11", "preview": true})");
  const auto first = post("/v1/offers", request);
  EXPECT_EQ(dry["offers"], first["offers"]) << "a preview logs nothing";
  const auto second = post("/v1/offers", request);
  for (const auto& a : first["offers"]) {
    for (const auto& b : second["offers"]) EXPECT_NE(a["item_id"], b["item_id"]);
  }
  const auto store = OrderStore::open(db_.string());
  EXPECT_EQ(store->offered_since("bob", 0).size(), first["offers"].size() + second["offers"].size());
}

// A retry of one email (the same send_id) gets the very same answer, though the re-offer rule
// would give the second request other items; a preview with a new send id stores nothing.
TEST_F(OffersApiTest, TheSameSendIdGetsTheSameAnswerAndLogsOnce) {
  post("/v1/orders", kBobOrder, 201);
  const std::string request = R"({"customer_id": "bob", "context": "shipping", "at": "2011-04-11")";
  const auto preview = post("/v1/offers", request + R"(, "send_id": "mail-1", "preview": true})");
  EXPECT_EQ(preview["send_id"], "mail-1");
  const auto first = post("/v1/offers", request + R"(, "send_id": "mail-1"})");
  ASSERT_EQ(first["offers"].size(), 3u);
  EXPECT_EQ(first, preview) << "the preview stored nothing under the send id and logged nothing";
  EXPECT_EQ(first["send_id"], "mail-1");
  for (int retry = 0; retry < 3; ++retry) {
    EXPECT_EQ(post("/v1/offers", request + R"(, "send_id": "mail-1"})"), first) << "retry " << retry;
  }
  // Other fields of a retry do not change the stored answer; a preview of a sent email shows it.
  EXPECT_EQ(post("/v1/offers", request + R"(, "send_id": "mail-1", "limit": 1})"), first);
  EXPECT_EQ(post("/v1/offers", request + R"(, "send_id": "mail-1", "preview": true})"), first);
  // The offer log holds the one send's offers once, so a new email (new send id) moves on.
  const auto store = OrderStore::open(db_.string());
  EXPECT_EQ(store->offered_since("bob", 0).size(), first["offers"].size());
  const auto next = post("/v1/offers", request + R"(, "send_id": "mail-2"})");
  for (const auto& a : first["offers"]) {
    for (const auto& b : next["offers"]) EXPECT_NE(a["item_id"], b["item_id"]);
  }
  const auto stored = store->find_send("mail-1");
  ASSERT_TRUE(stored);
  EXPECT_EQ(json::parse(stored->answer), first);
  EXPECT_EQ(stored->customer_id, "bob");
  EXPECT_EQ(stored->context, "shipping");
  // An anonymous email's answer is kept too (and logs no offers).
  const auto anonymous = post("/v1/offers", R"({"context": "shipping", "send_id": 77})");
  EXPECT_EQ(anonymous["send_id"], "77");
  EXPECT_EQ(post("/v1/offers", R"({"context": "shipping", "send_id": "77"})"), anonymous);
}

TEST_F(OffersApiTest, ASendIdNamesOneEmail) {
  post("/v1/offers", R"({"customer_id": "bob", "context": "shipping", "send_id": "mail-1"})");
  for (const char* other : {R"({"customer_id": "alice", "context": "shipping", "send_id": "mail-1"})",
                            R"({"customer_id": "bob", "context": "delivered", "send_id": "mail-1"})"}) {
    const auto refused = post("/v1/offers", other, 400);
    const std::string message = refused["error"]["message"];
    EXPECT_NE(message.find("send_id 'mail-1' was already answered for customer 'bob' in context 'shipping'"),
              std::string::npos)
        << message;
  }
  const auto empty = post("/v1/offers", R"({"customer_id": "bob", "send_id": ""})", 400);
  EXPECT_NE(empty["error"]["message"].get<std::string>().find("send_id"), std::string::npos);
  const auto object = post("/v1/offers", R"({"customer_id": "bob", "send_id": {"id": 1}})", 400);
  EXPECT_NE(object["error"]["message"].get<std::string>().find("send_id"), std::string::npos);
  const auto preview = post("/v1/offers", R"({"customer_id": "bob", "preview": "yes"})", 400);
  EXPECT_NE(preview["error"]["message"].get<std::string>().find("preview"), std::string::npos);
  const auto record = post("/v1/offers", R"({"customer_id": "bob", "record": false})", 400);
  EXPECT_NE(record["error"]["message"].get<std::string>().find("\"preview\": true"), std::string::npos);
  const auto store = OrderStore::open(db_.string());
  EXPECT_EQ(store->offered_since("bob", 0).size(), 3u) << "refused requests log nothing";
}

TEST_F(OffersApiTest, MalformedAndConflictingOrdersAreRefusedWithTheFieldNamed) {
  post("/v1/orders", kBobOrder, 201);
  auto conflict = post("/v1/orders",
                       R"({"order_id": "b1", "customer_id": "bob", "timestamp": "2011-04-10T09:00:00Z",
                           "items": [{"item_id": "cake"}]})",
                       400);
  EXPECT_NE(conflict["error"]["message"].get<std::string>().find("different"), std::string::npos);
  auto no_items = post("/v1/orders", R"({"order_id": "b2", "customer_id": "bob", "timestamp": "2011-04-10", "items": []})", 400);
  EXPECT_NE(no_items["error"]["message"].get<std::string>().find("no items"), std::string::npos);
  auto quantity = post("/v1/orders",
                       R"({"order_id": "b3", "customer_id": "bob", "timestamp": "2011-04-10",
                           "items": [{"item_id": "tea", "quantity": "two"}]})",
                       400);
  EXPECT_NE(quantity["error"]["message"].get<std::string>().find("items[0].quantity"), std::string::npos);
  auto no_customer = post("/v1/orders", R"({"order_id": "b4", "timestamp": "2011-04-10", "items": [{"item_id": "tea"}]})", 400);
  EXPECT_NE(no_customer["error"]["message"].get<std::string>().find("customer_id"), std::string::npos);
  post("/v1/orders", "{not json", 400);
  const auto store = OrderStore::open(db_.string());
  EXPECT_EQ(store->order_count(), 1u) << "refused orders leave nothing behind";
}

TEST_F(OffersApiTest, BadOfferRequestsAreRefusedWithTheFieldNamed) {
  auto context = post("/v1/offers", R"({"customer_id": "alice", "context": "birthday"})", 400);
  EXPECT_NE(context["error"]["message"].get<std::string>().find("shipping"), std::string::npos);
  auto limit = post("/v1/offers", R"({"customer_id": "alice", "limit": 0})", 400);
  EXPECT_NE(limit["error"]["message"].get<std::string>().find("limit"), std::string::npos);
  auto big = post("/v1/offers", R"({"customer_id": "alice", "limit": 51})", 400);
  EXPECT_NE(big["error"]["message"].get<std::string>().find("limit"), std::string::npos);
  auto price = post("/v1/offers",
                    R"({"customer_id": "alice", "order": {"order_id": "x", "items": [{"item_id": "tea", "price": -1}]}})", 400);
  EXPECT_NE(price["error"]["message"].get<std::string>().find("price"), std::string::npos);
  auto items = post("/v1/offers", R"({"customer_id": "alice", "order": {"order_id": "x", "items": "tea"}})", 400);
  EXPECT_NE(items["error"]["message"].get<std::string>().find("order.items"), std::string::npos);
  // Unknown ids are not errors.
  auto unknown = post("/v1/offers", R"({"customer_id": "zed", "order": {"order_id": "x", "items": [{"item_id": "nope"}]}})");
  EXPECT_EQ(unknown["unknown_customer"], true);
  EXPECT_EQ(unknown["unknown_items"], json::array({"nope"}));
  EXPECT_EQ(unknown["offers"].size(), 3u);
  EXPECT_EQ(unknown["fallback"], true);
}

class OffersWithoutLogTest : public ServerTest {};

TEST_F(OffersWithoutLogTest, RecordingOrdersNeedsAnOrderLog) {
  const auto answer = post("/v1/orders", kBobOrder, 503);
  EXPECT_NE(answer["error"]["message"].get<std::string>().find("--orders-db"), std::string::npos);
  // The model route shows what the offer engine derived from the history.
  const auto model = get("/v1/model");
  EXPECT_EQ(model["offers"]["segments"]["loyal_min_orders"], 2);
  EXPECT_EQ(model["offers"]["repeatable_items"], 0);
  // Offers work without a log.
  // alice: 2 orders, spent 6.5; with one customer the shop quantiles make her loyal.
  EXPECT_EQ(post("/v1/offers", R"({"customer_id": "alice", "context": "delivered"})")["segment"], "loyal");
  // A send id needs the log that keeps its answer.
  const auto send = post("/v1/offers", R"({"customer_id": "alice", "send_id": "mail-1"})", 503);
  EXPECT_NE(send["error"]["message"].get<std::string>().find("--orders-db"), std::string::npos);
}

}  // namespace
}  // namespace cobuy
