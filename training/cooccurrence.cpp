#include "training/cooccurrence.h"

#include <algorithm>
#include <cmath>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/error.h"

namespace cobuy {

void Baskets::add(std::span<const ItemIndex> basket) {
  const auto start = items.size();
  items.insert(items.end(), basket.begin(), basket.end());
  auto first = items.begin() + static_cast<std::ptrdiff_t>(start);
  std::sort(first, items.end());
  items.erase(std::unique(first, items.end()), items.end());
  offsets.push_back(items.size());
}

Baskets baskets_from_orders(const OrderData& data) {
  Baskets b;
  b.n_items = data.catalog.size();
  std::vector<ItemIndex> tmp;
  for (const auto& o : data.orders) {
    tmp.clear();
    for (const auto& l : o.lines) tmp.push_back(l.item);
    b.add(tmp);
  }
  return b;
}

std::vector<std::uint32_t> item_order_counts(const Baskets& baskets) {
  std::vector<std::uint32_t> counts(baskets.n_items, 0);
  for (ItemIndex i : baskets.items) {
    COBUY_ASSERT(i < baskets.n_items);
    ++counts[i];
  }
  return counts;
}

PairCounts count_pairs(const Baskets& baskets, std::uint32_t min_support, std::uint32_t max_basket) {
  const std::size_t n = baskets.n_items;
  // Inverted index: item -> baskets holding it (only baskets that take part in counting).
  std::vector<std::uint64_t> inv_offsets(n + 1, 0);
  auto counted = [&](std::size_t b) {
    auto size = baskets.offsets[b + 1] - baskets.offsets[b];
    return size >= 2 && size <= max_basket;
  };
  for (std::size_t b = 0; b < baskets.size(); ++b) {
    if (!counted(b)) continue;
    for (ItemIndex i : baskets.basket(b)) ++inv_offsets[i + 1];
  }
  for (std::size_t i = 0; i < n; ++i) inv_offsets[i + 1] += inv_offsets[i];
  std::vector<std::uint32_t> inv(inv_offsets[n]);
  {
    std::vector<std::uint64_t> fill(inv_offsets.begin(), inv_offsets.end() - 1);
    for (std::size_t b = 0; b < baskets.size(); ++b) {
      if (!counted(b)) continue;
      for (ItemIndex i : baskets.basket(b)) inv[fill[i]++] = static_cast<std::uint32_t>(b);
    }
  }

  // Row i of the pair matrix: walk every basket holding i and count its other items in a dense
  // per-worker array. Rows are independent, so workers never share counters.
  struct Scratch {
    std::vector<std::uint32_t> dense;
    std::vector<ItemIndex> touched;
  };
  tbb::enumerable_thread_specific<Scratch> scratch([n] { return Scratch{std::vector<std::uint32_t>(n, 0), {}}; });
  std::vector<std::vector<std::pair<ItemIndex, std::uint32_t>>> rows(n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 16), [&](const tbb::blocked_range<std::size_t>& r) {
    Scratch& s = scratch.local();
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      for (auto p = inv_offsets[i]; p < inv_offsets[i + 1]; ++p) {
        for (ItemIndex j : baskets.basket(inv[p])) {
          if (j == i) continue;
          if (s.dense[j]++ == 0) s.touched.push_back(j);
        }
      }
      auto& row = rows[i];
      std::sort(s.touched.begin(), s.touched.end());
      for (ItemIndex j : s.touched) {
        if (s.dense[j] >= min_support) row.emplace_back(j, s.dense[j]);
        s.dense[j] = 0;
      }
      s.touched.clear();
    }
  });

  PairCounts out;
  out.offsets.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) out.offsets[i + 1] = out.offsets[i] + rows[i].size();
  out.items.resize(out.offsets[n]);
  out.counts.resize(out.offsets[n]);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    auto at = out.offsets[i];
    for (const auto& [j, c] : rows[i]) {
      out.items[at] = j;
      out.counts[at] = c;
      ++at;
    }
    std::vector<std::pair<ItemIndex, std::uint32_t>>().swap(rows[i]);
  });
  return out;
}

double pair_score(const CooccurrenceConfig& config, double c, double n_i, double n_j, double n_orders) {
  const double shrink = config.shrinkage;
  switch (config.score) {
    case PairScore::jaccard: return c / (n_i + n_j - c + shrink);
    case PairScore::cosine: return c / (std::sqrt(n_i * n_j) + shrink);
    case PairScore::shrunk_confidence: return c / (n_i + shrink);
    case PairScore::lift: return (c / (c + shrink)) * c * n_orders / (n_i * n_j);
  }
  return 0.0;
}

NeighborTable top_k_neighbors(const PairCounts& pairs, std::span<const std::uint32_t> item_orders,
                              std::uint64_t n_orders, const CooccurrenceConfig& config) {
  const std::size_t n = pairs.n_items();
  COBUY_ASSERT(item_orders.size() == n);
  std::vector<std::vector<Neighbor>> rows(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    auto& row = rows[i];
    for (auto p = pairs.offsets[i]; p < pairs.offsets[i + 1]; ++p) {
      const ItemIndex j = pairs.items[p];
      const std::uint32_t c = pairs.counts[p];
      if (c < config.min_support) continue;
      const double s = pair_score(config, c, item_orders[i], item_orders[j], static_cast<double>(n_orders));
      row.push_back({j, static_cast<float>(s), c});
    }
    auto better = [](const Neighbor& a, const Neighbor& b) {
      if (a.score != b.score) return a.score > b.score;
      if (a.count != b.count) return a.count > b.count;
      return a.item < b.item;
    };
    const auto k = std::min<std::size_t>(config.top_k, row.size());
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k), row.end(), better);
    row.resize(k);
  });
  return NeighborTable::from_rows(rows);
}

}  // namespace cobuy
