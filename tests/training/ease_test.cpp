#include "training/ease.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <Eigen/Dense>

#include "core/error.h"

namespace cobuy {
namespace {

Baskets small_baskets() {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> item(0, 11), size(2, 5);
  Baskets b;
  b.n_items = 12;
  for (int k = 0; k < 400; ++k) {
    std::vector<ItemIndex> basket;
    for (int t = size(rng); t > 0; --t) basket.push_back(static_cast<ItemIndex>(item(rng)));
    // Plant a strong pair: 0 and 1 together in a third of the baskets.
    if (k % 3 == 0) basket.insert(basket.end(), {0, 1});
    b.add(basket);
  }
  return b;
}

// Checks train_ease against the textbook solution: X (baskets x items), W = diag(|b|^-basket_weight),
// P = (X'WX + lambda I)^-1, B = I - P / diag(P).
void expect_matches_dense_solution(const Baskets& b, const EaseConfig& c) {
  const EaseTables t = train_ease(b, count_pairs(b, 1, 500), c, 100, 500);
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(b.size()), 12);
  Eigen::VectorXd w(static_cast<Eigen::Index>(b.size()));
  for (std::size_t k = 0; k < b.size(); ++k) {
    for (ItemIndex i : b.basket(k)) x(static_cast<Eigen::Index>(k), i) = 1;
    w(static_cast<Eigen::Index>(k)) = std::pow(static_cast<double>(b.basket(k).size()), -c.basket_weight);
  }
  Eigen::MatrixXd g = x.transpose() * w.asDiagonal() * x;
  g.diagonal().array() += c.lambda;
  const Eigen::MatrixXd p = g.inverse();
  for (ItemIndex i = 0; i < 12; ++i) {
    std::size_t positives = 0, negatives = 0;
    for (int j = 0; j < 12; ++j) {
      if (static_cast<ItemIndex>(j) == i) continue;
      const double weight = -p(i, j) / p(j, j);
      positives += weight > 0 ? 1 : 0;
      negatives += weight < 0 ? 1 : 0;
    }
    ASSERT_EQ(t.positive.row(i).size(), positives) << "row " << i;
    ASSERT_EQ(t.negative.row(i).size(), negatives) << "row " << i;
    for (const auto* table : {&t.positive, &t.negative}) {
      for (const auto& nb : table->row(i)) {
        EXPECT_NEAR(nb.score, -p(i, nb.item) / p(nb.item, nb.item), 1e-5) << i << "," << nb.item;
        EXPECT_NE(nb.item, i);
      }
    }
    for (const auto& nb : t.negative.row(i)) EXPECT_LT(nb.score, 0) << i << "," << nb.item;
  }
  ASSERT_FALSE(t.positive.row(0).empty());
  EXPECT_EQ(t.positive.row(0)[0].item, 1u) << "the planted pair is item 0's strongest weight";
}

TEST(Ease, MatchesADirectDenseSolution) {
  EaseConfig c;
  c.lambda = 10;
  expect_matches_dense_solution(small_baskets(), c);
}

TEST(Ease, WeightsBasketsByInverseSize) {
  EaseConfig c;
  c.lambda = 3;
  c.basket_weight = 0.5;
  expect_matches_dense_solution(small_baskets(), c);
}

TEST(Ease, OnlyTheMostFrequentItemsTakePart) {
  const Baskets b = small_baskets();
  EaseConfig c;
  c.max_items = 2;
  const EaseTables t = train_ease(b, count_pairs(b, 1, 500), c, 100, 500);
  std::size_t non_empty = 0;
  for (ItemIndex i = 0; i < 12; ++i) non_empty += t.positive.row(i).empty() && t.negative.row(i).empty() ? 0 : 1;
  EXPECT_LE(non_empty, 2u);
  EXPECT_FALSE(t.positive.row(0).empty());
}

TEST(Ease, KeepsTheMostNegativeWeightsMostNegativeFirst) {
  const Baskets b = small_baskets();
  EaseConfig all, few, none;
  few.negative_top_k = 1;
  none.negative_top_k = 0;
  const auto pairs = count_pairs(b, 1, 500);
  const EaseTables full = train_ease(b, pairs, all, 100, 500);
  const EaseTables one = train_ease(b, pairs, few, 100, 500);
  const EaseTables zero = train_ease(b, pairs, none, 100, 500);
  std::size_t longest = 0;
  for (ItemIndex i = 0; i < 12; ++i) {
    auto row = full.negative.row(i);
    longest = std::max(longest, row.size());
    for (std::size_t k = 1; k < row.size(); ++k) EXPECT_LE(row[k - 1].score, row[k].score) << "row " << i;
    // The first of the full row is the one kept, and the positives do not change.
    ASSERT_EQ(one.negative.row(i).size(), std::min<std::size_t>(1, row.size()));
    if (!row.empty()) {
      EXPECT_EQ(one.negative.row(i)[0].item, row[0].item);
    }
    EXPECT_TRUE(zero.negative.row(i).empty());
    EXPECT_EQ(zero.positive.row(i).size(), full.positive.row(i).size());
  }
  EXPECT_GE(longest, 2u) << "the cut to one must have cut something";
}

TEST(Ease, RejectsBadParameters) {
  const Baskets b = small_baskets();
  EaseConfig c;
  c.lambda = 0;
  EXPECT_THROW(train_ease(b, count_pairs(b, 1, 500), c, 100, 500), Error);
}

}  // namespace
}  // namespace cobuy
