#include "training/embedding_neighbors.h"

#include <algorithm>
#include <cmath>

#include <tbb/parallel_for.h>

#include "core/error.h"
#include "index/vector_index.h"

namespace cobuy {
namespace {

/// Rows of the trained items only, with a map back to item indexes.
struct Packed {
  std::vector<float> rows;        // n_trained * dim
  std::vector<ItemIndex> items;   // packed row -> item
};

Packed pack(const SgnsEmbeddings& e, const std::vector<float>& source, bool normalise) {
  Packed p;
  const auto d = static_cast<std::size_t>(e.dim);
  for (std::size_t i = 0; i < e.n_items; ++i) {
    if (!e.trained[i]) continue;
    p.items.push_back(static_cast<ItemIndex>(i));
    const float* row = source.data() + i * d;
    float norm = 1.0f;
    if (normalise) {
      double s = 0;
      for (std::size_t k = 0; k < d; ++k) s += static_cast<double>(row[k]) * row[k];
      norm = s > 0 ? static_cast<float>(std::sqrt(s)) : 1.0f;
    }
    for (std::size_t k = 0; k < d; ++k) p.rows.push_back(row[k] / norm);
  }
  return p;
}

/// Searches `queries` against `base` (same packing) and builds a table over all n_items.
NeighborTable search_table(const SgnsEmbeddings& e, const Packed& queries, const Packed& base, std::uint32_t top_k,
                           const std::string& factory, const std::string& search) {
  NeighborTable t;
  t.offsets.assign(e.n_items + 1, 0);
  if (queries.items.empty()) return t;
  auto index = make_faiss_index(e.dim, factory, search);
  index->add(base.rows);
  const int k = static_cast<int>(std::min<std::size_t>(top_k + 1, base.items.size()));
  const auto hits = index->search(queries.rows, k);
  std::vector<std::vector<Neighbor>> rows(e.n_items);
  tbb::parallel_for(std::size_t{0}, queries.items.size(), [&](std::size_t q) {
    const ItemIndex item = queries.items[q];
    auto& row = rows[item];
    for (int r = 0; r < k && row.size() < top_k; ++r) {
      const auto& h = hits[q * static_cast<std::size_t>(k) + static_cast<std::size_t>(r)];
      if (h.id < 0) continue;
      const ItemIndex other = base.items[static_cast<std::size_t>(h.id)];
      if (other != item) row.push_back({other, h.score, 0});
    }
  });
  return NeighborTable::from_rows(rows);
}

}  // namespace

NeighborTable embedding_complements(const SgnsEmbeddings& e, std::uint32_t top_k, const std::string& factory,
                                   const std::string& search) {
  return search_table(e, pack(e, e.input, false), pack(e, e.output, false), top_k, factory, search);
}

NeighborTable embedding_lookalikes(const SgnsEmbeddings& e, std::uint32_t top_k, const std::string& factory,
                                  const std::string& search) {
  const Packed p = pack(e, e.input, true);
  return search_table(e, p, p, top_k, factory, search);
}

ItemEmbeddings item_embeddings(const SgnsEmbeddings& e, const std::string& factory, const std::string& search) {
  ItemEmbeddings out;
  if (e.dim <= 0) return out;
  const auto d = static_cast<std::size_t>(e.dim);
  COBUY_ASSERT(e.input.size() == e.n_items * d && e.output.size() == e.n_items * d && e.trained.size() == e.n_items);
  out.dim = static_cast<std::uint32_t>(e.dim);
  out.input.assign(e.n_items * d, 0.0f);
  std::vector<float> output(e.n_items * d, 0.0f);
  for (std::size_t i = 0; i < e.n_items; ++i) {
    if (!e.trained[i]) continue;
    std::copy_n(e.input_row(i), d, out.input.begin() + static_cast<std::ptrdiff_t>(i * d));
    std::copy_n(e.output_row(i), d, output.begin() + static_cast<std::ptrdiff_t>(i * d));
  }
  auto index = make_faiss_index(e.dim, factory, search);
  if (e.n_items > 0) index->add(output);
  out.complement_index = index->serialize();
  return out;
}

NeighborTable substitutes_from_lookalikes(const NeighborTable& lookalikes, const PairCounts& pairs,
                                          std::span<const std::uint32_t> item_orders, std::uint64_t n_orders,
                                          double max_lift, double min_similarity, double min_expected) {
  std::vector<std::vector<Neighbor>> rows(lookalikes.items());
  tbb::parallel_for(std::size_t{0}, lookalikes.items(), [&](std::size_t i) {
    auto first = pairs.items.begin() + static_cast<std::ptrdiff_t>(pairs.offsets[i]);
    auto last = pairs.items.begin() + static_cast<std::ptrdiff_t>(pairs.offsets[i + 1]);
    for (const auto& nb : lookalikes.row(static_cast<ItemIndex>(i))) {
      if (nb.score < min_similarity) break;  // rows are sorted by cosine
      auto it = std::lower_bound(first, last, nb.item);
      const std::uint32_t c =
          it != last && *it == nb.item ? pairs.counts[static_cast<std::size_t>(it - pairs.items.begin())] : 0;
      const double expected =
          static_cast<double>(item_orders[i]) * item_orders[nb.item] / std::max<double>(1.0, static_cast<double>(n_orders));
      if (expected < min_expected) continue;  // too rare for "seldom together" to mean anything
      const double lift = expected > 0 ? c / expected : 0.0;
      if (lift < max_lift) rows[i].push_back({nb.item, nb.score, c});
    }
  });
  return NeighborTable::from_rows(rows);
}

}  // namespace cobuy
