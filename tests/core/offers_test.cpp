// Offers: each rule of the offer policy on a small hand-made shop, and the kinds, reasons and
// discounts each context gives.

#include "core/offers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "core/customer_profile.h"
#include "core/error.h"
#include "core/next_order.h"
#include "core/time_util.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

Timestamp ts(const char* iso) { return *parse_timestamp(iso); }

/// A small shop. Customer "tea" buys tea every 10 days (6 orders), and a mug once; "once" has
/// one order; mug2 is the mug's substitute and appears in the teapot's row.
std::shared_ptr<const Model> tea_shop() {
  testing::ModelBuilder b;
  b.item("mug", "kitchen", 5).item("mug2", "kitchen", 5).item("teapot", "kitchen", 20).item("spoon", "kitchen", 1);
  b.item("tea", "drinks", 3).item("coffee", "drinks", 4).item("coaster", "home", 2).item("biscuit", "food", 2);
  b.item("kettle", "kitchen", 30, /*in_stock=*/false).item("cake", "food", 3);
  b.bought_with("mug", {"teapot", "coaster", "kettle", "spoon", "biscuit"});
  b.bought_with("teapot", {"mug2", "tea", "spoon"});
  b.bought_with("tea", {"biscuit", "cake", "teapot"});
  b.substitutes("mug", {"mug2"});
  b.popular({"cake", "coffee", "biscuit", "coaster", "spoon"});
  const char* days[] = {"2011-01-01", "2011-01-11", "2011-01-21", "2011-01-31", "2011-02-10", "2011-02-20"};
  for (const char* d : days) b.order("tea", d, {"tea"}, 3.0f);
  b.order("tea", "2011-02-20T12:00:00Z", {"mug"}, 5.0f);
  b.order("once", "2011-02-01", {"coffee"}, 4.0f);
  return std::make_shared<const Model>(b.build());
}

OfferPolicy fixed_policy() {
  OfferPolicy p;
  p.segments.at_risk_days = 30;
  p.segments.lapsed_days = 90;
  p.segments.loyal_min_orders = 3;
  p.segments.loyal_min_spend = 10;
  p.rules.max_per_category = 0;
  p.limit = 10;
  return p;
}

PlacedOrder order_of(std::vector<std::pair<std::string, double>> items, const char* when, std::string id = "o-new") {
  PlacedOrder o;
  o.order_id = std::move(id);
  o.time = ts(when);
  for (auto& [item, price] : items) o.lines.push_back({item, 1.0, price});
  return o;
}

std::vector<std::string> ids(const Model& m, const OfferResult& r) {
  std::vector<std::string> out;
  for (const auto& o : r.offers) out.push_back(m.catalog.ids[o.item]);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& id) { return std::find(v.begin(), v.end(), id) != v.end(); }

const Offer& offer_for(const Model& m, const OfferResult& r, const std::string& id) {
  for (const auto& o : r.offers) {
    if (m.catalog.ids[o.item] == id) return o;
  }
  throw std::runtime_error("no offer for " + id);
}

TEST(Offers, OrderConfirmationOffersComplementsOfTheOrderWithTheirAnchor) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  const auto r = engine.offers(q, {});
  ASSERT_GE(r.offers.size(), 3u);
  EXPECT_EQ(m->catalog.ids[r.offers[0].item], "teapot");
  EXPECT_EQ(r.offers[0].kind, OfferKind::cross_sell);
  EXPECT_EQ(r.offers[0].relation, Relation::complement);
  EXPECT_EQ(r.offers[0].reason, "mug");
  EXPECT_FALSE(r.offers[0].offer_id.empty());
}

TEST(Offers, ScratchBuffersFollowConcurrencyNotTheThreadsThatEverAsked) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "tea";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  engine.offers(q, {});
  const auto before = offer_scratch_buffers();
  ASSERT_GE(before, 1u);
  // 20 threads, one after the other: each call finds the buffer the previous one returned.
  for (int k = 0; k < 20; ++k) {
    std::thread t([&] { EXPECT_FALSE(engine.offers(q, {}).offers.empty()); });
    t.join();
  }
  EXPECT_EQ(offer_scratch_buffers(), before);
}

