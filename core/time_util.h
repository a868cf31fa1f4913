#pragma once
/// Parsing and formatting of timestamps (Unix seconds, UTC).

#include <optional>
#include <string>
#include <string_view>

#include "core/order_data.h"

namespace cobuy {

/// Seconds in a day, for converting Timestamp differences to days.
inline constexpr double kSecondsPerDay = 86400.0;

/// How to read a numeric date written with its year last (1/2/2024, 01.02.2024, 01-02-2024).
enum class DateOrder {
  unknown,  ///< only where the numbers allow one reading (13/1/2024, 1/13/2024, 5/5/2024)
  mdy,      ///< month first, as US spreadsheets write it (12/1/2010 is 1 December)
  dmy,      ///< day first, as most of Europe writes it (01/02/2024 is 1 February)
};

/// Parses "auto" (DateOrder::unknown), "dmy" or "mdy"; throws Error(bad_request) otherwise.
DateOrder parse_date_order(std::string_view name);

/// What parse_timestamp_as found.
struct ParsedTimestamp {
  std::optional<Timestamp> time;  ///< nullopt when invalid, or ambiguous with DateOrder::unknown
  /// The order a valid year-last date proves whatever order was asked for: dmy when only the
  /// first number can be a day over 12 (13/1/2024), mdy when only the second can (1/13/2024);
  /// unknown for other dates and other forms.
  DateOrder proves = DateOrder::unknown;
  /// A year-last date read with DateOrder::unknown whose day and month could be swapped
  /// (1/2/2024: 1 February or 2 January); `time` is then nullopt.
  bool ambiguous = false;
};

/// Parses a timestamp, in UTC:
/// - an ISO-8601 date ("2011-09-01") or date-time ("2011-09-01T08:26:00", "2011-09-01 08:26",
///   optional fractional seconds, which are dropped);
/// - a year-last date "D/M/YYYY", "M/D/YYYY" (also with '.' or '-'; one or two digits for day and
///   month) read in `order`, optionally followed by a space and a time "H:MM[:SS]";
/// - either date-time may end in an offset from UTC: "Z", "+hh:mm", "+hhmm" or "+hh" (or '-'),
///   right after the time or after one space ("2024-01-01 10:00:00 +0100"), or " UTC";
/// - Unix seconds ("1314835200").
/// `time` is nullopt when invalid (including impossible dates such as 2011-02-30).
ParsedTimestamp parse_timestamp_as(std::string_view text, DateOrder order);

/// parse_timestamp_as(text, DateOrder::mdy).time: year-last dates month first, as before the
/// date order existed (used for request fields and flags; order files say their order).
std::optional<Timestamp> parse_timestamp(std::string_view text);
/// Formats as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_timestamp(Timestamp t);

/// The current time of the system clock, Unix seconds UTC.
Timestamp unix_now();

/// The earliest time an order may carry: 1990-01-01T00:00:00Z. Earlier times are typos or
/// placeholders ("0001-01-01"), not orders of a shop whose history cobuy models.
inline constexpr Timestamp kEarliestOrderTime = 631152000;
/// How far ahead of the clock an order time may be by default (`cobuy serve --max-clock-skew`).
inline constexpr Timestamp kDefaultMaxClockSkew = 86400;
/// How far ahead of the clock (beyond the skew) an offers request's `at` may be: a campaign
/// is planned for the coming weeks or months, not for another decade.
inline constexpr Timestamp kMaxPlanningHorizon = 366 * 86400;

/// The times an order may carry: [earliest, now + max_skew].
struct TimeRange {
  Timestamp earliest = kEarliestOrderTime;
  Timestamp latest = 0;
  Timestamp max_skew = kDefaultMaxClockSkew;  ///< what `latest` allows beyond the clock (for messages)
};

/// The range for order times seen at `now` with `max_skew` (>= 0) seconds of clock skew.
TimeRange order_time_range(Timestamp now = unix_now(), Timestamp max_skew = kDefaultMaxClockSkew);

/// The range for a moment an offers request is asked for (`at`): the order range, plus
/// kMaxPlanningHorizon ahead, so offers can be planned for a coming campaign.
TimeRange moment_time_range(Timestamp now = unix_now(), Timestamp max_skew = kDefaultMaxClockSkew);

/// Why `t` is outside `range` ("9999-12-31T00:00:00Z is more than 1 day ahead of the server
/// clock", "0001-01-01T00:00:00Z is before 1990-01-01"), or "" when it is inside.
std::string out_of_range_reason(Timestamp t, const TimeRange& range);

/// Throws Error(bad_request) "field 'FIELD': REASON" when `t` (not kNoTime) is outside `range`.
void check_time_in_range(std::string_view field, Timestamp t, const TimeRange& range);

/// "1 day", "36 hours", "90 seconds": a duration for messages (whole days, else hours, else seconds).
std::string format_duration(Timestamp seconds);

}  // namespace cobuy
