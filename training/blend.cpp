#include "training/blend.h"

#include <algorithm>
#include <unordered_map>

#include <tbb/parallel_for.h>

#include "core/error.h"

namespace cobuy {
namespace {

bool better(const Neighbor& a, const Neighbor& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.count != b.count) return a.count > b.count;
  return a.item < b.item;
}

}  // namespace

double table_scale(const NeighborTable& table) {
  double sum = 0;
  std::size_t rows = 0;
  for (std::size_t i = 0; i < table.items(); ++i) {
    auto row = table.row(static_cast<ItemIndex>(i));
    if (row.empty()) continue;
    sum += row.front().score;
    ++rows;
  }
  return rows == 0 || sum <= 0 ? 1.0 : sum / static_cast<double>(rows);
}

NeighborTable blend_tables(std::span<const WeightedTable> sources, std::uint32_t top_k) {
  COBUY_CHECK(!sources.empty(), ErrorCode::bad_request, "blend needs at least one source");
  const std::size_t n = sources.front().table->items();
  std::vector<double> factor;
  for (const auto& s : sources) {
    COBUY_ASSERT(s.table->items() == n);
    factor.push_back(s.weight / table_scale(*s.table));
  }
  std::vector<std::vector<Neighbor>> rows(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    std::unordered_map<ItemIndex, Neighbor> acc;
    for (std::size_t s = 0; s < sources.size(); ++s) {
      if (sources[s].weight == 0) continue;
      for (const auto& nb : sources[s].table->row(static_cast<ItemIndex>(i))) {
        auto [it, fresh] = acc.try_emplace(nb.item, Neighbor{nb.item, 0.0f, nb.count});
        it->second.score += static_cast<float>(factor[s] * nb.score);
        if (!fresh && it->second.count == 0) it->second.count = nb.count;
      }
    }
    auto& row = rows[i];
    row.reserve(acc.size());
    for (const auto& [j, nb] : acc) {
      if (nb.score > 0) row.push_back(nb);
    }
    const auto k = std::min<std::size_t>(top_k, row.size());
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k), row.end(), better);
    row.resize(k);
  });
  return NeighborTable::from_rows(rows);
}

NeighborTable scaled(NeighborTable table, double factor) {
  for (auto& nb : table.entries) nb.score = static_cast<float>(nb.score * factor);
  return table;
}

NeighborTable without_pairs(const NeighborTable& table, const NeighborTable& banned) {
  COBUY_ASSERT(table.items() == banned.items());
  std::vector<std::vector<Neighbor>> rows(table.items());
  tbb::parallel_for(std::size_t{0}, table.items(), [&](std::size_t i) {
    const auto ban = banned.row(static_cast<ItemIndex>(i));
    for (const auto& nb : table.row(static_cast<ItemIndex>(i))) {
      const bool hit = std::any_of(ban.begin(), ban.end(), [&](const Neighbor& b) { return b.item == nb.item; });
      if (!hit) rows[i].push_back(nb);
    }
  });
  return NeighborTable::from_rows(rows);
}

}  // namespace cobuy
