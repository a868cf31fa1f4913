// Shop figures: exact values on a small hand-made history, independence from input order, the
// empty history, and the bundled example shop and Online Retail sample.
#include "core/error.h"
#include "core/shop_figures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "core/ingest.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

Timestamp ts(const char* iso) { return *parse_timestamp(iso); }

// a: 3 orders (60), b: 1 (100), c: 2 (200), d: 3 within a day (140), f: 1 (30); plus an anonymous
// order and one without a time, both left out.
std::vector<ShopOrder> small_history() {
  return {
      {"a", ts("2024-01-10T00:00:00Z"), 10},  {"a", ts("2024-01-20T00:00:00Z"), 20},
      {"a", ts("2024-02-19T00:00:00Z"), 30},  {"b", ts("2024-01-15T00:00:00Z"), 100},
      {"c", ts("2024-02-01T00:00:00Z"), 50},  {"c", ts("2024-03-02T00:00:00Z"), 150},
      {"d", ts("2024-03-04T12:00:00Z"), 40},  {"d", ts("2024-03-05T00:00:00Z"), 80},
      {"d", ts("2024-03-05T12:00:00Z"), 20},  {"f", ts("2024-03-05T06:00:00Z"), 30},
      {"", ts("2024-02-10T00:00:00Z"), 999},  {"e", kNoTime, 5},
  };
}

const SegmentThresholds kThresholds{30, 90, 3, 100};

std::size_t slot(Segment s) { return static_cast<std::size_t>(s); }

TEST(ShopFigures, SmallHistoryHasExactTotalsRatesAndGaps) {
  const auto orders = small_history();
  const ShopFigures f = shop_figures(orders, kThresholds);
  EXPECT_EQ(f.orders, 10u);
  EXPECT_EQ(f.left_out, 2u);
  EXPECT_EQ(f.customers, 5u);
  EXPECT_DOUBLE_EQ(f.revenue, 530);
  EXPECT_EQ(f.repeat_customers, 3u);  // a, c, d
  EXPECT_DOUBLE_EQ(*f.repeat_purchase_rate, 0.6);
  EXPECT_DOUBLE_EQ(*f.clv, 106);
  EXPECT_EQ(f.first_order, ts("2024-01-10T00:00:00Z"));
  EXPECT_EQ(f.last_order, ts("2024-03-05T12:00:00Z"));
  EXPECT_EQ(f.segments_at, f.last_order);

  const std::vector<double> values = {10, 20, 30, 100, 50, 150, 40, 80, 20, 30};
  double squares = 0;
  for (double v : values) squares += (v - 53) * (v - 53);
  const double half = 1.96 * std::sqrt(squares / 9) / std::sqrt(10.0);
  EXPECT_DOUBLE_EQ(f.average_order_value->mean, 53);
  EXPECT_NEAR(f.average_order_value->low, 53 - half, 1e-9);
  EXPECT_NEAR(f.average_order_value->high, 53 + half, 1e-9);

  // Gaps in days: a 10 and 30, c 30 (2024 is a leap year), d 0.5 and 0.5.
  EXPECT_EQ(f.gaps, 5u);
  EXPECT_DOUBLE_EQ(*f.gap_days_median, 10);
  EXPECT_DOUBLE_EQ(*f.gap_days_p25, 0.5);
  EXPECT_DOUBLE_EQ(*f.gap_days_p75, 30);
  EXPECT_DOUBLE_EQ(*f.gap_days_mean, 14.2);
}

