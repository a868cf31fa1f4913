#include "api/http/offer_routes.h"

#include <algorithm>
#include <limits>

#include "api/http/json_fields.h"
#include "api/http/offer_codec.h"
#include "api/store/coupon_pools.h"
#include "api/store/order_store.h"
#include "core/coupon_codes.h"
#include "core/customer_profile.h"
#include "core/error.h"
#include "core/log.h"
#include "core/time_util.h"

namespace cobuy {

using nlohmann::json;

CustomerLog customer_log(const OrderStore* store, const Model& model, const std::string& customer_id) {
  CustomerLog log;
  if (!store || customer_id.empty()) return log;
  // An erased customer is answered as one the model does not know, and nothing of theirs is read.
  log.erased = store->is_erased(customer_id);
  if (log.erased) return log;
  // By id, not by time: a late export or a back-office entry may be dated before the model's
  // last order and still be news to it.
  log.orders = store->customer_orders(customer_id, [&](std::string_view order_id, Timestamp time) {
    return !model_holds_order(model, customer_id, order_id, time);
  });
  // The engine keeps only offers inside the re-offer window of its reference time, which it
  // decides; one customer's offer log is short, so read it whole.
  log.offered = store->offered_since(customer_id, std::numeric_limits<Timestamp>::min() + 1);
  return log;
}

void check_offer_times(const OfferRequest& request, Timestamp now, Timestamp max_clock_skew) {
  if (request.order) check_time_in_range("order.timestamp", request.order->time, order_time_range(now, max_clock_skew));
  if (request.at) check_time_in_range("at", *request.at, moment_time_range(now, max_clock_skew));
}

namespace {

/// The fields of an offers body beside the OfferRequest's: the email's send id, and preview.
struct SendOptions {
  std::string send_id;  ///< "" = none
  bool preview = false;
};

SendOptions send_options(const json& body) {
  COBUY_CHECK(!body.contains("record"), ErrorCode::bad_request,
              "field 'record' is not read any more: send \"preview\": true to answer without logging");
  SendOptions o;
  if (auto it = body.find("send_id"); it != body.end() && !it->is_null()) {
    o.send_id = json_fields::id_text(*it, "send_id");
    COBUY_CHECK(!o.send_id.empty(), ErrorCode::bad_request, "field 'send_id' is empty");
  }
  if (auto it = body.find("preview"); it != body.end() && !it->is_null()) {
    COBUY_CHECK(it->is_boolean(), ErrorCode::bad_request, "field 'preview' must be true or false");
    o.preview = it->get<bool>();
  }
  return o;
}

/// The answer stored for a send, after checking the request names the same customer and context.
json replayed(const OrderStore::Send& stored, const OfferRequest& request) {
  const std::string context(offer_context_name(request.context));
  COBUY_CHECK(stored.customer_id == request.customer_id && stored.context == context, ErrorCode::bad_request,
              "send_id '" << stored.send_id << "' was already answered for customer '" << stored.customer_id
                          << "' in context '" << stored.context << "', not for customer '" << request.customer_id
                          << "' in context '" << context << "': a send id names one email");
  return json::parse(stored.answer);
}

/// Single-use codes claimed for an answer that was not sent after all (another request stored
/// its send first, or storing failed): put back in their pools unless kept.
class UnsentCodes {
 public:
  UnsentCodes(OrderStore& store, const std::vector<std::string>& codes, const std::string& send_id)
      : store_(store), codes_(codes), send_id_(send_id) {}
  ~UnsentCodes() {
    if (kept_ || codes_.empty()) return;
    try {
      store_.release_coupon_codes(codes_, send_id_);
    } catch (const std::exception& e) {
      // They stay claimed and unused: lost to the pool, never handed out twice.
      log::warn("coupon codes not put back", {{"send_id", send_id_}, {"codes", codes_.size()}, {"error", e.what()}});
    }
  }
  UnsentCodes(const UnsentCodes&) = delete;
  UnsentCodes& operator=(const UnsentCodes&) = delete;
  void keep() { kept_ = true; }

