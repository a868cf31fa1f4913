#include "core/reranker.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/recommender.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

TEST(RerankFeatures, AreTheDocumentedTransformsOfTheSignals) {
  CandidateSignals s;
  s.blend_sum = 1.5;
  s.blend_max = 1.0;
  s.item_orders = 9;
  s.history = 0.5;
  s.days_since_last = 90;
  const auto f = rerank_features(s);
  EXPECT_DOUBLE_EQ(f[0], std::log(2.5));
  EXPECT_DOUBLE_EQ(f[1], std::log(2.0));
  EXPECT_DOUBLE_EQ(f[2], std::log(10.0));
  EXPECT_DOUBLE_EQ(f[3], 0.5);
  EXPECT_DOUBLE_EQ(f[4], std::exp(-1.0));
  EXPECT_DOUBLE_EQ(f[5], 1.0);

  CandidateSignals never;  // not bought before: no recency, no flag; bought today: recency 1
  EXPECT_EQ(rerank_features(never)[4], 0.0);
  EXPECT_EQ(rerank_features(never)[5], 0.0);
  never.days_since_last = 0;
  EXPECT_DOUBLE_EQ(rerank_features(never)[4], 1.0);
}

TEST(RerankerJson, RoundTripsAndOffIsNull) {
  Reranker r;
  EXPECT_FALSE(r.enabled());
  EXPECT_TRUE(to_json(r).is_null());
  EXPECT_FALSE(reranker_from_json(nullptr).enabled());

  r.weights = {1.5, -0.25, 0, 2, 0.5, -1};
  r.candidates = 60;
  r.fit = {{"validation_baskets", 12}};
  const auto back = reranker_from_json(to_json(r));
  EXPECT_TRUE(back.enabled());
  EXPECT_EQ(back.weights, r.weights);
  EXPECT_EQ(back.candidates, 60u);
  EXPECT_EQ(back.fit, r.fit);
}

void expect_bad(const nlohmann::json& j, const std::string& words) {
  try {
    reranker_from_json(j);
    FAIL() << "accepted " << j.dump();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(RerankerSummary, SaysOnWithTheValidationNumbersOrOffAndWhy) {
  Reranker r;
  EXPECT_EQ(reranker_summary(r), "off: not fitted");
  r.fit = {{"skipped", "too few validation baskets (3)"}};
  EXPECT_EQ(reranker_summary(r), "off: too few validation baskets (3)");
  r.weights = {1, 2, 3, 4, 5, 6};
  r.candidates = 60;
  r.fit = {{"ndcg_at_10_first_stage", 0.21612},
           {"ndcg_at_10_reranked_2fold", 0.22691},
           {"baskets_with_hidden_item_in_candidates", 1227},
           {"validation_baskets", 1941}};
  EXPECT_EQ(reranker_summary(r), "on: validation NDCG@10 0.2161 -> 0.2269 (2-fold, 1227 of 1941 baskets)");
}

TEST(RerankerJson, RefusesMalformedManifestsNamingTheField) {
  Reranker r;
  r.weights = {1, 1, 1, 1, 1, 1};
  r.candidates = 10;
  const auto good = to_json(r);
  expect_bad(42, "object or null");
  auto j = good;
  j["weights"] = {1, 2};
  expect_bad(j, "reranker.weights");
  j = good;
  j["weights"][0] = 1e300;
  expect_bad(j, "not a finite weight");
  j = good;
  j["features"][2] = "price";
  expect_bad(j, "this build expects 'log1p_item_orders'");
  j = good;
  j["candidates"] = 0;
  expect_bad(j, "reranker.candidates");
  j = good;
  j.erase("weights");
  expect_bad(j, "malformed");
}

/// a's row: b c d e f with scores 1, 0.9, 0.81, 0.729, 0.656; d is bought far more often.
Model popular_d_shop() {
  auto m = testing::ModelBuilder()
               .item("a").item("b").item("c").item("d").item("e").item("f")
               .bought_with("a", {"b", "c", "d", "e", "f"})
               .order("ann", "2011-01-01T00:00:00Z", {"d"})
               .build();
  m.item_orders[*m.catalog.find("d")] = 100;
  return m;
}

std::vector<std::string> ids(const Model& m, const RecommendResult& r) {
  std::vector<std::string> out;
  for (const auto& x : r.items) out.push_back(m.catalog.ids[x.item]);
  return out;
}

TEST(Reranker, ReordersOnlyTheFirstStagesBestCandidates) {
  auto m = popular_d_shop();
  Query q;
  q.items = {"a"};
  q.limit = 5;
  EXPECT_EQ(ids(m, recommend(m, q)), (std::vector<std::string>{"b", "c", "d", "e", "f"}));  // off: first stage

  m.reranker.weights = {0, 0, 1, 0, 0, 0};  // popularity alone
  m.reranker.candidates = 3;
  const auto r = recommend(m, q);
  // b c d are re-ordered (d first; b and c tie and keep their order); e and f stay below.
  EXPECT_EQ(ids(m, r), (std::vector<std::string>{"d", "b", "c", "e", "f"}));
  EXPECT_FLOAT_EQ(r.items[0].score, 1.0f);
  EXPECT_NEAR(r.items[1].score, std::exp(std::log(2.0) - std::log(101.0)), 1e-6);
  for (std::size_t k = 1; k < r.items.size(); ++k) EXPECT_LE(r.items[k].score, r.items[k - 1].score);
  EXPECT_LT(r.items[3].score, r.items[2].score);
  EXPECT_EQ(r.items[0].reason, "a");
  EXPECT_FALSE(r.fallback);
}

TEST(Reranker, SeesTheCustomersHistoryAsOfTheQueryTime) {
  auto m = popular_d_shop();
  Query q;
  q.items = {"a"};
  q.customer_id = "ann";
  q.at = *parse_timestamp("2011-01-31T00:00:00Z");
  // The first stage lifts ann's d by her history: d, b, c, ...
  const auto cands = basket_candidates(m, q, 3);
  ASSERT_EQ(cands.size(), 3u);
  EXPECT_EQ(m.catalog.ids[cands[0].item], "d");
  EXPECT_DOUBLE_EQ(cands[0].features[3], 1.0);                // her top item
  EXPECT_DOUBLE_EQ(cands[0].features[4], std::exp(-30.0 / 90));  // bought 30 days before `at`
  EXPECT_DOUBLE_EQ(cands[0].features[5], 1.0);
  EXPECT_DOUBLE_EQ(cands[1].features[5], 0.0);
  EXPECT_DOUBLE_EQ(cands[1].features[0], std::log1p(1.0));    // b: a's row gives it 1
  EXPECT_DOUBLE_EQ(cands[1].features[1], std::log1p(1.0));

  // With blend.history 0 the first stage ignores her past (b, c, d by the row), but the
  // re-ranker still learns that she bought d.
  {
    auto blind = m;
    blind.config.blend.history = 0;
    const auto row_only = basket_candidates(blind, q, 3);
    ASSERT_EQ(row_only.size(), 3u);
    EXPECT_EQ(blind.catalog.ids[row_only[2].item], "d");
    EXPECT_DOUBLE_EQ(row_only[2].features[5], 1.0);
    EXPECT_DOUBLE_EQ(row_only[2].features[3], 1.0);
  }

  // A re-ranker that holds past purchases against an item demotes d below b and c.
  m.reranker.weights = {1, 0, 0, 0, 0, -5};
  m.reranker.candidates = 3;
  q.limit = 4;
  EXPECT_EQ(ids(m, recommend(m, q)), (std::vector<std::string>{"b", "c", "d", "e"}));
}

}  // namespace
}  // namespace cobuy
