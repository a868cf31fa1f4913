#include "training/cooccurrence.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace cobuy {
namespace {

Baskets random_baskets(std::size_t n_baskets, std::size_t n_items, std::uint32_t seed) {
  std::mt19937 rng(seed);
  // Skewed popularity so some pairs are frequent and many are rare.
  std::vector<double> weights(n_items);
  for (std::size_t i = 0; i < n_items; ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> item(weights.begin(), weights.end());
  std::uniform_int_distribution<int> size(1, 12);
  Baskets b;
  b.n_items = n_items;
  for (std::size_t k = 0; k < n_baskets; ++k) {
    std::vector<ItemIndex> basket;
    const int s = size(rng);
    for (int t = 0; t < s; ++t) basket.push_back(static_cast<ItemIndex>(item(rng)));
    b.add(basket);
  }
  return b;
}

std::map<std::pair<ItemIndex, ItemIndex>, std::uint32_t> brute_force_pairs(const Baskets& b, std::uint32_t max_basket) {
  std::map<std::pair<ItemIndex, ItemIndex>, std::uint32_t> counts;
  for (std::size_t k = 0; k < b.size(); ++k) {
    auto basket = b.basket(k);
    if (basket.size() > max_basket) continue;
    std::set<ItemIndex> distinct(basket.begin(), basket.end());
    for (ItemIndex i : distinct) {
      for (ItemIndex j : distinct) {
        if (i != j) ++counts[{i, j}];
      }
    }
  }
  return counts;
}

TEST(Baskets, AddRemovesDuplicateItems) {
  Baskets b;
  b.n_items = 5;
  std::vector<ItemIndex> items{3, 1, 3, 4, 1};
  b.add(items);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(std::vector<ItemIndex>(b.basket(0).begin(), b.basket(0).end()), (std::vector<ItemIndex>{1, 3, 4}));
}

TEST(CountPairs, MatchesBruteForceOnRandomBaskets) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    const Baskets b = random_baskets(3000, 200, seed);
    for (std::uint32_t min_support : {1u, 3u}) {
      const std::uint32_t max_basket = 10;
      const PairCounts pc = count_pairs(b, min_support, max_basket);
      auto expected = brute_force_pairs(b, max_basket);
      std::size_t expected_entries = 0;
      for (const auto& [pair, c] : expected) expected_entries += c >= min_support ? 1 : 0;
      ASSERT_EQ(pc.entries(), expected_entries) << "seed " << seed << " min_support " << min_support;
      for (ItemIndex i = 0; i < pc.n_items(); ++i) {
        for (auto p = pc.offsets[i]; p < pc.offsets[i + 1]; ++p) {
          const auto key = std::make_pair(i, pc.items[p]);
          ASSERT_EQ(pc.counts[p], expected[key]) << "pair " << i << "," << pc.items[p];
          if (p > pc.offsets[i]) {
            ASSERT_LT(pc.items[p - 1], pc.items[p]) << "row not sorted";
          }
        }
      }
    }
  }
}

TEST(CountPairs, ItemOrderCountsCountsDistinctOrders) {
  Baskets b;
  b.n_items = 3;
  b.add(std::vector<ItemIndex>{0, 1, 1});
  b.add(std::vector<ItemIndex>{1, 2});
  EXPECT_EQ(item_order_counts(b), (std::vector<std::uint32_t>{1, 2, 1}));
}

TEST(PairScore, FormulasAsDocumented) {
  CooccurrenceConfig c;
  c.shrinkage = 0;
  c.score = PairScore::jaccard;
  EXPECT_DOUBLE_EQ(pair_score(c, 2, 4, 6, 100), 2.0 / 8.0);
  c.score = PairScore::cosine;
  EXPECT_DOUBLE_EQ(pair_score(c, 2, 4, 9, 100), 2.0 / 6.0);
  c.score = PairScore::shrunk_confidence;
  c.shrinkage = 6;
  EXPECT_DOUBLE_EQ(pair_score(c, 2, 4, 9, 100), 2.0 / 10.0);
  c.score = PairScore::lift;
  c.shrinkage = 0;
  EXPECT_DOUBLE_EQ(pair_score(c, 2, 4, 5, 100), 2.0 * 100 / 20);
}

TEST(TopK, ShrinkageKeepsTinyCountsFromWinning) {
  // Item 0 co-occurs once with rare item 1 (seen once) and 30 times with item 2 (seen 60 times).
  Baskets b;
  b.n_items = 4;
  b.add(std::vector<ItemIndex>{0, 1});
  for (int k = 0; k < 30; ++k) b.add(std::vector<ItemIndex>{0, 2});
  for (int k = 0; k < 30; ++k) b.add(std::vector<ItemIndex>{2, 3});
  const auto counts = item_order_counts(b);
  const auto pairs = count_pairs(b, 1, 100);
  CooccurrenceConfig c;
  c.score = PairScore::lift;
  c.shrinkage = 0;
  c.min_support = 1;
  auto raw = top_k_neighbors(pairs, counts, b.size(), c);
  ASSERT_EQ(raw.row(0).size(), 2u);
  EXPECT_EQ(raw.row(0)[0].item, 1u) << "without shrinkage the one-off pair wins (lift N/31 against N/62)";
  c.shrinkage = 10;
  auto shrunk = top_k_neighbors(pairs, counts, b.size(), c);
  EXPECT_EQ(shrunk.row(0)[0].item, 2u) << "with shrinkage the well-supported pair wins";
  EXPECT_EQ(shrunk.row(0)[0].count, 30u);
  c.min_support = 2;
  auto supported = top_k_neighbors(pairs, counts, b.size(), c);
  ASSERT_EQ(supported.row(0).size(), 1u) << "the one-off pair is below min_support";
  EXPECT_EQ(supported.row(0)[0].item, 2u);
}

TEST(TopK, KeepsKBestSortedAndNeverTheItemItself) {
  const Baskets b = random_baskets(2000, 100, 7);
  const auto counts = item_order_counts(b);
  const auto pairs = count_pairs(b, 1, 100);
  CooccurrenceConfig c;
  c.top_k = 5;
  auto t = top_k_neighbors(pairs, counts, b.size(), c);
  for (ItemIndex i = 0; i < t.items(); ++i) {
    auto row = t.row(i);
    EXPECT_LE(row.size(), 5u);
    // Brute force: the best score among all of row i's pairs must be the first entry.
    double best = -1;
    for (auto p = pairs.offsets[i]; p < pairs.offsets[i + 1]; ++p) {
      best = std::max(best, pair_score(c, pairs.counts[p], counts[i], counts[pairs.items[p]], b.size()));
    }
    if (!row.empty()) {
      EXPECT_FLOAT_EQ(row[0].score, static_cast<float>(best));
    }
    for (std::size_t r = 0; r < row.size(); ++r) {
      EXPECT_NE(row[r].item, i);
      if (r > 0) {
        EXPECT_GE(row[r - 1].score, row[r].score);
      }
    }
  }
}

}  // namespace
}  // namespace cobuy
