// Customer profiles and segments: boundaries, the shop's quantile defaults, and replenishment
// intervals and due dates.

#include "core/customer_profile.h"

#include <gtest/gtest.h>

#include "core/replenishment.h"
#include "core/time_util.h"
#include "support/model_builder.h"
#include "support/days.h"

namespace cobuy {
namespace {

using testing::kDay;
Timestamp ts(const char* iso) { return *parse_timestamp(iso); }

CustomerProfile profile(std::uint32_t orders, double spend, Timestamp last) {
  CustomerProfile p;
  p.orders = orders;
  p.spend = spend;
  p.last_order = last;
  return p;
}

TEST(Segments, BoundariesAreExclusiveOnRecencyAndInclusiveOnFrequencyAndSpend) {
  const SegmentThresholds t{30, 90, 3, 100};
  const Timestamp at = ts("2011-06-01");
  EXPECT_EQ(segment_of(profile(0, 0, kNoTime), at, t), Segment::new_customer);
  EXPECT_EQ(segment_of(profile(1, 10, at - 5 * kDay), at, t), Segment::new_customer);
  EXPECT_EQ(segment_of(profile(2, 10, at - 5 * kDay), at, t), Segment::active);
  EXPECT_EQ(segment_of(profile(3, 100, at - 5 * kDay), at, t), Segment::loyal);
  EXPECT_EQ(segment_of(profile(3, 99.9, at - 5 * kDay), at, t), Segment::active);
  EXPECT_EQ(segment_of(profile(2, 1000, at - 5 * kDay), at, t), Segment::active);
  EXPECT_EQ(segment_of(profile(5, 500, at - 30 * kDay), at, t), Segment::loyal);     // exactly 30 days: not yet
  EXPECT_EQ(segment_of(profile(5, 500, at - 31 * kDay), at, t), Segment::at_risk);
  EXPECT_EQ(segment_of(profile(5, 500, at - 90 * kDay), at, t), Segment::at_risk);
  EXPECT_EQ(segment_of(profile(5, 500, at - 91 * kDay), at, t), Segment::lapsed);
  EXPECT_EQ(segment_of(profile(1, 5, at - 91 * kDay), at, t), Segment::lapsed);  // recency wins over "new"
}

Model rhythm_shop() {
  // Customer a orders every 10 days (5 orders, 40 spent), b every 20 days (3 orders, 30),
  // c once (100): gaps 10,10,10,10,20,20.
  testing::ModelBuilder b;
  b.item("x").item("y");
  for (int d = 0; d < 5; ++d) b.order("a", format_timestamp(ts("2011-01-01") + d * 10 * kDay), {"x"}, 8.0f);
  for (int d = 0; d < 3; ++d) b.order("b", format_timestamp(ts("2011-01-01") + d * 20 * kDay), {"y"}, 10.0f);
  b.order("c", "2011-01-05", {"x", "y"}, 100.0f);
  return b.build();
}

TEST(Segments, DefaultsAreTheShopsQuantilesAndConfiguredValuesWin) {
  const Model m = rhythm_shop();
  const auto t = shop_thresholds(m, {});
  // gaps 10,10,10,10,20,20: 75th percentile 17.5, 95th 20 (at least at_risk + 1).
  EXPECT_DOUBLE_EQ(t.at_risk_days, 17.5);
  EXPECT_DOUBLE_EQ(t.lapsed_days, 20.0);
  EXPECT_EQ(t.loyal_min_orders, 4u);         // orders 5, 3, 1: 75th percentile 4
  EXPECT_DOUBLE_EQ(t.loyal_min_spend, 40.0);  // spends 40, 30, 100: median 40
  SegmentConfig c;
  c.at_risk_days = 60;
  c.lapsed_days = 120;
  c.loyal_min_orders = 2;
  const auto u = shop_thresholds(m, c);
  EXPECT_DOUBLE_EQ(u.at_risk_days, 60);
  EXPECT_DOUBLE_EQ(u.lapsed_days, 120);
  EXPECT_EQ(u.loyal_min_orders, 2u);
  EXPECT_DOUBLE_EQ(u.loyal_min_spend, 40.0);
}

TEST(Profiles, CountOrdersSpendAndItemsUpToTheReferenceTime) {
  const Model m = rhythm_shop();
  const SegmentThresholds t{30, 90, 3, 10};
  const auto p = build_profile(m, "a", {}, ts("2011-01-25"), t);  // orders on 1, 11, 21 January
  EXPECT_TRUE(p.known);
  EXPECT_EQ(p.orders, 3u);
  EXPECT_DOUBLE_EQ(p.spend, 24.0);
  EXPECT_EQ(p.first_order, ts("2011-01-01"));
  EXPECT_EQ(p.last_order, ts("2011-01-21"));
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].orders, 3u);
  EXPECT_EQ(p.items[0].last, ts("2011-01-21"));
  EXPECT_EQ(p.segment, Segment::loyal);
  const auto nobody = build_profile(m, "zz", {}, ts("2011-01-25"), t);
  EXPECT_FALSE(nobody.known);
  EXPECT_EQ(nobody.segment, Segment::new_customer);
}

