// New arrivals: catalogue items with too few orders, offered by title and category to the
// customers whose history is closest (core/new_arrivals.h), within the policy's share of a list.

#include "core/new_arrivals.h"

#include <algorithm>
#include <memory>

#include <gtest/gtest.h>

#include "core/content_index.h"
#include "core/error.h"
#include "core/offers.h"
#include "core/time_util.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

/// A shop of mugs and garden tools. Customer "kitchen" bought mugs, customer "garden" bought a
/// rake and a spade. Never ordered: a new mug (in stock), a new teapot out of stock, a new hoe, a
/// new enamel mug out of stock; "bowl" has 2 orders (still new under min_orders 5), "plate" 5.
std::shared_ptr<const Model> mugs_and_garden_shop() {
  testing::ModelBuilder b;
  b.item("m1", "kitchen", 5).item("m2", "kitchen", 5).item("rake", "garden", 9).item("spade", "garden", 12);
  b.item("cake", "food", 2).item("newmug", "kitchen", 6, true).item("teapot", "kitchen", 20, false);
  b.item("hoe", "garden", 8).item("enamel", "kitchen", 7, false).item("bowl", "kitchen", 4).item("plate", "kitchen", 4);
  b.title("m1", "Blue Spotted Mug").title("m2", "Red Spotted Mug").title("rake", "Garden Rake Steel");
  b.title("spade", "Garden Spade Steel").title("cake", "Birthday Cake").title("newmug", "Green Spotted Mug");
  b.title("teapot", "Spotted Teapot").title("hoe", "Garden Hoe Steel").title("enamel", "Enamel Mug");
  b.title("bowl", "Spotted Bowl").title("plate", "Spotted Plate");
  for (const char* id : {"newmug", "teapot", "hoe", "enamel"}) b.item_orders(id, 0);
  b.item_orders("bowl", 2).item_orders("plate", 5);
  for (const char* id : {"m1", "m2", "rake", "spade", "cake"}) b.item_orders(id, 50);
  b.bought_with("m1", {"m2", "cake"});
  b.bought_with("rake", {"spade", "cake"});
  b.popular({"cake", "m1", "rake"});
  b.order("kitchen", "2011-03-01", {"m1"}).order("kitchen", "2011-03-20", {"m2"});
  b.order("garden", "2011-03-05", {"rake", "spade"});
  return std::make_shared<const Model>(b.build());
}

OfferPolicy policy(double share = 0.2) {
  OfferPolicy p;
  p.rules.max_per_category = 0;
  p.limit = 10;
  p.new_arrivals.share = share;
  return p;
}

std::vector<std::string> arrivals(const OfferEngine& e, const OfferResult& r) {
  std::vector<std::string> out;
  for (const auto& o : r.offers) {
    if (o.kind == OfferKind::new_arrival) out.push_back(e.model().catalog.ids[o.item]);
  }
  return out;
}

OfferResult offers_for(const OfferEngine& e, const std::string& customer, std::uint32_t limit = 10) {
  OfferRequest q;
  q.customer_id = customer;
  q.context = OfferContext::delivered;
  q.limit = limit;
  q.at = *parse_timestamp("2011-04-01");
  return e.offers(q, {});
}

TEST(ContentIndex, TitleTokensAreLowercaseWordsWithoutStopWordsOrNumbers) {
  EXPECT_EQ(title_tokens("SET OF 3 Spotted MUGS, 12cm & a tray"),
            (std::vector<std::string>{"spotted", "mugs", "12cm", "tray"}));
}

TEST(ContentIndex, ATokenOnEveryItemWeighsNothingAndVectorsAreUnitLength) {
  Catalog c;
  for (const char* id : {"a", "b", "c"}) c.add(id);
  c.titles = {"Mug Blue", "Mug Red", "Mug Blue Large"};
  c.categories = {"", "", "kitchen"};
  const ContentIndex index(c);
  EXPECT_EQ(index.row(0).size(), 1u) << "'mug' is on every item: weight 0, left out";
  EXPECT_NEAR(content_dot(index.row(0), index.row(0)), 1.0, 1e-6);
  EXPECT_NEAR(content_dot(index.row(2), index.row(2)), 1.0, 1e-6);
  EXPECT_GT(content_dot(index.row(0), index.row(2)), 0.0) << "both blue";
  EXPECT_EQ(content_dot(index.row(0), index.row(1)), 0.0);
  EXPECT_EQ(index.row(2).size(), 3u) << "blue, large and the category";
}

