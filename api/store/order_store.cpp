#include "api/store/order_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "api/store/postgres_order_store.h"
#include "api/store/sqlite_order_store.h"
#include "core/error.h"
#include "core/time_util.h"

#include <nlohmann/json.hpp>

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

namespace {

// A line returned in full may keep a rounding crumb of its quantity.
constexpr double kNoQuantity = 1e-9;

}  // namespace

RecordResult OrderStore::record_order(const PlacedOrder& order) {
  validate(order, true, true);
  // An order racing an erasure of its customer may still slip in; training drops erased
  // customers' orders from the log as well (api/cli/training_run.cpp).
  COBUY_CHECK(!is_erased(order.customer_id), ErrorCode::bad_request,
              "customer '" << order.customer_id
                           << "' was erased on request: the order log records nothing more of them");
  return insert_order(order);
}

CancelResult OrderStore::cancel_order(std::string_view order_id) {
  COBUY_CHECK(!order_id.empty(), ErrorCode::bad_request, "the order id is empty");
  return mark_cancelled(order_id);
}

RecordResult OrderStore::record_return(const OrderReturn& r) {
  COBUY_CHECK(!r.return_id.empty(), ErrorCode::bad_request, "field 'return_id' is missing or empty");
  COBUY_CHECK(r.return_id.size() <= 256, ErrorCode::bad_request, "field 'return_id' is over 256 bytes");
  // A return's items are checked as an order's lines are: ids, quantities, no item twice.
  validate(PlacedOrder{r.order_id, "", kNoTime, r.items}, false, false);
  return insert_return(r);
}

Erasure OrderStore::erase_customer(std::string_view customer_id) {
  COBUY_CHECK(!customer_id.empty(), ErrorCode::bad_request, "the customer id is empty");
  return delete_customer(customer_id, customer_key(customer_id));
}

bool OrderStore::is_erased(std::string_view customer_id) const {
  return !customer_id.empty() && erased_key_known(customer_key(customer_id));
}

std::string OrderStore::customer_key(std::string_view customer_id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  const int ok = EVP_Digest(customer_id.data(), customer_id.size(), digest, &n, EVP_sha256(), nullptr);
  COBUY_ASSERT(ok == 1 && n == 32);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (unsigned int k = 0; k < n; ++k) {
    key += kHex[digest[k] >> 4];
    key += kHex[digest[k] & 15];
  }
  return key;
}

RecordResult OrderStore::check_return(const PlacedOrder& stored, bool cancelled, const std::vector<OrderReturn>& earlier,
                                      const OrderReturn& r) {
  std::map<std::string, double> returned;  // item -> quantity returned before
  for (const auto& e : earlier) {
    if (e.return_id == r.return_id) {
      const PlacedOrder a{r.order_id, "", kNoTime, e.items}, b{r.order_id, "", kNoTime, r.items};
      COBUY_CHECK(same_contents(a, b), ErrorCode::bad_request,
                  "return '" << r.return_id << "' of order '" << r.order_id
                             << "' was already recorded with other items");
      return RecordResult::duplicate;
    }
    for (const auto& l : e.items) returned[l.item_id] += l.quantity;
  }
  COBUY_CHECK(!cancelled, ErrorCode::bad_request, "order '" << r.order_id << "' is cancelled: nothing of it can be returned");
  for (std::size_t k = 0; k < r.items.size(); ++k) {
    const auto& item = r.items[k];
    const auto line = std::find_if(stored.lines.begin(), stored.lines.end(),
                                   [&](const auto& l) { return l.item_id == item.item_id; });
    COBUY_CHECK(line != stored.lines.end(), ErrorCode::bad_request,
                "items[" << k << "]: item '" << item.item_id << "' is not on order '" << r.order_id << "'");
    const double total = returned[item.item_id] + item.quantity;
    COBUY_CHECK(total <= line->quantity + kNoQuantity, ErrorCode::bad_request,
                "items[" << k << "]: returning " << item.quantity << " of item '" << item.item_id << "' makes "
                         << total << " returned, but order '" << r.order_id << "' has " << line->quantity);
  }
  return RecordResult::recorded;
}

void OrderStore::drop_returned(std::vector<PlacedOrder>& orders) {
  for (auto& o : orders) {
    std::erase_if(o.lines, [](const auto& l) { return l.quantity <= kNoQuantity; });
  }
  std::erase_if(orders, [](const auto& o) { return o.lines.empty(); });
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

std::uint64_t OrderStore::import_coupon_codes(std::string_view pool, const std::vector<std::string>& codes) {
  COBUY_CHECK(!pool.empty(), ErrorCode::bad_request, "the coupon pool's name is empty");
  for (const auto& code : codes) {
    COBUY_CHECK(!code.empty(), ErrorCode::bad_request, "coupon pool '" << pool << "': a code is empty");
  }
  return codes.empty() ? 0 : insert_coupon_codes(pool, codes, unix_now());
}

std::vector<std::optional<std::string>> OrderStore::claim_coupon_codes(const std::vector<CouponClaim>& claims,
                                                                       std::string_view send_id) {
  for (std::size_t k = 0; k < claims.size(); ++k) {
    COBUY_CHECK(!claims[k].pool.empty(), ErrorCode::bad_request, "coupon claim " << k << " names no pool");
  }
  if (claims.empty()) return {};
  return take_coupon_codes(claims, send_id, unix_now());
}

std::uint64_t OrderStore::release_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id) {
  return codes.empty() ? 0 : return_coupon_codes(codes, send_id);
}

RecordResult OrderStore::record_event(const OfferEvent& event) {
  COBUY_CHECK(!event.send_id.empty(), ErrorCode::bad_request, "field 'send_id' is missing or empty");
  COBUY_CHECK(event.type != OfferEventType::clicked || !event.offer_id.empty(), ErrorCode::bad_request,
              "field 'offer_id' is missing: a clicked event names the offer clicked");
  const auto send = find_send(event.send_id);
  COBUY_CHECK(send, ErrorCode::not_found,
              "unknown send_id '" << event.send_id << "': the order log holds no send under it (POST /v1/offers "
                                  << "with this send_id first; a preview is not logged)");
  if (!event.offer_id.empty()) {
    const auto answer = nlohmann::json::parse(send->answer, nullptr, false);
    bool found = false;
    if (answer.is_object() && answer.contains("offers") && answer["offers"].is_array()) {
      for (const auto& o : answer["offers"]) {
        if (o.is_object() && o.value("offer_id", std::string()) == event.offer_id) found = true;
      }
    }
    COBUY_CHECK(found, ErrorCode::not_found,
                "unknown offer_id '" << event.offer_id << "': send '" << event.send_id << "' offered no such offer");
  }
  OfferEvent e = event;
  e.customer_id = send->customer_id;
  return insert_event(e, unix_now());
}

RecordResult OrderStore::event_duplicate_of(Timestamp stored_at, const OfferEvent& event) {
  COBUY_CHECK(event.at == kNoTime || event.at == stored_at, ErrorCode::bad_request,
              "event '" << offer_event_type_name(event.type) << "' of send '" << event.send_id << "'"
                        << (event.offer_id.empty() ? std::string() : ", offer '" + event.offer_id + "'")
                        << " was already recorded at " << format_timestamp(stored_at) << ", not at "
                        << format_timestamp(event.at));
  return RecordResult::duplicate;
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
