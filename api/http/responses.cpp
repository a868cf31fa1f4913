#include "api/http/responses.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>

#include "api/http/codec.h"
#include "core/config.h"
#include "core/error.h"
#include "core/time_util.h"

namespace cobuy {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 20;

bool method_has_body(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

void write_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Catalogue titles come from shop files; replace invalid UTF-8 rather than fail the request.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void write_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  write_json(res, status, error_json(code, message));
}

/// Code and message for errors httplib produces itself (bad request line, URI too long, ...).
std::pair<std::string_view, std::string_view> httplib_error(int status) {
  switch (status) {
    case 400: return {"bad_request", "malformed HTTP request"};
    case 404: return {"not_found", "no such route"};
    case 413: return {"too_large", "the request body is too large"};
    case 414: return {"too_large", "the request URI is too long"};
    case 416: return {"bad_request", "unsatisfiable range"};
    default: return {status >= 500 ? "internal" : "bad_request", "the request failed"};
  }
}

/// `?limit=N`: default 20 (or max_limit if smaller), else an integer in 1..max_limit.
std::size_t limit_param(const httplib::Request& req, const ServeLimits& limits) {
  if (!req.has_param("limit")) return std::min<std::size_t>(kDefaultLimit, limits.max_limit);
  const std::string text = req.get_param_value("limit");
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool ok = ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= limits.max_limit;
  COBUY_CHECK(ok, ErrorCode::bad_request,
              "parameter 'limit' must be an integer between 1 and " << limits.max_limit << ", got '"
                                                                    << text.substr(0, 40) << "'");
  return static_cast<std::size_t>(value);
}

namespace {

std::string_view strip_json_exception_prefix(std::string_view what) {
  // nlohmann's messages start with "[json.exception.parse_error.101] ".
  if (what.starts_with("[json.exception.")) {
    if (const auto p = what.find("] "); p != std::string_view::npos) return what.substr(p + 2);
  }
  return what;
}

}  // namespace

std::string now_iso() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return format_timestamp(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

json parse_body(const std::string& body) {
  try {
    return json::parse(body);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number such as 1e400
    COBUY_FAIL(ErrorCode::bad_request, "the body is not valid JSON: " << strip_json_exception_prefix(e.what()));
  }
}

}  // namespace cobuy
