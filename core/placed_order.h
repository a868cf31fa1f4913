#pragma once
/// An order as a shop reports it: POST /v1/orders, the order in an offers request, a row of the
/// order log. It names items and the customer by their ids (the model may not know them yet).

#include <optional>
#include <string>
#include <vector>

#include "core/order_data.h"

namespace cobuy {

/// One line of a placed order.
struct PlacedOrderLine {
  std::string item_id;
  double quantity = 1.0;         ///< > 0
  std::optional<double> price;   ///< unit price (>= 0) when the shop gives one
};

/// An order placed by a customer.
struct PlacedOrder {
  std::string order_id;
  std::string customer_id;       ///< "" = anonymous (allowed in an offers request, not in the log)
  Timestamp time = kNoTime;      ///< Unix seconds UTC; kNoTime when not given
  std::vector<PlacedOrderLine> lines;

  /// Sum of quantity x price over lines with a price.
  double value() const;
};

/// Most lines one placed order may hold.
inline constexpr std::size_t kMaxPlacedOrderLines = 10000;

/// Checks an order before it is used or recorded; throws Error(bad_request) naming the field:
/// empty or over-long ids (> 256 bytes), no lines, more than kMaxPlacedOrderLines lines, an empty
/// item id, a quantity that is not a finite number > 0, a price that is not finite or < 0, the
/// same item twice. `need_customer` and `need_time` make customer_id and time required.
void validate(const PlacedOrder& order, bool need_customer, bool need_time);

}  // namespace cobuy
