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
    case RouteId::cancel_order: return "/v1/orders/{order_id}/cancel";
    case RouteId::order_returns: return "/v1/orders/{order_id}/returns";
    case RouteId::erase_customer: return "/v1/customers/{customer_id}";
    case RouteId::events: return "/v1/events";
    case RouteId::offer_stats: return "/v1/stats/offers";
    case RouteId::bought_together: return "/v1/items/{item_id}/bought-together";
    case RouteId::similar: return "/v1/items/{item_id}/similar";
    case RouteId::metrics: return "/metrics";
    case RouteId::reload: return "/v1/admin/reload";
    case RouteId::openapi: return "/openapi.json";
    case RouteId::shop_stats: return "/v1/stats/shop";
    case RouteId::dashboard: return "/ui";
    case RouteId::dashboard_asset: return "/ui/{asset}";
    case RouteId::unmatched: return "unmatched";
  }
  return "unmatched";
}

std::string_view method_name(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::post: return "POST";
    case Method::del: return "DELETE";
  }
  return "GET";
}

// The whole routing table. Routing is done here rather than by httplib's std::regex patterns: it
// costs about a microsecond per request there, and one table gives 405s for known paths.
std::optional<Route> match_route(std::string_view path) {
  struct Fixed {
    std::string_view path;
    RouteId id;
    Method method;
  };
  static constexpr Fixed kFixed[] = {
      {"/healthz", RouteId::healthz, Method::get},
      {"/readyz", RouteId::readyz, Method::get},
      {"/v1/model", RouteId::model, Method::get},
      {"/v1/constant", RouteId::constant, Method::get},
      {"/v1/recommendations", RouteId::recommendations, Method::post},
      {"/v1/offers", RouteId::offers, Method::post},
      {"/v1/orders", RouteId::orders, Method::post},
      {"/v1/events", RouteId::events, Method::post},
      {"/v1/stats/offers", RouteId::offer_stats, Method::get},
      {"/metrics", RouteId::metrics, Method::get},
      {"/v1/admin/reload", RouteId::reload, Method::post},
      {"/openapi.json", RouteId::openapi, Method::get},
      {"/v1/stats/shop", RouteId::shop_stats, Method::get},
      {"/ui", RouteId::dashboard, Method::get},
  };
  for (const auto& f : kFixed) {
    if (path == f.path) return Route{f.id, f.method, {}};
  }
  // Paths with an id: /PREFIX{id}SUFFIX. httplib has already percent-decoded the path, so an id
  // may hold '/': match the prefix and the suffix, and take what lies between.
  struct WithId {
    std::string_view prefix, suffix;
    RouteId id;
    Method method;
  };
  static constexpr WithId kWithId[] = {
      {"/v1/items/", "/bought-together", RouteId::bought_together, Method::get},
      {"/v1/items/", "/similar", RouteId::similar, Method::get},
      {"/v1/orders/", "/cancel", RouteId::cancel_order, Method::post},
      {"/v1/orders/", "/returns", RouteId::order_returns, Method::post},
      {"/v1/customers/", "", RouteId::erase_customer, Method::del},
      {"/ui/", "", RouteId::dashboard_asset, Method::get},
  };
  for (const auto& w : kWithId) {
    if (path.size() > w.prefix.size() + w.suffix.size() && path.starts_with(w.prefix) && path.ends_with(w.suffix)) {
      return Route{w.id, w.method, path.substr(w.prefix.size(), path.size() - w.prefix.size() - w.suffix.size())};
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
