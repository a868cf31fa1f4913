#pragma once
/// The JSON mapping of queries, results and errors, shared by the HTTP server and `cobuy recommend`
/// so both read and write exactly the same objects (DESIGN.md, "Queries and results").

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/model.h"
#include "core/recommender.h"

namespace cobuy {

/// The item object of every answer: item_id, score, title/price/category where known, in_stock
/// (true/false) where a catalogue file said it, relation and reason.
nlohmann::json item_json(const Model& model, ItemIndex item, float score, Relation relation, std::string_view reason);

/// Parses one JSON text (a JSONL line, a request body). Throws Error(bad_request) saying in plain
/// words what is wrong and where, e.g. "not valid JSON (unexpected end of input at column 8)",
/// "not valid JSON (unexpected 'x' at line 2, column 3)" or "not valid JSON (number 1e400 is out of
/// range)". Columns count UTF-8 characters from 1; "line L" appears only when `text` has several lines.
nlohmann::json parse_json_text(std::string_view text);

/// The id of a query object as query_from_json reads it (a string, or a number as its decimal text;
/// missing or null = ""), or nullopt when `j` is not an object or its id has another type.
std::optional<std::string> query_id(const nlohmann::json& j);

/// Reads a query object:
/// `{"id", "items": [...], "customer_id", "at", "limit", "exclude": [...], "filters": {...}}`.
/// - `id`: string or number (a number becomes its decimal text); missing or null = "".
/// - `items`, `exclude`: arrays of strings or integers (22697 reads as "22697"); missing or null = empty.
/// - `customer_id`: string, integer or null. `at`: a date or date-time string (see parse_timestamp),
///   integer Unix seconds, or null.
/// - `limit`: a positive integer; missing or null = 20. Ranges against ServeLimits are checked by
///   validate(Query, ServeLimits), not here.
/// - `filters`: `{"categories": [...], "exclude_categories": [...], "min_price": num, "max_price": num,
///   "in_stock": bool}`; an unknown key there is an error, since a mistyped filter would silently
///   widen the answer. `in_stock`: true or missing/null = never an out-of-stock item; false = stock
///   is not considered.
/// Unknown top-level keys are ignored, so query files may carry extra fields (an expected answer, say).
/// Throws Error(bad_request) with a message naming the field, e.g. "field 'limit' must be a positive
/// integer, got -1".
Query query_from_json(const nlohmann::json& j);

/// The items of an answer, in order: `[{"item_id", "score", "title", "price", "category", "in_stock",
/// "relation", "reason", "source"}, ...]`. `title`, `price` and `category` appear only when the
/// catalogue knows them, `in_stock` only when a catalogue file said it; `source` only as
/// `"embedding"`, for items found by the query-time embedding search.
/// Every Recommendation::item must index model.catalog.
nlohmann::json recommendations_to_json(const Model& model, const std::vector<Recommendation>& items);

/// The filters of GET /v1/items/{id}/bought-together and /similar from their query parameters:
/// `in_stock=true` (only in-stock items, as when absent) or `in_stock=false` (stock not considered).
/// Other parameters are not read here. Throws Error(bad_request) naming the parameter.
Filters item_filters_from_params(const std::multimap<std::string, std::string>& params);

/// A result object: `{"id", "items": [...], "fallback": bool}`, plus `"unknown_items": [...]` when
/// some query items are not in the model and `"unknown_customer": true` when the customer is not.
nlohmann::json result_to_json(const Model& model, const RecommendResult& result);

/// The answer about one known item (bought-together, similar):
/// `{"item_id", "title" (when known), "items": [...]}`.
nlohmann::json item_answer_to_json(const Model& model, ItemIndex item, const std::vector<Recommendation>& items);

/// An error object: `{"error": {"code": code, "message": message}}`.
nlohmann::json error_json(std::string_view code, std::string_view message);

/// The one mapping from error codes to HTTP statuses: bad_request 400, unauthorized 401, forbidden
/// 403, not_found 404, too_large 413, unavailable 503, anything else 500.
int http_status(ErrorCode code);

}  // namespace cobuy
