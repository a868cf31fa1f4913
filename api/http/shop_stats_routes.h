#pragma once
/// GET /v1/stats/shop apart from HTTP: the shop figures (core/shop_figures.h) of the served
/// history, and which history that is.

#include <nlohmann/json.hpp>

#include "core/customer_profile.h"
#include "core/model.h"

namespace cobuy {

class OrderStore;

/// The shop figures of the model's customer history plus, with an order log (`orders` not null),
/// the logged orders the model does not hold (as offers see customers), with segments under
/// `thresholds` (the offer engine's) at the last order. The answer is shop_figures_json() and
/// `"history": {"source": "model" | "model+order_log", "model_orders", "log_orders",
/// "model_version"}` (log_orders: the logged orders added; null without a log), and
/// `"recent_customers"`: the ids of the (at most 20) customers with the latest orders, newest first.
nlohmann::json answer_shop_stats(const Model& model, const SegmentThresholds& thresholds, const OrderStore* orders);

}  // namespace cobuy
