#pragma once
/// What a training run leaves out because the order log changed history: cancelled orders,
/// orders returned in full, and every order of an erased customer, from the log and from the
/// shop's order files alike.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/store/order_store.h"
#include "core/order_data.h"

namespace cobuy::cli {

/// Orders left out, by reason (an order counts under the first reason that applies, in this order).
struct LeftOutOrders {
  std::uint64_t erased_customer = 0;   ///< orders of an erased customer
  std::uint64_t cancelled = 0;         ///< orders cancelled in the log
  std::uint64_t returned_in_full = 0;  ///< orders whose every item came back
  std::uint64_t with_returns = 0;      ///< not left out: orders of the files replaced by the log's
                                       ///< copy less its returns

  std::uint64_t total() const { return erased_customer + cancelled + returned_in_full; }
  /// {"erased_customer", "cancelled", "returned_in_full", "with_returns"}.
  nlohmann::json to_json() const;
};

/// Applies the log's `changes` before its live orders (`log_orders`, all_orders()) are merged into
/// the files' orders (`files`): drops from `files` the orders of erased customers and every order
/// the log cancelled or has returns of (the log's copy, less returns, is merged instead), and from
/// `log_orders` those of erased customers (an order that raced its customer's erasure).
LeftOutOrders leave_out_changed(OrderData& files, std::vector<PlacedOrder>& log_orders, const HistoryChanges& changes);

}  // namespace cobuy::cli
