#include "api/report/eval_sweep.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/evaluation.h"
#include "core/offline_eval.h"
#include "core/time_util.h"
#include "training/train.h"

namespace cobuy::cli {
using nlohmann::json;

TrainConfig with_parameter(const TrainConfig& config, const std::string& name, const json& value) {
  json j;
  to_json(j, config);
  json* node = &j;
  std::size_t start = 0;
  while (true) {
    const auto dot = name.find('.', start);
    const std::string key = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    COBUY_CHECK(node->is_object() && node->contains(key), ErrorCode::bad_request,
                "sweep: '" << name << "' is not a training config parameter (see config/train.example.json)");
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  COBUY_CHECK(!node->is_object(), ErrorCode::bad_request, "sweep: '" << name << "' is a section, name one of its fields");
  *node = value;
  try {
    TrainConfig out = train_config_from_json(j);
    validate(out);
    return out;
  } catch (const Error& e) {
    COBUY_FAIL(ErrorCode::bad_request, "sweep: " << name << " = " << value.dump() << ": " << e.what());
  }
}

std::vector<json> grid_points(const json& grid) {
  COBUY_CHECK(grid.is_object() && !grid.empty(), ErrorCode::bad_request,
              "a sweep grid is a JSON object of parameter -> list of values, e.g. {\"ease.lambda\": [2, 5, 10]}");
  std::vector<json> points{json::object()};
  for (const auto& [name, values] : grid.items()) {
    COBUY_CHECK(values.is_array() && !values.empty(), ErrorCode::bad_request,
                "sweep grid: '" << name << "' needs a non-empty list of values");
    std::vector<json> next;
    for (const auto& p : points) {
      for (const auto& v : values) {
        json q = p;
        q[name] = v;
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
    COBUY_CHECK(points.size() <= kMaxSweepPoints, ErrorCode::bad_request,
                "sweep grid has more than " << kMaxSweepPoints << " points; make it smaller");
  }
  return points;
}

json run_sweep(const OrderData& train, const SplitSpec& split, const TrainConfig& base, const json& grid,
               std::uint64_t seed, TrainConfig& chosen, const ProgressFn& progress) {
  const auto points = grid_points(grid);
  std::vector<TrainConfig> configs;
  for (const auto& p : points) {
    TrainConfig c = base;
    for (const auto& [name, value] : p.items()) c = with_parameter(c, name, value);
    configs.push_back(c);
  }
  // The validation part, carved from the training part only.
  std::pair<OrderData, OrderData> parts;
  std::string how;
  if (split.kind == SplitSpec::Kind::time) {
    std::vector<Timestamp> times;
    for (const auto& o : train.orders) {
      if (o.time != kNoTime) times.push_back(o.time);
    }
    COBUY_CHECK(!times.empty(), ErrorCode::bad_data, "sweep: the training orders have no times");
    std::sort(times.begin(), times.end());
    const Timestamp cut = times[static_cast<std::size_t>(static_cast<double>(times.size()) * 0.9)];
    parts = split_by_time(train, cut);
    how = "time:" + format_timestamp(cut) + " (latest 10% of the training part)";
  } else if (split.kind == SplitSpec::Kind::random) {
    parts = split_random(train, 0.2, seed + 1);
    how = "random 20% of the training part";
  } else {
    parts = split_last_basket(train);
    how = "each customer's last order in the training part";
  }
  const auto& [fit, validation] = parts;
  COBUY_CHECK(!fit.orders.empty() && !validation.orders.empty(), ErrorCode::bad_data,
              "sweep: the validation split of the training part leaves an empty side");
  const auto cases = basket_completion_cases(fit, validation, seed);
  json results = json::array();
  double best = -1;
  std::size_t best_index = 0;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    if (progress) progress("eval: sweep", i, configs.size());
    const Model m = train_model(fit, configs[i]);
    const auto s = score_basket_completion(m, cases, model_ranker(m), {10}, true);
    const auto& v = s.metrics.at("ndcg")[0];
    const double ndcg = v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    results.push_back({{"params", points[i]}, {"ndcg@10", ndcg}});
    if (ndcg > best) {
      best = ndcg;
      best_index = i;
    }
  }
  if (progress) progress("eval: sweep", configs.size(), configs.size());
  chosen = configs[best_index];
  return {{"validation", {{"split", how}, {"train_orders", fit.orders.size()}, {"validation_orders", validation.orders.size()},
                          {"cases", cases.size()}}},
          {"metric", "basket_completion ndcg@10"},
          {"results", results},
          {"chosen", points[best_index]}};
}

}  // namespace cobuy::cli
