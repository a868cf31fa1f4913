#include "core/time_util.h"

#include <cctype>
#include <cstdio>

namespace cobuy {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

/// Reads exactly `n` digits at `pos` into `out`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[pos + k];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

/// Reads 1 or 2 digits at `pos`.
bool short_number(std::string_view s, std::size_t& pos, int& out) {
  if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos]))) return false;
  out = s[pos++] - '0';
  if (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) out = out * 10 + (s[pos++] - '0');
  return true;
}

std::optional<Timestamp> make_time(int y, int mo, int d, int h, int mi, int se) {
  if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(days_in_month(y, static_cast<unsigned>(mo)))) return std::nullopt;
  if (h > 23 || mi > 59 || se > 60) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se;
}

/// "HH:MM[:SS[.fff]]" at pos; returns false on anything else.
bool clock(std::string_view s, std::size_t& pos, int& h, int& mi, int& se) {
  if (!short_number(s, pos, h) || pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, mi)) return false;
  se = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!digits(s, pos, 2, se)) return false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      const auto start = pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      if (pos == start) return false;
    }
  }
  return true;
}

std::optional<Timestamp> parse_iso(std::string_view s) {
  std::size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, mo) || pos >= s.size() ||
      s[pos++] != '-' || !digits(s, pos, 2, d)) {
    return std::nullopt;
  }
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!clock(s, pos, h, mi, se)) return std::nullopt;
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos++] == '+' ? 1 : -1;
        int oh, om = 0;
        if (!digits(s, pos, 2, oh)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size() && !digits(s, pos, 2, om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  auto t = make_time(y, mo, d, h, mi, se);
  if (!t) return std::nullopt;
  return *t - offset;
}

std::optional<Timestamp> parse_us(std::string_view s) {
  // M/D/YYYY[ H:MM[:SS]] as spreadsheet exports write it.
  std::size_t pos = 0;
  int mo, d, y, h = 0, mi = 0, se = 0;
  if (!short_number(s, pos, mo) || pos >= s.size() || s[pos++] != '/' || !short_number(s, pos, d) ||
      pos >= s.size() || s[pos++] != '/' || !digits(s, pos, 4, y)) {
    return std::nullopt;
  }
  if (pos < s.size()) {
    if (s[pos++] != ' ' || !clock(s, pos, h, mi, se)) return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return make_time(y, mo, d, h, mi, se);
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits && text.size() <= 12) {
    Timestamp t = 0;
    for (char c : text) t = t * 10 + (c - '0');
    return t;
  }
  if (text.find('/') != std::string_view::npos) return parse_us(text);
  return parse_iso(text);
}

std::string format_timestamp(Timestamp t) {
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace cobuy
