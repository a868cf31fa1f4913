#pragma once
/// Replenishment: which items customers buy again, and after how long. An item's interval is
/// estimated from the gaps between consecutive purchases of it by the same customer.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/model.h"

namespace cobuy {

/// How intervals are estimated.
struct ReplenishmentConfig {
  std::uint32_t min_observations = 5;  ///< gaps needed before an item gets an interval
  double min_gap_days = 1.0;           ///< shorter gaps (split orders, same-day top-ups) are not repurchases
  double due_ratio = 1.0;              ///< due when elapsed >= due_ratio x interval
  double overdue_ratio = 4.0;          ///< past overdue_ratio x interval the customer has likely moved on: not due
};

/// A robust interval estimate for one item: the median gap and its interquartile range.
struct RepurchaseInterval {
  double median_days = 0;
  double q1_days = 0;
  double q3_days = 0;
  std::uint32_t observations = 0;  ///< gaps behind the estimate
  std::uint32_t customers = 0;     ///< distinct customers who repurchased
};

/// Per-item intervals, indexed by ItemIndex; nullopt = too few repeat purchases.
class ReplenishmentTable {
 public:
  ReplenishmentTable() = default;
  /// Estimates intervals from the model's customer history.
  ReplenishmentTable(const CustomerHistory& history, std::size_t n_items, const ReplenishmentConfig& config);

  const std::optional<RepurchaseInterval>& interval(ItemIndex item) const;
  const ReplenishmentConfig& config() const { return config_; }
  /// Items with an interval.
  std::size_t repeatable_items() const;

  /// How due an item bought last at `last` is at time `at`: elapsed / median interval when that
  /// is in [due_ratio, overdue_ratio], else nullopt (not due, no interval or unknown times).
  std::optional<double> due_ratio(ItemIndex item, Timestamp last, Timestamp at) const;

 private:
  ReplenishmentConfig config_;
  std::vector<std::optional<RepurchaseInterval>> intervals_;
};

}  // namespace cobuy
