#include "core/tifu_knn.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace cobuy {
namespace {

/// Adds `scale` x `v` to `acc`.
void add_scaled(std::map<ItemIndex, double>& acc, const std::vector<ItemIndex>& items, double scale) {
  for (ItemIndex i : items) acc[i] += scale;
}

}  // namespace

SparseVector tifu_user_vector(const std::vector<std::vector<ItemIndex>>& baskets, const TifuParams& p) {
  const std::size_t n = baskets.size();
  SparseVector out;
  if (n == 0 || p.groups == 0) return out;
  // Within-decay by the basket's place in the whole history: the latest weighs 1.
  auto within = [&](std::size_t b) { return std::pow(p.within_decay, static_cast<double>(n - 1 - b)); };
  std::map<ItemIndex, double> sum;
  std::size_t used_groups = 0;
  if (n < p.groups) {
    // Each basket its own group; group g (0-based) still decays as if all groups were there.
    for (std::size_t g = 0; g < n; ++g) {
      add_scaled(sum, baskets[g], within(g) * std::pow(p.group_decay, static_cast<double>(p.groups - 1 - g)));
    }
    used_groups = n;
  } else {
    const std::size_t base = n / p.groups, longer = n % p.groups;
    std::size_t b = 0;
    for (std::size_t g = 0; g < p.groups; ++g) {
      const std::size_t size = g < p.groups - longer ? base : base + 1;
      const double decay = std::pow(p.group_decay, static_cast<double>(p.groups - 1 - g)) / static_cast<double>(size);
      for (std::size_t k = 0; k < size; ++k, ++b) add_scaled(sum, baskets[b], within(b) * decay);
    }
    used_groups = p.groups;
  }
  out.reserve(sum.size());
  for (const auto& [i, v] : sum) out.emplace_back(i, v / static_cast<double>(used_groups));
  return out;
}

Ranker tifu_knn_ranker(const Model& model, std::vector<std::uint32_t> item_orders, const TifuParams& params) {
  const auto& h = model.customers;
  const std::size_t users = h.customers();
  std::vector<SparseVector> vectors(users);
  std::vector<double> norms(users, 0.0);
  std::vector<std::vector<std::pair<std::uint32_t, double>>> postings(model.catalog.size());
  for (std::size_t c = 0; c < users; ++c) {
    std::vector<std::vector<ItemIndex>> baskets;
    for (auto o = h.order_offsets[c]; o < h.order_offsets[c + 1]; ++o) {
      std::vector<ItemIndex> b(h.items.begin() + static_cast<std::ptrdiff_t>(h.item_offsets[o]),
                               h.items.begin() + static_cast<std::ptrdiff_t>(h.item_offsets[o + 1]));
      std::sort(b.begin(), b.end());
      b.erase(std::unique(b.begin(), b.end()), b.end());
      baskets.push_back(std::move(b));
    }
    vectors[c] = tifu_user_vector(baskets, params);
    for (const auto& [i, v] : vectors[c]) {
      norms[c] += v * v;
      postings[i].emplace_back(static_cast<std::uint32_t>(c), v);
    }
  }
  // The neighbour pool: customers with a vector (those with orders).
  std::vector<std::uint32_t> pool;
  for (std::size_t c = 0; c < users; ++c) {
    if (!vectors[c].empty()) pool.push_back(static_cast<std::uint32_t>(c));
  }
  item_orders.resize(model.catalog.size(), 0);
  std::vector<ItemIndex> global;
  for (ItemIndex i = 0; i < item_orders.size(); ++i) {
    if (item_orders[i] > 0) global.push_back(i);
  }
  std::stable_sort(global.begin(), global.end(), [&](ItemIndex a, ItemIndex b) { return item_orders[a] > item_orders[b]; });

  return [&model, params, vectors = std::move(vectors), norms = std::move(norms), postings = std::move(postings),
          pool = std::move(pool), item_orders = std::move(item_orders), global = std::move(global)](const Query& q) {
    std::unordered_set<ItemIndex> skip;
    for (const auto& id : q.items) {
      if (auto i = model.catalog.find(id)) skip.insert(*i);
    }
    std::vector<ItemIndex> out;
    std::unordered_map<ItemIndex, double> score;
    const auto c = q.customer_id ? model.customers.index.find(*q.customer_id) : model.customers.index.end();
    if (c != model.customers.index.end() && !vectors[c->second].empty()) {
      const auto self = c->second;
      const auto& mine = vectors[self];
      // Squared Euclidean distances to the other customers of the pool: |u|^2 + |v|^2 - 2 u.v.
      std::vector<double> dot(vectors.size(), 0.0);
      for (const auto& [i, v] : mine) {
        for (const auto& [other, w] : postings[i]) dot[other] += v * w;
      }
      std::vector<std::pair<double, std::uint32_t>> dist;
      dist.reserve(pool.size());
      for (const std::uint32_t u : pool) {
        if (u != self) dist.emplace_back(norms[self] + norms[u] - 2 * dot[u], u);
      }
      const auto k = std::min(params.neighbors, dist.size());
      std::partial_sort(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(k), dist.end());
      for (const auto& [i, v] : mine) score[i] += params.alpha * v;
      for (std::size_t r = 0; r < k; ++r) {
        for (const auto& [i, v] : vectors[dist[r].second]) score[i] += (1 - params.alpha) * v / static_cast<double>(k);
      }
    }
    std::vector<std::pair<ItemIndex, double>> ranked(score.begin(), score.end());
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      if (item_orders[a.first] != item_orders[b.first]) return item_orders[a.first] > item_orders[b.first];
      return a.first < b.first;
    });
    for (const auto& [i, s] : ranked) {
      if (out.size() >= q.limit) break;
      if (s > 0 && skip.insert(i).second) out.push_back(i);
    }
    for (ItemIndex i : global) {
      if (out.size() >= q.limit) break;
      if (skip.insert(i).second) out.push_back(i);
    }
    return out;
  };
}

}  // namespace cobuy