TEST(Offers, NeverAnItemOfTheOrderJustPlacedUnlessItIsDueAgain) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "tea";
  q.context = OfferContext::replenishment;
  q.order = order_of({{"tea", 3}}, "2011-03-02");
  q.at = ts("2011-03-02");
  EXPECT_FALSE(has(ids(*m, engine.offers(q, {})), "tea"));  // just bought
  q.at = ts("2011-03-13");                                   // 11 days later: tea's 10-day interval has passed
  const auto later = engine.offers(q, {});
  ASSERT_TRUE(has(ids(*m, later), "tea"));
  const auto& tea = offer_for(*m, later, "tea");
  EXPECT_EQ(tea.kind, OfferKind::replenish);
  EXPECT_EQ(tea.reason, "due");
  EXPECT_DOUBLE_EQ(tea.interval_days, 10.0);
  EXPECT_NEAR(tea.days_since, 11.0, 1e-9);
}

TEST(Offers, NoSubstituteOfARecentPurchaseDuringTheCoolingOffPeriod) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "tea";  // bought the mug on 2011-02-20
  q.order = order_of({{"teapot", 20}}, "2011-03-01");
  EXPECT_FALSE(has(ids(*m, engine.offers(q, {})), "mug2"));
  q.order = order_of({{"teapot", 20}}, "2011-04-15");  // 54 days after the mug: past the 30 days
  EXPECT_TRUE(has(ids(*m, engine.offers(q, {})), "mug2"));
  // Never a substitute of an item in the order itself.
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}, {"teapot", 20}}, "2011-04-15");
  EXPECT_FALSE(has(ids(*m, engine.offers(q, {})), "mug2"));
}

TEST(Offers, CategoryIncludeAndExcludeFromThePolicyAndTheRequest) {
  auto m = tea_shop();
  OfferPolicy p = fixed_policy();
  p.rules.exclude_categories = {"home"};
  OfferEngine excluding(m, p);
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  auto r = excluding.offers(q, {});
  for (const auto& o : r.offers) EXPECT_NE(m->catalog.categories[o.item], "home");
  p.rules.exclude_categories.clear();
  p.rules.include_categories = {"kitchen"};
  r = OfferEngine(m, p).offers(q, {});
  ASSERT_FALSE(r.offers.empty());
  for (const auto& o : r.offers) EXPECT_EQ(m->catalog.categories[o.item], "kitchen");
  q.filters.exclude_categories = {"kitchen"};
  EXPECT_TRUE(OfferEngine(m, p).offers(q, {}).offers.empty());
}

TEST(Offers, PriceRangeRelativeToTheOrder) {
  auto m = tea_shop();
  OfferPolicy p = fixed_policy();
  p.rules.max_price_ratio = 2.0;  // order mean unit price 5: at most 10
  p.rules.min_price_ratio = 0.5;  // at least 2.5
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  const auto r = OfferEngine(m, p).offers(q, {});
  ASSERT_FALSE(r.offers.empty());
  for (const auto& o : r.offers) {
    EXPECT_GE(m->catalog.prices[o.item], 2.5f) << m->catalog.ids[o.item];
    EXPECT_LE(m->catalog.prices[o.item], 10.0f) << m->catalog.ids[o.item];
  }
  EXPECT_FALSE(has(ids(*m, r), "teapot"));
  EXPECT_FALSE(has(ids(*m, r), "coaster"));
}

TEST(Offers, InStockOnlyWhenTheCatalogueSaysSo) {
  auto m = tea_shop();
  OfferPolicy p = fixed_policy();
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  EXPECT_FALSE(has(ids(*m, OfferEngine(m, p).offers(q, {})), "kettle"));
  p.rules.in_stock_only = false;
  EXPECT_TRUE(has(ids(*m, OfferEngine(m, p).offers(q, {})), "kettle"));
}

