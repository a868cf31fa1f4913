#pragma once
/// EASE (Steck 2019): a closed-form linear item-item model, B = I - P diag(1/diag(P)) with
/// P = (X'X + lambda I)^-1 over the most frequent items. Its rows become a neighbour table, so
/// serving sums EASE weights over a basket the same way it sums co-purchase scores.

#include <cstdint>
#include <span>
#include <vector>

#include "core/config.h"
#include "core/model.h"
#include "training/cooccurrence.h"

namespace cobuy {

/// EASE's weights as two neighbour tables over the same items.
struct EaseTables {
  NeighborTable positive;  ///< each item's top_k largest positive weights, largest first
  NeighborTable negative;  ///< each item's config.negative_top_k most negative weights, most negative first
};

/// Trains EASE on `baskets` (baskets larger than max_basket are skipped, as in pair counting) and
/// returns each item's largest positive and most negative weights B[i][j] as neighbours (count =
/// co-occurrences). Items outside the max_items most frequent get empty rows. Throws
/// Error(bad_request) for lambda <= 0 or max_items < 2.
/// `pairs` are the pair counts of `baskets` (any min_support), used for the neighbours' counts.
EaseTables train_ease(const Baskets& baskets, const PairCounts& pairs, const EaseConfig& config,
                      std::uint32_t top_k, std::uint32_t max_basket);

/// The parts of train_ease, for training whose baskets are spread over processes
/// (training/distributed_train.h): the items EASE is fitted on, each process's share of the Gram
/// matrix, and the solve once the shares are summed.
///
/// The items EASE is fitted on: the max_items with the most orders (`counts`, ties by index),
/// none with 0 orders.
std::vector<ItemIndex> ease_items(std::span<const std::uint32_t> counts, std::uint32_t max_items);
/// X'WX over `items` from `baskets` (lower triangle, column-major, items.size() squared floats;
/// baskets larger than max_basket skipped). Sums of such matrices are the Gram of all baskets.
std::vector<float> ease_gram(const Baskets& baskets, std::span<const ItemIndex> items, const EaseConfig& config,
                             std::uint32_t max_basket);
/// EASE's tables from the Gram matrix of `items` (lambda is added here) and the pair counts of
/// every basket (which also give the item count).
EaseTables solve_ease(std::vector<float> gram, std::span<const ItemIndex> items, const PairCounts& pairs,
                      const EaseConfig& config, std::uint32_t top_k);

}  // namespace cobuy
