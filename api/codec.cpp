#include "api/codec.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "api/json_fields.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 20;

using namespace json_fields;

}  // namespace

Query query_from_json(const json& j) {
  COBUY_CHECK(j.is_object(), ErrorCode::bad_request, "a query must be a JSON object, got " << shown(j));
  Query q;
  if (auto it = j.find("id"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      q.id = it->get<std::string>();
    } else if (it->is_number()) {
      q.id = it->dump();
    } else {
      bad_field("id", "a string or a number", *it);
    }
  }
  q.items = id_list(j, "items");
  q.exclude = id_list(j, "exclude");
  if (auto it = j.find("customer_id"); it != j.end() && !it->is_null()) {
    q.customer_id = id_text(*it, "customer_id");
  }
  if (auto it = j.find("at"); it != j.end() && !it->is_null()) q.at = timestamp(*it, "at");
  q.limit = kDefaultLimit;
  if (auto it = j.find("limit"); it != j.end() && !it->is_null()) {
    const auto limit = positive_integer(*it);
    if (!limit) bad_field("limit", "a positive integer", *it);
    q.limit = static_cast<std::size_t>(*limit);
  }
  if (auto it = j.find("filters"); it != j.end()) q.filters = filters_from_json(*it);
  return q;
}

Filters item_filters_from_params(const std::multimap<std::string, std::string>& params) {
  Filters f;
  const auto [first, last] = params.equal_range("in_stock");
  for (auto it = first; it != last; ++it) {
    const std::string& v = it->second;
    COBUY_CHECK(v == "true" || v == "false", ErrorCode::bad_request,
                "parameter 'in_stock' must be true or false, got '" << v.substr(0, 40) << "'");
    COBUY_CHECK(!f.in_stock || *f.in_stock == (v == "true"), ErrorCode::bad_request,
                "parameter 'in_stock' is given twice with different values");
    f.in_stock = v == "true";
  }
  return f;
}

json item_json(const Model& model, ItemIndex item, float score, Relation relation, std::string_view reason) {
  const auto& cat = model.catalog;
  COBUY_ASSERT(item < cat.size());
  json o = json::object();
  o["item_id"] = cat.ids[item];
  o["score"] = shortest(score);
  if (!cat.titles[item].empty()) o["title"] = cat.titles[item];
  if (!std::isnan(cat.prices[item])) o["price"] = shortest(cat.prices[item]);
  if (!cat.categories[item].empty()) o["category"] = cat.categories[item];
  if (const auto stock = cat.stock_said(item)) o["in_stock"] = *stock;
  o["relation"] = relation_name(relation);
  o["reason"] = reason;
  return o;
}

json recommendations_to_json(const Model& model, const std::vector<Recommendation>& items) {
  json out = json::array();
  for (const auto& r : items) {
    json o = item_json(model, r.item, r.score, r.relation, r.reason);
    // Optional, so the DESIGN.md item object is unchanged for everything else.
    if (r.source == Source::embedding) o["source"] = source_name(r.source);
    out.push_back(std::move(o));
  }
  return out;
}

json result_to_json(const Model& model, const RecommendResult& result) {
  json out = json::object();
  out["id"] = result.id;
  out["items"] = recommendations_to_json(model, result.items);
  out["fallback"] = result.fallback;
  if (!result.unknown_items.empty()) out["unknown_items"] = result.unknown_items;
  if (result.unknown_customer) out["unknown_customer"] = true;
  return out;
}

json item_answer_to_json(const Model& model, ItemIndex item, const std::vector<Recommendation>& items) {
  COBUY_ASSERT(item < model.catalog.size());
  json out = json::object();
  out["item_id"] = model.catalog.ids[item];
  if (!model.catalog.titles[item].empty()) out["title"] = model.catalog.titles[item];
  out["items"] = recommendations_to_json(model, items);
  return out;
}

json error_json(std::string_view code, std::string_view message) {
  return json{{"error", {{"code", code}, {"message", message}}}};
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return 400;
    case ErrorCode::not_found: return 404;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::too_large: return 413;
    case ErrorCode::unavailable:
    case ErrorCode::timeout: return 503;
    case ErrorCode::bad_data:
    case ErrorCode::io:
    case ErrorCode::internal: return 500;
  }
  return 500;
}

}  // namespace cobuy
