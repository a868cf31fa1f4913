#pragma once
/// The trade between a customer's own items and items new to them in a next-order list, drawn as
/// two curves of (Recall@k, new-item Recall@k) on the same cases:
///   - cobuy: the engine's candidates (core/next_order.h) ranked by their chance, a new item's chance
///     times 1 + w x E/N, one point per weight w, where E is the customer's expected number of items
///     (the sum of their candidates' chances) and N its new part. Ranking so maximises the expected
///     Recall@k + w x new-item Recall@k of each customer (each recall divides by the order's items,
///     or its new items), so the engine decides per customer how many places new items get;
///   - the fixed rule: GP-TopFreq with its last n places given to EASE on history's best new items
///     (gp_topfreq_with_new_ranker), one point per n;
///   - the engine's fixed split: its own list with its last n places given to its best new items.
/// Each rule point is compared with the cobuy curve at the rule's mean new-item Recall@k: the mix,
/// case by case, of the two cobuy points around it (serving the one to a share of customers and the
/// other to the rest reaches it in expectation), paired on the same customers.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/offline_eval.h"

namespace cobuy {

/// One point of a curve, with its per-case scores (new_items: the cases whose truth holds new items).
struct TradeoffPoint {
  double parameter = 0;  ///< cobuy: the weight w on new items; the rule and the split: places given to new items
  std::vector<double> recall, recall_new;
};

/// A rule point and the cobuy curve at its new-item recall (pair their per-case scores for the difference).
struct TradeoffComparison {
  std::size_t rule = 0;                ///< index into NextOrderTradeoff::rule
  std::optional<TradeoffPoint> cobuy;  ///< the mix (parameter: its interpolated weight); none if no point reaches the rule
};

struct NextOrderTradeoff {
  std::size_t k = 10;
  std::vector<TradeoffPoint> cobuy, rule;
  std::vector<TradeoffPoint> split;  ///< the engine's list with its last n places to its new items
  std::vector<TradeoffComparison> comparisons;  ///< one per rule point with new places
};

/// The curves at cut-off `k` over `cases`: cobuy on `model` at each of `weights` (ascending), the rule on
/// `model` (GP-TopFreq) and `ease_model` (EASE alone, trained on the same data) with 0 to
/// `max_new_places` places for new items; `item_orders` as orders_holding of the training part.
/// `complements`: `model`'s embedding search, as the engine is served with it (empty = without).
/// Throws Error(bad_request) for k = 0, no weights, a negative or unsorted weight, or max_new_places > k.
NextOrderTradeoff next_order_tradeoff(const Model& model, const Model& ease_model,
                                      const std::vector<std::uint32_t>& item_orders,
                                      const std::vector<NextOrderCase>& cases, std::size_t k,
                                      std::span<const double> weights, std::size_t max_new_places,
                                      const ComplementSearch& complements = {});

}  // namespace cobuy
