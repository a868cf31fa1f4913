#include "core/placed_order.h"

#include <cmath>
#include <unordered_set>

#include "core/error.h"

namespace cobuy {
namespace {
constexpr std::size_t kMaxIdBytes = 256;
}  // namespace

double PlacedOrder::value() const {
  double v = 0;
  for (const auto& l : lines) {
    if (l.price) v += l.quantity * *l.price;
  }
  return v;
}

void validate(const PlacedOrder& o, bool need_customer, bool need_time) {
  COBUY_CHECK(!o.order_id.empty(), ErrorCode::bad_request, "field 'order_id' is missing or empty");
  COBUY_CHECK(o.order_id.size() <= kMaxIdBytes, ErrorCode::bad_request,
              "field 'order_id' is " << o.order_id.size() << " bytes long, at most " << kMaxIdBytes << " are allowed");
  COBUY_CHECK(!need_customer || !o.customer_id.empty(), ErrorCode::bad_request,
              "field 'customer_id' is missing or empty");
  COBUY_CHECK(o.customer_id.size() <= kMaxIdBytes, ErrorCode::bad_request,
              "field 'customer_id' is " << o.customer_id.size() << " bytes long, at most " << kMaxIdBytes
                                        << " are allowed");
  COBUY_CHECK(!need_time || o.time != kNoTime, ErrorCode::bad_request, "field 'timestamp' is missing");
  COBUY_CHECK(!o.lines.empty(), ErrorCode::bad_request, "order '" << o.order_id << "' has no items");
  COBUY_CHECK(o.lines.size() <= kMaxPlacedOrderLines, ErrorCode::bad_request,
              "order '" << o.order_id << "' has " << o.lines.size() << " items, at most " << kMaxPlacedOrderLines
                        << " are allowed");
  std::unordered_set<std::string> seen;
  for (std::size_t k = 0; k < o.lines.size(); ++k) {
    const auto& l = o.lines[k];
    COBUY_CHECK(!l.item_id.empty(), ErrorCode::bad_request, "items[" << k << "].item_id is missing or empty");
    COBUY_CHECK(l.item_id.size() <= kMaxIdBytes, ErrorCode::bad_request,
                "items[" << k << "].item_id is over " << kMaxIdBytes << " bytes");
    COBUY_CHECK(std::isfinite(l.quantity) && l.quantity > 0, ErrorCode::bad_request,
                "items[" << k << "].quantity must be a number > 0, got " << l.quantity);
    COBUY_CHECK(!l.price || (std::isfinite(*l.price) && *l.price >= 0), ErrorCode::bad_request,
                "items[" << k << "].price must be a number >= 0, got " << *l.price);
    COBUY_CHECK(seen.insert(l.item_id).second, ErrorCode::bad_request,
                "items[" << k << "]: item '" << l.item_id << "' appears twice in order '" << o.order_id << "'");
  }
}

}  // namespace cobuy
