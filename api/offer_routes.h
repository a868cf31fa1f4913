#pragma once
/// The handlers of POST /v1/offers and POST /v1/orders, apart from HTTP: a parsed JSON body in,
/// a status and JSON body out. The business rules are core's (OfferEngine); this file joins the
/// engine with the order log.

#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/offers.h"

namespace cobuy {

class OrderStore;

/// What an offers request needs from the order log (`store` may be null: no log): the
/// customer's orders recorded after the model's last order, and their earlier offers.
CustomerLog customer_log(const OrderStore* store, const Model& model, const std::string& customer_id);

/// POST /v1/offers: the offers for `body` (an offers request, see api/offer_codec.h). With a
/// store, the offers shown are logged for the re-offer rule, unless the body says "record": false.
/// Throws Error(bad_request) naming the field for a bad request.
nlohmann::json answer_offers(const OfferEngine& engine, OrderStore* store, const nlohmann::json& body);

/// POST /v1/orders: records the order of `body` durably; 201 with {"order_id", "status":
/// "recorded"}, or 200 with status "duplicate" for an identical order already recorded. Throws
/// Error(unavailable) without a store, Error(bad_request) for a malformed or conflicting order.
std::pair<int, nlohmann::json> answer_order(OrderStore* store, const nlohmann::json& body);

}  // namespace cobuy
