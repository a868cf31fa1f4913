#pragma once
/// Customer profiles at offer time: what a customer bought (the model's history plus orders the
/// order log recorded since training), and their segment from recency, frequency and spend.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/placed_order.h"

namespace cobuy {

/// RFM segments, checked in this order: lapsed, at risk, new, loyal, else active.
enum class Segment { new_customer, active, loyal, at_risk, lapsed };
/// "new", "active", "loyal", "at_risk", "lapsed".
std::string_view segment_name(Segment s);

/// Segment boundaries. A customer is lapsed when their last order is more than lapsed_days before
/// the reference time, at risk when more than at_risk_days, new with at most one order, loyal with
/// at least loyal_min_orders orders and loyal_min_spend spent, otherwise active.
struct SegmentThresholds {
  double at_risk_days = 0;
  double lapsed_days = 0;
  std::uint32_t loyal_min_orders = 0;
  double loyal_min_spend = 0;
};

/// Configured thresholds; an unset one defaults to the shop's own quantile (shop_thresholds).
struct SegmentConfig {
  std::optional<double> at_risk_days;            ///< default: 75th percentile of gaps between a customer's orders
  std::optional<double> lapsed_days;             ///< default: 95th percentile of those gaps
  std::optional<std::uint32_t> loyal_min_orders; ///< default: 75th percentile of orders per customer (at least 2)
  std::optional<double> loyal_min_spend;         ///< default: median spend per customer
};

/// Thresholds for `model`: the configured values, the shop's quantiles for the rest. Throws
/// Error(bad_request) if the result is inconsistent (lapsed_days <= at_risk_days).
SegmentThresholds shop_thresholds(const Model& model, const SegmentConfig& config);
/// The same from the shop's numbers: days between a customer's consecutive orders (pooled), and
/// per customer its orders and spend.
SegmentThresholds segment_thresholds(std::vector<double> gaps, std::vector<double> orders, std::vector<double> spend,
                                     const SegmentConfig& config);

/// One item a customer bought.
struct ItemPurchases {
  ItemIndex item = 0;
  std::uint32_t orders = 0;     ///< orders holding the item
  Timestamp last = kNoTime;     ///< time of the latest of them
  Timestamp first = kNoTime;    ///< time of the earliest of them
};

/// A customer as seen at a reference time.
struct CustomerProfile {
  std::string customer_id;
  bool known = false;             ///< the model or the log has orders of this customer
  std::uint32_t orders = 0;
  double spend = 0;               ///< sum of order values (priced lines only)
  Timestamp first_order = kNoTime;
  Timestamp last_order = kNoTime;
  std::vector<ItemPurchases> items;  ///< items the model knows, by ItemIndex
  /// Of the item purchases in their orders after the first, the share of items they had not
  /// bought before, smoothed towards 1/2 (how much this customer explores); 1/2 with one order.
  double explore = 0.5;
  Segment segment = Segment::new_customer;
};

/// Whether `model` holds the order `order_id` of `customer_id` already: an order of that customer
/// in its history has this id (CustomerHistory::order_keys), whatever the order's time. A model
/// from an artifact before format 1.5 knows no ids: it is taken to hold every order at or before
/// its last order time (`time`), as cobuy did before.
bool model_holds_order(const Model& model, std::string_view customer_id, std::string_view order_id, Timestamp time);

/// The profile of `customer_id` at time `at`: the model's history plus `recent` (orders of the
/// log or of the request; one the model holds already, model_holds_order, is skipped), all
/// restricted to orders at or before `at`. Items the model does not know count in orders and
/// spend, not in `items`.
CustomerProfile build_profile(const Model& model, std::string_view customer_id, std::span<const PlacedOrder> recent,
                              Timestamp at, const SegmentThresholds& thresholds);

/// The segment of a profile at time `at`.
Segment segment_of(const CustomerProfile& profile, Timestamp at, const SegmentThresholds& thresholds);

}  // namespace cobuy
