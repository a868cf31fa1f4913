// The test-support JSON Schema checker (tests/support/json_schema.h) that the OpenAPI tests rely
// on: it must reject what the schema forbids, or those tests would pass on anything.

#include <gtest/gtest.h>

#include "support/json_schema.h"

namespace cobuy {
namespace {

using Json = nlohmann::ordered_json;
using cobuy::testing::SchemaChecker;

const Json kDoc = Json::parse(R"({
  "components": {"schemas": {
    "Item": {"type": "object", "required": ["item_id", "relation"], "additionalProperties": false,
             "properties": {"item_id": {"type": "string"}, "score": {"type": "number", "minimum": 0},
                            "relation": {"type": "string", "enum": ["complement", "popular"]}}},
    "Answer": {"type": "object", "required": ["items"],
               "properties": {"items": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Item"}},
                              "at": {"type": ["string", "null"]},
                              "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}
  }}
})");

std::vector<std::string> problems(const char* value) {
  const SchemaChecker checker(kDoc);
  return checker.problems(Json::parse(value), Json::parse(R"({"$ref": "#/components/schemas/Answer"})"));
}

TEST(SchemaChecker, AcceptsAConformingValue) {
  EXPECT_EQ(problems(R"({"items": [{"item_id": "a", "score": 0.5, "relation": "popular"}], "at": null, "id": 7})"),
            std::vector<std::string>{});
}

TEST(SchemaChecker, NamesEachViolationWithItsPlace) {
  const auto has = [](const std::vector<std::string>& ps, const std::string& part) {
    for (const auto& p : ps) {
      if (p.find(part) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(problems(R"({})"), "required field 'items'"));
  EXPECT_TRUE(has(problems(R"({"items": []})"), "at least 1"));
  EXPECT_TRUE(has(problems(R"({"items": [{"relation": "popular"}]})"), "$.items[0]: required field 'item_id'"));
  EXPECT_TRUE(has(problems(R"({"items": [{"item_id": 1, "relation": "popular"}]})"), "$.items[0].item_id: expected type"));
  EXPECT_TRUE(has(problems(R"({"items": [{"item_id": "a", "relation": "nope"}]})"), "is not one of"));
  EXPECT_TRUE(has(problems(R"({"items": [{"item_id": "a", "relation": "popular", "x": 1}]})"), "field 'x' is not in the schema"));
  EXPECT_TRUE(has(problems(R"({"items": [{"item_id": "a", "relation": "popular", "score": -1}]})"), "below"));
  EXPECT_TRUE(has(problems(R"({"items": [{"item_id": "a", "relation": "popular"}], "at": 5})"), "$.at: expected type"));
  EXPECT_TRUE(has(problems(R"({"items": [{"item_id": "a", "relation": "popular"}], "id": 1.5})"), "oneOf"));
}

TEST(SchemaChecker, ReportsKeywordsItDoesNotSupportAndDanglingReferences) {
  const SchemaChecker checker(kDoc);
  EXPECT_EQ(checker.problems(Json("abc"), Json::parse(R"({"type": "string", "maxLength": 2})")).size(), 1u);
  EXPECT_EQ(checker.problems(Json("abc"), Json::parse(R"({"$ref": "#/components/schemas/Nope"})")).size(), 1u);
  EXPECT_THROW(checker.resolve(Json::parse(R"({"$ref": "#/nowhere"})")), std::exception);
}

}  // namespace
}  // namespace cobuy
