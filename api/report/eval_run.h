#pragma once
/// One offline evaluation as `cobuy eval` runs it: split the history, train every model on the
/// earlier part with the normal training code, score them on the later part, and build the report.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/ingest.h"
#include "core/order_data.h"
#include "core/progress.h"

namespace cobuy::cli {

/// How history is split into train and test.
struct SplitSpec {
  enum class Kind { time, last_basket, random } kind = Kind::time;
  Timestamp cut = kNoTime;  ///< time: test = orders from here on
  double fraction = 0.2;    ///< random: share of orders in test
  std::string text;         ///< as given on the command line
};

/// Parses "time:DATE", "last-basket" or "random:FRACTION"; throws Error(bad_request) naming the
/// problem.
SplitSpec parse_split(const std::string& text);

/// The inputs of an evaluation.
struct EvalRun {
  std::vector<std::string> order_paths;
  std::string format;
  TrainConfig config;                 ///< cobuy's model; the baselines derive from it
  SplitSpec split;
  std::vector<std::size_t> ks{5, 10, 20};
  std::uint64_t seed = 42;            ///< hidden items, random split, bootstrap
  std::size_t bootstrap_resamples = 1000;
  nlohmann::json sweep_grid;          ///< null = no sweep; else {"param": [values...]} (see eval_sweep.h)
};

/// Splits `data`, trains and scores every model, and returns the report (the JSON that
/// report.json holds). With a sweep grid, the config is first chosen on a validation part of the
/// training part; report["config"] is then the chosen config (what `cobuy train --config` takes). Throws Error(bad_data) when the split leaves no training or no test orders.
/// With `basket_queries`, also returns the basket-completion cases as query lines of the DESIGN
/// contract ({"id", "items", "customer_id", "at", "limit", "hidden"}; `hidden` is the item to
/// find and is ignored by readers of queries), so `cobuy recommend` can replay them.
nlohmann::json run_evaluation(const OrderData& data, const EvalRun& run, const ProgressFn& progress = nullptr,
                              std::vector<nlohmann::json>* basket_queries = nullptr);

/// What `cobuy train --eval-tail FRACTION` stores in the manifest: trains `config` on all but
/// the latest `tail` share of orders (by time) and scores cobuy's model on that tail at K = 10
/// (basket completion and next order). Throws Error(bad_request) unless 0 < tail < 1, and
/// Error(bad_data) when the orders have no times or the tail is empty.
nlohmann::json holdout_summary(const OrderData& data, const TrainConfig& config, double tail, std::uint64_t seed = 42);

}  // namespace cobuy::cli
