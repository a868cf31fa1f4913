#pragma once
// Small pieces every route answer uses: JSON bodies and errors, the `limit` parameter, the request body.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace cobuy {

struct ServeLimits;

/// True for the methods whose requests carry a body (read by the content-reader handlers).
bool method_has_body(const std::string& method);
/// Writes `body` as the JSON answer; invalid UTF-8 from shop files is replaced, not refused.
void write_json(httplib::Response& res, int status, const nlohmann::json& body);
/// Writes the error document {"error": {"code", "message"}}.
void write_error(httplib::Response& res, int status, std::string_view code, std::string_view message);
/// Code and message for errors httplib produces itself (bad request line, URI too long, ...).
std::pair<std::string_view, std::string_view> httplib_error(int status);
/// `?limit=N`: default 20 (or max_limit if smaller), else an integer in 1..max_limit; throws bad_request.
std::size_t limit_param(const httplib::Request& req, const ServeLimits& limits);
/// The current time as ISO-8601 UTC.
std::string now_iso();
/// The request body as JSON; throws bad_request naming the parse error.
nlohmann::json parse_body(const std::string& body);

}  // namespace cobuy
