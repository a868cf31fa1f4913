#pragma once
/// Blending several item-item neighbour tables (co-occurrence, EASE, embeddings) into one
/// "bought together" table with a single scoring function: score = sum_s weight_s * score_s / scale_s.

#include <cstdint>
#include <span>
#include <vector>

#include "core/model.h"

namespace cobuy {

/// One source of neighbour scores and its weight in the blend.
struct WeightedTable {
  const NeighborTable* table = nullptr;
  double weight = 0.0;
};

/// The scale that puts a table's scores on a common footing: the mean of each non-empty row's
/// best score (so "a typical best neighbour" is worth 1 in every source). 1 for an empty table.
double table_scale(const NeighborTable& table);

/// Per item, the union of the sources' neighbours ranked by the blended score, best first, at
/// most top_k. Neighbour counts are taken from the first source that has the pair. All tables must
/// have the same number of items. Sources with weight 0 are ignored.
NeighborTable blend_tables(std::span<const WeightedTable> sources, std::uint32_t top_k);

/// `table` with every score multiplied by `factor`.
NeighborTable scaled(NeighborTable table, double factor);

/// Removes from each row of `table` the items listed in the same row of `banned`.
NeighborTable without_pairs(const NeighborTable& table, const NeighborTable& banned);

}  // namespace cobuy
