#include "api/cli/left_out_orders.h"

#include <algorithm>
#include <unordered_set>

#include "core/order_merge.h"

namespace cobuy::cli {

nlohmann::json LeftOutOrders::to_json() const {
  return {{"erased_customer", erased_customer},
          {"cancelled", cancelled},
          {"returned_in_full", returned_in_full},
          {"with_returns", with_returns}};
}

LeftOutOrders leave_out_changed(OrderData& files, std::vector<PlacedOrder>& log_orders, const HistoryChanges& changes) {
  LeftOutOrders left;
  // Customers are compared by key, the log keeps no erased customer's id; without erasures no
  // id is hashed.
  const auto is_erased = [&](const std::string& customer_id) {
    return !changes.erased_customers.empty() && changes.erased_customers.count(OrderStore::customer_key(customer_id)) > 0;
  };
  std::vector<char> erased(files.customer_ids.size(), 0);
  for (std::size_t c = 0; c < files.customer_ids.size(); ++c) erased[c] = is_erased(files.customer_ids[c]);
  std::unordered_set<std::string> live;  // the log's live orders with returns: what is left of them
  for (const auto& o : log_orders) {
    if (changes.returned_orders.count(o.order_id)) live.insert(o.order_id);
  }
  left.erased_customer = std::erase_if(log_orders, [&](const PlacedOrder& o) { return is_erased(o.customer_id); });
  drop_orders(files, [&](const Order& o) {
    if (o.customer != kNoCustomer && erased[static_cast<std::size_t>(o.customer)]) {
      ++left.erased_customer;
      return true;
    }
    // The log's own copies of these orders are counted below.
    if (changes.cancelled_orders.count(o.id)) return true;
    if (changes.returned_orders.count(o.id)) {
      left.with_returns += live.count(o.id);
      return true;
    }
    return false;
  });
  left.cancelled = changes.cancelled_orders.size();
  for (const auto& id : changes.returned_orders) left.returned_in_full += live.count(id) == 0;
  return left;
}

}  // namespace cobuy::cli
