#pragma once
/// Ranking metrics, implemented once and shared by `cobuy eval`, benchmarks and tests.
/// Conventions: `ranked` is best first and may hold fewer than k entries; duplicates in `ranked`
/// count once (at their first position); an empty `truth` gives 0 for every metric.

#include <cstddef>
#include <span>

#include "core/order_data.h"

namespace cobuy {

/// 1 if any truth item is in the top k, else 0.
double hit_rate_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k);
/// Share of the truth found in the top k (|hits| / |truth|).
double recall_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k);
/// Share of the top k that is in the truth (|hits| / k).
double precision_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k);
/// DCG of the top k (gain 1 per truth item at rank r: 1 / log2(r + 1)) over the ideal DCG.
double ndcg_at_k(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth, std::size_t k);
/// 1 / rank of the first truth item anywhere in `ranked`, 0 if none.
double reciprocal_rank(std::span<const ItemIndex> ranked, std::span<const ItemIndex> truth);

}  // namespace cobuy
