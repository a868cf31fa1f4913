#include "api/http/shop_stats_routes.h"

#include <algorithm>
#include <unordered_set>

#include "api/store/order_store.h"
#include "core/shop_figures.h"

namespace cobuy {
namespace {

constexpr std::size_t kRecentCustomers = 20;

}  // namespace

nlohmann::json answer_shop_stats(const Model& model, const SegmentThresholds& thresholds, const OrderStore* orders) {
  std::vector<ShopOrder> history = shop_orders(model);
  const std::size_t model_orders = history.size();
  nlohmann::json log_orders;
  if (orders != nullptr) {
    // The log's changes to history (cancellations, returns, erasures) apply to what it holds; the
    // model's own history stays as trained until it is retrained.
    history = shop_orders(model, orders->all_orders());
    log_orders = history.size() - model_orders;
  }
  nlohmann::json answer = shop_figures_json(shop_figures(history, thresholds));
  // The customers of the latest orders, for the dashboard's email preview to pick from.
  std::sort(history.begin(), history.end(), [](const ShopOrder& a, const ShopOrder& b) { return a.time > b.time; });
  nlohmann::json recent = nlohmann::json::array();
  std::unordered_set<std::string_view> seen;
  for (const ShopOrder& o : history) {
    if (recent.size() == kRecentCustomers) break;
    if (!o.customer_id.empty() && o.time != kNoTime && seen.insert(o.customer_id).second) recent.push_back(o.customer_id);
  }
  answer["recent_customers"] = std::move(recent);
  answer["history"] = {{"source", orders != nullptr ? "model+order_log" : "model"},
                       {"model_orders", model_orders},
                       {"log_orders", log_orders},
                       {"model_version", model.version}};
  return answer;
}

}  // namespace cobuy
