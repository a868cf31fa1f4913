#include "api/http/cors.h"

#include <algorithm>
#include <cctype>

#include "api/http/api_keys.h"
#include "core/error.h"

namespace cobuy {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// "scheme://host[:port]" in lower case, or "" when `text` is not such an origin.
std::string normalised_origin(std::string_view text) {
  const std::string s = lower(text);
  std::string_view rest;
  if (s.starts_with("http://")) {
    rest = std::string_view(s).substr(7);
  } else if (s.starts_with("https://")) {
    rest = std::string_view(s).substr(8);
  } else {
    return "";
  }
  if (rest.empty()) return "";
  for (const char c : rest) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return "";
  }
  return s;
}

}  // namespace

CorsPolicy::CorsPolicy(const std::vector<std::string>& origins) {
  for (const auto& o : origins) {
    std::string n = normalised_origin(o);
    COBUY_CHECK(!n.empty(), ErrorCode::bad_request,
                "--allow-origin '" << o << "' is not an origin: expected http://HOST[:PORT] or https://HOST[:PORT], "
                                   << "with no path and no wildcard");
    origins_.push_back(std::move(n));
  }
}

bool CorsPolicy::allows(std::string_view origin) const {
  if (origin.empty()) return true;
  const std::string n = normalised_origin(origin);
  return !n.empty() && std::find(origins_.begin(), origins_.end(), n) != origins_.end();
}

std::vector<std::pair<std::string, std::string>> CorsPolicy::answer_headers(std::string_view origin) const {
  if (origin.empty()) return {};
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Vary", "Origin"},
          {"Access-Control-Expose-Headers", "X-Request-Id"}};
}

std::vector<std::pair<std::string, std::string>> CorsPolicy::preflight_headers(std::string_view origin,
                                                                               std::string_view methods) const {
  if (origin.empty()) return {};
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Vary", "Origin"},
          {"Access-Control-Allow-Methods", std::string(methods)},
          {"Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id"},
          {"Access-Control-Max-Age", "600"}};
}

std::optional<Refusal> CorsPolicy::refusal(std::string_view origin, bool reads_body,
                                           std::string_view content_type) const {
  if (!allows(origin)) {
    return Refusal{403, "forbidden",
                   "requests from origin '" + std::string(origin) + "' are not allowed (the server allows " +
                       (origins_.empty() ? "no browser origin; see --allow-origin" : "only its --allow-origin list") +
                       ")"};
  }
  if (reads_body && !is_json_media_type(content_type)) {
    return Refusal{415, "unsupported_media_type",
                   "the body must be sent with 'Content-Type: application/json'" +
                       (content_type.empty() ? std::string(" (the request has no Content-Type)")
                                             : ", not '" + std::string(content_type.substr(0, 80)) + "'")};
  }
  return std::nullopt;
}

bool trusted_same_origin(std::string_view origin, std::string_view host_header, bool has_keys) {
  if (origin.empty() || host_header.empty()) return false;
  const std::string n = normalised_origin(origin);
  const std::string host = lower(host_header);
  if (n != "http://" + host && n != "https://" + host) return false;
  if (has_keys) return true;
  // The host name without its port: "[::1]:8080" -> "[::1]", "127.0.0.1:8080" -> "127.0.0.1".
  std::string_view name = host;
  if (name.starts_with('[')) {
    name = name.substr(0, name.find(']') + 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  return is_loopback_host(name);
}

bool declares_body(std::string_view transfer_encoding, std::string_view content_length) {
  if (lower(transfer_encoding) == "chunked") return true;
  return !content_length.empty() && content_length != "0";
}

bool is_json_media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return lower(type) == "application/json";
}

}  // namespace cobuy
