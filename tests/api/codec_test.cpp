// The JSON codec shared by the server and `cobuy recommend`: queries in, results and errors out.
#include "api/http/codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

Model small_catalog_model() {
  Model m;
  m.catalog.add("tea");
  m.catalog.add("saucer");
  m.catalog.add("paper");
  m.catalog.titles[0] = "Teacup";
  m.catalog.prices[0] = 2.55f;
  m.catalog.categories[0] = "kitchen";
  m.catalog.titles[1] = "Saucer, \"pink\"";
  m.catalog.prices[1] = 1.5f;
  // paper: no title, price or category
  return m;
}

TEST(QueryFromJson, ReadsEveryField) {
  const auto j = json::parse(R"({
    "id": "q1", "items": ["22697", "22699"], "customer_id": "17850", "at": "2011-09-01T00:00:00",
    "limit": 7, "exclude": ["22698"],
    "filters": {"categories": ["kitchen"], "exclude_categories": ["food", "toys"], "min_price": 1, "max_price": 9.5}
  })");
  const Query q = query_from_json(j);
  EXPECT_EQ(q.id, "q1");
  EXPECT_EQ(q.items, (std::vector<std::string>{"22697", "22699"}));
  ASSERT_TRUE(q.customer_id.has_value());
  EXPECT_EQ(*q.customer_id, "17850");
  ASSERT_TRUE(q.at.has_value());
  EXPECT_EQ(*q.at, 1314835200);  // 2011-09-01T00:00:00Z
  EXPECT_EQ(q.limit, 7u);
  EXPECT_EQ(q.exclude, (std::vector<std::string>{"22698"}));
  EXPECT_EQ(q.filters.categories, (std::vector<std::string>{"kitchen"}));
  EXPECT_EQ(q.filters.exclude_categories, (std::vector<std::string>{"food", "toys"}));
  ASSERT_TRUE(q.filters.min_price.has_value());
  EXPECT_DOUBLE_EQ(*q.filters.min_price, 1.0);
  ASSERT_TRUE(q.filters.max_price.has_value());
  EXPECT_DOUBLE_EQ(*q.filters.max_price, 9.5);
}

TEST(QueryFromJson, DefaultsAndNulls) {
  const Query empty = query_from_json(json::object());
  EXPECT_EQ(empty.id, "");
  EXPECT_TRUE(empty.items.empty());
  EXPECT_TRUE(empty.exclude.empty());
  EXPECT_FALSE(empty.customer_id.has_value());
  EXPECT_FALSE(empty.at.has_value());
  EXPECT_EQ(empty.limit, 20u);
  EXPECT_TRUE(empty.filters.categories.empty());
  EXPECT_FALSE(empty.filters.min_price.has_value());

  const Query nulls = query_from_json(json::parse(
      R"({"id": null, "items": null, "customer_id": null, "at": null, "limit": null, "exclude": null,
          "filters": {"categories": null, "min_price": null}})"));
  EXPECT_EQ(nulls.limit, 20u);
  EXPECT_FALSE(nulls.customer_id.has_value());
  EXPECT_FALSE(nulls.at.has_value());
  EXPECT_FALSE(nulls.filters.min_price.has_value());
}

TEST(QueryFromJson, NumbersAreReadAsIdText) {
  const Query q = query_from_json(json::parse(
      R"({"id": 42, "items": [22697, "22699"], "customer_id": 17850, "exclude": [85123], "at": 1314835200})"));
  EXPECT_EQ(q.id, "42");
  EXPECT_EQ(q.items, (std::vector<std::string>{"22697", "22699"}));
  EXPECT_EQ(*q.customer_id, "17850");
  EXPECT_EQ(q.exclude, (std::vector<std::string>{"85123"}));
  EXPECT_EQ(*q.at, 1314835200);
  // Built in code (signed integers) rather than parsed (unsigned): same reading.
  const Query built = query_from_json(json{{"limit", 3}, {"items", {1, 2}}});
  EXPECT_EQ(built.limit, 3u);
  EXPECT_EQ(built.items, (std::vector<std::string>{"1", "2"}));
}

