#pragma once
/// Ingestion of order files: column mapping, format presets, cleaning, and a summary.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/csv_reader.h"
#include "core/order_data.h"
#include "core/progress.h"
#include "core/time_util.h"

namespace cobuy {

/// Known layouts of order files.
enum class OrderFormat { generic, online_retail, instacart };

/// Parses "generic", "online-retail" or "instacart"; throws Error(bad_request) otherwise.
OrderFormat parse_order_format(std::string_view name);

/// How to read and clean order files.
struct IngestOptions {
  OrderFormat format = OrderFormat::generic;
  /// Overrides of column headers, key -> header (keys: order_id, item_id, customer_id, timestamp,
  /// quantity, price, title, category). Applied on top of the format preset.
  std::map<std::string, std::string> columns;
  /// Item codes that are not products; a trailing '*' matches a prefix. Empty = the preset's list.
  std::vector<std::string> non_product_codes;
  /// Order-id prefixes that mark cancellations. Empty = the preset's list.
  std::vector<std::string> cancellation_prefixes;
  /// The run fails when malformed rows exceed this share of rows read (0..1).
  double max_bad_row_share = 0.05;
  /// How many bad rows are kept as examples in the summary.
  std::size_t max_bad_row_examples = 10;
  /// Rows timed before 1990 or more than this many seconds after `now` are dropped as
  /// "timestamp_out_of_range" (a file holds no future orders).
  Timestamp max_clock_skew = kDefaultMaxClockSkew;
  /// The time the files are read at; kNoTime = the system clock.
  Timestamp now = kNoTime;
  /// Optional item catalogue CSV (item_id, title, category, price, in_stock columns) overriding titles.
  std::string catalog_path;
  /// How year-last dates (1/2/2024) are read. unknown: the preset's order (mdy for online-retail),
  /// else judged per file: a date whose first or second number is over 12 sets the order for its
  /// file, and a file with ambiguous dates but no such date fails with an error naming the value.
  DateOrder date_order = DateOrder::unknown;
  /// Field delimiter of order files and the catalogue (',', ';', '\t', '|'); kAutoDelimiter =
  /// detected from each file's header line. With a delimiter other than ',', a quantity or price
  /// with one comma and no point ("2,95") is read with the comma as the decimal mark.
  char delimiter = kAutoDelimiter;
};

/// What ingestion read, kept and dropped.
struct IngestSummary {
  std::uint64_t rows_read = 0;  ///< data rows (header excluded) over all files
  std::uint64_t rows_kept = 0;
  /// Dropped rows by reason: malformed, cancellation, non_positive_quantity, non_positive_price,
  /// duplicate_line, non_product_code, missing_item_id, missing_order_id, timestamp_out_of_range
  /// (malformed too: it counts towards max_bad_row_share and has examples in bad_row_examples).
  std::map<std::string, std::uint64_t> dropped;
  std::uint64_t rows_without_customer = 0;  ///< kept rows with no customer id
  std::uint64_t orders = 0;
  std::uint64_t items = 0;
  std::uint64_t customers = 0;
  /// "file:line: reason" for the first bad rows.
  std::vector<std::string> bad_row_examples;
  /// The catalogue file's own columns kept as item fields (Catalog::field_names), and those
  /// ignored, each as "name: why".
  std::vector<std::string> catalog_columns_kept;
  std::vector<std::string> catalog_columns_ignored;
  /// Items the catalogue file names that no order holds, added to the catalogue (new arrivals).
  std::uint64_t catalog_new_items = 0;
};

/// The summary as JSON: stored in the manifest's "ingest", printed by `cobuy train`, and what
/// distributed training's ranks exchange.
nlohmann::json summary_json(const IngestSummary& s);

/// Reads, cleans and merges order files into OrderData (orders sorted by time, stable).
/// Throws Error(io) for unreadable files, Error(bad_data) for a missing required column, for a
/// file whose year-last dates are ambiguous (see IngestOptions::date_order), or when malformed
/// rows exceed max_bad_row_share, naming file, line and reason.
/// Rows of one order id (across files too) form one Order: its time is that of its first kept row,
/// its customer the first non-empty one; repeated items merge into one OrderLine (quantities summed,
/// last price). The catalogue keeps each item's most recent non-empty title and category and its
/// last positive price. summary->dropped lists only reasons that occurred.
OrderData load_orders(const std::vector<std::string>& paths, const IngestOptions& options,
                      IngestSummary* summary = nullptr, const ProgressFn& progress = nullptr);

}  // namespace cobuy