TEST(Offers, AtMostNItemsPerCategory) {
  auto m = tea_shop();
  OfferPolicy p = fixed_policy();
  p.rules.max_per_category = 1;
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  const auto r = OfferEngine(m, p).offers(q, {});
  std::map<std::string, int> per;
  for (const auto& o : r.offers) ++per[m->catalog.categories[o.item]];
  ASSERT_FALSE(per.empty());
  for (const auto& [cat, n] : per) EXPECT_LE(n, 1) << cat;
  EXPECT_EQ(m->catalog.ids[r.offers[0].item], "teapot");
  EXPECT_FALSE(has(ids(*m, r), "spoon"));  // a second kitchen item
}

TEST(Offers, NoItemOfferedAgainWithinTheReofferWindow) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  CustomerLog log;
  log.offered = {{"teapot", ts("2011-02-25")}};  // 4 days before
  EXPECT_FALSE(has(ids(*m, engine.offers(q, log)), "teapot"));
  log.offered = {{"teapot", ts("2011-02-01")}};  // 28 days before: window of 14 days is over
  EXPECT_TRUE(has(ids(*m, engine.offers(q, log)), "teapot"));
}

TEST(Offers, DiscountAndValidUntilFollowTheSegmentTier) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "newcomer";  // unknown: new segment, 10% for 14 days
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  auto r = engine.offers(q, {});
  EXPECT_EQ(r.segment, Segment::new_customer);
  ASSERT_FALSE(r.offers.empty());
  for (const auto& o : r.offers) {
    if (o.kind == OfferKind::popular) {
      EXPECT_EQ(o.discount_percent, 0.0);
      EXPECT_EQ(o.valid_until, kNoTime);
    } else {
      EXPECT_EQ(o.discount_percent, 10.0);
      EXPECT_EQ(o.valid_until, ts("2011-03-15"));
    }
  }
  // "tea" at 2011-03-01 has 7 orders, spent 23, last order 9 days ago: loyal, 5%.
  q.customer_id = "tea";
  r = engine.offers(q, {});
  EXPECT_EQ(r.segment, Segment::loyal);
  EXPECT_EQ(r.offers.front().discount_percent, 5.0);
}

// What an email needs to show a discounted offer: the price after the discount, the currency
// (the item's own "currency" field before the policy's) and a coupon code from the template.
TEST(Offers, ADiscountedOfferCarriesItsPriceAfterTheDiscountCurrencyAndCoupon) {
  testing::ModelBuilder b;
  b.item("mug", "kitchen", 5).item("teapot", "kitchen", 19.99f).item("coaster", "home", 2.95f);
  b.bought_with("mug", {"teapot", "coaster"});
  b.popular({"coaster"});
  Model built = b.build();
  built.catalog.field_names = {"currency"};
  built.catalog.field_values = {std::vector<std::string>(built.catalog.size())};
  built.catalog.field_values[0][*built.catalog.find("teapot")] = "EUR";
  auto m = std::make_shared<const Model>(std::move(built));
  OfferPolicy policy = fixed_policy();
  policy.currency = "GBP";
  policy.coupon_template = "SAVE{percent}-{item_id}-{customer_id}-{offer_id}";
  OfferEngine engine(m, policy);
  OfferRequest q;
  q.customer_id = "newcomer";  // new: 10%
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  const auto r = engine.offers(q, {});
  const Offer& teapot = offer_for(*m, r, "teapot");
  EXPECT_EQ(teapot.discount_percent, 10.0);
  EXPECT_DOUBLE_EQ(teapot.discounted_price, 17.99);  // 19.99 x 0.9 = 17.991
  EXPECT_EQ(teapot.currency, "EUR") << "the item's own field first";
  EXPECT_EQ(teapot.coupon_code, "SAVE10-teapot-newcomer-" + teapot.offer_id);
  const Offer& coaster = offer_for(*m, r, "coaster");
  EXPECT_DOUBLE_EQ(coaster.discounted_price, 2.66);  // 2.655 rounds up
  EXPECT_EQ(coaster.currency, "GBP") << "else the policy's";
  // Without a discount: no discounted price and no coupon, the currency stays.
  OfferPolicy none = policy;
  for (auto& d : none.discounts) d.percent = 0;
  const auto plain = OfferEngine(m, none).offers(q, {});
  const Offer& full = offer_for(*m, plain, "teapot");
  EXPECT_TRUE(std::isnan(full.discounted_price));
  EXPECT_EQ(full.coupon_code, "");
  EXPECT_EQ(full.currency, "EUR");
}