TEST(ShopFigures, LifetimeValueBySegmentAtTheLastOrder) {
  const auto orders = small_history();
  const ShopFigures f = shop_figures(orders, kThresholds);
  const auto& s = f.by_segment;
  // f: one order; a (60 spent) and c (2 orders): active; d: 3 orders, 140: loyal; b: 50.5 days.
  EXPECT_EQ(s[slot(Segment::new_customer)].customers, 1u);
  EXPECT_DOUBLE_EQ(*s[slot(Segment::new_customer)].clv, 30);
  EXPECT_EQ(s[slot(Segment::active)].customers, 2u);
  EXPECT_EQ(s[slot(Segment::active)].orders, 5u);
  EXPECT_DOUBLE_EQ(*s[slot(Segment::active)].clv, 130);
  EXPECT_EQ(s[slot(Segment::loyal)].customers, 1u);
  EXPECT_DOUBLE_EQ(*s[slot(Segment::loyal)].clv, 140);
  EXPECT_EQ(s[slot(Segment::at_risk)].customers, 1u);
  EXPECT_DOUBLE_EQ(*s[slot(Segment::at_risk)].clv, 100);
  EXPECT_EQ(s[slot(Segment::lapsed)].customers, 0u);
  EXPECT_FALSE(s[slot(Segment::lapsed)].clv.has_value());

  // Taken 200 days later, everyone is lapsed.
  const ShopFigures later = shop_figures(orders, kThresholds, ts("2024-09-21T12:00:00Z"));
  EXPECT_EQ(later.by_segment[slot(Segment::lapsed)].customers, 5u);
  EXPECT_DOUBLE_EQ(*later.by_segment[slot(Segment::lapsed)].clv, 106);
}

TEST(ShopFigures, MonthlyTrendCountsNewAndReturningCustomersAndLifetimeValueToDate) {
  const auto orders = small_history();
  const ShopFigures f = shop_figures(orders, kThresholds);
  ASSERT_EQ(f.months.size(), 3u);
  const auto& jan = f.months[0];
  EXPECT_EQ(jan.month, "2024-01");
  EXPECT_EQ(jan.orders, 3u);
  EXPECT_DOUBLE_EQ(jan.revenue, 130);
  EXPECT_DOUBLE_EQ(*jan.average_order_value, 130.0 / 3);
  EXPECT_EQ(jan.customers, 2u);
  EXPECT_EQ(jan.new_customers, 2u);
  EXPECT_EQ(jan.returning_customers, 0u);
  EXPECT_DOUBLE_EQ(*jan.repeat_rate, 0);
  EXPECT_DOUBLE_EQ(*jan.clv_to_date, 65);
  EXPECT_DOUBLE_EQ(*jan.clv_by_segment[slot(Segment::new_customer)], 100);  // b
  EXPECT_DOUBLE_EQ(*jan.clv_by_segment[slot(Segment::active)], 30);         // a, two orders
  EXPECT_FALSE(jan.clv_by_segment[slot(Segment::at_risk)].has_value());

  const auto& feb = f.months[1];
  EXPECT_EQ(feb.month, "2024-02");
  EXPECT_EQ(feb.orders, 2u);
  EXPECT_EQ(feb.new_customers, 1u);        // c
  EXPECT_EQ(feb.returning_customers, 1u);  // a
  EXPECT_DOUBLE_EQ(*feb.repeat_rate, 0.5);
  EXPECT_DOUBLE_EQ(*feb.clv_to_date, 70);
  EXPECT_DOUBLE_EQ(*feb.clv_by_segment[slot(Segment::at_risk)], 100);  // b, 46 days after its order

  const auto& mar = f.months[2];
  EXPECT_EQ(mar.month, "2024-03");
  EXPECT_EQ(mar.orders, 5u);
  EXPECT_DOUBLE_EQ(*mar.average_order_value, 64);
  EXPECT_EQ(mar.customers, 3u);
  EXPECT_EQ(mar.new_customers, 2u);        // d, f
  EXPECT_EQ(mar.returning_customers, 1u);  // c
  EXPECT_DOUBLE_EQ(*mar.repeat_rate, 1.0 / 3);
  EXPECT_DOUBLE_EQ(*mar.clv_to_date, 106);
  EXPECT_DOUBLE_EQ(*mar.clv_by_segment[slot(Segment::at_risk)], 80);  // a and b
  EXPECT_DOUBLE_EQ(*mar.clv_by_segment[slot(Segment::active)], 200);  // c, 30 days less a second
  EXPECT_DOUBLE_EQ(*mar.clv_by_segment[slot(Segment::loyal)], 140);
}

