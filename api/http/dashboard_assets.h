#pragma once
/// The dashboard's static files (api/http/dashboard/), built into the binary and served at GET /ui
/// (the page) and GET /ui/{asset} (its script and style), with the headers they need.

#include <optional>
#include <string_view>

namespace cobuy {

/// One built-in file.
struct DashboardAsset {
  std::string_view body;
  std::string_view content_type;  ///< "text/html; charset=utf-8", ...
};

/// The file `name` ("" = the page, "dashboard.js", "dashboard.css"), or nullopt for another name.
std::optional<DashboardAsset> dashboard_asset(std::string_view name);

/// The Content-Security-Policy of every dashboard answer: scripts, styles and API calls from this
/// server only, nothing framed or embedded; images also from http(s) (the shop's product images in
/// the email preview, as an email shows them; the page works without them).
inline constexpr std::string_view kDashboardCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data: https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace cobuy