TEST(Replenishment, IntervalIsTheMedianGapWithEnoughObservations) {
  testing::ModelBuilder b;
  b.item("tea").item("salt");
  // tea: gaps 9, 10, 10, 11, 30 (robust median 10); salt: 2 gaps only.
  const int tea_days[] = {0, 9, 19, 29, 40, 70};
  for (int d : tea_days) b.order("a", format_timestamp(ts("2011-01-01") + d * kDay), {"tea"});
  b.order("b", "2011-01-01", {"salt"}).order("b", "2011-03-01", {"salt"}).order("b", "2011-05-01", {"salt"});
  // Same-day top-ups (under min_gap_days) are no repurchase.
  b.order("c", "2011-01-01T08:00:00Z", {"tea"}).order("c", "2011-01-01T09:00:00Z", {"tea"});
  const Model m = b.build();
  ReplenishmentConfig cfg;
  const ReplenishmentTable table(m.customers, m.catalog.size(), cfg);
  const auto& tea = table.interval(*m.catalog.find("tea"));
  ASSERT_TRUE(tea.has_value());
  EXPECT_DOUBLE_EQ(tea->median_days, 10.0);
  EXPECT_DOUBLE_EQ(tea->q1_days, 10.0);
  EXPECT_DOUBLE_EQ(tea->q3_days, 11.0);
  EXPECT_EQ(tea->observations, 5u);
  EXPECT_EQ(tea->customers, 1u);
  EXPECT_FALSE(table.interval(*m.catalog.find("salt")).has_value());
  EXPECT_EQ(table.repeatable_items(), 1u);
}

TEST(Replenishment, DueFromOneIntervalAfterTheLastPurchaseUntilTheOverdueRatio) {
  testing::ModelBuilder b;
  b.item("tea");
  for (int d = 0; d <= 50; d += 10) b.order("a", format_timestamp(ts("2011-01-01") + d * kDay), {"tea"});
  const Model m = b.build();
  const ReplenishmentTable table(m.customers, m.catalog.size(), ReplenishmentConfig{});
  const ItemIndex tea = 0;
  const Timestamp last = ts("2011-03-01");
  EXPECT_FALSE(table.due_ratio(tea, last, last + 9 * kDay).has_value());
  ASSERT_TRUE(table.due_ratio(tea, last, last + 10 * kDay).has_value());
  EXPECT_DOUBLE_EQ(*table.due_ratio(tea, last, last + 15 * kDay), 1.5);
  EXPECT_TRUE(table.due_ratio(tea, last, last + 40 * kDay).has_value());
  EXPECT_FALSE(table.due_ratio(tea, last, last + 41 * kDay).has_value());  // over 4 intervals: moved on
  EXPECT_FALSE(table.due_ratio(tea, kNoTime, last).has_value());
}

}  // namespace
}  // namespace cobuy