 private:
  OrderStore& store_;
  const std::vector<std::string>& codes_;
  const std::string& send_id_;
  bool kept_ = false;
};

}  // namespace

json answer_offers(const OfferEngine& engine, OrderStore* store, const json& body, Timestamp max_clock_skew,
                   OffersAnswerCounts* counts) {
  const OfferRequest request = offer_request_from_json(body);
  const SendOptions send = send_options(body);
  check_offer_times(request, unix_now(), max_clock_skew);
  if (!send.send_id.empty()) {
    COBUY_CHECK(store, ErrorCode::unavailable,
                "a send_id needs an order log to keep its answer: start `cobuy serve` with --orders-db PATH");
    if (const auto stored = store->find_send(send.send_id)) return replayed(*stored, request);
  }
  const CustomerLog log = customer_log(store, engine.model(), request.customer_id);
  OfferResult result = engine.offers(request, log);
  const bool logged = store && !send.preview;
  CouponClaims claimed;
  if (!logged) {
    COBUY_CHECK(send.preview || engine.policy().coupon_codes.empty(), ErrorCode::unavailable,
                coupon_codes_need_a_log("--orders-db"));
    preview_coupon_codes(result.offers);
  } else {
    // An erased customer's codes are claimed naming nobody: nothing more of them is kept.
    claimed = claim_coupons(*store, {{&result.offers, log.erased ? "" : request.customer_id}},
                            log.erased ? "" : send.send_id);
    if (counts) counts->offers_without_code += claimed.without_code;
  }
  json answer = offer_result_to_json(engine.model(), result);
  if (!send.send_id.empty()) answer["send_id"] = send.send_id;
  // Nothing is logged of an erased customer: neither the offers nor the send.
  if (!logged || log.erased) return answer;
  UnsentCodes unsent(*store, claimed.codes, send.send_id);
  std::vector<std::pair<std::string, std::string>> shown;
  for (const auto& o : result.offers) shown.emplace_back(engine.model().catalog.ids[o.item], o.offer_id);
  const std::string context(offer_context_name(request.context));
  if (!send.send_id.empty()) {
    // Another request with this send id may have been answered since the look-up above (a
    // concurrent retry, another replica): then its answer is the one.
    // A holdout send keeps what cobuy would have offered, for the attribution report.
    std::string counterfactual;
    if (result.arm == Arm::holdout) {
      json items = json::array();
      for (const auto& o : result.counterfactual) {
        items.push_back({{"offer_id", o.offer_id},
                         {"item_id", engine.model().catalog.ids[o.item]},
                         {"kind", offer_kind_name(o.kind)}});
      }
      counterfactual = items.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    // As written to the client: a catalogue text that is not UTF-8 is replaced, not refused.
    const std::string text = answer.dump(-1, ' ', false, json::error_handler_t::replace);
    const auto stored = store->record_send({send.send_id, request.customer_id, context, result.at, text, counterfactual}, shown);
    if (stored) return replayed(*stored, request);  // its codes, not ours: ours go back
  } else if (!request.customer_id.empty() && !shown.empty()) {
    store->record_offers(request.customer_id, shown, context, result.at);
  }
  unsent.keep();
  return answer;
}

void import_policy_coupons(OrderStore* store, const OfferPolicy& policy) {
  if (policy.coupon_codes.empty()) return;
  COBUY_CHECK(store, ErrorCode::bad_request, coupon_codes_need_a_log("--orders-db"));
  const auto added = import_coupon_pools(*store, policy);
  const auto left = store->coupon_codes_left();
  for (const auto& [pool, fresh] : added) {
    const std::string& name = pool;  // clang 14 cannot capture a structured binding
    const auto it = std::find_if(left.begin(), left.end(), [&](const auto& p) { return p.first == name; });
    log::info("coupon codes imported", {{"pool", pool}, {"new", fresh}, {"left", it == left.end() ? 0 : it->second}});
  }
}

std::pair<int, json> answer_order(OrderStore* store, const json& body, Timestamp max_clock_skew) {
  COBUY_CHECK(store, ErrorCode::unavailable,
              "this server keeps no order log: start `cobuy serve` with --orders-db PATH to record orders");
  const PlacedOrder order = placed_order_from_json(body);
  check_time_in_range("timestamp", order.time, order_time_range(unix_now(), max_clock_skew));
  const auto result = store->record_order(order);
  const bool fresh = result == RecordResult::recorded;
  return {fresh ? 201 : 200, json{{"order_id", order.order_id}, {"status", fresh ? "recorded" : "duplicate"}}};
}

}  // namespace cobuy