TEST(ShopFigures, MonthsWithoutOrdersAreListedEmpty) {
  const std::vector<ShopOrder> orders = {{"a", ts("2023-11-30T23:00:00Z"), 5}, {"a", ts("2024-02-01T00:00:00Z"), 7}};
  const ShopFigures f = shop_figures(orders, kThresholds);
  ASSERT_EQ(f.months.size(), 4u);
  EXPECT_EQ(f.months[1].month, "2023-12");
  EXPECT_EQ(f.months[2].month, "2024-01");
  EXPECT_EQ(f.months[2].orders, 0u);
  EXPECT_FALSE(f.months[2].average_order_value.has_value());
  EXPECT_FALSE(f.months[2].repeat_rate.has_value());
  EXPECT_DOUBLE_EQ(*f.months[2].clv_to_date, 5);
  EXPECT_EQ(f.months[3].returning_customers, 1u);
  EXPECT_DOUBLE_EQ(f.average_order_value->low, 6 - 1.96 * std::sqrt(2.0) / std::sqrt(2.0));
}

TEST(ShopFigures, InputOrderDoesNotMatter) {
  auto orders = small_history();
  const auto expected = shop_figures_json(shop_figures(orders, kThresholds));
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(orders.begin(), orders.end(), rng);
    EXPECT_EQ(shop_figures_json(shop_figures(orders, kThresholds)), expected);
  }
}

TEST(ShopFigures, EmptyHistoryHasNullFigures) {
  const ShopFigures f = shop_figures({}, kThresholds);
  EXPECT_EQ(f.orders, 0u);
  EXPECT_TRUE(f.months.empty());
  const auto j = shop_figures_json(f);
  EXPECT_TRUE(j["repeat_purchase_rate"].is_null());
  EXPECT_TRUE(j["average_order_value"].is_null());
  EXPECT_TRUE(j["days_between_orders"]["median"].is_null());
  EXPECT_TRUE(j["first_order"].is_null());
  EXPECT_EQ(j["clv_by_segment"].size(), 5u);
}

TEST(ShopFigures, JsonNamesEveryFigure) {
  const auto j = shop_figures_json(shop_figures(small_history(), kThresholds));
  EXPECT_EQ(j["orders"], 10);
  EXPECT_EQ(j["orders_left_out"], 2);
  EXPECT_EQ(j["last_order"], "2024-03-05T12:00:00Z");
  EXPECT_DOUBLE_EQ(j["average_order_value"]["mean"].get<double>(), 53);
  EXPECT_DOUBLE_EQ(j["days_between_orders"]["median"].get<double>(), 10);
  EXPECT_EQ(j["clv_by_segment"][2]["segment"], "loyal");
  EXPECT_DOUBLE_EQ(j["clv_by_segment"][2]["clv"].get<double>(), 140);
  EXPECT_TRUE(j["clv_by_segment"][4]["clv"].is_null());
  EXPECT_EQ(j["months"][2]["month"], "2024-03");
  EXPECT_DOUBLE_EQ(j["months"][2]["clv_by_segment"]["at_risk"].get<double>(), 80);
  EXPECT_TRUE(j["months"][2]["clv_by_segment"]["lapsed"].is_null());
}

TEST(ShopFigures, PlacedOrdersUsePricedLines) {
  PlacedOrder o;
  o.order_id = "o1";
  o.customer_id = "c";
  o.time = ts("2024-01-01T00:00:00Z");
  o.lines = {{"x", 2, 3.5}, {"y", 1, std::nullopt}};
  const std::vector<PlacedOrder> placed = {o};
  const auto orders = shop_orders(placed);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].customer_id, "c");
  EXPECT_DOUBLE_EQ(orders[0].value, 7);
}

