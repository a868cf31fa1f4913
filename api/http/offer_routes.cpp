#include "api/http/offer_routes.h"

#include <limits>

#include "api/http/offer_codec.h"
#include "api/store/order_store.h"
#include "core/customer_profile.h"
#include "core/error.h"
#include "core/time_util.h"

namespace cobuy {

using nlohmann::json;

CustomerLog customer_log(const OrderStore* store, const Model& model, const std::string& customer_id) {
  CustomerLog log;
  if (!store || customer_id.empty()) return log;
  // By id, not by time: a late export or a back-office entry may be dated before the model's
  // last order and still be news to it.
  log.orders = store->customer_orders(customer_id, [&](std::string_view order_id, Timestamp time) {
    return !model_holds_order(model, customer_id, order_id, time);
  });
  // The engine keeps only offers inside the re-offer window of its reference time, which it
  // decides; one customer's offer log is short, so read it whole.
  log.offered = store->offered_since(customer_id, std::numeric_limits<Timestamp>::min() + 1);
  return log;
}

void check_offer_times(const OfferRequest& request, Timestamp now, Timestamp max_clock_skew) {
  if (request.order) check_time_in_range("order.timestamp", request.order->time, order_time_range(now, max_clock_skew));
  if (request.at) check_time_in_range("at", *request.at, moment_time_range(now, max_clock_skew));
}

json answer_offers(const OfferEngine& engine, OrderStore* store, const json& body, Timestamp max_clock_skew) {
  const OfferRequest request = offer_request_from_json(body);
  check_offer_times(request, unix_now(), max_clock_skew);
  bool record = true;
  if (auto it = body.find("record"); it != body.end() && !it->is_null()) {
    COBUY_CHECK(it->is_boolean(), ErrorCode::bad_request, "field 'record' must be true or false");
    record = it->get<bool>();
  }
  const OfferResult result = engine.offers(request, customer_log(store, engine.model(), request.customer_id));
  if (store && record && !request.customer_id.empty() && !result.offers.empty()) {
    std::vector<std::pair<std::string, std::string>> shown;
    for (const auto& o : result.offers) shown.emplace_back(engine.model().catalog.ids[o.item], o.offer_id);
    store->record_offers(request.customer_id, shown, offer_context_name(request.context), result.at);
  }
  return offer_result_to_json(engine.model(), result);
}

std::pair<int, json> answer_order(OrderStore* store, const json& body, Timestamp max_clock_skew) {
  COBUY_CHECK(store, ErrorCode::unavailable,
              "this server keeps no order log: start `cobuy serve` with --orders-db PATH to record orders");
  const PlacedOrder order = placed_order_from_json(body);
  check_time_in_range("timestamp", order.time, order_time_range(unix_now(), max_clock_skew));
  const auto result = store->record_order(order);
  const bool fresh = result == RecordResult::recorded;
  return {fresh ? 201 : 200, json{{"order_id", order.order_id}, {"status", fresh ? "recorded" : "duplicate"}}};
}

}  // namespace cobuy
