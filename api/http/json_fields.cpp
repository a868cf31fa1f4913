#include "api/http/json_fields.h"

#include <charconv>

#include "core/time_util.h"

namespace cobuy::json_fields {

using nlohmann::json;

// A short rendering of a bad value for an error message: never a whole pasted document, and no
// recursive dump of a deeply nested one.
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

// Ids are strings, but item and customer ids such as 22697 are often written as JSON numbers.
// `index` names the element of an array field in the error message.
std::string id_text(const json& v, std::string_view field, std::optional<std::size_t> index) {
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
    } else if (key == "in_stock") {
      if (!value.is_null() && !value.is_boolean()) bad_field(field, "true, false or null", value);
      if (value.is_boolean()) f.in_stock = value.get<bool>();
    } else {
      COBUY_FAIL(ErrorCode::bad_request, "unknown field '" << field
                                                           << "' (known: categories, exclude_categories, "
                                                              "min_price, max_price, in_stock)");
    }
  }
  return f;
}

// JSON numbers are doubles; widening a float prints as 0.8299999833 instead of 0.83, so go through
// the float's shortest decimal form.
double shortest(float x) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  double d = x;
  std::from_chars(buf, end, d);
  return d;
}

/// Unix seconds beyond this (year 33658) are refused: 12 digits, as parse_timestamp() reads them.
constexpr Timestamp kMaxUnixSeconds = 1'000'000'000'000;

Timestamp timestamp(const json& v, std::string_view field) {
  if (v.is_string()) {
    if (auto t = parse_timestamp(v.get_ref<const std::string&>())) return *t;
  } else if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxUnixSeconds)) return v.get<Timestamp>();
  } else if (v.is_number_integer()) {
    // Bounded like the text form, so date arithmetic (at - days) cannot overflow.
    if (const auto t = v.get<Timestamp>(); t >= -kMaxUnixSeconds && t <= kMaxUnixSeconds) return t;
  }
  bad_field(field, "an ISO-8601 date or date-time, or Unix seconds within +-10^12", v);
}

}  // namespace cobuy::json_fields