TEST(ShopFigures, BundledExampleShop) {
  // Checked against the file: 16 orders, two of them anonymous (left out); 6 customers, each of
  // whom came back.
  const auto data = load_orders({(std::filesystem::path(COBUY_BUNDLED_DATASETS) / "example_orders.csv").string()}, {});
  const ShopFigures f = shop_figures(shop_orders(data), kThresholds);
  EXPECT_EQ(f.orders, 14u);
  EXPECT_EQ(f.left_out, 2u);
  EXPECT_EQ(f.customers, 6u);
  EXPECT_DOUBLE_EQ(*f.repeat_purchase_rate, 1.0);
  EXPECT_NEAR(f.revenue, 305.85, 1e-3);
  EXPECT_NEAR(f.average_order_value->mean, 305.85 / 14, 1e-4);
  EXPECT_EQ(f.gaps, 8u);
  EXPECT_NEAR(*f.gap_days_median, 26.3493056, 1e-6);  // 26 days 8 h 23 min
  ASSERT_EQ(f.months.size(), 3u);
  EXPECT_EQ(f.months[0].orders, 5u);
  EXPECT_EQ(f.months[1].orders, 6u);
  EXPECT_EQ(f.months[2].orders, 3u);
}

TEST(ShopFigures, OnlineRetailSampleAddsUp) {
  IngestOptions o;
  o.format = OrderFormat::online_retail;
  const auto data =
      load_orders({(std::filesystem::path(COBUY_BUNDLED_DATASETS) / "online_retail.csv.gz").string()}, o);
  const auto orders = shop_orders(data);
  const ShopFigures f = shop_figures(orders, kThresholds);
  const auto anonymous = static_cast<std::uint64_t>(
      std::count_if(data.orders.begin(), data.orders.end(), [](const Order& x) { return x.customer == kNoCustomer; }));
  EXPECT_EQ(f.orders + f.left_out, data.orders.size());
  EXPECT_EQ(f.left_out, anonymous);
  std::uint64_t month_orders = 0, new_customers = 0, segment_customers = 0;
  double month_revenue = 0, segment_revenue = 0;
  for (const auto& m : f.months) {
    month_orders += m.orders;
    month_revenue += m.revenue;
    new_customers += m.new_customers;
    EXPECT_EQ(m.new_customers + m.returning_customers, m.customers) << m.month;
  }
  for (const auto& s : f.by_segment) {
    segment_customers += s.customers;
    segment_revenue += s.revenue;
  }
  EXPECT_EQ(month_orders, f.orders);
  EXPECT_EQ(new_customers, f.customers);
  EXPECT_EQ(segment_customers, f.customers);
  EXPECT_NEAR(month_revenue, f.revenue, 1e-6 * f.revenue);
  EXPECT_NEAR(segment_revenue, f.revenue, 1e-6 * f.revenue);
  EXPECT_GT(*f.repeat_purchase_rate, 0.0);
  EXPECT_LT(*f.repeat_purchase_rate, 1.0);
  EXPECT_LE(*f.gap_days_p25, *f.gap_days_median);
  EXPECT_LE(*f.gap_days_median, *f.gap_days_p75);
  EXPECT_EQ(f.months.front().month.substr(0, 4), "2010");
}

TEST(ShopFigures, ThresholdsFromOrdersAloneUseTheShopsQuantiles) {
  // Gaps of 10 and 30 days (one customer), orders 3, 1, 1 and spend 60, 5, 7 per customer.
  const std::vector<ShopOrder> orders = {{"a", 0, 20}, {"a", 10 * 86400, 20}, {"a", 40 * 86400, 20},
                                         {"b", 5 * 86400, 5}, {"c", 6 * 86400, 7}, {"", 1, 100}};
  const SegmentThresholds t = shop_thresholds(orders, SegmentConfig{});
  const SegmentThresholds expected = segment_thresholds({10, 30}, {3, 1, 1}, {60, 5, 7}, SegmentConfig{});
  EXPECT_DOUBLE_EQ(t.at_risk_days, expected.at_risk_days);
  EXPECT_DOUBLE_EQ(t.lapsed_days, expected.lapsed_days);
  EXPECT_EQ(t.loyal_min_orders, expected.loyal_min_orders);
  EXPECT_DOUBLE_EQ(t.loyal_min_spend, 7.0);  // the median spend
  SegmentConfig set;
  set.at_risk_days = 50;
  set.lapsed_days = 20;
  EXPECT_THROW(shop_thresholds(orders, set), Error);  // lapsed before at risk: refused
}

}  // namespace
}  // namespace cobuy
