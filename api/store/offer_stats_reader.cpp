#include "api/store/offer_stats_reader.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

/// The {"offer_id", "item_id", "kind"} objects of `offers` (an answer's offers, or a counterfactual).
std::vector<OfferedItem> offered_items(const json& offers, const std::string& send_id) {
  COBUY_CHECK(offers.is_array(), ErrorCode::bad_data, "send '" << send_id << "': its offers are not a JSON array");
  std::vector<OfferedItem> out;
  for (const auto& o : offers) {
    COBUY_CHECK(o.is_object() && o.contains("item_id") && o["item_id"].is_string(), ErrorCode::bad_data,
                "send '" << send_id << "': an offer without an item_id");
    out.push_back({o.value("offer_id", std::string()), o["item_id"].get<std::string>(), o.value("kind", std::string())});
  }
  return out;
}

}  // namespace

SendRecord send_record(const OrderStore::Send& send) {
  const json answer = json::parse(send.answer, nullptr, false);
  COBUY_CHECK(answer.is_object(), ErrorCode::bad_data, "send '" << send.send_id << "': its answer is not a JSON object");
  SendRecord r;
  r.send_id = send.send_id;
  r.customer_id = send.customer_id;
  r.context = send.context;
  r.at = send.at;
  r.segment = answer.value("segment", std::string());
  r.arm = parse_arm("send '" + send.send_id + "' arm", answer.value("arm", std::string("cobuy")));
  if (r.arm == Arm::holdout) {
    const json counterfactual = send.counterfactual.empty() ? json::array() : json::parse(send.counterfactual, nullptr, false);
    r.offers = offered_items(counterfactual, send.send_id);
  } else {
    r.offers = offered_items(answer.value("offers", json::array()), send.send_id);
  }
  return r;
}

OfferStats read_offer_stats(const OrderStore& store, double attribution_days, Timestamp from, Timestamp until) {
  return read_offer_stats(store, store.all_orders(), attribution_days, from, until);
}

OfferStats read_offer_stats(const OrderStore& store, std::vector<PlacedOrder> orders, double attribution_days,
                            Timestamp from, Timestamp until) {
  std::vector<SendRecord> sends;
  for (const auto& s : store.sends_between(from, until)) sends.push_back(send_record(s));
  const auto window = static_cast<Timestamp>(attribution_days * kSecondsPerDay);
  const Timestamp last = until > std::numeric_limits<Timestamp>::max() - window ? until : until + window;
  std::erase_if(orders, [&](const PlacedOrder& o) { return o.time <= from || o.time > last; });
  return compute_offer_stats(sends, store.events_between(from, until), orders, attribution_days, from, until);
}

}  // namespace cobuy
