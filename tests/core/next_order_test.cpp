// The next-order engine's parts with exact expectations: each item's repurchase statistics, a
// profile's explore share, the features of a candidate, the default rule's GP-TopFreq order, the
// candidates' sources, and the scorer's manifest form.

#include "core/next_order.h"

#include <algorithm>
#include <cmath>
#include <span>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/offline_eval.h"
#include "core/time_util.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {


/// A: {x, y} day 0, {x} day 10, {x, z} day 30, {x} day 60. B: {y} day 0, {p} day 3, {y, y} day 5.
Model two_customers() {
  return testing::ModelBuilder()
      .item("x").item("y").item("z").item("w").item("p")
      .bought_with("x", {"w", "y"})
      .popular({"p", "x"})
      .order("A", "2011-01-01", {"x", "y"})
      .order("A", "2011-01-11", {"x"})
      .order("A", "2011-01-31", {"x", "z"})
      .order("A", "2011-03-02", {"x"})
      .order("B", "2011-01-01", {"y"})
      .order("B", "2011-01-04", {"p"})
      .order("B", "2011-01-06", {"y", "y"})
      .build();
}

ItemIndex at(const Model& m, const char* id) { return *m.catalog.find(id); }

TEST(RepurchaseStats, ReturnRatesAreSmoothedTowardsTheShopsAndGapsAreMedians) {
  const Model m = two_customers();
  const auto s = repurchase_stats(m.customers, m.catalog.size());
  // Trials (an order followed by another of the same customer) and hits (a later order holds
  // the item again): x 3/3, y 1/2 (B bought it again two orders on; B's two lines of y count
  // once), z 0/1, p 0/1. The shop: 4/7.
  const double prior = 5.0 * 4.0 / 7.0;
  EXPECT_NEAR(s.return_rate[at(m, "x")], (3 + prior) / (3 + 5.0), 1e-6);
  EXPECT_NEAR(s.return_rate[at(m, "y")], (1 + prior) / (2 + 5.0), 1e-6);
  EXPECT_NEAR(s.return_rate[at(m, "z")], (0 + prior) / (1 + 5.0), 1e-6);
  EXPECT_NEAR(s.return_rate[at(m, "p")], (0 + prior) / (1 + 5.0), 1e-6);
  EXPECT_NEAR(s.return_rate[at(m, "w")], prior / 5.0, 1e-6);  // never bought: the shop's rate
  // In the very next order: x 3/3, y 0/2 (B's came two orders on), z 0/1, p 0/1; the shop 3/7.
  const double next_prior = 5.0 * 3.0 / 7.0;
  EXPECT_NEAR(s.next_rate[at(m, "x")], (3 + next_prior) / (3 + 5.0), 1e-6);
  EXPECT_NEAR(s.next_rate[at(m, "y")], (0 + next_prior) / (2 + 5.0), 1e-6);
  // x came back after 10, 20 and 30 days; y's one gap (5 days) is too few for a median.
  EXPECT_FLOAT_EQ(s.gap_days[at(m, "x")], 20.0f);
  EXPECT_TRUE(std::isnan(s.gap_days[at(m, "y")]));
}

TEST(BuildProfile, CountsAnItemOncePerOrderAndMeasuresHowMuchTheCustomerExplores) {
  const Model m = two_customers();
  const auto b = build_profile(m, "B", {}, kNoTime, SegmentThresholds{});
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(m.catalog.ids[b.items[0].item], "y");
  EXPECT_EQ(b.items[0].orders, 2u);
  // A: after the first order, x three times and z once; z was new. (1 + 1) / (4 + 2).
  const auto a = build_profile(m, "A", {}, kNoTime, SegmentThresholds{});
  EXPECT_NEAR(a.explore, 2.0 / 6.0, 1e-12);
  EXPECT_EQ(a.items[0].first, *parse_timestamp("2011-01-01"));
  // B: after the first order, p (new) and y again: (1 + 1) / (2 + 2).
  EXPECT_NEAR(b.explore, 0.5, 1e-12);
}

TEST(NextOrderFeatures, AreComputedAsDocumented) {
  NextOrderSignals s;
  s.customer_orders = 4;
  s.item_orders = 2;
  s.in_last_order = true;
  s.days_since = 30;
  s.item_return = 0.5;
  s.due = 0.8;
  s.popularity = 9;
  s.history_complement = 0.25;
  s.explore = 0.4;
  s.item_next_return = 0.3;
  s.embedding = 0.6;
  const auto f = next_order_features(s);
  const NextOrderFeatures bought = {1, std::log1p(2.0), 0.5, 1, std::exp(-1.0), std::exp(-30.0 / 365), 0.5, 0.25, 0.8,
                                    std::log1p(9.0), 0.25, 0, 0, 0.3, 0.6};
  for (std::size_t k = 0; k < kNextOrderFeatures; ++k) EXPECT_DOUBLE_EQ(f[k], bought[k]) << next_order_feature_names()[k];
  s.item_orders = 0;
  s.in_last_order = false;
  const auto g = next_order_features(s);
  const NextOrderFeatures fresh = {0, 0, 0, 0, 0, 0, 0, 0, 0, std::log1p(9.0), 0.25, std::log1p(4.0), 0.4, 0, 0.6};
  for (std::size_t k = 0; k < kNextOrderFeatures; ++k) EXPECT_DOUBLE_EQ(g[k], fresh[k]) << next_order_feature_names()[k];
}

