#pragma once
/// One training run as the CLI does it: ingest files and the order log, train, write the
/// artifact, report.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/cli/left_out_orders.h"
#include "core/config.h"
#include "core/ingest.h"
#include "core/model.h"

namespace cobuy::cli {

/// Inputs of a training run.
struct TrainingRun {
  std::vector<std::string> order_paths;
  std::string orders_db;  ///< order log (SQLite file or PostgreSQL URI) merged with the files; "" = none
  IngestOptions ingest;
  TrainConfig config;
  std::string out_dir;
  double eval_tail = 0;  ///< > 0: first evaluate on this latest share of orders, store it in the manifest
};

/// The orders of a training run and what reading them found.
struct RunOrders {
  OrderData data;               ///< sorted by time
  IngestSummary summary;        ///< of the files; orders, items and customers count the merged data
  nlohmann::json summary_json;  ///< `summary` as JSON, plus "orders_from_db", "orders_db_duplicates"
                                ///< (log orders whose id the files already had) and "left_out"
                                ///< (LeftOutOrders) when a log was read
  std::uint64_t orders_from_db = 0;  ///< orders added from the order log
  LeftOutOrders left_out;            ///< orders the log's changes to history left out
};

/// Reads the run's files (if any) and merges the live orders of its order log (if any), leaving
/// out what the log cancelled, returned in full or erased (leave_out_changed). Throws
/// Error(bad_request) when the run names neither, or --catalog without files.
RunOrders load_run_orders(const TrainingRun& run, const ProgressFn& progress = nullptr);

/// Ingests, trains and saves atomically to run.out_dir; prints a summary on stdout when
/// `print_summary`. Returns the trained model.
Model run_training(const TrainingRun& run, bool print_summary);

/// run_training over MPI's ranks (`mpirun -np N cobuy train --distributed`, every rank calling
/// it): each rank reads a share of run.order_paths, rank 0 writes the artifact and prints the
/// summary (training/distributed_train.h). A failure on any rank ends every rank. Throws
/// Error(bad_request) for an order log, --eval-tail, or a cobuy built without MPI.
void run_distributed_training(const TrainingRun& run, bool print_summary);

/// Parses "--columns key=Header,key2=Header2" into ingest options; throws Error(bad_request).
void parse_columns(const std::string& spec, IngestOptions& options);

}  // namespace cobuy::cli
