#pragma once
/// The routing table of the server and the identity of a request (X-Request-Id), apart from
/// httplib so that metrics and tests can name routes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cobuy {

/// Every route the server knows, plus `unmatched` for paths it does not.
enum class RouteId : std::uint8_t {
  healthz,
  readyz,
  model,
  constant,
  recommendations,
  offers,
  orders,
  cancel_order,
  order_returns,
  erase_customer,
  events,
  offer_stats,
  bought_together,
  similar,
  metrics,
  reload,
  openapi,
  shop_stats,
  dashboard,
  dashboard_asset,
  unmatched,
};
inline constexpr std::size_t kRouteCount = static_cast<std::size_t>(RouteId::unmatched) + 1;

/// The `route` label of a route: its path pattern ("/v1/items/{item_id}/bought-together").
std::string_view route_label(RouteId route);

/// The method a route takes.
enum class Method : std::uint8_t {
  get,   ///< GET, and HEAD
  post,  ///< POST
  del,   ///< DELETE
};

/// "GET", "POST" or "DELETE".
std::string_view method_name(Method method);

/// A matched route.
struct Route {
  RouteId id;
  Method method = Method::get;
  /// The id in the path: {item_id}, {order_id}, {customer_id} or {asset}; "" for fixed paths. Points into
  /// the request path.
  std::string_view path_id;
};

/// The route of a percent-decoded path, or nullopt for an unknown path. The method is not
/// checked (Route::method says which one the route takes).
std::optional<Route> match_route(std::string_view path);

/// The id of a request: `given` (the X-Request-Id header) when it is a sane token (letters,
/// digits and "._:-", 1 to 64 characters), else a new id unique in this process.
std::string request_id(const std::string& given);

}  // namespace cobuy