// Merchandising rules of the policy: boost, bury and pin by item or category, per context and
// time window, and never past the other rules.
class MerchandisingTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Model> m = tea_shop();
  OfferRequest request() const {
    OfferRequest q;
    q.customer_id = "newcomer";
    q.order = order_of({{"mug", 5}}, "2011-03-01");
    q.limit = 8;
    return q;
  }
  std::vector<std::string> offers(const std::vector<MerchRule>& rules, OfferRequest q) const {
    OfferPolicy p = fixed_policy();
    p.merchandising = rules;
    return ids(*m, OfferEngine(m, p).offers(q, {}));
  }
  std::vector<std::string> offers(const std::vector<MerchRule>& rules = {}) const { return offers(rules, request()); }
  static MerchRule rule(MerchAction action, std::vector<std::string> items, std::vector<std::string> categories = {}) {
    MerchRule r;
    r.action = action;
    r.items = std::move(items);
    r.categories = std::move(categories);
    return r;
  }
};

TEST_F(MerchandisingTest, BoostMovesACandidateUpAndBuryMovesItBelowEverything) {
  const auto plain = offers();
  ASSERT_GE(plain.size(), 6u);
  const std::string low = plain[3], top = plain[0];
  auto boost = rule(MerchAction::boost, {low});
  boost.factor = 1000;
  EXPECT_EQ(offers({boost})[0], low);
  // A boost by category lifts that category's candidates.
  const auto cat = m->catalog.categories[*m->catalog.find(low)];
  auto by_category = rule(MerchAction::boost, {}, {cat});
  by_category.factor = 1000;
  EXPECT_EQ(m->catalog.categories[*m->catalog.find(offers({by_category})[0])], cat);
  // Buried: after every other offer, the popular fill included.
  const auto buried = offers({rule(MerchAction::bury, {top})});
  ASSERT_EQ(buried.size(), plain.size());
  EXPECT_EQ(buried.back(), top);
  EXPECT_NE(buried[0], top);
  // A factor below 1 is a demotion, not a removal.
  auto demote = rule(MerchAction::boost, {top});
  demote.factor = 1e-6;
  EXPECT_TRUE(has(offers({demote}), top));
  EXPECT_NE(offers({demote})[0], top);
}

TEST_F(MerchandisingTest, PinPutsAnItemAtItsPlaceUnlessTheRulesForbidIt) {
  const auto plain = offers();
  // "tea" is no candidate of this order: pinned, it is offered all the same, at place 2.
  ASSERT_FALSE(has(plain, "tea"));
  auto pin = rule(MerchAction::pin, {"tea"});
  pin.position = 2;
  const auto pinned = offers({pin});
  ASSERT_GE(pinned.size(), 2u);
  EXPECT_EQ(pinned[1], "tea");
  EXPECT_EQ(pinned.size(), std::min<std::size_t>(plain.size() + 1, 8)) << "a short list gains it";
  auto full = request();
  full.limit = 3;
  const auto three = offers({pin}, full);
  EXPECT_EQ(three, (std::vector<std::string>{plain[0], "tea", plain[1]})) << "a full list keeps its length";
  OfferPolicy p = fixed_policy();
  p.merchandising = {pin};
  const auto r = OfferEngine(m, p).offers(request(), {});
  EXPECT_EQ(r.offers[1].reason, "pinned");
  EXPECT_LE(r.offers[1].score, r.offers[0].score);
  EXPECT_GE(r.offers[1].score, r.offers[2].score) << "scores still read best first";
  // An item already in the list moves to its place.
  auto move = rule(MerchAction::pin, {plain[4]});
  EXPECT_EQ(offers({move})[0], plain[4]);
  EXPECT_EQ(offers({move}).size(), plain.size());
  // Never past the rules: out of stock (kettle), a substitute of the item just bought (mug2),
  // the item just bought (mug), an excluded id.
  for (const char* forbidden : {"kettle", "mug2", "mug"}) {
    EXPECT_FALSE(has(offers({rule(MerchAction::pin, {forbidden})}), forbidden)) << forbidden;
  }
  auto q = request();
  q.exclude = {"tea"};
  EXPECT_FALSE(has(offers({pin}, q), "tea"));
  // By category: the best candidate of "drinks", else its most popular item.
  auto drinks = rule(MerchAction::pin, {}, {"drinks"});
  const auto by_category = offers({drinks});
  EXPECT_EQ(m->catalog.categories[*m->catalog.find(by_category[0])], "drinks");
}

