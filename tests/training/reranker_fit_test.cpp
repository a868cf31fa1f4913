#include "training/reranker_fit.h"

#include <random>

#include <gtest/gtest.h>

#include "core/evaluation.h"
#include "core/time_util.h"
#include "support/order_builder.h"
#include "support/staples_shop.h"
#include "training/train.h"

namespace cobuy {
namespace {

TEST(FitPairwiseLogistic, LearnsWhichFeaturesMarkTheHiddenItem) {
  // The hidden item is the candidate with the largest 2*f0 - f2 (+ a little noise); f1 is noise
  // and f4 is the same for every candidate.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<RerankQuery> queries(300);
  for (auto& q : queries) {
    double best = -1e9;
    for (std::size_t j = 0; j < 12; ++j) {
      RerankFeatures f = {g(rng), g(rng), g(rng), g(rng), 3.0, g(rng)};
      const double truth = 2 * f[0] - f[2] + 0.1 * g(rng);
      if (truth > best) {
        best = truth;
        q.positive = j;
      }
      q.candidates.push_back(f);
    }
  }
  const auto w = fit_pairwise_logistic(queries);
  ASSERT_EQ(w.size(), kRerankFeatures);
  EXPECT_GT(w[0], 0);
  EXPECT_LT(w[2], 0);
  EXPECT_NEAR(w[0] / -w[2], 2.0, 0.4);
  EXPECT_LT(std::abs(w[1]), 0.2 * w[0]);
  EXPECT_LT(std::abs(w[3]), 0.2 * w[0]);
  EXPECT_EQ(w[4], 0.0);  // constant: says nothing
  EXPECT_EQ(fit_pairwise_logistic({}), std::vector<double>(kRerankFeatures, 0.0));
}

/// The staples shop (support/staples_shop.h) over `days` days, as orders.
OrderData staples_shop(int days) {
  OrderData d;
  for (const auto& o : testing::staples_shop(days)) {
    testing::add_order(d, o.id, o.items, o.customer, format_timestamp(o.time));
  }
  return d;
}

/// The staples shop with a first stage that ignores the customer (blend.history 0): the
/// re-ranker still sees their history and must learn that staples come back.
TrainConfig history_blind() {
  TrainConfig c;
  c.blend.history = 0;
  return c;
}

TEST(FitReranker, FitsOnTheLatestOrdersAndLearnsThatStaplesComeBack) {
  const auto data = staples_shop(300);
  const TrainConfig config = history_blind();
  const auto r = fit_reranker(data, config);
  ASSERT_TRUE(r.enabled()) << r.fit.dump();
  EXPECT_EQ(r.candidates, config.rerank.candidates);
  EXPECT_EQ(r.fit.at("validation").get<std::string>().rfind("orders from 2011-08-", 0), 0u) << r.fit.dump();
  EXPECT_EQ(r.fit.at("validation_orders").get<std::size_t>(), 180u);  // the latest 20% of 900 orders
  EXPECT_GT(r.fit.at("baskets_with_hidden_item_in_candidates").get<std::size_t>(), 100u);
  // Having bought an item before (history, recency, the flag) argues for it in this shop.
  EXPECT_GT(r.weights[3] + r.weights[4] + r.weights[5], 0.0);
  EXPECT_GT(r.fit.at("ndcg_at_10_reranked_2fold").get<double>(), r.fit.at("ndcg_at_10_first_stage").get<double>());
}

TEST(FitReranker, BeatsTheFirstStageOnLaterOrdersItNeverSaw) {
  const auto data = staples_shop(400);
  auto [train, test] = split_by_time(data, *parse_timestamp("2011-12-01T00:00:00Z"));
  const TrainConfig with = history_blind();
  TrainConfig without = with;
  without.rerank.enabled = false;
  const Model a = train_model(train, with);
  const Model b = train_model(train, without);
  ASSERT_TRUE(a.reranker.enabled()) << a.reranker.fit.dump();
  EXPECT_FALSE(b.reranker.enabled());
  const auto cases = basket_completion_cases(train, test, 5);
  ASSERT_GT(cases.size(), 100u);
  const auto reranked = basket_completion_metrics(a, cases, 10, true);
  const auto first = basket_completion_metrics(b, cases, 10, true);
  double gain = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) gain += reranked[k].ndcg - first[k].ndcg;
  EXPECT_GT(gain / static_cast<double>(cases.size()), 0.05) << to_json(a.reranker).dump();
}

TEST(FitReranker, StaysOffWhenItCannotBeatTheFirstStage) {
  // Every basket is one fixed pair plus noise: the first stage already puts the partner first,
  // and nothing a re-ranker sees tells the noise items apart.
  OrderData d;
  std::mt19937_64 rng(9);
  for (int k = 0; k < 600; ++k) {
    const std::string when = format_timestamp(*parse_timestamp("2011-01-01T00:00:00Z") + k * 3600);
    testing::add_order(d, std::to_string(k), {"a", "b", "n" + std::to_string(rng() % 50)}, "", when);
  }
  const auto r = fit_reranker(d, TrainConfig{});
  EXPECT_FALSE(r.enabled()) << r.fit.dump();
  EXPECT_NE(r.fit.value("skipped", "").find("did not beat the first stage"), std::string::npos) << r.fit.dump();
}

TEST(FitReranker, TooLittleDataLeavesItOffAndSaysWhy) {
  OrderData d;
  testing::add_order(d, "1", {"a", "b"}, "x", "2011-01-01");
  testing::add_order(d, "2", {"a", "b"}, "y", "2011-01-02");
  testing::add_order(d, "3", {"a", "c"}, "x", "2011-01-03");
  const Model m = train_model(d, TrainConfig{});
  EXPECT_FALSE(m.reranker.enabled());
  const auto r = fit_reranker(d, TrainConfig{});
  EXPECT_FALSE(r.enabled());
  EXPECT_TRUE(r.fit.contains("skipped")) << r.fit.dump();
}

TEST(FitReranker, UntimedOrdersAreCarvedAtRandom) {
  auto data = staples_shop(300);
  for (auto& o : data.orders) o.time = kNoTime;
  const auto r = fit_reranker(data, TrainConfig{});
  EXPECT_EQ(r.fit.at("validation").get<std::string>(), "a random share of the orders") << r.fit.dump();
}

}  // namespace
}  // namespace cobuy
