#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cobuy {
namespace {

bool contains(std::span<const ItemIndex> v, ItemIndex x) { return std::find(v.begin(), v.end(), x) != v.end(); }

/// Ranks (0-based) of the first occurrence of each distinct truth item within the top k.
std::vector<std::size_t> hit_ranks(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k) {
  std::vector<std::size_t> ranks;
  const auto n = std::min(k, ranked.size());
  for (std::size_t r = 0; r < n; ++r) {
    if (!contains(truth, ranked[r])) continue;
    if (contains(ranked.first(r), ranked[r])) continue;  // a duplicate counts once
    ranks.push_back(r);
  }
  return ranks;
}

std::size_t distinct_count(std::span<const ItemIndex> v) {
  std::vector<ItemIndex> s(v.begin(), v.end());
  std::sort(s.begin(), s.end());
  return static_cast<std::size_t>(std::unique(s.begin(), s.end()) - s.begin());
}

}  // namespace

double hit_rate_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k) {
  return hit_ranks(ranked, truth, k).empty() ? 0.0 : 1.0;
}

double recall_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k) {
  if (truth.empty()) return 0.0;
  return static_cast<double>(hit_ranks(ranked, truth, k).size()) / static_cast<double>(distinct_count(truth));
}

double precision_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k) {
  if (truth.empty() || k == 0) return 0.0;
  return static_cast<double>(hit_ranks(ranked, truth, k).size()) / static_cast<double>(k);
}

double ndcg_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k) {
  if (truth.empty()) return 0.0;
  double dcg = 0;
  for (std::size_t r : hit_ranks(ranked, truth, k)) dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  double ideal = 0;
  const auto n_ideal = std::min(k, distinct_count(truth));
  for (std::size_t r = 0; r < n_ideal; ++r) ideal += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  return ideal > 0 ? dcg / ideal : 0.0;
}

double reciprocal_rank(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth) {
  for (std::size_t r = 0; r < ranked.size(); ++r) {
    if (contains(truth, ranked[r])) return 1.0 / static_cast<double>(r + 1);
  }
  return 0.0;
}

}  // namespace cobuy
