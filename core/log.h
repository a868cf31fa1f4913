#pragma once
/// A small levelled logger writing one line per event: `level=info msg="..." key=value ...`.
/// The message and every value go through printable() (core/printable.h): control characters,
/// escape sequences and line breaks from outside text (paths, headers, ids) are written as escapes,
/// so a log line stays one line and never drives the terminal.

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cobuy::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

/// One key=value field; values are written quoted (with `"` and `\` backslashed) when they are empty
/// or hold a space, '=', a quote, a backslash or a character that needs escaping.
struct Field {
  std::string key;
  std::string value;
  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(v) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(v) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Field(std::string k, T v) : key(std::move(k)), value(std::to_string(v)) {}
};

/// Sets the minimum level written (default info); thread-safe.
void set_level(Level level);
Level level();
/// Parses "debug|info|warn|error|off"; throws cobuy::Error on anything else.
Level parse_level(std::string_view text);
/// Replaces the sink (default: stderr); used by tests. Pass nullptr to restore stderr.
void set_sink(std::function<void(const std::string& line)> sink);

/// Writes one line if `lvl` is enabled.
void write(Level lvl, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::error, m, f); }

}  // namespace cobuy::log
