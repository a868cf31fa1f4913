#pragma once
/// The handlers of POST /v1/offers and POST /v1/orders, apart from HTTP: a parsed JSON body in,
/// a status and JSON body out. The business rules are core's (OfferEngine); this file joins the
/// engine with the order log.

#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/offers.h"
#include "core/time_util.h"

namespace cobuy {

class OrderStore;

/// What an offers request needs from the order log (`store` may be null: no log): the
/// customer's logged orders the model does not hold (model_holds_order: by order id, whatever
/// their time), and their earlier offers; for an erased customer only `erased`.
CustomerLog customer_log(const OrderStore* store, const Model& model, const std::string& customer_id);

/// Checks the times of an offers request seen at `now`: order.timestamp must lie in
/// order_time_range (1990 up to `max_clock_skew` seconds ahead of the clock), `at` in
/// moment_time_range (the same plus a year ahead, for planned campaigns). Throws
/// Error(bad_request) naming the field.
void check_offer_times(const OfferRequest& request, Timestamp now, Timestamp max_clock_skew);

/// POST /v1/offers: the offers for `body` (an offers request, see api/http/offer_codec.h). With a
/// store, the offers shown are logged for the re-offer rule, unless the body says "preview": true.
/// With a "send_id" (the email's id) the answer is stored under it, and every later request with
/// that id gets the stored answer, preview or not, without logging anything again; a preview
/// with a new send id stores nothing. Throws Error(bad_request) naming the field for a bad request
/// (times: check_offer_times), for "record" (replaced by "preview"), and for a send id answered
/// for another customer or context; Error(unavailable) for a send id without a store. An erased
/// customer is answered as one the model does not know, and nothing is logged or stored for them.
nlohmann::json answer_offers(const OfferEngine& engine, OrderStore* store, const nlohmann::json& body,
                             Timestamp max_clock_skew = kDefaultMaxClockSkew);

/// POST /v1/orders: records the order of `body` durably; 201 with {"order_id", "status":
/// "recorded"}, or 200 with status "duplicate" for an identical order already recorded. Throws
/// Error(unavailable) without a store, Error(bad_request) for a malformed or conflicting order,
/// or one whose timestamp is before 1990 or more than `max_clock_skew` seconds ahead of the clock.
std::pair<int, nlohmann::json> answer_order(OrderStore* store, const nlohmann::json& body,
                                            Timestamp max_clock_skew = kDefaultMaxClockSkew);

}  // namespace cobuy
