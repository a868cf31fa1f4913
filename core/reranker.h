#pragma once
/// The second stage of basket completion: a linear model that re-orders the first stage's best
/// candidates (blended neighbour scores plus the customer's history) using a few signals of each
/// candidate. Its weights are fitted by training on a validation part carved from the training
/// orders (training/reranker_fit.h) and stored in the artifact's manifest.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/order_data.h"

namespace cobuy {

/// What the first stage knows of one candidate for one basket.
struct CandidateSignals {
  double blend_sum = 0;         ///< sum over the basket's items of their "bought together" score for it
  double blend_max = 0;         ///< the largest of those scores
  std::uint32_t item_orders = 0;  ///< training orders holding the candidate
  double history = 0;           ///< the customer's recency-weighted purchases of it / their top item's (0..1)
  double days_since_last = -1;  ///< days since the customer last bought it; < 0 = never (or no customer)
};

inline constexpr std::size_t kRerankFeatures = 6;
using RerankFeatures = std::array<double, kRerankFeatures>;

/// Feature names, in the order of RerankFeatures (as written into the manifest).
const std::array<std::string_view, kRerankFeatures>& rerank_feature_names();

/// log1p(blend_sum), log1p(blend_max), log1p(item_orders), history, exp(-days/90) (0 if never
/// bought), bought before (0/1).
RerankFeatures rerank_features(const CandidateSignals& s);

/// A fitted re-ranker; without weights it is off and the first stage's order stands.
struct Reranker {
  std::vector<double> weights;  ///< kRerankFeatures of them, or none (off)
  std::uint32_t candidates = 0;  ///< how many of the first stage's best are re-ordered
  nlohmann::json fit;            ///< how the weights were fitted (validation queries, NDCG before and after)

  bool enabled() const { return weights.size() == kRerankFeatures && candidates > 0; }
  double score(const RerankFeatures& f) const;
};

/// One line for people: "on: validation NDCG@10 A -> B (2-fold, X of Y baskets)", or "off: "
/// and why (not fitted, or it did not beat the first stage).
std::string reranker_summary(const Reranker& r);

/// Manifest form: {"features": [...], "weights": [...], "candidates": N, "fit": {...}}, or null when off.
nlohmann::json to_json(const Reranker& r);
/// Reads the manifest form (null = off); throws Error(bad_data) naming what is wrong.
Reranker reranker_from_json(const nlohmann::json& j);

}  // namespace cobuy
