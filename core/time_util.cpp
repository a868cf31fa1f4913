#include "core/time_util.h"

#include <chrono>
#include <cstdio>

#include "core/error.h"

namespace cobuy {
namespace {

// Calendar arithmetic after H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian,
// UTC): no locale, no time zone database, no std::tm.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// A cursor over the text; every reader returns false (and may move) on a mismatch.
struct Cursor {
  std::string_view s;
  std::size_t pos = 0;

  bool done() const { return pos == s.size(); }
  bool at(char c) const { return pos < s.size() && s[pos] == c; }
  bool eat(char c) {
    if (!at(c)) return false;
    ++pos;
    return true;
  }
  /// Exactly `n` digits.
  bool fixed(std::size_t n, int& out) {
    if (s.size() - pos < n) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if (!is_digit(s[pos + k])) return false;
      out = out * 10 + (s[pos + k] - '0');
    }
    pos += n;
    return true;
  }
  /// One or two digits.
  bool short_number(int& out) {
    if (!fixed(1, out)) return false;
    int second = 0;
    if (pos < s.size() && is_digit(s[pos]) && fixed(1, second)) out = out * 10 + second;
    return true;
  }
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::int64_t offset = 0;  // seconds east of UTC
};

std::optional<Timestamp> to_timestamp(const Fields& f) {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > days_in_month(f.year, f.month)) return std::nullopt;
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;  // 60: a leap second
  const std::int64_t days = days_from_civil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  return days * 86400 + f.hour * 3600 + f.minute * 60 + f.second - f.offset;
}

/// "H:MM[:SS[.fff]]" (hour of one or two digits).
bool read_clock(Cursor& c, Fields& f) {
  if (!c.short_number(f.hour) || !c.eat(':') || !c.fixed(2, f.minute)) return false;
  if (!c.eat(':')) return true;
  if (!c.fixed(2, f.second)) return false;
  if (c.eat('.')) {
    const std::size_t start = c.pos;
    while (c.pos < c.s.size() && is_digit(c.s[c.pos])) ++c.pos;
    if (c.pos == start) return false;
  }
  return true;
}

/// "Z", "+hh:mm", "+hhmm" or "+hh" (or '-').
bool read_offset(Cursor& c, Fields& f) {
  if (c.eat('Z')) return true;
  const bool plus = c.at('+');
  if (!c.eat('+') && !c.eat('-')) return false;
  int h = 0, m = 0;
  if (!c.fixed(2, h)) return false;
  if (c.eat(':')) {
    if (!c.fixed(2, m)) return false;
  } else if (!c.done() && !c.fixed(2, m)) {
    return false;
  }
  if (h > 23 || m > 59) return false;
  f.offset = (plus ? 1 : -1) * (h * 3600 + m * 60);
  return true;
}

/// What may follow the clock: nothing, an offset right after it or after one space, or " UTC".
bool read_zone(Cursor& c, Fields& f) {
  if (c.done()) return true;
  if (c.eat(' ') && c.s.substr(c.pos) == "UTC") return true;
  return read_offset(c, f) && c.done();
}

/// "YYYY-MM-DD[(T| )H:MM[:SS[.fff]][zone]]".
std::optional<Timestamp> parse_iso(Cursor c) {
  Fields f;
  if (!c.fixed(4, f.year) || !c.eat('-') || !c.fixed(2, f.month) || !c.eat('-') || !c.fixed(2, f.day)) {
    return std::nullopt;
  }
  if (!c.done()) {
    if (!c.eat('T') && !c.eat(' ')) return std::nullopt;
    if (!read_clock(c, f) || !read_zone(c, f)) return std::nullopt;
  }
  return to_timestamp(f);
}

