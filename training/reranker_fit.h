#pragma once
/// Fitting basket completion's re-ranker (core/reranker.h) on a validation part carved from the
/// training orders, so that it never sees the orders it will be judged on.

#include <cstddef>
#include <vector>

#include "core/config.h"
#include "core/order_data.h"
#include "core/progress.h"
#include "core/reranker.h"
#include "training/validation_carve.h"

namespace cobuy {

/// One fitting query: the features of the first stage's candidates, best first, and which of
/// them is the hidden item.
struct RerankQuery {
  std::vector<RerankFeatures> candidates;
  std::size_t positive = 0;  ///< index into candidates
};

/// Weights minimising the pairwise logistic loss log(1 + exp(-(w.(x_pos - x_other)))) over every
/// (hidden item, other candidate) pair, by Newton's method on standardised features with a small
/// L2 penalty. Deterministic. Returns raw-unit weights (kRerankFeatures of them); a feature that
/// is constant over all candidates gets weight 0.
std::vector<double> fit_pairwise_logistic(const std::vector<RerankQuery>& queries);

/// Carves a validation part out of `data`: the latest config.rerank.validation_fraction of the
/// orders when they have times (a seeded random share otherwise). Trains the first stage on the
/// rest (no embeddings unless the blend uses them), hides one item of each validation order (at
/// most config.rerank.max_queries of them) and fits the re-ranker on where the first stage put it.
/// Returns an off Reranker (no weights) when there is too little to fit on, or when weights fitted
/// on half of the validation baskets do not place the other half's hidden items better than the
/// first stage does (NDCG@10, both ways round); `fit` says why.
Reranker fit_reranker(const OrderData& data, const TrainConfig& config, const ProgressFn& progress = nullptr);
/// The same on a carve made already (shared with the next-order fit).
Reranker fit_reranker(const ValidationCarve& carve, const TrainConfig& config, const ProgressFn& progress = nullptr);

}  // namespace cobuy
