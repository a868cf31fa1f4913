// The feedback loop over a real socket: POST /v1/events (recorded once, bad ones refused naming
// what was wrong), the A/B holdout in POST /v1/offers (every answer says its arm; the holdout
// gets the baseline and its send keeps what cobuy would have offered), and GET /v1/stats/offers
// on a simulated shop whose cobuy-arm customers buy the planted complement after seeing it.
#include <random>

#include "api/store/order_store.h"
#include "core/holdout.h"
#include "server_fixture.h"

namespace cobuy {
namespace {

constexpr const char* kSalt = "feedback-test";

class FeedbackApiTest : public LoggedServerTest {
 protected:
  void SetUp() override {
    LoggedServerTest::SetUp();
    running_.reset();
    ServerOptions o = Running::test_options();
    o.orders = OrderStore::open(db_.string());
    o.policy.limit = 3;
    o.policy.holdout = holdout_;
    running_ = std::make_unique<Running>(model_, o);
  }

  /// The first id "cK" the holdout puts in `arm`.
  std::string customer_in(Arm arm) const {
    for (int k = 0;; ++k) {
      const std::string id = "c" + std::to_string(k);
      if (assign_arm(holdout_, id) == arm) return id;
    }
  }

  /// Offers after an order of a pen, for `customer`, logged under `send_id`.
  json pen_offers(const std::string& customer, const std::string& send_id) {
    return post("/v1/offers", R"({"customer_id": ")" + customer + R"(", "send_id": ")" + send_id +
                                  R"(", "context": "order_confirmation", "at": "2011-04-10T00:00:00Z",
                                  "order": {"order_id": "p-)" + customer + R"(", "items": [{"item_id": "pen"}]}})");
  }

  HoldoutPolicy holdout_{0.5, kSalt, HoldoutBaseline::popular};
};

TEST_F(FeedbackApiTest, EventsAreRecordedOnceAndBadOnesAreRefusedNamingWhatWasWrong) {
  const json offers = pen_offers(customer_in(Arm::cobuy), "e1");
  const std::string offer_id = offers["offers"][0]["offer_id"];
  const std::string click = R"({"send_id": "e1", "type": "clicked", "offer_id": ")" + offer_id + R"(", "at": 1302400000})";
  EXPECT_EQ(post("/v1/events", click, 201),
            json({{"send_id", "e1"}, {"offer_id", offer_id}, {"type", "clicked"}, {"status", "recorded"}}));
  EXPECT_EQ(post("/v1/events", click, 200)["status"], "duplicate");
  EXPECT_EQ(post("/v1/events", R"({"send_id": "e1", "type": "opened"})", 201)["offer_id"], nullptr);
  expect_error(post("/v1/events",
                    R"({"send_id": "e1", "type": "clicked", "offer_id": ")" + offer_id + R"(", "at": 1302400001})", 400),
               "bad_request", "already recorded");
  expect_error(post("/v1/events", "{not json", 400), "bad_request", "");
  expect_error(post("/v1/events", R"({"send_id": "e1", "type": "bounced"})", 400), "bad_request",
               "unknown event type 'bounced'");
  expect_error(post("/v1/events", R"({"type": "opened"})", 400), "bad_request", "send_id");
  expect_error(post("/v1/events", R"({"send_id": "e1"})", 400), "bad_request", "type");
  expect_error(post("/v1/events", R"({"send_id": "e1", "type": "opened", "offer": "x"})", 400), "bad_request",
               "unknown field 'offer'");
  expect_error(post("/v1/events", R"({"send_id": "e1", "type": "clicked"})", 400), "bad_request", "offer_id");
  expect_error(post("/v1/events", R"({"send_id": "nope", "type": "opened"})", 404), "not_found",
               "unknown send_id 'nope'");
  expect_error(post("/v1/events", R"({"send_id": "e1", "type": "clicked", "offer_id": "x1"})", 404), "not_found",
               "unknown offer_id 'x1'");
  // A preview is not logged: no events can refer to it.
  post("/v1/offers", R"({"customer_id": "c1", "send_id": "e2", "preview": true, "context": "delivered"})");
  expect_error(post("/v1/events", R"({"send_id": "e2", "type": "opened"})", 404), "not_found", "'e2'");
}

TEST_F(FeedbackApiTest, TheHoldoutGetsTheBaselineAndItsSendKeepsCobuysList) {
  const json cobuy = pen_offers(customer_in(Arm::cobuy), "a1");
  EXPECT_EQ(cobuy["arm"], "cobuy");
  EXPECT_EQ(cobuy["offers"][0]["item_id"], "paper") << cobuy;
  EXPECT_EQ(cobuy["offers"][0]["kind"], "cross_sell");

  const std::string held = customer_in(Arm::holdout);
  const json holdout = pen_offers(held, "h1");
  EXPECT_EQ(holdout["arm"], "holdout");
  ASSERT_FALSE(holdout["offers"].empty()) << holdout;
  for (const auto& o : holdout["offers"]) EXPECT_EQ(o["kind"], "popular") << holdout;
  EXPECT_EQ(pen_offers(held, "h1"), holdout) << "a send id replays its answer";
  EXPECT_EQ(pen_offers(held, "h2")["arm"], "holdout") << "the same customer stays in the same arm";

  const auto store = OrderStore::open(db_.string());
  const auto send = store->find_send("h1");
  ASSERT_TRUE(send);
  const json counterfactual = json::parse(send->counterfactual);
  ASSERT_FALSE(counterfactual.empty());
  EXPECT_EQ(counterfactual[0]["item_id"], "paper") << "what cobuy would have offered";
  EXPECT_EQ(store->find_send("a1")->counterfactual, "");
}

