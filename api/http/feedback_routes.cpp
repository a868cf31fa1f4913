#include "api/http/feedback_routes.h"

#include <limits>

#include "api/http/json_fields.h"
#include "api/store/offer_stats_reader.h"
#include "api/store/order_store.h"
#include "core/error.h"

namespace cobuy {

using nlohmann::json;
using namespace json_fields;

namespace {

/// The query parameter `name` as a time, or `fallback` when absent.
Timestamp time_param(const std::multimap<std::string, std::string>& params, const std::string& name,
                     Timestamp fallback) {
  const auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return fallback;
  const std::string& text = it->second;
  const bool digits = text.find_first_not_of("0123456789") == std::string::npos;
  // Unix seconds as a number; anything else as an ISO-8601 text.
  return timestamp(digits && text.size() < 19 ? json(std::stoll(text)) : json(text), name);
}

}  // namespace

std::pair<int, json> answer_event(OrderStore* store, const json& body, Timestamp max_clock_skew) {
  COBUY_CHECK(store, ErrorCode::unavailable,
              "this server keeps no order log: start `cobuy serve` with --orders-db PATH to record events");
  COBUY_CHECK(body.is_object(), ErrorCode::bad_request, "an event must be a JSON object, got " << shown(body));
  for (const auto& [key, value] : body.items()) {
    COBUY_CHECK(key == "send_id" || key == "offer_id" || key == "type" || key == "at", ErrorCode::bad_request,
                "unknown field '" << key << "' (an event has send_id, offer_id, type, at)");
  }
  OfferEvent e;
  const auto send = body.find("send_id");
  if (send == body.end() || send->is_null()) bad_field("send_id", "the send_id of POST /v1/offers", json());
  e.send_id = id_text(*send, "send_id");
  if (auto it = body.find("offer_id"); it != body.end() && !it->is_null()) e.offer_id = id_text(*it, "offer_id");
  const auto type = body.find("type");
  if (type == body.end() || !type->is_string()) {
    bad_field("type", "\"sent\", \"opened\" or \"clicked\"", type == body.end() ? json() : *type);
  }
  e.type = parse_offer_event_type("type", type->get_ref<const std::string&>());
  if (auto it = body.find("at"); it != body.end() && !it->is_null()) {
    e.at = timestamp(*it, "at");
    check_time_in_range("at", e.at, moment_time_range(unix_now(), max_clock_skew));
  }
  const bool fresh = store->record_event(e) == RecordResult::recorded;
  return {fresh ? 201 : 200, json{{"send_id", e.send_id},
                                  {"offer_id", e.offer_id.empty() ? json() : json(e.offer_id)},
                                  {"type", offer_event_type_name(e.type)},
                                  {"status", fresh ? "recorded" : "duplicate"}}};
}

json answer_offer_stats(const OrderStore* store, const OfferPolicy& policy,
                        const std::multimap<std::string, std::string>& params) {
  COBUY_CHECK(store, ErrorCode::unavailable,
              "this server keeps no order log: start `cobuy serve` with --orders-db PATH to report on offers");
  for (const auto& [key, value] : params) {
    COBUY_CHECK(key == "from" || key == "until", ErrorCode::bad_request,
                "unknown parameter '" << key << "' (known: from, until)");
  }
  const Timestamp from = time_param(params, "from", std::numeric_limits<Timestamp>::min() + 1);
  const Timestamp until = time_param(params, "until", std::numeric_limits<Timestamp>::max() / 2);
  COBUY_CHECK(until > from, ErrorCode::bad_request, "parameter 'until' must be after 'from'");
  OfferStats stats = read_offer_stats(*store, policy.attribution_days, from, until);
  // An open end is reported as null.
  if (!params.count("from")) stats.from = kNoTime;
  if (!params.count("until")) stats.until = kNoTime;
  return stats;
}

}  // namespace cobuy
