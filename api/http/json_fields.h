#pragma once
/// Typed readers of JSON request fields with errors that name the field, shared by the codecs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/order_data.h"
#include "core/recommender.h"

namespace cobuy::json_fields {

/// A short rendering of a bad value for an error message (never a whole pasted document).
std::string shown(const nlohmann::json& v);
/// Throws Error(bad_request): "field 'F' must be EXPECTED, got VALUE".
[[noreturn]] void bad_field(std::string_view field, std::string_view expected, const nlohmann::json& got);
/// An id: a string, or an integer written as its decimal text; `index` names an array element.
std::string id_text(const nlohmann::json& v, std::string_view field, std::optional<std::size_t> index = std::nullopt);
/// An array of ids; null = empty.
std::vector<std::string> id_array(const nlohmann::json& v, std::string_view field);
/// The ids under `key` of `j`; missing = empty.
std::vector<std::string> id_list(const nlohmann::json& j, const char* key);
/// A positive integer, or nullopt for anything else.
std::optional<std::uint64_t> positive_integer(const nlohmann::json& v);
/// A number, or nullopt for null.
std::optional<double> price(const nlohmann::json& v, const std::string& field);
/// `{"categories", "exclude_categories", "min_price", "max_price", "in_stock"}`; unknown keys are
/// errors. `in_stock`: true, false or null (null = unset, the service's rule).
Filters filters_from_json(const nlohmann::json& j);
/// A float as the double of its shortest decimal form (0.83, not 0.8299999833).
double shortest(float x);
/// An ISO-8601 date or date-time string, or integer Unix seconds.
Timestamp timestamp(const nlohmann::json& v, std::string_view field);

}  // namespace cobuy::json_fields