TEST_F(FeedbackApiTest, ABaselineOfNoneShowsNoOffersButLogsTheSend) {
  running_.reset();
  holdout_.baseline = HoldoutBaseline::none;
  ServerOptions o = Running::test_options();
  o.orders = OrderStore::open(db_.string());
  o.policy.holdout = holdout_;
  running_ = std::make_unique<Running>(model_, o);
  const json holdout = pen_offers(customer_in(Arm::holdout), "n1");
  EXPECT_EQ(holdout["arm"], "holdout");
  EXPECT_TRUE(holdout["offers"].empty()) << holdout;
  const auto send = OrderStore::open(db_.string())->find_send("n1");
  ASSERT_TRUE(send);
  EXPECT_NE(send->counterfactual.find("paper"), std::string::npos);
}

// The simulated shop: 160 customers get the pen email; everyone buys paper within the week with
// probability 0.15, and a cobuy-arm customer, having been shown it, also with 0.7.
TEST_F(FeedbackApiTest, TheStatsFindThePlantedEffectWithinTheirInterval) {
  constexpr double kNatural = 0.15, kPlanted = 0.7;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (int c = 0; c < 160; ++c) {
    const std::string customer = "sim" + std::to_string(c);
    const json answer = pen_offers(customer, "s-" + customer);
    const bool shown = answer["arm"] == "cobuy" && answer["offers"][0]["item_id"] == "paper";
    const bool natural = u(rng) < kNatural, planted = u(rng) < kPlanted;
    if (natural || (shown && planted)) {
      post("/v1/orders", R"({"order_id": "o-)" + customer + R"(", "customer_id": ")" + customer +
                             R"(", "timestamp": "2011-04-12T10:00:00Z", "items": [{"item_id": "paper", "price": 3}]})",
           201);
    }
  }
  post("/v1/events", R"({"send_id": "s-sim0", "type": "opened"})", 201);
  const json stats = get("/v1/stats/offers");
  EXPECT_EQ(stats["attribution_days"], 7.0);
  EXPECT_EQ(stats["from"], nullptr);
  const auto sends = stats["arms"]["cobuy"]["sends"].get<int>() + stats["arms"]["holdout"]["sends"].get<int>();
  EXPECT_EQ(sends, 160);
  EXPECT_EQ(stats["arms"]["cobuy"]["opens"].get<int>() + stats["arms"]["holdout"]["opens"].get<int>(), 1);
  const double planted_effect = (1 - (1 - kNatural) * (1 - kPlanted)) - kNatural;
  const json& uplift = stats["uplift"]["conversion_rate"];
  EXPECT_LT(uplift["low"].get<double>(), planted_effect) << stats.dump(1);
  EXPECT_GT(uplift["high"].get<double>(), planted_effect) << stats.dump(1);
  EXPECT_GT(uplift["low"].get<double>(), 0) << stats.dump(1);
  EXPECT_GT(stats["uplift"]["revenue_per_send"]["low"].get<double>(), 0);
  ASSERT_EQ(stats["by_context"].size(), 1u);
  EXPECT_EQ(stats["by_context"][0]["context"], "order_confirmation");
  EXPECT_FALSE(stats["by_kind"].empty());
  EXPECT_FALSE(stats["by_segment"].empty());
  // A range without sends.
  const json empty = get("/v1/stats/offers?from=2012-01-01&until=2012-02-01");
  EXPECT_EQ(empty["arms"]["cobuy"]["sends"], 0);
  EXPECT_EQ(empty["from"], "2012-01-01T00:00:00Z");
  expect_error(get("/v1/stats/offers?from=yesterday", 400), "bad_request", "from");
  expect_error(get("/v1/stats/offers?since=2012-01-01", 400), "bad_request", "unknown parameter 'since'");
  expect_error(get("/v1/stats/offers?from=2012-02-01&until=2012-01-01", 400), "bad_request", "until");
}

/// A server without an order log.
class FeedbackWithoutLogTest : public ServerTest {};

TEST_F(FeedbackWithoutLogTest, StatsAndEventsNeedAnOrderLog) {
  expect_error(get("/v1/stats/offers", 503), "unavailable", "--orders-db");
  expect_error(post("/v1/events", R"({"send_id": "x", "type": "opened"})", 503), "unavailable", "--orders-db");
}

}  // namespace
}  // namespace cobuy
