#include "core/next_order_scorer.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace cobuy {
namespace {

// The default rule, GP-TopFreq's order in weights: bought items before the rest, by how many of
// the customer's orders hold them, ties (and the rest) by popularity. log1p(popularity) stays
// below 8 for any real shop, so 0.1 of it never outweighs one more order (5 x log(3/2) > 2).
constexpr double kDefaultBought = 20.0;
constexpr double kDefaultOrders = 5.0;
constexpr double kDefaultPopularity = 0.1;
constexpr double kDefaultBias = -20.0;

}  // namespace

const std::array<std::string_view, kNextOrderFeatures>& next_order_feature_names() {
  static const std::array<std::string_view, kNextOrderFeatures> names = {
      "bought_before",   "log1p_orders_with_item", "share_of_orders",    "in_last_order",   "recency_30d",
      "recency_365d",    "item_return",            "item_return_x_share", "due",            "log1p_popularity",
      "history_complement", "new_x_log1p_customer_orders", "new_x_explore", "item_next_return",
      "embedding_affinity"};
  return names;
}

NextOrderFeatures next_order_features(const NextOrderSignals& s) {
  const bool bought = s.item_orders > 0;
  const double share = s.customer_orders > 0 ? static_cast<double>(s.item_orders) / s.customer_orders : 0.0;
  const double fresh = bought ? 0.0 : 1.0;
  return {bought ? 1.0 : 0.0,
          std::log1p(static_cast<double>(s.item_orders)),
          share,
          s.in_last_order ? 1.0 : 0.0,
          bought ? std::exp(-s.days_since / 30.0) : 0.0,
          bought ? std::exp(-s.days_since / 365.0) : 0.0,
          bought ? s.item_return : 0.0,
          s.item_return * share,
          bought ? s.due : 0.0,
          std::log1p(static_cast<double>(s.popularity)),
          s.history_complement,
          fresh * std::log1p(static_cast<double>(s.customer_orders)),
          fresh * s.explore,
          bought ? s.item_next_return : 0.0,
          s.embedding};
}

double NextOrderScorer::logit(const NextOrderFeatures& f) const {
  if (!fitted()) return kDefaultBias + kDefaultBought * f[0] + kDefaultOrders * f[1] + kDefaultPopularity * f[9];
  double s = bias;
  for (std::size_t k = 0; k < kNextOrderFeatures; ++k) s += weights[k] * f[k];
  return s;
}

std::string next_order_summary(const NextOrderScorer& s) {
  const auto& fit = s.fit;
  if (!s.fitted()) {
    return "default rule: " + (fit.is_object() ? fit.value("skipped", std::string("not fitted")) : "not fitted");
  }
  char line[200];
  std::snprintf(line, sizeof line, "fitted: validation Recall@10 %.4f against GP-TopFreq's %.4f (%s customers)",
                fit.value("recall_at_10_fitted_2fold", 0.0), fit.value("recall_at_10_gp_topfreq", 0.0),
                fit.value("validation_customers", nlohmann::json()).dump().c_str());
  return line;
}

nlohmann::json to_json(const NextOrderScorer& s) {
  if (!s.fitted()) return {{"fit", s.fit}};
  nlohmann::json names = nlohmann::json::array();
  for (auto n : next_order_feature_names()) names.push_back(n);
  return {{"features", names}, {"weights", s.weights}, {"bias", s.bias}, {"fit", s.fit}};
}

NextOrderScorer next_order_scorer_from_json(const nlohmann::json& j) {
  NextOrderScorer s;
  if (j.is_null()) return s;
  COBUY_CHECK(j.is_object(), ErrorCode::bad_data, "manifest 'next_order' must be an object or null");
  try {
    s.fit = j.value("fit", nlohmann::json());
    if (!j.contains("weights")) return s;
    // Features only ever get appended: an older manifest lists a prefix of today's (format 1.6
    // had 14), and the features it lacks weigh 0.
    const auto& names = j.at("features");
    COBUY_CHECK(names.is_array() && !names.empty() && names.size() <= kNextOrderFeatures, ErrorCode::bad_data,
                "manifest 'next_order.features' must list 1 to " << kNextOrderFeatures << " features");
    for (std::size_t k = 0; k < names.size(); ++k) {
      COBUY_CHECK(names[k] == next_order_feature_names()[k], ErrorCode::bad_data,
                  "manifest 'next_order.features' item " << k << " is " << names[k].dump() << ", this build expects '"
                                                         << next_order_feature_names()[k] << "'");
    }
    s.weights = j.at("weights").get<std::vector<double>>();
    s.bias = j.at("bias").get<double>();
    COBUY_CHECK(s.weights.size() == names.size(), ErrorCode::bad_data,
                "manifest 'next_order.weights' must hold " << names.size() << " numbers (one per feature), got "
                                                           << s.weights.size());
  } catch (const nlohmann::json::exception& e) {
    COBUY_FAIL(ErrorCode::bad_data, "manifest 'next_order' is malformed: " << e.what());
  }
  s.weights.resize(kNextOrderFeatures, 0.0);
  for (double w : s.weights) {
    COBUY_CHECK(std::isfinite(w) && std::abs(w) <= 1e6, ErrorCode::bad_data,
                "manifest 'next_order.weights' holds " << w << ", not a finite weight");
  }
  COBUY_CHECK(std::isfinite(s.bias) && std::abs(s.bias) <= 1e6, ErrorCode::bad_data,
              "manifest 'next_order.bias' is " << s.bias << ", not a finite number");
  return s;
}

}  // namespace cobuy