TEST_F(MerchandisingTest, APinKeepsTheCategoryCap) {
  OfferPolicy p = fixed_policy();
  p.rules.max_per_category = 1;
  auto pin = rule(MerchAction::pin, {"tea"});  // drinks
  pin.position = 1;
  p.merchandising = {pin};
  const auto r = OfferEngine(m, p).offers(request(), {});
  ASSERT_FALSE(r.offers.empty());
  EXPECT_EQ(m->catalog.ids[r.offers[0].item], "tea");
  std::map<std::string, int> per_category;
  for (const auto& o : r.offers) ++per_category[m->catalog.categories[o.item]];
  for (const auto& [category, n] : per_category) EXPECT_LE(n, 1) << category;
}

TEST_F(MerchandisingTest, RulesApplyOnlyInTheirContextsAndTimeWindow) {
  const auto plain = offers();
  auto pin = rule(MerchAction::pin, {"tea"});
  pin.contexts = {OfferContext::delivered};
  EXPECT_EQ(offers({pin}), plain) << "order_confirmation is not among its contexts";
  auto q = request();
  q.context = OfferContext::delivered;
  EXPECT_TRUE(has(offers({pin}, q), "tea"));
  pin.contexts = {};
  pin.from = ts("2011-03-02");  // the email is sent at the order's time, 2011-03-01
  EXPECT_EQ(offers({pin}), plain) << "not yet";
  pin.from = ts("2011-02-01");
  pin.until = ts("2011-03-01");
  EXPECT_EQ(offers({pin}), plain) << "until is exclusive";
  pin.until = ts("2011-03-02");
  EXPECT_EQ(offers({pin})[0], "tea");
}

TEST(Offers, WinBackGivesALapsedCustomerTheirBestItemsWithTheLapsedDiscount) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "tea";
  q.context = OfferContext::win_back;
  q.at = ts("2011-07-01");  // 131 days after the last order
  const auto r = engine.offers(q, {});
  EXPECT_EQ(r.segment, Segment::lapsed);
  ASSERT_FALSE(r.offers.empty());
  EXPECT_EQ(r.offers.front().kind, OfferKind::win_back);
  EXPECT_EQ(r.offers.front().discount_percent, 20.0);
  EXPECT_EQ(r.offers.front().valid_until, ts("2011-07-22"));
}

/// The items the default "delivered" context may offer "tea" at `at`, in the engine's order: its
/// candidates less those the rules drop (the kettle is out of stock; mug2 substitutes the mug
/// bought 13 days before).
std::vector<NextOrderCandidate> engine_list(const Model& m, const OfferEngine& engine, Timestamp at) {
  const auto profile = build_profile(m, "tea", {}, at, engine.thresholds());
  std::vector<NextOrderCandidate> out;
  for (const auto& c : next_order_candidates(m, profile, at)) {
    const std::string& id = m.catalog.ids[c.item];
    if (id != "kettle" && id != "mug2") out.push_back(c);
  }
  return out;
}

TEST(Offers, DeliveredRanksAsTheNextOrderEngineWithEachChanceCountedOnce) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());  // the default weights of "delivered"
  OfferRequest q;
  q.customer_id = "tea";
  q.context = OfferContext::delivered;
  q.at = ts("2011-03-05");  // 13 days after the last orders: tea (every 10 days) is due
  const auto r = engine.offers(q, {});
  const auto expected = engine_list(*m, engine, *q.at);
  ASSERT_GE(r.offers.size(), 5u);
  ASSERT_LE(r.offers.size(), expected.size());
  for (std::size_t k = 0; k < r.offers.size(); ++k) {
    EXPECT_EQ(m->catalog.ids[r.offers[k].item], m->catalog.ids[expected[k].item]) << "place " << k;
    // Due, favourites and popular split the engine's items: one part each, the engine's chance.
    EXPECT_NEAR(r.offers[k].score, expected[k].chance, 1e-6) << m->catalog.ids[r.offers[k].item];
  }
}

