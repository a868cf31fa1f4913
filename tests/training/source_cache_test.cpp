#include <gtest/gtest.h>

#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

OrderData orders() {
  OrderData d;
  for (int k = 0; k < 6; ++k) testing::add_order(d, "a" + std::to_string(k), {"tea", "saucer", "cake"});
  for (int k = 0; k < 4; ++k) testing::add_order(d, "b" + std::to_string(k), {"pen", "paper"});
  for (int k = 0; k < 3; ++k) testing::add_order(d, "c" + std::to_string(k), {"tea", "cake"});
  return d;
}

void expect_same_table(const NeighborTable& a, const NeighborTable& b) {
  ASSERT_EQ(a.offsets, b.offsets);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].item, b.entries[i].item);
    EXPECT_FLOAT_EQ(a.entries[i].score, b.entries[i].score);
  }
}

TEST(SourceCache, ReusedTablesGiveTheSameModel) {
  const auto d = orders();
  SourceCache cache;
  TrainConfig ease_only;
  ease_only.blend = {0.0, 1.0};
  train_model(d, ease_only, {}, nullptr, &cache);
  EXPECT_EQ(cache.ease.size(), 1u);
  EXPECT_EQ(cache.tables.size(), 0u);
  const Model with_cache = train_model(d, TrainConfig{}, {}, nullptr, &cache);
  EXPECT_EQ(cache.ease.size(), 1u) << "EASE reused";
  EXPECT_EQ(cache.tables.size(), 1u) << "co-occurrence added";
  const Model without = train_model(d, TrainConfig{});
  expect_same_table(with_cache.bought_together, without.bought_together);
  expect_same_table(with_cache.penalties, without.penalties);

  TrainConfig other = ease_only;
  other.ease.lambda = 1;
  train_model(d, other, {}, nullptr, &cache);
  EXPECT_EQ(cache.ease.size(), 2u) << "other EASE settings are another table";
}

}  // namespace
}  // namespace cobuy
