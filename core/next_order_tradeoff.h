#pragma once
/// The trade between a customer's own items and items new to them in a next-order list, drawn as
/// two curves of (Recall@k, new-item Recall@k) on the same cases:
///   - cobuy: the engine's candidates (core/next_order.h) ranked by their logit plus a bias on
///     every new item, one point per bias; the engine still decides per customer which new items
///     and how many reach the list;
///   - the fixed rule: GP-TopFreq with its last n places given to EASE on history's best new items
///     (gp_topfreq_with_new_ranker), one point per n.
/// Each rule point is compared with the cobuy point of highest Recall@k among those whose mean
/// new-item Recall@k is at least the rule's, paired on the same customers.

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
  double parameter = 0;  ///< cobuy: the bias on new items' logits; the rule: places given to new items
  std::vector<double> recall, recall_new;
};

/// A rule point and the cobuy point matched to it (pair their per-case scores for the difference).
struct TradeoffComparison {
  std::size_t rule = 0;              ///< index into NextOrderTradeoff::rule
  std::optional<std::size_t> cobuy;  ///< index into NextOrderTradeoff::cobuy; none if none reaches the rule's new-item recall
};

struct NextOrderTradeoff {
  std::size_t k = 10;
  std::vector<TradeoffPoint> cobuy, rule;
  std::vector<TradeoffPoint> split;  ///< the engine's list with its last n places to its new items
  std::vector<TradeoffComparison> comparisons;  ///< one per rule point with new places
};

/// Both curves at cut-off `k` over `cases`: cobuy on `model` at each of `biases`, the rule on
/// `model` (GP-TopFreq) and `ease_model` (EASE alone, trained on the same data) with 0 to
/// `max_new_places` places for new items; `item_orders` as orders_holding of the training part.
/// Throws Error(bad_request) for k = 0, no biases or max_new_places > k.
NextOrderTradeoff next_order_tradeoff(const Model& model, const Model& ease_model,
                                      const std::vector<std::uint32_t>& item_orders,
                                      const std::vector<NextOrderCase>& cases, std::size_t k,
                                      std::span<const double> biases, std::size_t max_new_places);

}  // namespace cobuy
