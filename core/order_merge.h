#pragma once
/// Adds placed orders (the order log's rows) to cleaned order history, so training sees orders
/// recorded through the API beside those read from files.

#include <cstddef>
#include <functional>
#include <vector>

#include "core/order_data.h"
#include "core/placed_order.h"

namespace cobuy {

/// Appends `orders` to `data` and returns how many were added. An order is skipped when its
/// order_id is already in `data` (or earlier in `orders`) or when it has no lines. New items are
/// added to data.catalog, new customers to data.customer_ids ("" = no customer). Lines of one
/// item are merged (quantities summed, last price), as ingestion does; a line without a price
/// gets NaN, and a positive line price fills the catalogue price of an item that has none.
/// `data.orders` must be sorted by time and stays so; among equal times, orders already in
/// `data` come first, then the added ones in the order given.
std::size_t merge_placed_orders(OrderData& data, const std::vector<PlacedOrder>& orders);

/// Removes from `data` the orders `drop` says to, and returns how many it removed. Customers left
/// without orders leave data.customer_ids too (the others are renumbered, in their order), so a
/// model trained on `data` does not know them. The catalogue is kept whole; orders stay sorted.
std::size_t drop_orders(OrderData& data, const std::function<bool(const Order&)>& drop);

}  // namespace cobuy
