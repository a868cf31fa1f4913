#include "core/reranker.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace cobuy {

namespace {
// Recency of a past purchase counts with exp(-days / kRecencyDays): a purchase last week weighs
// about 0.93, one three months ago 0.37.
constexpr double kRecencyDays = 90.0;
constexpr std::uint32_t kMaxCandidates = 10000;
}  // namespace

const std::array<std::string_view, kRerankFeatures>& rerank_feature_names() {
  static const std::array<std::string_view, kRerankFeatures> names = {
      "log1p_blend_sum", "log1p_blend_max", "log1p_item_orders", "history", "recency_90d", "bought_before"};
  return names;
}

RerankFeatures rerank_features(const CandidateSignals& s) {
  const bool bought = s.days_since_last >= 0;
  return {std::log1p(std::max(0.0, s.blend_sum)),
          std::log1p(std::max(0.0, s.blend_max)),
          std::log1p(static_cast<double>(s.item_orders)),
          s.history,
          bought ? std::exp(-s.days_since_last / kRecencyDays) : 0.0,
          bought ? 1.0 : 0.0};
}

double Reranker::score(const RerankFeatures& f) const {
  double s = 0;
  for (std::size_t k = 0; k < kRerankFeatures; ++k) s += weights[k] * f[k];
  return s;
}

std::string reranker_summary(const Reranker& r) {
  const auto& fit = r.fit;
  if (!r.enabled()) return "off: " + (fit.is_object() ? fit.value("skipped", std::string("not fitted")) : "not fitted");
  char line[200];
  std::snprintf(line, sizeof line, "on: validation NDCG@10 %.4f -> %.4f (2-fold, %s of %s baskets)",
                fit.value("ndcg_at_10_first_stage", 0.0), fit.value("ndcg_at_10_reranked_2fold", 0.0),
                fit.value("baskets_with_hidden_item_in_candidates", nlohmann::json()).dump().c_str(),
                fit.value("validation_baskets", nlohmann::json()).dump().c_str());
  return line;
}

nlohmann::json to_json(const Reranker& r) {
  if (!r.enabled()) return nullptr;
  nlohmann::json names = nlohmann::json::array();
  for (auto n : rerank_feature_names()) names.push_back(n);
  return {{"features", names}, {"weights", r.weights}, {"candidates", r.candidates}, {"fit", r.fit}};
}

Reranker reranker_from_json(const nlohmann::json& j) {
  Reranker r;
  if (j.is_null()) return r;
  COBUY_CHECK(j.is_object(), ErrorCode::bad_data, "manifest 'reranker' must be an object or null");
  try {
    const auto& names = j.at("features");
    COBUY_CHECK(names.is_array() && names.size() == kRerankFeatures, ErrorCode::bad_data,
                "manifest 'reranker.features' must list " << kRerankFeatures << " features");
    for (std::size_t k = 0; k < kRerankFeatures; ++k) {
      COBUY_CHECK(names[k] == rerank_feature_names()[k], ErrorCode::bad_data,
                  "manifest 'reranker.features' item " << k << " is " << names[k].dump() << ", this build expects '"
                                                       << rerank_feature_names()[k] << "'");
    }
    r.weights = j.at("weights").get<std::vector<double>>();
    r.candidates = j.at("candidates").get<std::uint32_t>();
    r.fit = j.value("fit", nlohmann::json::object());
  } catch (const nlohmann::json::exception& e) {
    COBUY_FAIL(ErrorCode::bad_data, "manifest 'reranker' is malformed: " << e.what());
  }
  COBUY_CHECK(r.weights.size() == kRerankFeatures, ErrorCode::bad_data,
              "manifest 'reranker.weights' must hold " << kRerankFeatures << " numbers, got " << r.weights.size());
  for (double w : r.weights) {
    COBUY_CHECK(std::isfinite(w) && std::abs(w) <= 1e6, ErrorCode::bad_data,
                "manifest 'reranker.weights' holds " << w << ", not a finite weight");
  }
  COBUY_CHECK(r.candidates >= 1 && r.candidates <= kMaxCandidates, ErrorCode::bad_data,
              "manifest 'reranker.candidates' must be in [1, " << kMaxCandidates << "], got " << r.candidates);
  return r;
}

}  // namespace cobuy
