#pragma once
/// Offline evaluation tasks behind `cobuy eval`: basket completion and next order, scored at
/// several cut-offs for any ranking function, with per-case values kept for bootstrap intervals.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/evaluation.h"
#include "core/model.h"
#include "core/offers.h"
#include "core/recommender.h"

namespace cobuy {

/// One next-order case: a customer with history in train, the time of their first test order,
/// and that order's distinct items.
struct NextOrderCase {
  std::string customer;
  Timestamp at = kNoTime;
  std::vector<std::string> truth;
};

/// For each customer with orders in both parts, their first test order (by time).
std::vector<NextOrderCase> next_order_cases(const OrderData& train, const OrderData& test);

/// Ranks items for a query, best first, at most query.limit. Called from several threads.
using Ranker = std::function<std::vector<ItemIndex>(const Query&)>;

/// cobuy's recommend() on `model` with its embedding search `complements` (the serving code path).
Ranker model_ranker(const Model& model, ComplementSearch complements = {});
/// The model's popular list, minus the query's items.
Ranker popular_ranker(const Model& model);
/// How many orders of `data` hold each item, indexed by ItemIndex (each order counts an item once).
std::vector<std::uint32_t> orders_holding(const OrderData& data);

/// GP-TopFreq (Li et al., "A Next Basket Recommendation Reality Check", TOIS 2023), as defined
/// there: the customer's items before query.at ranked by how many of their orders hold them, ties
/// broken by global popularity (`item_orders`: orders holding the item, see orders_holding), then
/// the most popular items by the same count; minus the query's items. The customer's orders are
/// the model's histories (the training part).
Ranker gp_topfreq_ranker(const Model& model, std::vector<std::uint32_t> item_orders);

/// EASE on history: the customer's item counts before query.at (orders holding each item) times
/// EASE's weight matrix, as the model stores it (each item's best positive weights in
/// bought_together and its most negative in penalties; `ease_model` must be trained with EASE
/// alone). Best score first, items with no positive score left out, then the most ordered items
/// by `item_orders`; minus the query's items.
Ranker ease_history_ranker(const Model& ease_model, std::vector<std::uint32_t> item_orders);

/// The fixed rule "GP-TopFreq with its last `new_places` places given to EASE's best new items":
/// GP-TopFreq's first query.limit - new_places items, then EASE on history's best items the
/// customer never bought (ease_history_ranker), then GP-TopFreq's next items.
Ranker gp_topfreq_with_new_ranker(const Model& model, const Model& ease_model, std::vector<std::uint32_t> item_orders,
                                  std::size_t new_places);

/// The next-order engine's new items only (core/next_order.h: its candidates the customer never
/// bought before query.at, best first), minus the query's items: what a cross-sell list leads with.
Ranker new_items_ranker(const Model& model, ComplementSearch complements = {});

/// The offer list of `context` for the customer at query.at, anchored on their latest order
/// (the email after it); query.limit offers. The query's items are ignored.
Ranker offers_ranker(const OfferEngine& engine, OfferContext context);

/// Per-case values of each metric at each cut-off, plus list-level measures.
struct TaskScores {
  std::vector<std::size_t> ks;
  /// metric name -> per cut-off (parallel to ks) -> per case. Cases where a metric does not
  /// apply (next order: no repeat items in the truth, for the *_repeat metrics) are left out of
  /// that metric's list.
  std::map<std::string, std::vector<std::vector<double>>> metrics;
  std::vector<double> coverage;               ///< per cut-off: share of the catalogue recommended at all
  std::vector<double> popularity_percentile;  ///< per cut-off: mean percentile (100 = most ordered)
  std::size_t cases = 0;
};

/// Basket completion (hit_rate, ndcg, mrr, precision at each k; MRR counts ranks up to k).
/// When `with_customer`, each query names the test order's customer and time. `reference`
/// supplies the catalogue and the popularity of items (any model trained on the same data).
TaskScores score_basket_completion(const Model& reference, const std::vector<BasketCase>& cases, const Ranker& rank,
                                   const std::vector<std::size_t>& ks, bool with_customer);

/// Next order (recall, ndcg at each k, each also on the truth's repeat items, those the
/// customer bought before, and on its new items). Truth items unknown to the model count as
/// new items that cannot be found.
TaskScores score_next_order(const Model& reference, const std::vector<NextOrderCase>& cases, const Ranker& rank,
                            const std::vector<std::size_t>& ks);

}  // namespace cobuy
