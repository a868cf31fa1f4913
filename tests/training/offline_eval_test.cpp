#include "core/offline_eval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/next_order_tradeoff.h"
#include "core/time_util.h"
#include "support/model_builder.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

// ann buys tea + saucer again and again, bob pen + paper; after 2011-09-01 ann orders tea, saucer
// and the new cake, bob orders paper and "novel" (an item that exists only in the test part).
OrderData ann_and_bob() {
  OrderData d;
  for (int k = 1; k <= 5; ++k) testing::add_order(d, "a" + std::to_string(k), {"tea", "saucer"}, "ann", "2011-0" + std::to_string(k) + "-01");
  for (int k = 1; k <= 4; ++k) testing::add_order(d, "b" + std::to_string(k), {"pen", "paper"}, "bob", "2011-0" + std::to_string(k) + "-02");
  for (int k = 1; k <= 3; ++k) testing::add_order(d, "c" + std::to_string(k), {"cake", "tea"}, "", "2011-0" + std::to_string(k) + "-03");
  testing::add_order(d, "t1", {"tea", "saucer", "cake"}, "ann", "2011-09-05");
  testing::add_order(d, "t2", {"paper", "novel"}, "bob", "2011-09-06");
  testing::add_order(d, "t3", {"tea"}, "ann", "2011-10-01");  // ann's second test order: not her first
  return d;
}

TEST(OfflineEval, LastBasketSplitTakesEachCustomersLatestOrder) {
  const auto [train, test] = split_last_basket(ann_and_bob());
  ASSERT_EQ(test.orders.size(), 2u);  // ann's t3 and bob's t2; orders without a customer stay in train
  std::vector<std::string> ids;
  for (const auto& o : test.orders) ids.push_back(o.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"t2", "t3"}));
  EXPECT_EQ(train.orders.size(), ann_and_bob().orders.size() - 2);
}

TEST(OfflineEval, NextOrderCasesAreEachCustomersFirstTestOrder) {
  const auto [train, test] = split_by_time(ann_and_bob(), *parse_timestamp("2011-09-01"));
  const auto cases = next_order_cases(train, test);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].customer, "ann");
  EXPECT_EQ(cases[0].truth, (std::vector<std::string>{"tea", "saucer", "cake"}));
  EXPECT_EQ(cases[0].at, *parse_timestamp("2011-09-05"));
  EXPECT_EQ(cases[1].truth, (std::vector<std::string>{"paper", "novel"}));
}

TEST(OfflineEval, GpTopFreqRanksOwnOrdersThenGlobalOrdersThenPopular) {
  // dan: mug in 3 orders, jam and bread in 2 each, cheese in 1 (twice on one order: counts once).
  // Globally bread is in more orders than jam (eve buys it too), and apples are the most ordered.
  OrderData d;
  testing::add_order(d, "d1", {"mug", "jam", "bread"}, "dan", "2011-01-01");
  testing::add_order(d, "d2", {"mug", "jam", "bread"}, "dan", "2011-02-01");
  testing::add_order(d, "d3", {"mug", "cheese", "cheese"}, "dan", "2011-03-01");
  for (int k = 0; k < 5; ++k) testing::add_order(d, "e" + std::to_string(k), {"apple", "bread"}, "eve", "2011-01-0" + std::to_string(k + 2));
  testing::add_order(d, "f1", {"apple", "pear"}, "fay", "2011-01-10");
  testing::add_order(d, "f2", {"pear"}, "fay", "2011-01-11");
  const auto counts = orders_holding(d);
  EXPECT_EQ(counts[*d.catalog.find("bread")], 7u);
  EXPECT_EQ(counts[*d.catalog.find("cheese")], 1u);
  const Model m = train_model(d, TrainConfig{});
  const Ranker rank = gp_topfreq_ranker(m, counts);
  auto ids = [&](const std::vector<ItemIndex>& v) {
    std::vector<std::string> out;
    for (auto i : v) out.push_back(m.catalog.ids[i]);
    return out;
  };
  Query q;
  q.customer_id = "dan";
  q.limit = 6;
  EXPECT_EQ(ids(rank(q)), (std::vector<std::string>{"mug", "bread", "jam", "cheese", "apple", "pear"}));
  q.at = *parse_timestamp("2011-02-15");  // only d1 and d2 count: a three-way tie, broken globally
  q.limit = 4;
  EXPECT_EQ(ids(rank(q)), (std::vector<std::string>{"bread", "mug", "jam", "apple"}));
  q = Query{};
  q.limit = 3;  // no customer: the most ordered items
  EXPECT_EQ(ids(rank(q)), (std::vector<std::string>{"bread", "apple", "mug"}));
  q.customer_id = "dan";
  q.items = {"mug"};
  for (const auto& id : ids(rank(q))) EXPECT_NE(id, "mug") << "never an item of the query";
}

