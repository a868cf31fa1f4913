#include "api/http/admin_routes.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "api/http/codec.h"
#include "api/store/order_store.h"
#include "core/coupon_codes.h"
#include "core/error.h"
#include "core/log.h"
#include "core/time_util.h"

namespace cobuy {

using nlohmann::json;

std::pair<int, json> answer_reload(const ReloadFn& reload, const json& body) {
  std::string dir;
  if (!body.is_null()) {
    COBUY_CHECK(body.is_object(), ErrorCode::bad_request, "the body must be a JSON object such as {\"model\": \"DIR\"}");
    if (const auto it = body.find("model"); it != body.end() && !it->is_null()) {
      COBUY_CHECK(it->is_string() && !it->get_ref<const std::string&>().empty(), ErrorCode::bad_request,
                  "field 'model' must be a non-empty directory path");
      dir = it->get<std::string>();
    }
  }
  try {
    const ModelStatus live = reload(dir);
    return {200,
            {{"status", "reloaded"},
             {"version", live.version},
             {"previous_version", live.replaced_version},
             {"model_dir", live.model_dir},
             {"loaded_at", live.loaded_at}}};
  } catch (const Error& e) {
    // The artifact is the caller's input: a bad one is not a fault of the server.
    if (e.code() != ErrorCode::bad_data && e.code() != ErrorCode::io) throw;
    return {422, error_json("bad_model", std::string("the model was not reloaded: ") + e.what())};
  }
}

namespace {

/// (pool, codes left) of each pool of `policy`, or nullopt without pools or when `store` fails.
std::optional<std::vector<std::pair<std::string, std::uint64_t>>> coupon_codes_left(const OrderStore* store,
                                                                                    const OfferPolicy* policy) {
  if (!store || !policy || policy->coupon_codes.empty()) return std::nullopt;
  std::vector<std::pair<std::string, std::uint64_t>> in_log;
  try {
    in_log = store->coupon_codes_left();
  } catch (const Error& e) {
    log::warn("coupon codes left unknown", {{"error", e.what()}});
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& pool : policy->coupon_codes) {
    const std::string name = coupon_pool_name(pool);
    const auto it = std::find_if(in_log.begin(), in_log.end(), [&](const auto& p) { return p.first == name; });
    out.emplace_back(name, it == in_log.end() ? 0 : it->second);  // a pool used up is not listed
  }
  return out;
}

}  // namespace

std::string answer_metrics(const Metrics& metrics, const Model* model, const OrderStore* store,
                           const OfferPolicy* policy) {
  const auto left = coupon_codes_left(store, policy);
  const auto* coupons = left ? &*left : nullptr;
  if (!model) return metrics.exposition(nullptr, coupons);
  ModelGauges gauges{model->version, std::nullopt};
  if (const auto created = parse_timestamp(model->created_at)) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    gauges.age_seconds = static_cast<double>(now - *created);
  }
  return metrics.exposition(&gauges, coupons);
}

}  // namespace cobuy
