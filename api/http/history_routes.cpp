#include "api/http/history_routes.h"

#include "api/http/json_fields.h"
#include "api/http/offer_codec.h"
#include "api/store/order_store.h"
#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

OrderStore& need_store(OrderStore* store) {
  COBUY_CHECK(store, ErrorCode::unavailable,
              "this server keeps no order log: start `cobuy serve` with --orders-db PATH to change order history");
  return *store;
}

}  // namespace

std::pair<int, json> answer_cancel(OrderStore* store, std::string_view order_id) {
  const auto result = need_store(store).cancel_order(order_id);
  return {200, json{{"order_id", order_id},
                    {"status", result == CancelResult::cancelled ? "cancelled" : "already_cancelled"}}};
}

std::pair<int, json> answer_return(OrderStore* store, std::string_view order_id, const json& body) {
  OrderStore& log = need_store(store);
  COBUY_CHECK(body.is_object(), ErrorCode::bad_request, "a return must be a JSON object, got " << json_fields::shown(body));
  // The items are read as an order's lines are (ids, quantity defaulting to 1).
  const PlacedOrder items = placed_order_from_json(body);
  COBUY_CHECK(items.order_id.empty() || items.order_id == order_id, ErrorCode::bad_request,
              "field 'order_id' is '" << items.order_id << "', but the path names order '" << order_id << "'");
  const auto id = body.find("return_id");
  if (id == body.end() || id->is_null()) json_fields::bad_field("return_id", "a string or an integer", json());
  const OrderReturn r{std::string(order_id), json_fields::id_text(*id, "return_id"), items.lines};
  const bool fresh = log.record_return(r) == RecordResult::recorded;
  return {fresh ? 201 : 200,
          json{{"order_id", order_id}, {"return_id", r.return_id}, {"status", fresh ? "recorded" : "duplicate"}}};
}

std::pair<int, json> answer_erase(OrderStore* store, std::string_view customer_id) {
  const Erasure e = need_store(store).erase_customer(customer_id);
  return {200, json{{"customer_id", customer_id},
                    {"status", e.already_erased ? "already_erased" : "erased"},
                    {"deleted", {{"orders", e.orders}, {"offers", e.offers}, {"sends", e.sends}, {"events", e.events}}}}};
}

bool erased_customer(const OrderStore* store, const std::optional<std::string>& customer_id) {
  return store && customer_id && store->is_erased(*customer_id);
}

}  // namespace cobuy