TEST(NewArrivals, ANewItemGoesToTheCustomerWhoseHistoryMatchesItsTitleAndCategoryOnly) {
  const OfferEngine e(mugs_and_garden_shop(), policy());
  const auto kitchen = offers_for(e, "kitchen");
  const auto garden = offers_for(e, "garden");
  const auto k = arrivals(e, kitchen), g = arrivals(e, garden);
  EXPECT_NE(std::find(k.begin(), k.end(), "newmug"), k.end());
  EXPECT_EQ(std::find(g.begin(), g.end(), "newmug"), g.end());
  EXPECT_NE(std::find(g.begin(), g.end(), "hoe"), g.end());
  EXPECT_EQ(std::find(k.begin(), k.end(), "hoe"), k.end());
  for (const auto& o : kitchen.offers) {
    if (o.kind != OfferKind::new_arrival) continue;
    EXPECT_EQ(o.relation, Relation::substitute);
    EXPECT_TRUE(o.reason == "m1" || o.reason == "m2") << "the closest item bought, got " << o.reason;
    EXPECT_EQ(o.discount_percent, 0) << "new_arrival is not a discounted kind by default";
  }
  // After every ranked offer, scores still best first.
  for (std::size_t i = 1; i < kitchen.offers.size(); ++i) EXPECT_LE(kitchen.offers[i].score, kitchen.offers[i - 1].score);
}

TEST(NewArrivals, TheShareCapsThePlacesAndZeroTurnsThemOff) {
  const OfferEngine two(mugs_and_garden_shop(), policy(0.2));  // 10 places: 2
  EXPECT_EQ(arrivals(two, offers_for(two, "kitchen")).size(), 2u);
  EXPECT_EQ(arrivals(two, offers_for(two, "kitchen", 4)).size(), 0u) << "floor(0.2 x 4) = 0";
  const OfferEngine one(mugs_and_garden_shop(), policy(0.1));
  EXPECT_EQ(arrivals(one, offers_for(one, "kitchen")), std::vector<std::string>{"newmug"});
  const OfferEngine off(mugs_and_garden_shop(), policy(0));
  EXPECT_TRUE(arrivals(off, offers_for(off, "kitchen")).empty());
  OfferPolicy elsewhere = policy(0.5);
  elsewhere.new_arrivals.contexts = {OfferContext::shipping};
  const OfferEngine other(mugs_and_garden_shop(), elsewhere);
  EXPECT_TRUE(arrivals(other, offers_for(other, "kitchen")).empty()) << "not a listed context";
  EXPECT_EQ(new_arrival_places(elsewhere.new_arrivals, OfferContext::shipping, 5), 2u);
}

TEST(NewArrivals, OutOfStockNewItemsAreNeverOffered) {
  const OfferEngine e(mugs_and_garden_shop(), policy(1.0));
  for (const char* c : {"kitchen", "garden"}) {
    const auto got = arrivals(e, offers_for(e, c));
    EXPECT_EQ(std::find(got.begin(), got.end(), "teapot"), got.end());
    EXPECT_EQ(std::find(got.begin(), got.end(), "enamel"), got.end());
  }
  // Not even when the request turns the stock rule off.
  OfferRequest q;
  q.customer_id = "kitchen";
  q.limit = 10;
  q.filters.in_stock = false;
  const auto r = e.offers(q, {});
  const auto got = arrivals(e, r);
  EXPECT_EQ(std::find(got.begin(), got.end(), "teapot"), got.end());
}

