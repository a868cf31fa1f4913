#pragma once
/// Small helpers for text fields of CSV files: trimming, number parsing, quoting in messages.
/// Internal to core (ingestion and catalogue files).

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cobuy::text_fields {

/// `s` without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The parts joined with ", ".
inline std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

/// A value quoted for a message, shortened when long.
inline std::string shown(std::string_view v) {
  constexpr std::size_t kMax = 40;
  return "'" + std::string(v.substr(0, kMax)) + (v.size() > kMax ? "...'" : "'");
}

/// A finite decimal number (a leading '+' allowed), or nullopt.
inline std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// parse_number(s), or with `decimal_comma` (files not separated by commas, where "2,95" is
/// usual) a number with one comma and no point read with the comma as the decimal mark.
inline std::optional<double> parse_number(std::string_view s, bool decimal_comma) {
  if (auto n = parse_number(s); n || !decimal_comma) return n;
  const std::size_t comma = s.find(',');
  if (comma == std::string_view::npos || s.find(',', comma + 1) != std::string_view::npos ||
      s.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string text(s);
  text[comma] = '.';
  return parse_number(text);
}

}  // namespace cobuy::text_fields
