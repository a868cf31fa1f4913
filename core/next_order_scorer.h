#pragma once
/// The scoring half of the next-order engine (core/next_order.h): a logistic model over a few
/// signals of one (customer, item) pair that gives the chance the customer's next order holds the
/// item. Its weights are fitted by training on a validation part carved from the training orders
/// (training/next_order_fit.h) and stored in the artifact's manifest; without them a fixed rule
/// that ranks like GP-TopFreq stands in.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cobuy {

/// What is known of one candidate item for one customer at one time.
struct NextOrderSignals {
  std::uint32_t customer_orders = 0;  ///< the customer's orders before the time
  std::uint32_t item_orders = 0;      ///< of those, the ones holding the item (0 = never bought)
  bool in_last_order = false;         ///< the customer's latest order holds it
  double days_since = 0;              ///< since the customer last bought it (bought items only)
  double item_return = 0;             ///< the item's repurchase rate (RepurchaseStats::return_rate)
  double item_next_return = 0;        ///< the same in the very next order (RepurchaseStats::next_rate)
  double due = 0;                     ///< in (0, 1]: how close days_since is to the item's usual gap; 0 = unknown
  std::uint32_t popularity = 0;       ///< training orders holding the item
  double history_complement = 0;      ///< the customer's history's complement score of it / the best one's (0..1)
  double explore = 0;                 ///< the customer's share of new items in their repeat orders (smoothed)
  /// sigmoid(customer vector . the item's output vector) when the embedding search found it, else 0
  double embedding = 0;
};

inline constexpr std::size_t kNextOrderFeatures = 15;
using NextOrderFeatures = std::array<double, kNextOrderFeatures>;

/// Feature names, in the order of NextOrderFeatures (as written into the manifest).
const std::array<std::string_view, kNextOrderFeatures>& next_order_feature_names();

/// bought before (0/1), log1p(item orders), share of the customer's orders, in last order (0/1),
/// exp(-days/30), exp(-days/365), item return rate, return rate x share, due, log1p(popularity),
/// history complement, new x log1p(customer orders), new x explore, next-order return rate,
/// embedding affinity.
/// Recency and repurchase features are 0 for an item never bought.
NextOrderFeatures next_order_features(const NextOrderSignals& s);

/// A fitted logistic model; without weights the default rule scores.
struct NextOrderScorer {
  std::vector<double> weights;  ///< kNextOrderFeatures of them, or none (default rule)
  double bias = 0;
  nlohmann::json fit;  ///< how the weights were fitted, or why not

  bool fitted() const { return weights.size() == kNextOrderFeatures; }
  /// The log-odds that the next order holds the item.
  double logit(const NextOrderFeatures& f) const;
};

/// One line for people: "fitted: validation Recall@10 A (GP-TopFreq B, N customers)", or
/// "default rule: " and why.
std::string next_order_summary(const NextOrderScorer& s);

/// Manifest form: {"features": [...], "weights": [...], "bias": b, "fit": {...}}, or {"fit": ...}
/// when not fitted.
nlohmann::json to_json(const NextOrderScorer& s);
/// Reads the manifest form (null = default rule); throws Error(bad_data) naming what is wrong.
NextOrderScorer next_order_scorer_from_json(const nlohmann::json& j);

}  // namespace cobuy
