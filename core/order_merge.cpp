#include "core/order_merge.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "core/error.h"

namespace cobuy {

std::size_t merge_placed_orders(OrderData& data, const std::vector<PlacedOrder>& orders) {
  // `order_ids` views the ids of data.orders: reserve first so appending never moves them (a
  // moved short std::string moves its characters).
  const std::size_t old_size = data.orders.size();
  data.orders.reserve(old_size + orders.size());
  std::unordered_set<std::string_view> order_ids;
  order_ids.reserve(old_size + orders.size());
  for (const auto& o : data.orders) order_ids.insert(o.id);
  StringIndexMap customers;
  customers.reserve(data.customer_ids.size());
  for (std::size_t c = 0; c < data.customer_ids.size(); ++c) {
    customers.emplace(data.customer_ids[c], static_cast<std::uint32_t>(c));
  }
  auto customer_index = [&](const std::string& id) -> CustomerIndex {
    if (id.empty()) return kNoCustomer;
    const auto [it, added] = customers.emplace(id, static_cast<std::uint32_t>(data.customer_ids.size()));
    if (added) data.customer_ids.push_back(id);
    return static_cast<CustomerIndex>(it->second);
  };

  for (const auto& p : orders) {
    if (p.lines.empty() || order_ids.contains(p.order_id)) continue;
    Order o;
    o.id = p.order_id;
    o.customer = customer_index(p.customer_id);
    o.time = p.time;
    o.lines.reserve(p.lines.size());
    for (const auto& pl : p.lines) {
      const ItemIndex item = data.catalog.add(pl.item_id);
      const float price = pl.price ? static_cast<float>(*pl.price) : std::nanf("");
      if (price > 0 && std::isnan(data.catalog.prices[item])) data.catalog.prices[item] = price;
      const auto same = std::find_if(o.lines.begin(), o.lines.end(), [&](const OrderLine& l) { return l.item == item; });
      if (same == o.lines.end()) {
        o.lines.push_back({item, static_cast<float>(pl.quantity), price});
      } else {
        same->quantity += static_cast<float>(pl.quantity);
        if (pl.price) same->price = price;
      }
    }
    data.orders.push_back(std::move(o));
    order_ids.insert(data.orders.back().id);
  }

  const auto by_time = [](const Order& a, const Order& b) { return a.time < b.time; };
  const auto middle = data.orders.begin() + static_cast<std::ptrdiff_t>(old_size);
  COBUY_ASSERT(std::is_sorted(data.orders.begin(), middle, by_time));
  std::stable_sort(middle, data.orders.end(), by_time);
  std::inplace_merge(data.orders.begin(), middle, data.orders.end(), by_time);
  return data.orders.size() - old_size;
}

std::size_t drop_orders(OrderData& data, const std::function<bool(const Order&)>& drop) {
  const std::size_t dropped = std::erase_if(data.orders, drop);
  if (dropped == 0) return 0;
  std::vector<CustomerIndex> renumbered(data.customer_ids.size(), kNoCustomer);
  for (const auto& o : data.orders) {
    if (o.customer != kNoCustomer) renumbered[static_cast<std::size_t>(o.customer)] = 0;
  }
  std::vector<std::string> kept;
  for (std::size_t c = 0; c < data.customer_ids.size(); ++c) {
    if (renumbered[c] == kNoCustomer) continue;
    renumbered[c] = static_cast<CustomerIndex>(kept.size());
    kept.push_back(std::move(data.customer_ids[c]));
  }
  data.customer_ids = std::move(kept);
  for (auto& o : data.orders) {
    if (o.customer != kNoCustomer) o.customer = renumbered[static_cast<std::size_t>(o.customer)];
  }
  return dropped;
}

}  // namespace cobuy
