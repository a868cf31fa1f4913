#pragma once
/// The operations routes apart from HTTP: POST /v1/admin/reload and GET /metrics.

#include <functional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/http/metrics.h"
#include "api/http/server.h"
#include "core/model.h"
#include "core/offer_policy.h"

namespace cobuy {

class OrderStore;

/// Loads a model directory ("" = the default one) and swaps it in; see Server::reload().
using ReloadFn = std::function<ModelStatus(const std::string& dir)>;

/// POST /v1/admin/reload: `body` is null (no body) or `{"model": "DIR"}`. 200 with
/// `{"status": "reloaded", "version", "previous_version", "model_dir", "loaded_at"}`, or 422 with
/// code "bad_model" and load_model()'s message when the artifact is unusable (the old model keeps
/// serving). Throws Error(bad_request) for a malformed body.
std::pair<int, nlohmann::json> answer_reload(const ReloadFn& reload, const nlohmann::json& body);

/// GET /metrics: the exposition text, with the gauges of `model` (null = none loaded) and, when
/// `policy` has single-use coupon pools, the codes each has left in `store` (the gauge is left
/// out, and a warning logged, when the store cannot say).
std::string answer_metrics(const Metrics& metrics, const Model* model, const OrderStore* store = nullptr,
                           const OfferPolicy* policy = nullptr);

}  // namespace cobuy
