#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace cobuy {
namespace {

using V = std::vector<ItemIndex>;

TEST(Metrics, HandComputedSingleTruth) {
  const V ranked{5, 3, 9, 1};
  const V truth{9};
  EXPECT_DOUBLE_EQ(hit_rate_at_k(ranked, truth, 3), 1.0);
  EXPECT_DOUBLE_EQ(hit_rate_at_k(ranked, truth, 2), 0.0);
  EXPECT_DOUBLE_EQ(ndcg_at_k(ranked, truth, 10), 1.0 / std::log2(4.0));  // rank 3 -> 1/log2(3+1) = 0.5
  EXPECT_DOUBLE_EQ(reciprocal_rank(ranked, truth), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(precision_at_k(ranked, truth, 4), 0.25);
  EXPECT_DOUBLE_EQ(recall_at_k(ranked, truth, 4), 1.0);
}

TEST(Metrics, HandComputedSeveralTruths) {
  const V ranked{1, 2, 3, 4};
  const V truth{2, 4, 7};
  // DCG = 1/log2(3) + 1/log2(5); ideal for 3 truths in top 4 = 1 + 1/log2(3) + 1/log2(4).
  const double dcg = 1 / std::log2(3.0) + 1 / std::log2(5.0);
  const double ideal = 1 + 1 / std::log2(3.0) + 0.5;
  EXPECT_DOUBLE_EQ(ndcg_at_k(ranked, truth, 4), dcg / ideal);
  EXPECT_DOUBLE_EQ(recall_at_k(ranked, truth, 4), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(precision_at_k(ranked, truth, 4), 0.5);
  EXPECT_DOUBLE_EQ(reciprocal_rank(ranked, truth), 0.5);
}

TEST(Metrics, FewerResultsThanK) {
  const V ranked{8};
  const V truth{8};
  EXPECT_DOUBLE_EQ(ndcg_at_k(ranked, truth, 10), 1.0);
  EXPECT_DOUBLE_EQ(precision_at_k(ranked, truth, 10), 0.1) << "precision divides by k, not by the list length";
  EXPECT_DOUBLE_EQ(hit_rate_at_k(V{}, truth, 10), 0.0);
}

TEST(Metrics, EmptyTruthScoresZero) {
  const V ranked{1, 2};
  EXPECT_DOUBLE_EQ(ndcg_at_k(ranked, V{}, 10), 0.0);
  EXPECT_DOUBLE_EQ(recall_at_k(ranked, V{}, 10), 0.0);
  EXPECT_DOUBLE_EQ(precision_at_k(ranked, V{}, 10), 0.0);
  EXPECT_DOUBLE_EQ(reciprocal_rank(ranked, V{}), 0.0);
}

TEST(Metrics, DuplicateRecommendationsCountOnce) {
  const V ranked{3, 3, 3};
  const V truth{3, 5};
  EXPECT_DOUBLE_EQ(recall_at_k(ranked, truth, 3), 0.5);
  EXPECT_DOUBLE_EQ(precision_at_k(ranked, truth, 3), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(ndcg_at_k(ranked, truth, 3), 1.0 / (1.0 + 1.0 / std::log2(3.0)));
}

TEST(Metrics, TiesInTruthDoNotInflate) {
  // A truth list with a repeated item is one relevant item.
  const V ranked{4, 1};
  const V truth{1, 1};
  EXPECT_DOUBLE_EQ(recall_at_k(ranked, truth, 2), 1.0);
  EXPECT_DOUBLE_EQ(ndcg_at_k(ranked, truth, 2), 1.0 / std::log2(3.0));
}

}  // namespace
}  // namespace cobuy
