#include "api/http/codec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "api/http/json_fields.h"
#include "core/printable.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 20;

using namespace json_fields;

/// Where byte `pos` of `text` is: "column C", or "line L, column C" when `text` has several lines.
std::string position_words(std::string_view text, std::size_t pos) {
  const std::string_view before = text.substr(0, pos);
  const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  std::size_t column = 1;
  for (const char c : before.substr(line_start)) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++column;  // UTF-8 continuation bytes add none
  }
  const std::string col = "column " + std::to_string(column);
  if (text.find('\n') == std::string_view::npos) return col;
  return "line " + std::to_string(std::count(before.begin(), before.end(), '\n') + 1) + ", " + col;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '+' || c == '-';
}

/// Where the token that ends at byte `pos` starts. The JSON parser reports the last byte it read,
/// which for a string, number or literal it did not expect is that token's last byte: `"q1"` in
/// `{"id" "q1"}` is reported at its closing quote.
std::size_t token_start(std::string_view text, std::size_t pos) {
  if (text[pos] == '"') {
    for (std::size_t k = pos; k-- > 0;) {
      std::size_t backslashes = 0;
      while (backslashes < k && text[k - 1 - backslashes] == '\\') ++backslashes;
      if (text[k] == '"' && backslashes % 2 == 0) return k;
    }
    return pos;
  }
  std::size_t k = pos;
  while (is_token_char(text[pos]) && k > 0 && is_token_char(text[k - 1])) --k;
  return k;
}

/// The text from `start` to byte `end` (a whole UTF-8 character where `end` starts one), shortened
/// when long, escaped.
std::string shown_token(std::string_view text, std::size_t start, std::size_t end) {
  constexpr std::size_t kMax = 40;
  const auto b = static_cast<unsigned char>(text[end]);
  const std::size_t tail = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
  std::size_t last = end;
  for (std::size_t k = 1; k <= tail && end + k < text.size(); ++k) {
    if ((static_cast<unsigned char>(text[end + k]) & 0xc0) != 0x80) break;
    if (k == tail) last = end + tail;  // a whole character; otherwise the lone byte
  }
  std::string_view token = text.substr(start, last + 1 - start);
  if (token.size() <= kMax) return printable(token);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(token[cut]) & 0xc0) == 0x80) --cut;  // whole characters only
  return printable(token.substr(0, cut)) + "...";
}

}  // namespace

json parse_json_text(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte counts the bytes read, the one that broke the parse included.
    const std::size_t pos = e.byte == 0 ? 0 : e.byte - 1;
    if (pos >= text.size()) {
      COBUY_FAIL(ErrorCode::bad_request,
                 "not valid JSON (unexpected end of input at " << position_words(text, text.size()) << ")");
    }
    const std::size_t start = token_start(text, pos);
    COBUY_FAIL(ErrorCode::bad_request, "not valid JSON (unexpected '" << shown_token(text, start, pos) << "' at "
                                                                      << position_words(text, start) << ")");
  } catch (const json::out_of_range& e) {  // "number overflow parsing '1e400'"
    const std::string_view what = e.what();
    const auto open = what.find('\'');
    const auto close = what.rfind('\'');
    if (open != std::string_view::npos && close > open) {
      COBUY_FAIL(ErrorCode::bad_request,
                 "not valid JSON (number " << printable(what.substr(open + 1, close - open - 1)) << " is out of range)");
    }
    COBUY_FAIL(ErrorCode::bad_request, "not valid JSON (a number is out of range)");
  } catch (const json::exception&) {
    COBUY_FAIL(ErrorCode::bad_request, "not valid JSON");
  }
}

std::optional<std::string> query_id(const json& j) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find("id");
  if (it == j.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return std::nullopt;
}

Query query_from_json(const json& j) {
  COBUY_CHECK(j.is_object(), ErrorCode::bad_request, "a query must be a JSON object, got " << shown(j));
  Query q;
  if (auto id = query_id(j)) {
    q.id = std::move(*id);
  } else {
    bad_field("id", "a string or a number", j.at("id"));
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
  // An item's complements and substitutes name their anchor item: its title too, for "because you
  // bought ...".
  if (relation == Relation::complement || relation == Relation::substitute) {
    if (const auto anchor = cat.find(reason); anchor && !cat.titles[*anchor].empty()) o["reason_title"] = cat.titles[*anchor];
  }
  json fields = json::object();
  for (std::size_t k = 0; k < cat.field_names.size(); ++k) {
    if (const auto& v = cat.field_values[k][item]; !v.empty()) fields[cat.field_names[k]] = v;
  }
  if (!fields.empty()) o["fields"] = std::move(fields);
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