TEST(NewArrivals, AnItemWithMinOrdersIsNoLongerANewArrival) {
  const auto m = mugs_and_garden_shop();
  const NewArrivals five(*m, 5);
  EXPECT_TRUE(five.is_new(*m->catalog.find("newmug")));
  EXPECT_TRUE(five.is_new(*m->catalog.find("bowl"))) << "2 orders < 5";
  EXPECT_FALSE(five.is_new(*m->catalog.find("plate"))) << "5 orders";
  EXPECT_FALSE(five.is_new(*m->catalog.find("m1")));
  const NewArrivals two(*m, 2);
  EXPECT_FALSE(two.is_new(*m->catalog.find("bowl")));
  EXPECT_TRUE(two.is_new(*m->catalog.find("newmug")));
  // Offered: plate never as new_arrival, bowl only while under min_orders.
  OfferPolicy p = policy(1.0);
  const OfferEngine e(m, p);
  const auto got = arrivals(e, offers_for(e, "kitchen"));
  EXPECT_EQ(std::find(got.begin(), got.end(), "plate"), got.end());
  EXPECT_NE(std::find(got.begin(), got.end(), "bowl"), got.end());
  p.new_arrivals.min_orders = 2;
  const OfferEngine e2(m, p);
  const auto got2 = arrivals(e2, offers_for(e2, "kitchen"));
  EXPECT_EQ(std::find(got2.begin(), got2.end(), "bowl"), got2.end());
}

TEST(NewArrivals, TheListRulesHoldForThem) {
  const auto m = mugs_and_garden_shop();
  const OfferEngine e(m, policy(0.5));
  OfferRequest q;
  q.customer_id = "kitchen";
  q.context = OfferContext::delivered;
  q.limit = 10;
  q.at = *parse_timestamp("2011-04-01");
  q.exclude = {"newmug"};
  auto got = arrivals(e, e.offers(q, {}));
  EXPECT_EQ(std::find(got.begin(), got.end(), "newmug"), got.end()) << "excluded";
  q.exclude.clear();
  CustomerLog log;
  log.offered = {{"newmug", *parse_timestamp("2011-03-30")}};
  got = arrivals(e, e.offers(q, log));
  EXPECT_EQ(std::find(got.begin(), got.end(), "newmug"), got.end()) << "offered 2 days ago";
  q.filters.exclude_categories = {"kitchen"};
  EXPECT_TRUE(arrivals(e, e.offers(q, {})).empty()) << "category excluded";
  // The category cap counts them: at most 1 kitchen item in the list.
  OfferPolicy capped = policy(0.5);
  capped.rules.max_per_category = 1;
  const OfferEngine c(m, capped);
  const auto r = offers_for(c, "kitchen");
  EXPECT_LE(std::count_if(r.offers.begin(), r.offers.end(),
                          [&](const Offer& o) { return m->catalog.categories[o.item] == "kitchen"; }),
            1);
}

TEST(NewArrivals, ACustomerWithoutHistoryGetsNone) {
  const OfferEngine e(mugs_and_garden_shop(), policy(1.0));
  EXPECT_TRUE(arrivals(e, offers_for(e, "nobody")).empty());
}

TEST(NewArrivals, PolicyFieldsAreValidatedByName) {
  auto refused = [](const char* text, const char* says) {
    try {
      offer_policy_from_json(nlohmann::json::parse(text));
      ADD_FAILURE() << "accepted " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  refused(R"({"new_arrivals": {"share": 1.5}})", "new_arrivals.share");
  refused(R"({"new_arrivals": {"share": -0.1}})", "new_arrivals.share");
  refused(R"({"new_arrivals": {"min_orders": 0}})", "new_arrivals.min_orders");
  refused(R"({"new_arrivals": {"contexts": ["checkout"]}})", "new_arrivals.contexts");
  refused(R"({"new_arrivals": {"shares": 0.2}})", "shares");
  const auto p = offer_policy_from_json(nlohmann::json::parse(
      R"({"new_arrivals": {"share": 0.4, "min_orders": 3, "contexts": ["shipping"]}})"));
  EXPECT_DOUBLE_EQ(p.new_arrivals.share, 0.4);
  EXPECT_EQ(p.new_arrivals.min_orders, 3u);
  EXPECT_EQ(p.new_arrivals.contexts, std::vector<OfferContext>{OfferContext::shipping});
  nlohmann::json j;
  to_json(j, p);
  EXPECT_EQ(offer_policy_from_json(j).new_arrivals.min_orders, 3u) << "round trip";
}

}  // namespace
}  // namespace cobuy
