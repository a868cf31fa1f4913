#include "api/cli/order_source_options.h"

#include <filesystem>
#include <sstream>

#include <CLI/CLI.hpp>

#include "api/cli/training_run.h"
#include "api/store/order_store.h"
#include "core/error.h"

namespace cobuy::cli {
namespace {

/// A CLI11 check that runs `parse` (a core parser that throws Error) on the flag's value, so a bad
/// value fails at parse time with the parser's message.
template <typename Parse>
CLI::Validator parsed_by(Parse parse, std::string description) {
  return CLI::Validator(
      [parse](std::string& value) -> std::string {
        try {
          parse(value);
          return "";
        } catch (const Error& e) {
          return e.what();
        }
      },
      std::move(description));
}

}  // namespace

IngestOptions OrderSourceArgs::ingest_options() const {
  IngestOptions o;
  o.format = parse_order_format(format);
  parse_columns(columns, o);
  o.catalog_path = catalog_path;
  o.max_bad_row_share = max_bad_row_share;
  o.date_order = parse_date_order(date_order);
  o.delimiter = parse_delimiter(delimiter);
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
  cmd.add_option("--date-order", args.date_order,
                 "How to read dates written year last (01/02/2024): dmy (day first: 1 February), mdy (month "
                 "first: 2 January), or auto: the format's order (mdy for online-retail), else each file's "
                 "dates with a day over 12 tell, and a file whose dates cannot tell is refused")
      ->capture_default_str()
      ->check(parsed_by(parse_date_order, "auto|dmy|mdy"));
  cmd.add_option("--delimiter", args.delimiter,
                 "Field delimiter of the order and catalogue files: ',', ';', tab, '|', or auto (found from "
                 "each file's header line). Not ',': a price like 2,95 reads as 2.95")
      ->capture_default_str()
      ->check(parsed_by(parse_delimiter, "auto|comma|semicolon|tab|pipe"));
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