/// "A<sep>B<sep>YYYY[ H:MM[:SS][zone]]", where A and B are day and month in `order`.
ParsedTimestamp parse_year_last(Cursor c, char sep, DateOrder order) {
  ParsedTimestamp out;
  Fields f;
  int a = 0, b = 0;
  if (!c.short_number(a) || !c.eat(sep) || !c.short_number(b) || !c.eat(sep) || !c.fixed(4, f.year)) return out;
  if (!c.done() && (!c.eat(' ') || !read_clock(c, f) || !read_zone(c, f))) return out;
  const auto as = [f](int month, int day) {
    Fields g = f;
    g.month = month;
    g.day = day;
    return to_timestamp(g);
  };
  const std::optional<Timestamp> dmy = as(b, a), mdy = as(a, b);
  // Any day up to 12 is valid in every month, so exactly one valid reading means a number over 12.
  if (dmy && !mdy) out.proves = DateOrder::dmy;
  if (mdy && !dmy) out.proves = DateOrder::mdy;
  switch (order) {
    case DateOrder::dmy:
      out.time = dmy;
      break;
    case DateOrder::mdy:
      out.time = mdy;
      break;
    case DateOrder::unknown:
      out.ambiguous = dmy && mdy && a != b;
      if (!out.ambiguous) out.time = dmy ? dmy : mdy;
      break;
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

DateOrder parse_date_order(std::string_view name) {
  if (name == "auto") return DateOrder::unknown;
  if (name == "dmy") return DateOrder::dmy;
  if (name == "mdy") return DateOrder::mdy;
  COBUY_FAIL(ErrorCode::bad_request, "unknown date order '" << name
                                                            << "' (expected dmy for day first, mdy for month first, or "
                                                               "auto)");
}

ParsedTimestamp parse_timestamp_as(std::string_view text, DateOrder order) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return {};
  std::size_t digits = 0;
  while (digits < text.size() && is_digit(text[digits])) ++digits;
  if (digits == text.size()) {
    // Unix seconds; 12 digits reach year 33658, far enough and far from overflow.
    if (text.size() > 12) return {};
    Timestamp t = 0;
    for (char ch : text) t = t * 10 + (ch - '0');
    return {t};
  }
  const Cursor c{text};
  const char sep = text[digits];
  if ((sep == '/' || sep == '.' || sep == '-') && digits <= 2) return parse_year_last(c, sep, order);
  return {parse_iso(c)};
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  return parse_timestamp_as(text, DateOrder::mdy).time;
}

std::string format_timestamp(Timestamp t) {
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  char out[48];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return out;
}

Timestamp unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TimeRange order_time_range(Timestamp now, Timestamp max_skew) {
  COBUY_CHECK(max_skew >= 0, ErrorCode::bad_request, "the maximum clock skew must be >= 0 seconds, got " << max_skew);
  return {kEarliestOrderTime, now + max_skew, max_skew};
}

TimeRange moment_time_range(Timestamp now, Timestamp max_skew) {
  TimeRange r = order_time_range(now, max_skew);
  r.latest += kMaxPlanningHorizon;
  r.max_skew += kMaxPlanningHorizon;
  return r;
}

std::string format_duration(Timestamp s) {
  auto unit = [](Timestamp n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); };
  if (s != 0 && s % 86400 == 0) return unit(s / 86400, "day");
  if (s != 0 && s % 3600 == 0) return unit(s / 3600, "hour");
  return unit(s, "second");
}

std::string out_of_range_reason(Timestamp t, const TimeRange& range) {
  if (t < range.earliest) return format_timestamp(t) + " is before " + format_timestamp(range.earliest).substr(0, 10);
  if (t > range.latest) {
    return format_timestamp(t) + " is more than " + format_duration(range.max_skew) + " ahead of the server clock (" +
           format_timestamp(range.latest - range.max_skew) + ")";
  }
  return "";
}

void check_time_in_range(std::string_view field, Timestamp t, const TimeRange& range) {
  if (t == kNoTime) return;
  const std::string why = out_of_range_reason(t, range);
  COBUY_CHECK(why.empty(), ErrorCode::bad_request, "field '" << field << "': " << why);
}

}  // namespace cobuy
