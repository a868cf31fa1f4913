#pragma once
/// Browser-facing rules of the API. A page in any browser may send "simple" cross-site requests
/// (a form POST, text/plain, no preflight) to a server on loopback; so every body must be
/// declared JSON (which a page can only send after a CORS preflight), a request that names an
/// Origin is refused unless that origin is on the allow-list (`--allow-origin`), and allowed
/// origins get the CORS answers browsers need.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cobuy {

/// An answer that refuses a request: status, error code and message.
struct Refusal {
  int status = 0;
  std::string code;
  std::string message;
};

/// The origins allowed to call the API from a browser.
class CorsPolicy {
 public:
  CorsPolicy() = default;
  /// Throws Error(bad_request) for an entry that is not an origin ("http://host[:port]" or
  /// "https://..."; no path, no wildcard), naming it.
  explicit CorsPolicy(const std::vector<std::string>& origins);

  /// True when a request whose Origin header is `origin` may be served: no Origin header (""),
  /// or an origin on the list (scheme and host compared without regard to case).
  bool allows(std::string_view origin) const;
  const std::vector<std::string>& origins() const { return origins_; }

  /// Why a request is refused before its body is read: 403 `forbidden` for an origin off the
  /// list; 415 `unsupported_media_type` when its route would read a body (`reads_body`) that is
  /// not declared JSON. Nothing when it may be served.
  std::optional<Refusal> refusal(std::string_view origin, bool reads_body, std::string_view content_type) const;

  /// Headers for an answer to an allowed cross-origin request (none when `origin` is "").
  std::vector<std::pair<std::string, std::string>> answer_headers(std::string_view origin) const;
  /// Headers for a preflight (OPTIONS) answer on a route that allows `methods` ("GET, HEAD").
  std::vector<std::pair<std::string, std::string>> preflight_headers(std::string_view origin,
                                                                     std::string_view methods) const;

 private:
  std::vector<std::string> origins_;  ///< normalised: lower-case scheme and host
};

/// True when a request from a page with Origin `origin` comes from this server's own pages (the
/// dashboard, GET /ui) and may be served as if it named no origin: its origin is
/// "http(s)://" + the Host header, and either the server has API keys (the page then sends one, and
/// no other page can read it) or that host is a loopback name or address ("localhost",
/// 127.0.0.1, [::1]). The last condition keeps DNS rebinding out: a foreign name that resolves to
/// loopback has a foreign Host, so a keyless server still refuses it.
bool trusted_same_origin(std::string_view origin, std::string_view host_header, bool has_keys);

/// True when a request's headers declare a body: chunked, or a Content-Length other than 0.
bool declares_body(std::string_view transfer_encoding, std::string_view content_length);

/// True when a Content-Type header value names JSON: "application/json", any case, with or
/// without parameters such as "; charset=utf-8".
bool is_json_media_type(std::string_view content_type);

}  // namespace cobuy
