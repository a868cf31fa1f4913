#pragma once
/// The handlers of changes to history, apart from HTTP: cancelling an order, returning items of
/// one, erasing a customer on request. Each takes the path's id (and a parsed body) and gives a
/// status and JSON body; the rules are the order log's (api/store/order_store.h).

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace cobuy {

class OrderStore;

/// POST /v1/orders/{order_id}/cancel: 200 with {"order_id", "status": "cancelled"}, or status
/// "already_cancelled" when it was. Throws Error(unavailable) without a store, Error(not_found)
/// naming the id for an order the log does not have.
std::pair<int, nlohmann::json> answer_cancel(OrderStore* store, std::string_view order_id);

/// POST /v1/orders/{order_id}/returns with {"return_id", "items": [{"item_id", "quantity"}]}
/// (quantity defaults to 1): 201 with {"order_id", "return_id", "status": "recorded"}, or 200 with
/// status "duplicate" for the same return again. Throws as OrderStore::record_return says, and
/// Error(bad_request) for a body whose order_id is another order's.
std::pair<int, nlohmann::json> answer_return(OrderStore* store, std::string_view order_id, const nlohmann::json& body);

/// DELETE /v1/customers/{customer_id}: erases the customer (OrderStore::erase_customer); 200 with
/// {"customer_id", "status": "erased" | "already_erased", "deleted": {"orders", "offers", "sends"}}.
/// Throws Error(unavailable) without a store.
std::pair<int, nlohmann::json> answer_erase(OrderStore* store, std::string_view customer_id);

/// Whether `customer_id` names a customer erased from `store` (false without either), whom
/// answers treat as a customer the model does not know.
bool erased_customer(const OrderStore* store, const std::optional<std::string>& customer_id);

}  // namespace cobuy
