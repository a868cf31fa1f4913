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
