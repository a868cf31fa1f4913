#pragma once
/// Building PlacedOrder values in tests.

#include <string>
#include <utility>
#include <vector>

#include "core/placed_order.h"

namespace cobuy::testing {

/// An order of `customer` at `time` with `lines`.
inline PlacedOrder placed_order(const std::string& id, const std::string& customer, Timestamp time,
                                std::vector<PlacedOrderLine> lines) {
  return PlacedOrder{id, customer, time, std::move(lines)};
}

}  // namespace cobuy::testing
