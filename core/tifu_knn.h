#pragma once
/// TIFU-KNN (Hu et al., "Modeling Personalized Item Frequency Information for Next-basket
/// Recommendation", SIGIR 2020), as the authors' code computes it: a next-order baseline of
/// `cobuy eval`.

#include <cstdint>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/offline_eval.h"

namespace cobuy {

/// The parameters; the defaults are the authors' Ta-Feng ones.
struct TifuParams {
  std::size_t groups = 7;      ///< the history is cut into this many groups of consecutive baskets
  double within_decay = 0.9;   ///< basket b of n weighs within_decay^(n - b), b = 1..n
  double group_decay = 0.7;    ///< group g weighs group_decay^(groups - g), g = 1..groups
  std::size_t neighbors = 300; ///< nearest other customers with a history (Euclidean)
  double alpha = 0.7;          ///< own vector's share of the prediction
};

/// One sparse vector: (item, value), by item.
using SparseVector = std::vector<std::pair<ItemIndex, double>>;

/// The customer's TIFU vector from their baskets (distinct items each, oldest first). With fewer
/// baskets than groups each basket is a group; otherwise groups hold floor(n / groups) baskets,
/// the last n mod groups of them one more, and a group's vector is the mean of its baskets'.
/// The sum of the decayed group vectors is divided by the number of groups used.
SparseVector tifu_user_vector(const std::vector<std::vector<ItemIndex>>& baskets, const TifuParams& params);

/// The ranker: 0.7 x the customer's vector + 0.3 x the mean of their nearest customers'
/// vectors, each from their whole history in `model` (the training part), best first, ties by
/// `item_orders` (orders holding the item), then the most ordered items; minus the query's items.
/// As in the authors' code, the neighbours are searched among customers that have a history (a
/// customer of `model` without orders has no vector, and the zero vector would be nearer than
/// most real customers) and never include the customer themselves (there, the customers being
/// predicted are not in the neighbour pool). With fewer such customers than `neighbors`, the
/// mean is over those there are.
Ranker tifu_knn_ranker(const Model& model, std::vector<std::uint32_t> item_orders, const TifuParams& params = {});

}  // namespace cobuy
