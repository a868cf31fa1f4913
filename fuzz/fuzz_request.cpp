// libFuzzer target: the JSON request bodies of the HTTP API and the JSON config readers, decoded
// and answered as the server does (api/http/server.cpp) against a small fixed model. The first byte
// picks the decoder, the rest is the body:
//   'q' POST /v1/recommendations  query_from_json, validate, recommend, result_to_json
//   'o' POST /v1/offers           answer_offers (no order log)
//   'p' POST /v1/orders           placed_order_from_json, validate (the log itself is not written)
//   'r' POST /v1/admin/reload     answer_reload (an empty body is no body)
//   'c' --config                  train_config_from_json, validate
//   'y' the offer policy          offer_policy_from_json, validate, an OfferEngine answering once
// Any other first byte picks one of these by its value modulo 6. Error and a JSON parse error are
// the expected refusals; anything else escaping, a sanitizer report, a hang or a huge allocation
// is a bug.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http/admin_routes.h"
#include "api/http/codec.h"
#include "api/http/offer_codec.h"
#include "api/http/offer_routes.h"
#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/offer_policy.h"
#include "core/offers.h"
#include "core/placed_order.h"
#include "fuzz_model.h"

namespace {

using nlohmann::json;

struct Shop {
  std::shared_ptr<const cobuy::Model> model = cobuy::fuzz::fuzz_model();
  cobuy::ComplementSearch complements = cobuy::fuzz::fuzz_complements(model);
  cobuy::OfferEngine offers{model, cobuy::OfferPolicy{}};
};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void recommendations(const Shop& shop, const json& body) {
  const cobuy::Query q = cobuy::query_from_json(body);
  cobuy::validate(q, cobuy::ServeLimits{});
  (void)dump(cobuy::result_to_json(*shop.model, cobuy::recommend(*shop.model, q, shop.complements)));
}

void order(const json& body) {
  const cobuy::PlacedOrder o = cobuy::placed_order_from_json(body);
  cobuy::validate(o, /*need_customer=*/true, /*need_time=*/false);
  (void)o.value();
}

void reload(std::string_view body_text, const json& body) {
  // A stand-in for Server::reload: "" reloads the default directory, "bad..." is an unusable
  // artifact (422), "io..." an unreadable one, anything else loads.
  const cobuy::ReloadFn fn = [](const std::string& dir) {
    COBUY_CHECK(!dir.starts_with("bad"), cobuy::ErrorCode::bad_data, "artifact " << dir << " is damaged");
    COBUY_CHECK(!dir.starts_with("io"), cobuy::ErrorCode::io, "cannot read " << dir);
    return cobuy::ModelStatus{"v2", dir, "2024-01-01T00:00:00Z", "v1"};
  };
  (void)dump(cobuy::answer_reload(fn, body_text.empty() ? json() : body).second);
}

void config(const json& body) {
  const cobuy::TrainConfig c = cobuy::train_config_from_json(body);
  cobuy::validate(c);
  (void)dump(json(c));
}

void policy(const Shop& shop, const json& body) {
  cobuy::OfferPolicy p = cobuy::offer_policy_from_json(body);
  cobuy::validate(p);
  (void)dump(json(p));
  const cobuy::OfferEngine engine(shop.model, std::move(p));
  cobuy::OfferRequest request;
  request.customer_id = "17850";
  request.context = cobuy::OfferContext::shipping;
  (void)dump(cobuy::offer_result_to_json(*shop.model, engine.offers(request, {})));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cobuy::log::set_level(cobuy::log::Level::error);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Shop shop;
  if (size == 0) return 0;
  static constexpr std::string_view kinds = "qoprcy";
  char kind = static_cast<char>(data[0]);
  if (kinds.find(kind) == std::string_view::npos) kind = kinds[data[0] % kinds.size()];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  json body;
  try {
    // The config files may hold // comments, as read_json_file allows.
    const bool comments = kind == 'c' || kind == 'y';
    if (!(kind == 'r' && text.empty())) body = json::parse(text, nullptr, true, comments);
  } catch (const json::exception&) {
    // A syntax error, or out_of_range for a number such as 1e400: the server answers 400.
    return 0;
  }
  try {
    switch (kind) {
      case 'q': recommendations(shop, body); break;
      case 'o': (void)dump(cobuy::answer_offers(shop.offers, nullptr, body)); break;
      case 'p': order(body); break;
      case 'r': reload(text, body); break;
      case 'c': config(body); break;
      default: policy(shop, body); break;
    }
  } catch (const cobuy::Error& e) {
    // The decoders refuse bad requests with Error only.
    (void)dump(cobuy::error_json(cobuy::error_code_name(e.code()), e.what()));
  }
  return 0;
}