TEST(QueryFromJson, UnknownTopLevelKeysAreIgnored) {
  const Query q = query_from_json(json::parse(R"({"id": "q", "items": ["a"], "expected": ["b"]})"));
  EXPECT_EQ(q.items, (std::vector<std::string>{"a"}));
}

struct BadQuery {
  const char* json_text;
  const char* message_part;
};

class QueryFromJsonErrors : public ::testing::TestWithParam<BadQuery> {};

TEST_P(QueryFromJsonErrors, AreBadRequestsNamingTheField) {
  const auto& p = GetParam();
  try {
    query_from_json(json::parse(p.json_text));
    FAIL() << "accepted " << p.json_text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find(p.message_part), std::string::npos)
        << "message '" << e.what() << "' does not contain '" << p.message_part << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fields, QueryFromJsonErrors,
    ::testing::Values(BadQuery{R"([])", "a query must be a JSON object"},
                      BadQuery{R"("q1")", "a query must be a JSON object"},
                      BadQuery{R"({"id": {}})", "field 'id' must be a string or a number"},
                      BadQuery{R"({"items": "abc"})", "field 'items' must be an array"},
                      BadQuery{R"({"items": ["a", true]})", "field 'items[1]' must be a string or an integer"},
                      BadQuery{R"({"items": [1.5]})", "field 'items[0]'"},
                      BadQuery{R"({"exclude": {"a": 1}})", "field 'exclude' must be an array"},
                      BadQuery{R"({"customer_id": ["c"]})", "field 'customer_id'"},
                      BadQuery{R"({"at": "yesterday"})", "field 'at' must be an ISO-8601 date"},
                      BadQuery{R"({"at": "2011-02-30"})", "field 'at'"}, BadQuery{R"({"at": true})", "field 'at'"},
                      BadQuery{R"({"limit": -1})", "field 'limit' must be a positive integer, got number -1"},
                      BadQuery{R"({"limit": 0})", "field 'limit' must be a positive integer"},
                      BadQuery{R"({"limit": 2.5})", "field 'limit' must be a positive integer"},
                      BadQuery{R"({"limit": "5"})", "field 'limit' must be a positive integer"},
                      BadQuery{R"({"filters": []})", "field 'filters' must be an object"},
                      BadQuery{R"({"filters": {"colour": "red"}})", "unknown field 'filters.colour'"},
                      BadQuery{R"({"filters": {"categories": "food"}})", "field 'filters.categories' must be"},
                      BadQuery{R"({"filters": {"exclude_categories": [null]}})",
                               "field 'filters.exclude_categories[0]'"},
                      BadQuery{R"({"filters": {"min_price": "cheap"}})", "field 'filters.min_price' must be a number"},
                      BadQuery{R"({"filters": {"max_price": [1]}})", "field 'filters.max_price' must be a number"}));

