#include "api/store/order_store.h"

#include <algorithm>

#include "api/store/postgres_order_store.h"
#include "api/store/sqlite_order_store.h"
#include "core/error.h"

namespace cobuy {

bool OrderStore::is_postgres(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string OrderStore::redacted(std::string_view location) {
  return is_postgres(location) ? PostgresOrderStore::redacted(location) : std::string(location);
}

std::unique_ptr<OrderStore> OrderStore::open(const std::string& location) {
  if (is_postgres(location)) return PostgresOrderStore::open(location);
  return SqliteOrderStore::open(location);
}

RecordResult OrderStore::record_order(const PlacedOrder& order) {
  validate(order, true, true);
  return insert_order(order);
}

void OrderStore::record_offers(std::string_view customer_id,
                               const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                               std::string_view context, Timestamp at) {
  COBUY_CHECK(!customer_id.empty(), ErrorCode::bad_request, "field 'customer_id' is missing or empty");
  COBUY_CHECK(at != kNoTime, ErrorCode::bad_request, "the time of the offers is missing");
  for (std::size_t k = 0; k < item_and_offer_ids.size(); ++k) {
    COBUY_CHECK(!item_and_offer_ids[k].first.empty(), ErrorCode::bad_request,
                "offers[" << k << "].item_id is missing or empty");
  }
  if (!item_and_offer_ids.empty()) insert_offers(customer_id, item_and_offer_ids, context, at);
}

std::optional<OrderStore::Send> OrderStore::record_send(
    const Send& send, const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids) {
  COBUY_CHECK(!send.send_id.empty(), ErrorCode::bad_request, "field 'send_id' is empty");
  COBUY_CHECK(send.at != kNoTime, ErrorCode::bad_request, "the time of the offers is missing");
  for (std::size_t k = 0; k < item_and_offer_ids.size(); ++k) {
    COBUY_CHECK(!item_and_offer_ids[k].first.empty(), ErrorCode::bad_request,
                "offers[" << k << "].item_id is missing or empty");
  }
  static const std::vector<std::pair<std::string, std::string>> kNone;
  return insert_send(send, send.customer_id.empty() ? kNone : item_and_offer_ids);
}

bool OrderStore::same_contents(const PlacedOrder& a, const PlacedOrder& b) {
  if (a.customer_id != b.customer_id || a.time != b.time || a.lines.size() != b.lines.size()) return false;
  auto sorted = [](std::vector<PlacedOrderLine> lines) {
    std::sort(lines.begin(), lines.end(), [](const auto& x, const auto& y) { return x.item_id < y.item_id; });
    return lines;
  };
  const auto x = sorted(a.lines), y = sorted(b.lines);
  return std::equal(x.begin(), x.end(), y.begin(), [](const auto& l, const auto& r) {
    return l.item_id == r.item_id && l.quantity == r.quantity && l.price == r.price;
  });
}

RecordResult OrderStore::duplicate_of(const PlacedOrder& stored, const PlacedOrder& order) {
  COBUY_CHECK(same_contents(stored, order), ErrorCode::bad_request,
              "order '" << order.order_id << "' was already recorded with different contents");
  return RecordResult::duplicate;
}

}  // namespace cobuy
