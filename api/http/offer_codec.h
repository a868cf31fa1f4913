#pragma once
/// The JSON mapping of orders and offers (DESIGN.md "Offers"), shared by POST /v1/orders,
/// POST /v1/offers and `cobuy offers`, so the server and the batch command write the same objects.

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "core/offers.h"
#include "core/placed_order.h"

namespace cobuy {

/// Reads `{"order_id", "customer_id", "timestamp", "items": [{"item_id", "quantity", "price"}]}`.
/// Ids may be strings or integers; quantity defaults to 1; price and timestamp may be missing or
/// null; timestamp is an ISO-8601 date or date-time or integer Unix seconds. `field` prefixes the
/// names in error messages ("order.items[2].quantity"). Shape errors throw Error(bad_request);
/// values are checked by validate(PlacedOrder, ...), not here.
PlacedOrder placed_order_from_json(const nlohmann::json& j, std::string_view field = "");

/// Reads an offers request: `{"customer_id", "order": {...}, "context", "at", "limit", "filters",
/// "exclude"}`. context defaults to order_confirmation; limit to the policy's (0 here).
OfferRequest offer_request_from_json(const nlohmann::json& j);

/// Writes an offers answer: customer_id, context, at, segment, fallback, offers (each with the item
/// fields of a recommendation plus kind, offer_id, and discount_percent/valid_until when discounted,
/// interval_days/days_since for a replenishment), unknown_items and unknown_customer when set.
nlohmann::json offer_result_to_json(const Model& model, const OfferResult& result);

/// What the offer engine derived from the model: the segment thresholds in use and how many
/// items have a repurchase interval (shown by GET /v1/model under "offers").
nlohmann::json offer_engine_json(const OfferEngine& engine);

}  // namespace cobuy
