#include "core/file_date_order.h"

#include "core/csv_reader.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text_fields.h"

namespace cobuy {

using text_fields::shown;

FileDateOrder::FileDateOrder(std::string path, char delimiter, DateOrder order, bool given)
    : path_(std::move(path)),
      delimiter_(delimiter),
      order_(order),
      why_(given ? "as --date-order says" : "as the format's preset says") {}

void FileDateOrder::set_column(std::size_t column, std::size_t columns) {
  column_ = column;
  columns_ = columns;
}

void FileDateOrder::set(DateOrder order, std::size_t line, std::string_view value) {
  order_ = order;
  why_ = "as line " + std::to_string(line) + "'s " + shown(value) + " shows";
  log::info("date order found", {{"file", path_},
                                 {"order", order == DateOrder::dmy ? "dmy" : "mdy"},
                                 {"line", line},
                                 {"value", std::string(value)}});
}

// Refusing beats both alternatives: guessing reads half the dates wrong, and counting every
// ambiguous row as malformed either fails the run on the bad-row share with a message about
// one row, or (when few rows are ambiguous) silently drops orders.
void FileDateOrder::find(std::string_view value, std::size_t line) {
  auto scan = CsvReader::open_file(path_, delimiter_);
  read_header(scan);
  std::vector<std::string_view> f;
  while (scan.next(f)) {
    if (!scan.error().empty() || f.size() != columns_) continue;
    const std::string_view text = text_fields::trim(f[column_]);
    if (const DateOrder o = parse_timestamp_as(text, DateOrder::unknown).proves; o != DateOrder::unknown) {
      set(o, scan.line(), text);
      return;
    }
  }
  const auto date = [&](DateOrder o) { return format_timestamp(*parse_timestamp_as(value, o).time).substr(0, 10); };
  COBUY_FAIL(ErrorCode::bad_data, path_ << ":" << line << ": ambiguous date " << shown(value) << " (day first "
                                        << date(DateOrder::dmy) << ", month first " << date(DateOrder::mdy)
                                        << ") and no date in the file has a day over 12 to tell; pass --date-order "
                                           "dmy (day first) or --date-order mdy (month first)");
}

std::optional<Timestamp> FileDateOrder::read(std::string_view text, std::size_t line, std::string& why) {
  ParsedTimestamp p = parse_timestamp_as(text, order_);
  if (p.ambiguous) {
    find(text, line);
    p = parse_timestamp_as(text, order_);
  }
  if (order_ == DateOrder::unknown && p.proves != DateOrder::unknown) set(p.proves, line, text);
  if (p.time) return p.time;
  why = "bad timestamp " + shown(text);
  if (p.proves != DateOrder::unknown && p.proves != order_) {
    why += std::string(": not a ") + (order_ == DateOrder::dmy ? "day" : "month") + "-first date, " + why_;
  }
  return std::nullopt;
}

}  // namespace cobuy
