#include "api/http/offer_codec.h"

#include <cmath>

#include "api/http/codec.h"
#include "api/http/json_fields.h"
#include "core/time_util.h"

namespace cobuy {

using nlohmann::json;
using namespace json_fields;

namespace {

std::string prefixed(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : std::string(prefix) + "." + std::string(name);
}

double number(const json& v, const std::string& field) {
  if (!v.is_number()) bad_field(field, "a number", v);
  return v.get<double>();
}

}  // namespace

PlacedOrder placed_order_from_json(const json& j, std::string_view field) {
  if (!j.is_object()) bad_field(field.empty() ? "order" : field, "an object", j);
  PlacedOrder o;
  if (auto it = j.find("order_id"); it != j.end() && !it->is_null()) o.order_id = id_text(*it, prefixed(field, "order_id"));
  if (auto it = j.find("customer_id"); it != j.end() && !it->is_null()) {
    o.customer_id = id_text(*it, prefixed(field, "customer_id"));
  }
  if (auto it = j.find("timestamp"); it != j.end() && !it->is_null()) o.time = timestamp(*it, prefixed(field, "timestamp"));
  const auto items = j.find("items");
  const std::string items_field = prefixed(field, "items");
  if (items == j.end() || !items->is_array()) bad_field(items_field, "an array of {item_id, quantity, price}", items == j.end() ? json() : *items);
  for (std::size_t k = 0; k < items->size(); ++k) {
    const auto& line = (*items)[k];
    const std::string at = items_field + "[" + std::to_string(k) + "]";
    if (!line.is_object()) bad_field(at, "an object {item_id, quantity, price}", line);
    PlacedOrderLine l;
    const auto id = line.find("item_id");
    if (id == line.end()) bad_field(at + ".item_id", "a string or an integer", json());
    l.item_id = id_text(*id, at + ".item_id");
    if (auto q = line.find("quantity"); q != line.end() && !q->is_null()) l.quantity = number(*q, at + ".quantity");
    if (auto p = line.find("price"); p != line.end()) l.price = price(*p, at + ".price");
    o.lines.push_back(std::move(l));
  }
  return o;
}

OfferRequest offer_request_from_json(const json& j) {
  COBUY_CHECK(j.is_object(), ErrorCode::bad_request, "an offers request must be a JSON object, got " << shown(j));
  OfferRequest q;
  if (auto it = j.find("customer_id"); it != j.end() && !it->is_null()) q.customer_id = id_text(*it, "customer_id");
  if (auto it = j.find("order"); it != j.end() && !it->is_null()) q.order = placed_order_from_json(*it, "order");
  if (auto it = j.find("context"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) bad_field("context", "a string", *it);
    q.context = parse_offer_context(it->get_ref<const std::string&>());
  }
  if (auto it = j.find("at"); it != j.end() && !it->is_null()) q.at = timestamp(*it, "at");
  if (auto it = j.find("limit"); it != j.end() && !it->is_null()) {
    const auto limit = positive_integer(*it);
    if (!limit || *limit > 1000000) bad_field("limit", "a positive integer", *it);
    q.limit = static_cast<std::uint32_t>(*limit);
  }
  if (auto it = j.find("filters"); it != j.end()) q.filters = filters_from_json(*it);
  q.exclude = id_list(j, "exclude");
  return q;
}

json offer_result_to_json(const Model& m, const OfferResult& r) {
  json offers = json::array();
  for (const auto& o : r.offers) {
    json x = item_json(m, o.item, o.score, o.relation, o.reason);
    x["kind"] = offer_kind_name(o.kind);
    if (o.kind == OfferKind::replenish) {
      x["interval_days"] = std::round(o.interval_days * 10) / 10;
      x["days_since"] = std::round(o.days_since * 10) / 10;
    }
    if (o.discount_percent > 0) {
      x["discount_percent"] = o.discount_percent;
      x["valid_until"] = format_timestamp(o.valid_until);
      if (!std::isnan(o.discounted_price)) x["discounted_price"] = o.discounted_price;
      if (!o.coupon_code.empty()) x["coupon_code"] = o.coupon_code;
    }
    if (!o.currency.empty()) x["currency"] = o.currency;
    x["offer_id"] = o.offer_id;
    offers.push_back(std::move(x));
  }
  json out = {{"customer_id", r.customer_id},
              {"context", offer_context_name(r.context)},
              {"at", r.at == kNoTime ? json() : json(format_timestamp(r.at))},
              {"segment", segment_name(r.segment)},
              {"arm", arm_name(r.arm)},
              {"offers", std::move(offers)},
              {"fallback", r.fallback}};
  if (!r.unknown_items.empty()) out["unknown_items"] = r.unknown_items;
  if (r.unknown_customer) out["unknown_customer"] = true;
  return out;
}

json offer_engine_json(const OfferEngine& engine) {
  const auto& t = engine.thresholds();
  return {{"segments",
           {{"at_risk_days", t.at_risk_days},
            {"lapsed_days", t.lapsed_days},
            {"loyal_min_orders", t.loyal_min_orders},
            {"loyal_min_spend", t.loyal_min_spend}}},
          {"repeatable_items", engine.replenishment().repeatable_items()}};
}

}  // namespace cobuy