TEST(NextOrderCandidates, TheDefaultRuleRanksLikeGpTopFreqAndNamesEachSource) {
  Model m = two_customers();
  m.repurchase = repurchase_stats(m.customers, m.catalog.size());
  m.item_orders = {5, 3, 4, 1, 9};  // x y z w p
  const auto profile = build_profile(m, "A", {}, kNoTime, SegmentThresholds{});
  const auto c = next_order_candidates(m, profile, *parse_timestamp("2011-03-12"));
  // Bought: x (4 orders), then z and y (1 each, z more popular); new: p (popular), then w (a
  // complement of x, less popular).
  std::vector<std::string> ids;
  for (const auto& k : c) ids.push_back(m.catalog.ids[k.item]);
  EXPECT_EQ(ids, (std::vector<std::string>{"x", "z", "y", "p", "w"}));
  EXPECT_TRUE(c[0].repeat);
  EXPECT_DOUBLE_EQ(c[0].days_since, 10.0);
  EXPECT_FALSE(c[3].repeat);
  EXPECT_FALSE(c[3].complement);
  EXPECT_FALSE(c[4].repeat);
  EXPECT_TRUE(c[4].complement);
  EXPECT_EQ(c[4].anchor, at(m, "x"));
  // x came back after 10, 20, 30 days (median 20); 10 days on, due = exp(-|ln(11/21)|).
  EXPECT_NEAR(c[0].features[8], 11.0 / 21.0, 1e-9);
  for (std::size_t k = 1; k < c.size(); ++k) EXPECT_LE(c[k].logit, c[k - 1].logit);
  // The chance is the logistic of the log-odds.
  EXPECT_NEAR(c[0].chance, 1.0 / (1.0 + std::exp(-c[0].logit)), 1e-12);
}

TEST(NextOrderCandidates, TheCustomerVectorSearchAddsNewItemsWithTheirAffinity) {
  Model m = two_customers();
  m.repurchase = repurchase_stats(m.customers, m.catalog.size());
  // Two-float input vectors: x (1, 0), y (0, 1), z (1, 1), w (0, 0) untrained, p (-1, 0).
  m.embeddings.dim = 2;
  m.embeddings.input = {1, 0, 0, 1, 1, 1, 0, 0, -1, 0};
  const auto profile = build_profile(m, "A", {}, kNoTime, SegmentThresholds{});
  // A: x in 4 orders, y and z in 1: (4 (1, 0) + (0, 1) + (1, 1)) / 6.
  const auto v = customer_vector(m, profile);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FLOAT_EQ(v[0], 5.0f / 6.0f);
  EXPECT_FLOAT_EQ(v[1], 2.0f / 6.0f);

  // A stand-in index: the customer's items, then p (affinity 0.5); records what it was asked.
  std::vector<float> asked;
  std::size_t asked_k = 0;
  const ComplementSearch search = [&](std::span<const float> q, std::size_t k) {
    asked.assign(q.begin(), q.end());
    asked_k = k;
    return std::vector<std::pair<ItemIndex, float>>{
        {at(m, "x"), 3.0f}, {at(m, "z"), 1.0f}, {at(m, "p"), 0.5f}, {at(m, "y"), -1.0f}};
  };
  // Without popular items and complements, p is reached by the search alone.
  m.popular.clear();
  m.bought_together = NeighborTable::from_rows(std::vector<std::vector<Neighbor>>(m.catalog.size()));
  const auto without = next_order_candidates(m, profile, kNoTime);
  EXPECT_EQ(without.size(), 3u) << "the customer's items only";
  const auto c = next_order_candidates(m, profile, kNoTime, search);
  EXPECT_EQ(asked, v);
  EXPECT_EQ(asked_k, profile.items.size() + 50) << "enough for 50 new items beyond the customer's own";
  ASSERT_EQ(c.size(), 4u);
  const auto p = std::find_if(c.begin(), c.end(), [&](const auto& k) { return k.item == at(m, "p"); });
  ASSERT_NE(p, c.end());
  EXPECT_FALSE(p->repeat);
  EXPECT_TRUE(p->complement);
  EXPECT_TRUE(p->from_embedding);
  // The customer's item most like p (cosine of input vectors) is named: y (0) before z (-0.71)
  // and x (-1).
  EXPECT_EQ(p->anchor, at(m, "y"));
  // The affinity is a feature of every candidate the search found, as a sigmoid.
  const std::size_t emb = kNextOrderFeatures - 1;
  EXPECT_NEAR(p->features[emb], 1.0 / (1.0 + std::exp(-0.5)), 1e-12);
  for (const auto& k : c) {
    if (k.item == at(m, "x")) {
      EXPECT_NEAR(k.features[emb], 1.0 / (1.0 + std::exp(-3.0)), 1e-12);
    }
    if (k.item == at(m, "y")) {
      EXPECT_NEAR(k.features[emb], 1.0 / (1.0 + std::exp(1.0)), 1e-12);
    }
    EXPECT_FALSE(k.repeat && k.from_embedding);
  }
  // A fitted scorer that weighs only the affinity puts the search's best first.
  m.next_order.weights.assign(kNextOrderFeatures, 0.0);
  m.next_order.weights[emb] = 10.0;
  EXPECT_EQ(m.catalog.ids[next_order_candidates(m, profile, kNoTime, search)[0].item], "x");
  // A model without embeddings never asks the search.
  m.embeddings = {};
  asked_k = 0;
  EXPECT_EQ(next_order_candidates(m, profile, kNoTime, search).size(), 3u);
  EXPECT_EQ(asked_k, 0u);
}

