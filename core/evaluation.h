#pragma once
/// Offline evaluation building blocks: splitting order history and basket-completion cases.

#include <cstdint>
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

/// One basket-completion case: the visible items of a test order and the one hidden item.
struct BasketCase {
  std::vector<std::string> given;
  std::string hidden;
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

/// Scores `model` on basket completion through recommend() (the serving code path) at cut-off k.
RankingSummary evaluate_basket_completion(const Model& model, const std::vector<BasketCase>& cases, std::size_t k);

}  // namespace cobuy
