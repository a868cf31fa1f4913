#include "api/http/routes.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <random>
#include <utility>

namespace cobuy {
namespace {

constexpr std::size_t kMaxRequestIdChars = 64;

}  // namespace

std::string_view route_label(RouteId route) {
  switch (route) {
    case RouteId::healthz: return "/healthz";
    case RouteId::readyz: return "/readyz";
    case RouteId::model: return "/v1/model";
    case RouteId::constant: return "/v1/constant";
    case RouteId::recommendations: return "/v1/recommendations";
    case RouteId::offers: return "/v1/offers";
    case RouteId::orders: return "/v1/orders";
    case RouteId::bought_together: return "/v1/items/{item_id}/bought-together";
    case RouteId::similar: return "/v1/items/{item_id}/similar";
    case RouteId::metrics: return "/metrics";
    case RouteId::reload: return "/v1/admin/reload";
    case RouteId::openapi: return "/openapi.json";
    case RouteId::unmatched: return "unmatched";
  }
  return "unmatched";
}

// The whole routing table. Routing is done here rather than by httplib's std::regex patterns: it
// costs about a microsecond per request there, and one table gives 405s for known paths.
std::optional<Route> match_route(std::string_view path) {
  struct Fixed {
    std::string_view path;
    RouteId id;
    bool post;
  };
  static constexpr Fixed kFixed[] = {
      {"/healthz", RouteId::healthz, false},
      {"/readyz", RouteId::readyz, false},
      {"/v1/model", RouteId::model, false},
      {"/v1/constant", RouteId::constant, false},
      {"/v1/recommendations", RouteId::recommendations, true},
      {"/v1/offers", RouteId::offers, true},
      {"/v1/orders", RouteId::orders, true},
      {"/metrics", RouteId::metrics, false},
      {"/v1/admin/reload", RouteId::reload, true},
      {"/openapi.json", RouteId::openapi, false},
  };
  for (const auto& f : kFixed) {
    if (path == f.path) return Route{f.id, f.post, {}};
  }
  constexpr std::string_view kItems = "/v1/items/";
  if (!path.starts_with(kItems)) return std::nullopt;
  // httplib has already percent-decoded the path, so an id may hold '/': match the suffix.
  const auto rest = path.substr(kItems.size());
  for (const auto& [suffix, id] : {std::pair{std::string_view("/bought-together"), RouteId::bought_together},
                                   std::pair{std::string_view("/similar"), RouteId::similar}}) {
    if (rest.size() > suffix.size() && rest.ends_with(suffix)) {
      return Route{id, false, rest.substr(0, rest.size() - suffix.size())};
    }
  }
  return std::nullopt;
}

std::string request_id(const std::string& given) {
  const bool sane = !given.empty() && given.size() <= kMaxRequestIdChars &&
                    std::all_of(given.begin(), given.end(), [](unsigned char c) {
                      return std::isalnum(c) != 0 || c == '.' || c == '_' || c == ':' || c == '-';
                    });
  if (sane) return given;
  // A random per-process prefix keeps ids of restarted or replicated servers apart.
  static const std::uint32_t prefix = std::random_device{}();
  static std::atomic<std::uint64_t> next{0};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08x-%012llx", prefix,
                static_cast<unsigned long long>(next.fetch_add(1, std::memory_order_relaxed)));
  return buf;
}

}  // namespace cobuy
