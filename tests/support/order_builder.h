#pragma once
/// Small helpers to build OrderData by hand in tests.

#include <string>
#include <vector>

#include "core/order_data.h"
#include "core/time_util.h"

namespace cobuy::testing {

/// Adds an order with the given item ids (added to the catalogue as needed).
inline void add_order(OrderData& data, const std::string& order_id, const std::vector<std::string>& items,
                      const std::string& customer = "", const std::string& when = "") {
  Order o;
  o.id = order_id;
  if (!when.empty()) o.time = *parse_timestamp(when);
  if (!customer.empty()) {
    auto it = std::find(data.customer_ids.begin(), data.customer_ids.end(), customer);
    if (it == data.customer_ids.end()) {
      data.customer_ids.push_back(customer);
      it = data.customer_ids.end() - 1;
    }
    o.customer = static_cast<CustomerIndex>(it - data.customer_ids.begin());
  }
  for (const auto& id : items) o.lines.push_back({data.catalog.add(id), 1.0f, 1.0f});
  data.orders.push_back(std::move(o));
}

/// Sets title and price of a known item.
inline void describe(OrderData& data, const std::string& id, const std::string& title, float price,
                     const std::string& category = "") {
  const auto i = *data.catalog.find(id);
  data.catalog.titles[i] = title;
  data.catalog.prices[i] = price;
  data.catalog.categories[i] = category;
}

}  // namespace cobuy::testing
