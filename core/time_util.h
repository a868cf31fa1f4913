#pragma once
/// Parsing and formatting of timestamps (Unix seconds, UTC).

#include <optional>
#include <string>
#include <string_view>

#include "core/order_data.h"

namespace cobuy {

/// Seconds in a day, for converting Timestamp differences to days.
inline constexpr double kSecondsPerDay = 86400.0;

/// Parses an ISO-8601 date ("2011-09-01"), date-time ("2011-09-01T08:26:00", "2011-09-01 08:26",
/// optional fractional seconds, "Z" or "+hh:mm" offset) or Unix seconds ("1314835200").
/// Also accepts "M/D/YYYY H:MM" as written by spreadsheet exports. Returns nullopt when invalid
/// (including impossible dates such as 2011-02-30).
std::optional<Timestamp> parse_timestamp(std::string_view text);
/// Formats as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_timestamp(Timestamp t);

}  // namespace cobuy
