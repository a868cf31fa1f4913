#include "training/blend.h"

#include <gtest/gtest.h>

namespace cobuy {
namespace {

NeighborTable table(const std::vector<std::vector<Neighbor>>& rows) {
  NeighborTable t;
  t.offsets.assign(1, 0);
  for (const auto& r : rows) {
    t.entries.insert(t.entries.end(), r.begin(), r.end());
    t.offsets.push_back(t.entries.size());
  }
  return t;
}

TEST(Blend, ScaleIsTheMeanBestScore) {
  auto t = table({{{1, 4.0f, 1}, {2, 1.0f, 1}}, {}, {{0, 2.0f, 1}}});
  EXPECT_DOUBLE_EQ(table_scale(t), 3.0);
  EXPECT_DOUBLE_EQ(table_scale(table({{}, {}})), 1.0);
}

TEST(Blend, SumsNormalisedWeightedScores) {
  // Source a: item 0 -> 1 (2.0), 2 (1.0); scale 2. Source b: item 0 -> 2 (10), 3 (5); scale 10.
  auto a = table({{{1, 2.0f, 7}, {2, 1.0f, 3}}, {}, {}, {}});
  auto b = table({{{2, 10.0f, 0}, {3, 5.0f, 0}}, {}, {}, {}});
  std::vector<WeightedTable> sources{{&a, 1.0}, {&b, 1.0}};
  auto out = blend_tables(sources, 10);
  auto row = out.row(0);
  ASSERT_EQ(row.size(), 3u);
  // 2: 1/2 + 10/10 = 1.5; 1: 2/2 = 1.0; 3: 5/10 = 0.5.
  EXPECT_EQ(row[0].item, 2u);
  EXPECT_FLOAT_EQ(row[0].score, 1.5f);
  EXPECT_EQ(row[0].count, 3u) << "counts come from the source that has them";
  EXPECT_EQ(row[1].item, 1u);
  EXPECT_EQ(row[2].item, 3u);
  EXPECT_FLOAT_EQ(row[2].score, 0.5f);

  std::vector<WeightedTable> only_b{{&a, 0.0}, {&b, 2.0}};
  auto ob = blend_tables(only_b, 1);
  ASSERT_EQ(ob.row(0).size(), 1u);
  EXPECT_EQ(ob.row(0)[0].item, 2u);
  EXPECT_FLOAT_EQ(ob.row(0)[0].score, 2.0f);
}

TEST(Blend, WithoutPairsRemovesBannedNeighbours) {
  auto t = table({{{1, 3.0f, 1}, {2, 2.0f, 1}, {3, 1.0f, 1}}, {}, {}, {}});
  auto ban = table({{{2, 0.9f, 0}}, {}, {}, {}});
  auto out = without_pairs(t, ban);
  ASSERT_EQ(out.row(0).size(), 2u);
  EXPECT_EQ(out.row(0)[0].item, 1u);
  EXPECT_EQ(out.row(0)[1].item, 3u);
}

}  // namespace
}  // namespace cobuy
