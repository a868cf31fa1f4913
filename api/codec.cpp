#include "api/codec.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "core/time_util.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 20;

/// A short rendering of a bad value for an error message: never a whole pasted document, and no
/// recursive dump of a deeply nested one.
std::string shown(const json& v) {
  constexpr std::size_t kMax = 40;
  if (v.is_array() || v.is_object()) return v.type_name();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() <= kMax) return std::string("string ") + v.dump(-1, ' ', false, json::error_handler_t::replace);
    return "string " + json(s.substr(0, kMax)).dump(-1, ' ', false, json::error_handler_t::replace) + "...";
  }
  return std::string(v.type_name()) + " " + v.dump();
}

[[noreturn]] void bad_field(std::string_view field, std::string_view expected, const json& got) {
  COBUY_FAIL(ErrorCode::bad_request, "field '" << field << "' must be " << expected << ", got " << shown(got));
}

/// Ids are strings, but item and customer ids such as 22697 are often written as JSON numbers.
/// `index` names the element of an array field in the error message.
std::string id_text(const json& v, std::string_view field, std::optional<std::size_t> index = std::nullopt) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (!index) bad_field(field, "a string or an integer", v);
  bad_field(std::string(field) + "[" + std::to_string(*index) + "]", "a string or an integer", v);
}

std::vector<std::string> id_array(const json& v, std::string_view field) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) bad_field(field, "an array of strings", v);
  out.reserve(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) out.push_back(id_text(v[k], field, k));
  return out;
}

std::vector<std::string> id_list(const json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() ? std::vector<std::string>{} : id_array(*it, key);
}

std::optional<std::uint64_t> positive_integer(const json& v) {
  if (v.is_number_unsigned()) {
    const auto x = v.get<std::uint64_t>();
    return x > 0 ? std::optional(x) : std::nullopt;
  }
  if (v.is_number_integer()) {
    const auto x = v.get<std::int64_t>();
    return x > 0 ? std::optional(static_cast<std::uint64_t>(x)) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> price(const json& v, const std::string& field) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_number()) bad_field(field, "a number", v);
  return v.get<double>();
}

Filters filters_from_json(const json& j) {
  Filters f;
  if (j.is_null()) return f;
  if (!j.is_object()) bad_field("filters", "an object", j);
  for (const auto& [key, value] : j.items()) {
    const std::string field = "filters." + key;
    if (key == "categories") {
      f.categories = id_array(value, field);
    } else if (key == "exclude_categories") {
      f.exclude_categories = id_array(value, field);
    } else if (key == "min_price") {
      f.min_price = price(value, field);
    } else if (key == "max_price") {
      f.max_price = price(value, field);
    } else {
      COBUY_FAIL(ErrorCode::bad_request, "unknown field '" << field
                                                           << "' (known: categories, exclude_categories, "
                                                              "min_price, max_price)");
    }
  }
  return f;
}

/// JSON numbers are doubles; widening a float prints as 0.8299999833 instead of 0.83, so go through
/// the float's shortest decimal form.
double shortest(float x) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  double d = x;
  std::from_chars(buf, end, d);
  return d;
}

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
  if (auto it = j.find("at"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      q.at = parse_timestamp(it->get_ref<const std::string&>());
      if (!q.at) bad_field("at", "an ISO-8601 date or date-time", *it);
    } else if (it->is_number_integer()) {
      q.at = it->get<Timestamp>();
    } else {
      bad_field("at", "an ISO-8601 date or date-time", *it);
    }
  }
  q.limit = kDefaultLimit;
  if (auto it = j.find("limit"); it != j.end() && !it->is_null()) {
    const auto limit = positive_integer(*it);
    if (!limit) bad_field("limit", "a positive integer", *it);
    q.limit = static_cast<std::size_t>(*limit);
  }
  if (auto it = j.find("filters"); it != j.end()) q.filters = filters_from_json(*it);
  return q;
}

json recommendations_to_json(const Model& model, const std::vector<Recommendation>& items) {
  const auto& cat = model.catalog;
  json out = json::array();
  for (const auto& r : items) {
    COBUY_ASSERT(r.item < cat.size());
    json o = json::object();
    o["item_id"] = cat.ids[r.item];
    o["score"] = shortest(r.score);
    if (!cat.titles[r.item].empty()) o["title"] = cat.titles[r.item];
    if (!std::isnan(cat.prices[r.item])) o["price"] = shortest(cat.prices[r.item]);
    if (!cat.categories[r.item].empty()) o["category"] = cat.categories[r.item];
    o["relation"] = relation_name(r.relation);
    o["reason"] = r.reason;
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
    case ErrorCode::too_large: return 413;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::bad_data:
    case ErrorCode::io:
    case ErrorCode::internal: return 500;
  }
  return 500;
}

}  // namespace cobuy
