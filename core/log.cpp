#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/error.h"
#include "core/printable.h"

namespace cobuy::log {
namespace {
std::atomic<Level> g_level{Level::info};
std::mutex g_mutex;
std::function<void(const std::string&)> g_sink;

/// A value as is, or quoted when it is empty or holds a space, '=', a quote, a backslash or anything
/// printable() escapes, so every line stays one line and splits back into its fields.
void append_value(std::string& out, std::string_view v) {
  const std::string escaped = printable(v, "\"\\");
  const bool quote = v.empty() || escaped != v || v.find_first_of(" =") != std::string_view::npos;
  if (quote) out += '"';
  out += escaped;
  if (quote) out += '"';
}

const char* level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
    case Level::off: return "off";
  }
  return "info";
}
}  // namespace

void set_level(Level l) { g_level.store(l); }
Level level() { return g_level.load(); }

Level parse_level(std::string_view text) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error, Level::off}) {
    if (text == level_name(l)) return l;
  }
  COBUY_FAIL(ErrorCode::bad_request,
             "unknown log level '" << text << "' (expected debug, info, warn, error or off)");
}

void set_sink(std::function<void(const std::string&)> sink) {
  std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void write(Level lvl, std::string_view message, std::initializer_list<Field> fields) {
  if (lvl < g_level.load() || g_level.load() == Level::off) return;
  std::string line = "level=";
  line += level_name(lvl);
  line += " msg=";
  append_value(line, message);
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    append_value(line, f.value);
  }
  std::lock_guard lock(g_mutex);
  if (g_sink) {
    g_sink(line);
  } else {
    line += '\n';
    std::fputs(line.c_str(), stderr);
  }
}

}  // namespace cobuy::log
