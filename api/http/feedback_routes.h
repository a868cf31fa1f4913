#pragma once
/// The handlers of the feedback loop, apart from HTTP: events of sent emails (POST /v1/events)
/// and the attribution report (GET /v1/stats/offers). The rules are the order log's
/// (api/store/order_store.h) and core's (core/offer_stats.h).

#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/offer_policy.h"
#include "core/time_util.h"

namespace cobuy {

class OrderStore;

/// POST /v1/events with {"send_id", "type": "sent" | "opened" | "clicked", "offer_id" (clicked:
/// required; else optional), "at" (optional ISO-8601 or Unix seconds; default now)}: 201 with
/// {"send_id", "offer_id", "type", "status": "recorded"}, or 200 with status "duplicate" for the
/// same event again. Throws Error(unavailable) without a store, Error(bad_request) naming the
/// field for a bad body (unknown fields included) or a time out of range, and as
/// OrderStore::record_event says (404 for an unknown send_id or offer_id).
std::pair<int, nlohmann::json> answer_event(OrderStore* store, const nlohmann::json& body, Timestamp max_clock_skew);

/// GET /v1/stats/offers[?from=&until=] (ISO-8601 or Unix seconds; the sends' time range, until
/// exclusive; default all): the attribution report (core/offer_stats.h, JSON by its to_json) under
/// `policy`'s attribution_days. Throws Error(unavailable) without a store, Error(bad_request)
/// naming a bad parameter.
nlohmann::json answer_offer_stats(const OrderStore* store, const OfferPolicy& policy,
                                  const std::multimap<std::string, std::string>& params);

}  // namespace cobuy
