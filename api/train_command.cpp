#include <memory>

#include <CLI/CLI.hpp>

#include "api/commands.h"
#include "api/training_run.h"
#include "core/error.h"

namespace cobuy::cli {

void add_train_command(CLI::App& app) {
  struct Args {
    TrainingRun run;
    std::string format = "generic";
    std::string columns;
    std::string config_path;
    std::string non_product_codes;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("train", "Learn a model from order files and write it to a model directory");
  cmd->add_option("--orders", args->run.order_paths, "Order files (CSV or CSV.gz), one or more")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", args->format, "generic, online-retail or instacart")->capture_default_str();
  cmd->add_option("--columns", args->columns, "Header mapping, e.g. order_id=InvoiceNo,item_id=StockCode");
  cmd->add_option("--catalog", args->run.ingest.catalog_path, "Item catalogue CSV (item_id, title, category, price)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--config", args->config_path, "Training config JSON (see config/train.example.json)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--non-product-codes", args->non_product_codes,
                  "Comma-separated item codes that are not products (trailing * = prefix); default: the format's list");
  cmd->add_option("--max-bad-row-share", args->run.ingest.max_bad_row_share,
                  "Fail when malformed rows exceed this share of rows read")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--out", args->run.out_dir, "Model directory to write (replaced atomically)")->required();
  cmd->callback([args] {
    args->run.ingest.format = parse_order_format(args->format);
    parse_columns(args->columns, args->run.ingest);
    if (!args->non_product_codes.empty()) {
      std::stringstream ss(args->non_product_codes);
      std::string code;
      while (std::getline(ss, code, ',')) {
        if (!code.empty()) args->run.ingest.non_product_codes.push_back(code);
      }
    }
    if (!args->config_path.empty()) args->run.config = load_train_config(args->config_path);
    run_training(args->run, true);
  });
}

}  // namespace cobuy::cli