/// c bought a twice and b once; EASE's rows: a -> x 0.5, y 0.3; b -> y 0.5, z 0.2; b's negative
/// weights: x -0.6, z -0.5. Orders holding each item: a 5, b 4, w 3, the others 1.
struct EaseFixture {
  Model m;
  std::vector<std::uint32_t> item_orders;
  std::vector<std::string> ids(const std::vector<ItemIndex>& v) const {
    std::vector<std::string> out;
    for (auto i : v) out.push_back(m.catalog.ids[i]);
    return out;
  }
};

EaseFixture ease_fixture() {
  EaseFixture f{testing::ModelBuilder()
                    .item("a").item("b").item("x").item("y").item("z").item("w")
                    .order("c", "2011-01-01", {"a", "b"})
                    .order("c", "2011-02-01", {"a"})
                    .build(),
                std::vector<std::uint32_t>(6, 1)};
  auto at = [&](const char* id) { return *f.m.catalog.find(id); };
  std::vector<std::vector<Neighbor>> rows(6), negative(6);
  rows[at("a")] = {{at("x"), 0.5f, 1}, {at("y"), 0.3f, 1}};
  rows[at("b")] = {{at("y"), 0.5f, 1}, {at("z"), 0.2f, 1}};
  negative[at("b")] = {{at("x"), -0.6f, 1}, {at("z"), -0.5f, 1}};
  f.m.bought_together = NeighborTable::from_rows(rows);
  f.m.penalties = NeighborTable::from_rows(negative);
  f.item_orders[at("a")] = 5;
  f.item_orders[at("b")] = 4;
  f.item_orders[at("w")] = 3;
  return f;
}

TEST(OfflineEval, EaseOnHistorySumsTheCustomersCountsTimesTheWeightsNegativeOnesIncluded) {
  // Scores: y = 2 x 0.3 + 0.5 = 1.1, x = 2 x 0.5 - 0.6 = 0.4, z < 0.
  const auto f = ease_fixture();
  const Model& m = f.m;
  const auto& item_orders = f.item_orders;
  const Ranker rank = ease_history_ranker(m, item_orders);
  auto ids = [&](const std::vector<ItemIndex>& v) { return f.ids(v); };
  Query q;
  q.customer_id = "c";
  q.limit = 5;
  // Positive scores first, then the most ordered items.
  EXPECT_EQ(ids(rank(q)), (std::vector<std::string>{"y", "x", "a", "b", "w"}));
  // Before the second order a counts once: x = 0.5 - 0.6 < 0 drops to the fill.
  q.at = *parse_timestamp("2011-01-15");
  EXPECT_EQ(ids(rank(q)), (std::vector<std::string>{"y", "a", "b", "w", "x"}));
}

TEST(OfflineEval, TheFixedRuleGivesGpTopFreqsLastPlacesToEasesBestNewItems) {
  const auto f = ease_fixture();
  Query q;
  q.customer_id = "c";
  q.limit = 5;
  auto rule = [&](std::size_t places) { return f.ids(gp_topfreq_with_new_ranker(f.m, f.m, f.item_orders, places)(q)); };
  // GP-TopFreq: c's a (2 orders), b (1), then the most ordered others (ties by index).
  EXPECT_EQ(rule(0), (std::vector<std::string>{"a", "b", "w", "x", "y"}));
  // EASE's new items for c: y (1.1), x (0.4), then its fill without c's items: w, z.
  EXPECT_EQ(rule(2), (std::vector<std::string>{"a", "b", "w", "y", "x"}));
  EXPECT_EQ(rule(3), (std::vector<std::string>{"a", "b", "y", "x", "w"}));
  EXPECT_EQ(rule(5), (std::vector<std::string>{"y", "x", "w", "z", "a"}));
}

