#pragma once
/// Co-purchase counting: item pair counts within baskets and per-item top-K neighbour lists.

#include <cstdint>
#include <span>
#include <vector>

#include "core/config.h"
#include "core/model.h"
#include "core/order_data.h"

namespace cobuy {

/// Baskets in compressed rows: basket b holds items[offsets[b] .. offsets[b+1]), distinct.
struct Baskets {
  std::size_t n_items = 0;
  std::vector<std::uint64_t> offsets{0};
  std::vector<ItemIndex> items;

  std::size_t size() const { return offsets.size() - 1; }
  std::span<const ItemIndex> basket(std::size_t b) const {
    return {items.data() + offsets[b], items.data() + offsets[b + 1]};
  }
  /// Appends one basket; duplicates in `basket` are removed.
  void add(std::span<const ItemIndex> basket);
};

/// Baskets of every order (distinct items per order).
Baskets baskets_from_orders(const OrderData& data);

/// Symmetric pair counts in compressed rows: row i lists (item j, orders holding i and j) for
/// j != i with count >= min_support, sorted by j. offsets has size n_items + 1.
struct PairCounts {
  std::vector<std::uint64_t> offsets{0};
  std::vector<ItemIndex> items;
  std::vector<std::uint32_t> counts;

  std::size_t n_items() const { return offsets.size() - 1; }
  /// Number of stored (i, j) entries, each unordered pair counted twice.
  std::size_t entries() const { return items.size(); }
};

/// Orders holding each item (size n_items).
std::vector<std::uint32_t> item_order_counts(const Baskets& baskets);

/// Counts pairs in parallel (oneTBB, one dense counter per worker). Baskets with more than
/// `max_basket` items are skipped (bulk orders say little about complements).
PairCounts count_pairs(const Baskets& baskets, std::uint32_t min_support, std::uint32_t max_basket);

/// The co-purchase score of a pair seen together in `c` orders, with item counts n_i and n_j out
/// of n_orders orders, as configured (shrinkage added to denominators).
double pair_score(const CooccurrenceConfig& config, double c, double n_i, double n_j, double n_orders);

/// Per item, the top_k neighbours by pair_score, best first (ties: more orders, then lower index).
/// Pairs seen in fewer than config.min_support orders are skipped.
NeighborTable top_k_neighbors(const PairCounts& pairs, std::span<const std::uint32_t> item_orders,
                              std::uint64_t n_orders, const CooccurrenceConfig& config);

}  // namespace cobuy
