// Data-parallel SGNS (SgnsAveraging): processes simulated by threads that meet at a barrier to
// average, as MPI ranks meet in an all-reduce.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "core/error.h"
#include "training/sgns.h"

namespace cobuy {
namespace {

/// Baskets of 2..5 distinct items, all from one of `groups` groups of `per_group` items (items
/// g * per_group ..), groups taken in turn from `first_group` in steps of `group_step`.
Baskets grouped_baskets(int groups, int per_group, std::size_t n, int first_group, int group_step,
                        std::uint32_t seed) {
  std::mt19937 rng(seed);
  Baskets b;
  b.n_items = static_cast<std::size_t>(groups * per_group);
  std::vector<ItemIndex> items;
  int g = first_group;
  for (std::size_t k = 0; k < n; ++k) {
    items.clear();
    const int size = 2 + static_cast<int>(rng() % 4);
    while (static_cast<int>(items.size()) < size) {
      const auto item = static_cast<ItemIndex>(g * per_group + static_cast<int>(rng() % static_cast<unsigned>(per_group)));
      if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
    }
    b.add(items);
    g = (g + group_step) % groups;
  }
  return b;
}

SgnsConfig averaging_config() {
  SgnsConfig c;
  c.dim = 16;
  c.epochs = 10;
  c.subsample = 0;
  c.deterministic = true;
  return c;
}

TEST(SgnsAveraging, WithOneProcessIsPlainTrainingAndAveragesEveryRoundOfEveryEpoch) {
  const Baskets b = grouped_baskets(4, 10, 2000, 0, 1, 7);
  const SgnsConfig c = averaging_config();
  SgnsAveraging one;
  one.item_counts = item_order_counts(b);
  one.rounds_per_epoch = 3;
  std::vector<std::size_t> sizes;
  one.average = [&](std::span<float> rows) { sizes.push_back(rows.size()); };
  const SgnsEmbeddings averaged = train_sgns(b, c, nullptr, &one);
  const SgnsEmbeddings plain = train_sgns(b, c);
  EXPECT_TRUE(averaged.input == plain.input);
  EXPECT_TRUE(averaged.output == plain.output);
  // Input and output rows, 3 times an epoch; 40 items of 16 floats each.
  EXPECT_EQ(sizes, std::vector<std::size_t>(2 * 3 * 10, 40u * 16u));
}

TEST(SgnsAveraging, TwoProcessesWithDisjointItemsEndEqualAndLearnEveryGroup) {
  // Process 0 sees only groups 0 and 2, process 1 only groups 1 and 3. Each knows every item's
  // count over both, so both draw the same vocabulary and start vectors, and averaging brings
  // what each learned to the other.
  constexpr int kGroups = 4, kPerGroup = 10, kItems = kGroups * kPerGroup;
  const Baskets shares[] = {grouped_baskets(kGroups, kPerGroup, 2000, 0, 2, 1),
                            grouped_baskets(kGroups, kPerGroup, 2000, 1, 2, 2)};
  std::vector<std::uint32_t> counts = item_order_counts(shares[0]);
  const auto other = item_order_counts(shares[1]);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    EXPECT_TRUE(counts[i] == 0 || other[i] == 0) << "item " << i << " is in both shares";
    counts[i] += other[i];
  }
  std::barrier meet(2);
  std::vector<float> pooled[2];
  SgnsEmbeddings got[2];
  auto run = [&](int p) {
    SgnsAveraging a;
    a.item_counts = counts;
    a.rounds_per_epoch = 2;
    a.average = [&, p](std::span<float> rows) {
      pooled[p].assign(rows.begin(), rows.end());
      meet.arrive_and_wait();
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = (pooled[0][i] + pooled[1][i]) * 0.5f;
      meet.arrive_and_wait();  // both have read the pool before either writes it again
    };
    got[p] = train_sgns(shares[p], averaging_config(), nullptr, &a);
  };
  std::thread second(run, 1);
  run(0);
  second.join();
  EXPECT_TRUE(got[0].input == got[1].input);
  EXPECT_TRUE(got[0].output == got[1].output);
  EXPECT_EQ(got[0].trained, std::vector<std::uint8_t>(kItems, 1));

  // Each item's 9 best complements (input . output) are its own group's other 9 items.
  const SgnsEmbeddings& e = got[0];
  auto dot = [&](int a, int x) {
    double s = 0;
    for (int d = 0; d < e.dim; ++d) s += e.input_row(a)[d] * e.output_row(x)[d];
    return s;
  };
  int top_within = 0;
  for (int a = 0; a < kItems; ++a) {
    std::vector<std::pair<double, int>> scored;
    for (int x = 0; x < kItems; ++x) {
      if (x != a) scored.emplace_back(dot(a, x), x);
    }
    std::partial_sort(scored.begin(), scored.begin() + kPerGroup - 1, scored.end(), std::greater<>());
    for (int r = 0; r < kPerGroup - 1; ++r) top_within += scored[static_cast<std::size_t>(r)].second / kPerGroup == a / kPerGroup;
  }
  EXPECT_GE(top_within, kItems * (kPerGroup - 1) * 95 / 100);
}

TEST(SgnsAveraging, RefusesCountsOfAnotherCatalogue) {
  const Baskets b = grouped_baskets(2, 5, 100, 0, 1, 3);
  SgnsAveraging a;
  a.item_counts.assign(b.n_items + 1, 1);
  a.average = [](std::span<float>) {};
  EXPECT_THROW(train_sgns(b, averaging_config(), nullptr, &a), Error);
}

}  // namespace
}  // namespace cobuy
