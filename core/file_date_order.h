#pragma once
/// The date order of one order file (internal to core's ingestion): how its year-last dates
/// (1/2/2024) are read, given by the caller or the format preset, else found in the file.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/time_util.h"

namespace cobuy {

/// Reads the timestamps of one file in one date order. Ambiguity is judged per file, not per
/// value: the first year-last date with a day over 12 (13/01/2024, 1/13/2024) sets the order of
/// the whole file, wherever in the file it is; a later date that contradicts it is not a valid
/// time. A file with ambiguous dates and no such date is refused. Not thread-safe.
class FileDateOrder {
 public:
  /// `order` as given (`given` true: by --date-order) or by the preset; DateOrder::unknown to
  /// find it. `path` and `delimiter` name the file, scanned again when an ambiguous date comes
  /// before any date that tells (only such files pay the second pass).
  FileDateOrder(std::string path, char delimiter, DateOrder order, bool given);

  /// Where the time column is, once the header is read: its index among `columns` fields.
  void set_column(std::size_t column, std::size_t columns);

  /// The time `text` (trimmed) at `line` says, or nullopt with `why` set to the reason
  /// ("bad timestamp '01/13/2024': not a day-first date, as line 2's '13/01/2024' shows").
  /// Throws Error(bad_data) naming file, line and value for an ambiguous date in a file whose
  /// dates cannot tell, and saying to pass --date-order dmy or mdy.
  std::optional<Timestamp> read(std::string_view text, std::size_t line, std::string& why);

  /// The order in use: given, the preset's, found, or still unknown.
  DateOrder order() const { return order_; }

 private:
  void set(DateOrder order, std::size_t line, std::string_view value);
  void find(std::string_view value, std::size_t line);

  std::string path_;
  char delimiter_;
  DateOrder order_;
  std::string why_;  // where order_ comes from, for messages
  std::size_t column_ = 0, columns_ = 0;
};

}  // namespace cobuy