TEST(QueryFromJson, LongBadValuesAreShortenedInMessages) {
  const std::string huge(10000, 'x');
  try {
    query_from_json(json{{"limit", huge}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u);
  }
}

TEST(ResultToJson, WritesItemFieldsWhereKnown) {
  const Model m = small_catalog_model();
  RecommendResult r;
  r.id = "q7";
  r.items = {{1, 0.83f, Relation::complement, "tea"}, {2, 0.25f, Relation::popular, "popular"}};
  const json j = result_to_json(m, r);
  EXPECT_EQ(j["id"], "q7");
  EXPECT_EQ(j["fallback"], false);
  EXPECT_FALSE(j.contains("unknown_items"));
  EXPECT_FALSE(j.contains("unknown_customer"));
  ASSERT_EQ(j["items"].size(), 2u);

  const json& a = j["items"][0];
  EXPECT_EQ(a["item_id"], "saucer");
  EXPECT_EQ(a["title"], "Saucer, \"pink\"");
  EXPECT_EQ(a["price"].get<double>(), 1.5);
  EXPECT_FALSE(a.contains("category"));
  EXPECT_EQ(a["relation"], "complement");
  EXPECT_EQ(a["reason"], "tea");
  // Floats are written by their shortest decimal form, not as widened doubles (0.8299999833...).
  EXPECT_EQ(a["score"].get<double>(), 0.83);
  EXPECT_NE(a.dump().find("\"score\":0.83,"), std::string::npos) << a.dump();

  const json& b = j["items"][1];
  EXPECT_EQ(b["item_id"], "paper");
  EXPECT_FALSE(b.contains("title"));
  EXPECT_FALSE(b.contains("price"));  // NaN = unknown
  EXPECT_FALSE(b.contains("category"));
  EXPECT_EQ(b["relation"], "popular");
  EXPECT_EQ(b["score"].get<double>(), 0.25);
}

TEST(ResultToJson, FlagsUnknownsOnlyWhenSet) {
  const Model m = small_catalog_model();
  RecommendResult r;
  r.id = "q";
  r.fallback = true;
  r.unknown_items = {"nope", "22697"};
  r.unknown_customer = true;
  const json j = result_to_json(m, r);
  EXPECT_EQ(j["fallback"], true);
  EXPECT_EQ(j["unknown_items"], json({"nope", "22697"}));
  EXPECT_EQ(j["unknown_customer"], true);
  EXPECT_TRUE(j["items"].is_array());
  EXPECT_TRUE(j["items"].empty());
}

TEST(ResultToJson, SurvivesATextRoundTrip) {
  const Model m = small_catalog_model();
  RecommendResult r;
  r.id = "round";
  r.items = {{0, 0.5f, Relation::repeat, "history"}, {1, 0.125f, Relation::complement, "tea"}};
  const json back = json::parse(result_to_json(m, r).dump());
  EXPECT_EQ(back["id"], "round");
  ASSERT_EQ(back["items"].size(), r.items.size());
  for (std::size_t k = 0; k < r.items.size(); ++k) {
    EXPECT_EQ(back["items"][k]["item_id"], m.catalog.ids[r.items[k].item]);
    EXPECT_EQ(static_cast<float>(back["items"][k]["score"].get<double>()), r.items[k].score);
    EXPECT_EQ(back["items"][k]["reason"], r.items[k].reason);
    EXPECT_EQ(back["items"][k]["relation"], std::string(relation_name(r.items[k].relation)));
  }
  EXPECT_EQ(back["items"][0]["category"], "kitchen");
  EXPECT_EQ(static_cast<float>(back["items"][0]["price"].get<double>()), 2.55f);
}

TEST(ItemAnswerToJson, NamesTheAnchorAndItsTitle) {
  const Model m = small_catalog_model();
  const json j = item_answer_to_json(m, 0, {{1, 0.5f, Relation::complement, "tea"}});
  EXPECT_EQ(j["item_id"], "tea");
  EXPECT_EQ(j["title"], "Teacup");
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["item_id"], "saucer");
  const json untitled = item_answer_to_json(m, 2, {});
  EXPECT_FALSE(untitled.contains("title"));
  EXPECT_TRUE(untitled["items"].is_array());
}

TEST(ErrorJson, HasCodeAndMessage) {
  const json j = error_json("bad_request", "field 'limit' must be a positive integer");
  EXPECT_EQ(j, json::parse(R"({"error": {"code": "bad_request",
                                         "message": "field 'limit' must be a positive integer"}})"));
}

TEST(HttpStatus, MapsEveryCode) {
  EXPECT_EQ(http_status(ErrorCode::bad_request), 400);
  EXPECT_EQ(http_status(ErrorCode::not_found), 404);
  EXPECT_EQ(http_status(ErrorCode::too_large), 413);
  EXPECT_EQ(http_status(ErrorCode::unavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::bad_data), 500);
  EXPECT_EQ(http_status(ErrorCode::io), 500);
  EXPECT_EQ(http_status(ErrorCode::internal), 500);
}

}  // namespace
}  // namespace cobuy