TEST(NewItemsRanker, ListsOnlyTheEnginesCandidatesTheCustomerNeverBought) {
  Model m = two_customers();
  m.repurchase = repurchase_stats(m.customers, m.catalog.size());
  m.item_orders = {5, 3, 4, 1, 9};  // x y z w p
  Query q;
  q.customer_id = "A";
  q.limit = 10;
  std::vector<std::string> ids;
  for (ItemIndex i : new_items_ranker(m)(q)) ids.push_back(m.catalog.ids[i]);
  EXPECT_EQ(ids, (std::vector<std::string>{"p", "w"}));
  q.items = {"p"};  // the query's items are never listed
  EXPECT_EQ(new_items_ranker(m)(q), std::vector<ItemIndex>{at(m, "w")});
}

TEST(NextOrderCandidates, AFittedScorerDecidesTheOrder) {
  Model m = two_customers();
  m.repurchase = repurchase_stats(m.customers, m.catalog.size());
  m.next_order.weights.assign(kNextOrderFeatures, 0.0);
  m.next_order.weights[10] = 5.0;  // history complement only
  const auto profile = build_profile(m, "A", {}, kNoTime, SegmentThresholds{});
  const auto c = next_order_candidates(m, profile, kNoTime);
  EXPECT_EQ(m.catalog.ids[c[0].item], "w");  // the best complement of the history
}

TEST(NextOrderScorer, RoundTripsThroughTheManifestAndRefusesMalformedForms) {
  NextOrderScorer s;
  s.weights.assign(kNextOrderFeatures, 0.5);
  s.bias = -2;
  s.fit = {{"validation_customers", 7}};
  const auto back = next_order_scorer_from_json(to_json(s));
  EXPECT_EQ(back.weights, s.weights);
  EXPECT_EQ(back.bias, -2);
  EXPECT_EQ(back.fit, s.fit);
  EXPECT_FALSE(next_order_scorer_from_json(nullptr).fitted());
  EXPECT_FALSE(next_order_scorer_from_json(to_json(NextOrderScorer{})).fitted());

  auto refused = [](nlohmann::json j, const std::string& words) {
    try {
      next_order_scorer_from_json(j);
      ADD_FAILURE() << "accepted " << j.dump();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  auto j = to_json(s);
  j["features"][3] = "something_else";
  refused(j, "this build expects 'in_last_order'");
  j = to_json(s);
  j["weights"][0] = 1e7;
  refused(j, "not a finite weight");
  j = to_json(s);
  j["weights"].erase(0);
  refused(j, "must hold 15 numbers");
  j = to_json(s);
  j.erase("bias");
  refused(j, "malformed");
  refused(nlohmann::json::array(), "must be an object or null");

  // A format 1.6 manifest lists the first 14 features; the embedding affinity then weighs 0.
  j = to_json(s);
  j["features"].erase(kNextOrderFeatures - 1);
  j["weights"].erase(kNextOrderFeatures - 1);
  const auto old = next_order_scorer_from_json(j);
  ASSERT_TRUE(old.fitted());
  EXPECT_EQ(old.weights[kNextOrderFeatures - 2], 0.5);
  EXPECT_EQ(old.weights[kNextOrderFeatures - 1], 0.0);
  j["weights"].erase(0);
  refused(j, "must hold 14 numbers");
}

}  // namespace
}  // namespace cobuy
