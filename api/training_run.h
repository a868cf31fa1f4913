#pragma once
/// One training run as the CLI does it: ingest files, train, write the artifact, report.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/ingest.h"
#include "core/model.h"

namespace cobuy::cli {

/// Inputs of a training run.
struct TrainingRun {
  std::vector<std::string> order_paths;
  IngestOptions ingest;
  TrainConfig config;
  std::string out_dir;
  double eval_tail = 0;  ///< > 0: first evaluate on this latest share of orders, store it in the manifest
};

/// The ingestion summary as JSON (stored in the manifest and printed by `cobuy train`).
nlohmann::json ingest_summary_json(const IngestSummary& s);

/// Ingests, trains and saves atomically to run.out_dir; prints a summary on stdout when
/// `print_summary`. Returns the trained model.
Model run_training(const TrainingRun& run, bool print_summary);

/// Parses "--columns key=Header,key2=Header2" into ingest options; throws Error(bad_request).
void parse_columns(const std::string& spec, IngestOptions& options);

}  // namespace cobuy::cli
