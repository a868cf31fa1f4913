#pragma once
/// Offline evaluation building blocks: splitting order history and basket-completion cases.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/order_data.h"

namespace cobuy {

/// Orders before `cut` (train) and from `cut` on (test); orders without a time go to train.
/// Both parts keep the full catalogue and customer ids of `data`.
std::pair<OrderData, OrderData> split_by_time(const OrderData& data, Timestamp cut);

/// A seeded random split of orders: each order goes to test with probability `test_fraction`.
std::pair<OrderData, OrderData> split_random(const OrderData& data, double test_fraction, std::uint64_t seed);

/// Each customer's last order (latest time; ties: the later one in the data) goes to test,
/// everything else to train; orders without a customer stay in train.
std::pair<OrderData, OrderData> split_last_basket(const OrderData& data);

/// One basket-completion case: the visible items of a test order and the one hidden item.
struct BasketCase {
  std::vector<std::string> given;
  std::string hidden;
  std::optional<std::string> customer;  ///< the order's customer, if it has one
  Timestamp at = kNoTime;               ///< the order's time
};

/// For each test order with 2+ distinct items, all of which occur in `train`, hides one item
/// chosen with a seeded generator (the same seed always hides the same items).
std::vector<BasketCase> basket_completion_cases(const OrderData& train, const OrderData& test, std::uint64_t seed);

/// Mean ranking metrics over cases at one cut-off k.
struct RankingSummary {
  std::size_t cases = 0;
  double hit_rate = 0;
  double ndcg = 0;
  double mrr = 0;
  double precision = 0;
};

/// One case's metrics at one cut-off (hit 0/1, NDCG, reciprocal rank, precision).
struct CaseMetrics {
  double hit = 0;
  double ndcg = 0;
  double rr = 0;
  double precision = 0;
};

/// Per-case basket-completion metrics of `model` through recommend() (the serving code path) at
/// cut-off k, in the order of `cases`: the input for bootstrap intervals and paired comparisons.
/// When `with_customer` is set, each query also names the order's customer and time.
std::vector<CaseMetrics> basket_completion_metrics(const Model& model, const std::vector<BasketCase>& cases,
                                                   std::size_t k, bool with_customer = false);

/// Means of per-case metrics.
RankingSummary summarize(const std::vector<CaseMetrics>& metrics);

/// Scores `model` on basket completion through recommend() (the serving code path) at cut-off k.
RankingSummary evaluate_basket_completion(const Model& model, const std::vector<BasketCase>& cases, std::size_t k);

}  // namespace cobuy
