#include "training/ease.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <numeric>
#include <random>
#include <set>

#include <Eigen/Dense>

#include "core/error.h"
#include "core/ingest.h"
#include "core/log.h"

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

// The single-precision inverse against a double-precision one, on the Online Retail file's 1,500
// most frequent items (small enough for a quick dense inverse, large enough to be ill-conditioned
// like the real thing).
TEST(Ease, SinglePrecisionAgreesWithDoubleOnOnlineRetail) {
  const std::string path = std::string(COBUY_SHARED_DATASETS) + "/online-retail/online_retail.csv.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "../shared/datasets/online-retail is absent";
  log::set_level(log::Level::warn);
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  const Baskets b = baskets_from_orders(load_orders({path}, options));
  EaseConfig c;
  c.max_items = 1500;
  c.negative_top_k = 10000;
  const EaseTables t = train_ease(b, count_pairs(b, 1, 500), c, 10000, 500);

  // The same Gram matrix over the same items, inverted in double precision.
  const auto counts = item_order_counts(b);
  std::vector<ItemIndex> order(b.n_items);
  std::iota(order.begin(), order.end(), ItemIndex{0});
  std::stable_sort(order.begin(), order.end(), [&](ItemIndex x, ItemIndex y) { return counts[x] > counts[y]; });
  order.resize(c.max_items);
  std::vector<int> dense(b.n_items, -1);
  for (std::size_t d = 0; d < order.size(); ++d) dense[order[d]] = static_cast<int>(d);
  const auto n = static_cast<Eigen::Index>(order.size());
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(n, n);
  for (std::size_t k = 0; k < b.size(); ++k) {
    if (b.basket(k).size() > 500) continue;
    const double w = std::pow(static_cast<double>(b.basket(k).size()), -c.basket_weight);
    for (ItemIndex i : b.basket(k)) {
      for (ItemIndex j : b.basket(k)) {
        if (dense[i] >= 0 && dense[j] >= 0) g(dense[i], dense[j]) += w;
      }
    }
  }
  g.diagonal().array() += c.lambda;
  const Eigen::MatrixXd p = g.llt().solve(Eigen::MatrixXd::Identity(n, n));

  double largest = 0, worst = 0;
  std::size_t same_top10 = 0, rows = 0;
  for (Eigen::Index d = 0; d < n; ++d) {
    const ItemIndex i = order[static_cast<std::size_t>(d)];
    auto exact = [&](ItemIndex j) { return -p(d, dense[j]) / p(dense[j], dense[j]); };
    for (const auto* table : {&t.positive, &t.negative}) {
      for (const auto& nb : table->row(i)) {
        largest = std::max(largest, std::abs(exact(nb.item)));
        worst = std::max(worst, std::abs(nb.score - exact(nb.item)));
      }
    }
    // The ten largest weights are the same items in both.
    std::vector<std::pair<double, ItemIndex>> best;
    for (Eigen::Index e = 0; e < n; ++e) {
      if (e != d) best.emplace_back(exact(order[static_cast<std::size_t>(e)]), order[static_cast<std::size_t>(e)]);
    }
    std::partial_sort(best.begin(), best.begin() + 10, best.end(), std::greater<>());
    std::set<ItemIndex> want, got;
    for (std::size_t k = 0; k < 10; ++k) want.insert(best[k].second);
    for (std::size_t k = 0; k < 10 && k < t.positive.row(i).size(); ++k) got.insert(t.positive.row(i)[k].item);
    same_top10 += want == got ? 1 : 0;
    ++rows;
  }
  std::cout << "largest |B| " << largest << ", worst difference " << worst << " (" << worst / largest
            << " of the largest); same top 10 in " << same_top10 << " of " << rows << " rows\n";
  EXPECT_LT(worst, 1e-5 * largest);
  EXPECT_GE(same_top10, rows * 99 / 100);
}

}  // namespace
}  // namespace cobuy