TEST(Offers, ADueItemIsReplenishTheOtherItemsLoyaltyAndPopularPicksKeepTheirKind) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "tea";
  q.context = OfferContext::delivered;
  q.at = ts("2011-03-05");
  const auto r = engine.offers(q, {});
  const Offer& tea = offer_for(*m, r, "tea");
  EXPECT_EQ(tea.kind, OfferKind::replenish);
  EXPECT_DOUBLE_EQ(tea.interval_days, 10.0);
  EXPECT_EQ(offer_for(*m, r, "mug").kind, OfferKind::loyalty);  // bought once, not yet due
  for (const auto& c : engine_list(*m, engine, *q.at)) {
    if (c.repeat || c.complement || !has(ids(*m, r), m->catalog.ids[c.item])) continue;
    EXPECT_EQ(offer_for(*m, r, m->catalog.ids[c.item]).kind, OfferKind::popular) << m->catalog.ids[c.item];
  }
  // Without a due weight, the due item is one of the customer's items like any other.
  OfferPolicy p = fixed_policy();
  p.contexts[static_cast<std::size_t>(OfferContext::delivered)].weights = {0, 0, 0, 1, 0};
  const auto plain = OfferEngine(m, p).offers(q, {});
  EXPECT_EQ(offer_for(*m, plain, "tea").kind, OfferKind::loyalty);
}

TEST(Offers, WithoutAnOrderTheCustomersLatestOrderIsTheAnchor) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "once";  // latest order: coffee on 2011-02-01
  const auto r = engine.offers(q, {});
  EXPECT_EQ(r.at, ts("2011-02-01"));
  EXPECT_FALSE(has(ids(*m, r), "coffee"));
}

TEST(Offers, OrdersFromTheLogCountInTheProfile) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "once";
  q.at = ts("2011-03-05");
  EXPECT_EQ(engine.offers(q, {}).segment, Segment::at_risk);  // 32 days since the only order
  CustomerLog log;
  log.orders.push_back(order_of({{"coffee", 4}}, "2011-03-01", "o-log"));
  log.orders.back().customer_id = "once";
  EXPECT_EQ(engine.offers(q, log).segment, Segment::active);  // two orders, the last 4 days ago
}

TEST(Offers, SameInputsGiveTheSameOfferIdsAndOtherContextsOtherIds) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "once";
  q.order = order_of({{"mug", 5}}, "2011-03-01");
  const auto a = engine.offers(q, {});
  const auto b = engine.offers(q, {});
  ASSERT_FALSE(a.offers.empty());
  EXPECT_EQ(a.offers[0].offer_id, b.offers[0].offer_id);
  q.context = OfferContext::shipping;
  const auto c = engine.offers(q, {});
  EXPECT_NE(a.offers[0].offer_id, c.offers[0].offer_id);
}

TEST(Offers, UnknownItemsAndCustomersAreNotErrorsButBadRequestsAre) {
  auto m = tea_shop();
  OfferEngine engine(m, fixed_policy());
  OfferRequest q;
  q.customer_id = "nobody";
  q.order = order_of({{"no-such-item", 1}}, "2011-03-01");
  const auto r = engine.offers(q, {});
  EXPECT_TRUE(r.unknown_customer);
  EXPECT_EQ(r.unknown_items, std::vector<std::string>{"no-such-item"});
  EXPECT_TRUE(r.fallback);
  EXPECT_FALSE(r.offers.empty());
  q.limit = 51;
  EXPECT_THROW(engine.offers(q, {}), Error);
  q.limit = 5;
  q.order->lines[0].quantity = 0;
  try {
    engine.offers(q, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("quantity"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cobuy
