#pragma once
/// The sweep of `cobuy eval --sweep GRID.json`: a small grid over named config parameters,
/// each point trained on the training part minus a validation part carved from it, the best by
/// basket-completion NDCG@10 on that validation part chosen. The test part is never looked at.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "api/report/eval_run.h"
#include "core/config.h"
#include "core/order_data.h"
#include "core/progress.h"

namespace cobuy::cli {

/// At most this many grid points.
inline constexpr std::size_t kMaxSweepPoints = 64;

/// `config` with the dotted parameter `name` ("ease.lambda", "blend.cooccurrence", "threads")
/// set to `value`, validated; throws Error(bad_request) naming an unknown parameter or a bad value.
TrainConfig with_parameter(const TrainConfig& config, const std::string& name, const nlohmann::json& value);

/// The grid's points: {"ease.lambda": [2, 5], "blend.cooccurrence": [0.1, 0.25]} gives 4 objects
/// {"ease.lambda": 2, "blend.cooccurrence": 0.1}, ... Throws Error(bad_request) for a grid that
/// is not an object of non-empty arrays or has more than kMaxSweepPoints points.
std::vector<nlohmann::json> grid_points(const nlohmann::json& grid);

/// Runs the sweep on `train` (the evaluation's training part): the validation part is its latest
/// 10% of orders for a time split, a random 20% for a random split, each customer's last order
/// for last-basket. Returns {"validation": {...}, "metric": "basket_completion ndcg@10",
/// "results": [{"params": {...}, "ndcg@10": x}, ...], "chosen": {...params...}} and sets `chosen`.
nlohmann::json run_sweep(const OrderData& train, const SplitSpec& split, const TrainConfig& base,
                         const nlohmann::json& grid, std::uint64_t seed, TrainConfig& chosen,
                         const ProgressFn& progress = nullptr);

}  // namespace cobuy::cli
