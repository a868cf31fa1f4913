#pragma once
/// The shop figures post-purchase marketers ask for, from an order history: repeat-purchase rate,
/// average order value, time between orders, customer lifetime value by segment and the monthly
/// trend. A pure function over orders (the model's history, the order log or both), shared by
/// GET /v1/stats/shop and the report.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bootstrap.h"
#include "core/customer_profile.h"
#include "core/model.h"
#include "core/placed_order.h"

namespace cobuy {

/// One order as the figures see it: who, when, how much.
struct ShopOrder {
  std::string customer_id;  ///< "" = anonymous: left out of the figures
  Timestamp time = kNoTime; ///< kNoTime: left out of the figures
  double value = 0;         ///< sum of quantity x unit price over the priced lines
};

/// The orders of the order log (PlacedOrder::value() as the value).
std::vector<ShopOrder> shop_orders(std::span<const PlacedOrder> orders);
/// The orders of cleaned order files (orders without a customer stay anonymous).
std::vector<ShopOrder> shop_orders(const OrderData& data);
/// The orders of the model's customer history (each order's recorded value).
std::vector<ShopOrder> shop_orders(const Model& model);
/// The model's history plus the logged orders it does not hold (model_holds_order), as offers see
/// a customer.
std::vector<ShopOrder> shop_orders(const Model& model, std::span<const PlacedOrder> logged);

/// Customer lifetime value of one segment: observed revenue per customer to date.
struct SegmentValue {
  Segment segment = Segment::new_customer;
  std::uint64_t customers = 0;
  std::uint64_t orders = 0;
  double revenue = 0;
  std::optional<double> clv;  ///< revenue / customers; none without customers
};

/// One calendar month (UTC).
struct MonthFigures {
  std::string month;                        ///< "YYYY-MM"
  std::uint64_t orders = 0;
  double revenue = 0;
  std::optional<double> average_order_value;  ///< revenue / orders; none without orders
  std::uint64_t customers = 0;              ///< distinct customers who ordered in the month
  std::uint64_t new_customers = 0;          ///< of them, those whose first order is in the month
  std::uint64_t returning_customers = 0;    ///< of them, those who had ordered before the month
  std::optional<double> repeat_rate;        ///< returning / customers; none without customers
  /// Revenue to the month's end per customer seen by then, overall and by segment as of the month's
  /// end (segments in Segment order): the trend of customer lifetime value.
  std::optional<double> clv_to_date;
  std::array<std::optional<double>, 5> clv_by_segment{};
};

/// The figures of an order history.
struct ShopFigures {
  std::uint64_t orders = 0;     ///< orders counted (with a customer and a time)
  std::uint64_t left_out = 0;   ///< orders without a customer id or a time
  std::uint64_t customers = 0;
  double revenue = 0;
  Timestamp first_order = kNoTime;
  Timestamp last_order = kNoTime;
  Timestamp segments_at = kNoTime;  ///< the time segments are taken at
  std::uint64_t repeat_customers = 0;        ///< customers with at least two orders
  std::optional<double> repeat_purchase_rate;  ///< repeat_customers / customers
  /// Mean order value with a 95% normal interval (mean +- 1.96 s / sqrt(n), s the sample standard
  /// deviation); none without orders.
  std::optional<Interval> average_order_value;
  /// Days between a customer's consecutive orders, pooled over customers.
  std::uint64_t gaps = 0;
  std::optional<double> gap_days_median, gap_days_p25, gap_days_p75, gap_days_mean;
  std::optional<double> clv;  ///< revenue / customers
  std::array<SegmentValue, 5> by_segment{};  ///< in Segment order
  std::vector<MonthFigures> months;          ///< every month from the first order's to the last's
};

/// Segment thresholds learnt from `orders` alone (as shop_thresholds does from a model): for a
/// history without a model, such as an order log.
SegmentThresholds shop_thresholds(std::span<const ShopOrder> orders, const SegmentConfig& config);

/// The figures of `orders` (any order). Segments (RFM, segment_of) use `thresholds` at `at`
/// (kNoTime: the last order's time, so an old history is not all lapsed).
ShopFigures shop_figures(std::span<const ShopOrder> orders, const SegmentThresholds& thresholds, Timestamp at = kNoTime);

/// The figures as JSON (GET /v1/stats/shop, the report): absent values are null.
nlohmann::json shop_figures_json(const ShopFigures& figures);

}  // namespace cobuy
