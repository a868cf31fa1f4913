#include "api/http/admin_routes.h"

#include <chrono>

#include "api/http/codec.h"
#include "core/error.h"
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

std::string answer_metrics(const Metrics& metrics, const Model* model) {
  if (!model) return metrics.exposition(nullptr);
  ModelGauges gauges{model->version, std::nullopt};
  if (const auto created = parse_timestamp(model->created_at)) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    gauges.age_seconds = static_cast<double>(now - *created);
  }
  return metrics.exposition(&gauges);
}

}  // namespace cobuy
