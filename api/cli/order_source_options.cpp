#include "api/cli/order_source_options.h"

#include <filesystem>
#include <sstream>

#include <CLI/CLI.hpp>

#include "api/cli/training_run.h"
#include "api/store/order_store.h"

namespace cobuy::cli {

IngestOptions OrderSourceArgs::ingest_options() const {
  IngestOptions o;
  o.format = parse_order_format(format);
  parse_columns(columns, o);
  o.catalog_path = catalog_path;
  o.max_bad_row_share = max_bad_row_share;
  std::stringstream ss(non_product_codes);
  std::string code;
  while (std::getline(ss, code, ',')) {
    if (!code.empty()) o.non_product_codes.push_back(code);
  }
  return o;
}

TrainConfig OrderSourceArgs::train_config() const {
  return config_path.empty() ? TrainConfig{} : load_train_config(config_path);
}

void add_order_source_options(CLI::App& cmd, OrderSourceArgs& args) {
  cmd.add_option("--orders", args.order_paths, "Order files (CSV or CSV.gz), one or more")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--format", args.format, "generic, online-retail or instacart")->capture_default_str();
  cmd.add_option("--columns", args.columns, "Header mapping, e.g. order_id=InvoiceNo,item_id=StockCode");
  cmd.add_option("--catalog", args.catalog_path, "Item catalogue CSV (item_id, title, category, price, in_stock)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--config", args.config_path, "Training config JSON (see config/train.example.json)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--non-product-codes", args.non_product_codes,
                 "Comma-separated item codes that are not products (trailing * = prefix); default: the format's list");
  cmd.add_option("--max-bad-row-share", args.max_bad_row_share,
                 "Fail when malformed rows exceed this share of rows read")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
}

CLI::Validator existing_order_log() {
  return CLI::Validator(
      [](std::string& location) -> std::string {
        if (OrderStore::is_postgres(location) || std::filesystem::is_regular_file(location)) return "";
        return "order log " + location + " does not exist (a SQLite file or a postgresql:// URI)";
      },
      "FILE|URI");
}

void add_orders_db_option(CLI::App& cmd, OrderSourceArgs& args) {
  cmd.get_option("--orders")->required(false);
  cmd.add_option("--orders-db", args.orders_db,
                 "Order log that POST /v1/orders writes (a SQLite file or postgresql://...); its orders are "
                 "added to those of --orders")
      ->check(existing_order_log());
}

}  // namespace cobuy::cli