TEST(OfflineEval, NextOrderSplitsRepeatAndNewItems) {
  const auto [train, test] = split_by_time(ann_and_bob(), *parse_timestamp("2011-09-01"));
  const Model m = train_model(train, TrainConfig{});
  // A ranker that returns tea, saucer, cake for everyone.
  const Ranker fixed = [&](const Query&) {
    return std::vector<ItemIndex>{*m.catalog.find("tea"), *m.catalog.find("saucer"), *m.catalog.find("cake")};
  };
  const auto s = score_next_order(m, next_order_cases(train, test), fixed, {2, 3});
  ASSERT_EQ(s.cases, 2u);
  const auto& recall = s.metrics.at("recall");
  // ann: truth {tea, saucer, cake}: 2/3 at k=2, 3/3 at k=3. bob: {paper, novel}: 0.
  EXPECT_DOUBLE_EQ(recall[0][0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(recall[1][0], 1.0);
  EXPECT_DOUBLE_EQ(recall[1][1], 0.0);
  // Repeat items: ann's tea and saucer (both found at k=2); bob's paper (not found).
  const auto& repeat = s.metrics.at("recall_repeat");
  ASSERT_EQ(repeat[0].size(), 2u);
  EXPECT_DOUBLE_EQ(repeat[0][0], 1.0);
  EXPECT_DOUBLE_EQ(repeat[0][1], 0.0);
  // New items: ann's cake (found only at k=3), bob's novel (unknown to the model: never found).
  const auto& fresh = s.metrics.at("recall_new");
  EXPECT_DOUBLE_EQ(fresh[0][0], 0.0);
  EXPECT_DOUBLE_EQ(fresh[1][0], 1.0);
  EXPECT_DOUBLE_EQ(fresh[1][1], 0.0);
  // The same three items for everyone: coverage 3 of the 5 training items plus "novel" in the catalogue.
  EXPECT_DOUBLE_EQ(s.coverage[1], 3.0 / static_cast<double>(m.catalog.size()));
}

TEST(OfflineEval, BasketCompletionScoresMatchTheServingPath) {
  const auto [train, test] = split_by_time(ann_and_bob(), *parse_timestamp("2011-09-01"));
  const Model m = train_model(train, TrainConfig{});
  const auto cases = basket_completion_cases(train, test, 42);
  ASSERT_FALSE(cases.empty());
  const auto s = score_basket_completion(m, cases, model_ranker(m), {10}, false);
  const auto direct = basket_completion_metrics(m, cases, 10);
  ASSERT_EQ(s.metrics.at("ndcg")[0].size(), direct.size());
  for (std::size_t i = 0; i < direct.size(); ++i) {
    EXPECT_DOUBLE_EQ(s.metrics.at("ndcg")[0][i], direct[i].ndcg);
    EXPECT_DOUBLE_EQ(s.metrics.at("hit_rate")[0][i], direct[i].hit);
  }
}

TEST(NextOrderTradeoff, EachCurveScoresItsListsAndEachRulePointIsMatchedWithACobuyPointReachingIt) {
  const auto [train, test] = split_by_time(ann_and_bob(), *parse_timestamp("2011-09-01"));
  const Model m = train_model(train, TrainConfig{});
  const auto cases = next_order_cases(train, test);
  const auto item_orders = orders_holding(train);
  const double weights[] = {0, 100};
  const auto t = next_order_tradeoff(m, m, item_orders, cases, 3, weights, 2);
  auto scores = [&](const Ranker& r) { return score_next_order(m, cases, r, {3}).metrics; };
  // No weight: the engine's own list; a weight beyond any gap in chances: its new items first.
  ASSERT_EQ(t.cobuy.size(), 2u);
  EXPECT_EQ(t.cobuy[0].recall, scores(model_ranker(m)).at("recall")[0]);
  EXPECT_EQ(t.cobuy[1].recall_new, scores(new_items_ranker(m)).at("recall_new")[0]);
  EXPECT_GT(t.cobuy[1].recall_new[0], t.cobuy[0].recall_new[0]) << "ann's new cake reaches her list (after pen and paper)";
  ASSERT_EQ(t.rule.size(), 3u);
  ASSERT_EQ(t.split.size(), 3u);
  for (std::size_t n = 0; n <= 2; ++n) {
    EXPECT_EQ(t.rule[n].recall, scores(gp_topfreq_with_new_ranker(m, m, item_orders, n)).at("recall")[0]) << n;
  }
  EXPECT_EQ(t.split[0].recall, t.cobuy[0].recall);
  // One comparison per rule point with new places: the cobuy curve at the rule's new-item recall,
  // a case-by-case mix of its two points (or its first point, when that reaches it already).
  ASSERT_EQ(t.comparisons.size(), 2u);
  auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); };
  for (const auto& c : t.comparisons) {
    ASSERT_TRUE(c.cobuy) << "the weight 100 reaches every new-item recall here";
    const double target = mean(t.rule[c.rule].recall_new);
    if (mean(t.cobuy[0].recall_new) >= target) {
      EXPECT_EQ(c.cobuy->recall, t.cobuy[0].recall);
      continue;
    }
    EXPECT_NEAR(mean(c.cobuy->recall_new), target, 1e-12);
    const double share = (target - mean(t.cobuy[0].recall_new)) / (mean(t.cobuy[1].recall_new) - mean(t.cobuy[0].recall_new));
    EXPECT_NEAR(c.cobuy->parameter, 100 * share, 1e-9);
    for (std::size_t i = 0; i < c.cobuy->recall.size(); ++i)
      EXPECT_NEAR(c.cobuy->recall[i], (1 - share) * t.cobuy[0].recall[i] + share * t.cobuy[1].recall[i], 1e-12);
  }
  EXPECT_THROW(next_order_tradeoff(m, m, item_orders, cases, 0, weights, 0), Error);
  EXPECT_THROW(next_order_tradeoff(m, m, item_orders, cases, 2, {}, 0), Error);
  EXPECT_THROW(next_order_tradeoff(m, m, item_orders, cases, 3, weights, 4), Error);
  const double unsorted[] = {1, 0};
  EXPECT_THROW(next_order_tradeoff(m, m, item_orders, cases, 3, unsorted, 2), Error);
}

}  // namespace
}  // namespace cobuy
