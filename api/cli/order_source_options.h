#pragma once
/// The command-line flags that name order files and how to read them, shared by the commands
/// that ingest orders (train, eval): --orders, --format, --columns, --catalog,
/// --non-product-codes, --max-bad-row-share, --date-order, --delimiter, --config; and --orders-db
/// (the order log) for the commands that read it.

#include <string>
#include <vector>

#include "core/config.h"
#include "core/ingest.h"

namespace CLI {
class App;
class Validator;
}

namespace cobuy::cli {

/// The flags' values; resolve() turns them into ingest options and a training config.
struct OrderSourceArgs {
  std::vector<std::string> order_paths;
  std::string format = "generic";
  std::string columns;
  std::string catalog_path;
  std::string config_path;
  std::string non_product_codes;
  double max_bad_row_share = IngestOptions{}.max_bad_row_share;
  std::string date_order = "auto";  ///< auto, dmy or mdy (parse_date_order)
  std::string delimiter = "auto";   ///< auto, ',', ';', tab or '|' (parse_delimiter)
  std::string orders_db;  ///< the order log (file or URI) to read beside the files; "" = none

  /// Ingest options from the flags; throws Error(bad_request) for a bad format, column mapping,
  /// date order or delimiter.
  IngestOptions ingest_options() const;
  /// The training config from --config, or the defaults.
  TrainConfig train_config() const;
};

/// Registers the flags on `cmd`, storing into `args` (which must outlive parsing).
void add_order_source_options(CLI::App& cmd, OrderSourceArgs& args);

/// A CLI11 check for --orders-db: an existing SQLite file or a PostgreSQL URI.
CLI::Validator existing_order_log();

/// Registers --orders-db on `cmd` (after add_order_source_options) and makes --orders optional:
/// the command then needs --orders, --orders-db or both (checked when the run starts).
void add_orders_db_option(CLI::App& cmd, OrderSourceArgs& args);

}  // namespace cobuy::cli
