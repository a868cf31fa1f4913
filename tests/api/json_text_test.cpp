// parse_json_text and query_id: how a JSONL line or a body that is not a query is refused, in
// plain words, once.
#include <gtest/gtest.h>

#include <string>

#include "api/http/codec.h"
#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

std::string refusal(const std::string& text) {
  try {
    (void)parse_json_text(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request) << text;
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(ParseJsonText, ParsesValidText) {
  EXPECT_EQ(parse_json_text(R"({"id": "q1", "items": [22697]})"), json({{"id", "q1"}, {"items", {22697}}}));
  EXPECT_EQ(parse_json_text("\xef\xbb\xbf[1]"), json({1})) << "a UTF-8 BOM is skipped";
}

TEST(ParseJsonText, SaysWhatIsWrongAndWhereInPlainWords) {
  EXPECT_EQ(refusal(R"({"id": "q1", "items": [)"), "not valid JSON (unexpected end of input at column 24)");
  EXPECT_EQ(refusal("{broken json"), "not valid JSON (unexpected 'b' at column 2)");
  EXPECT_EQ(refusal(R"({"id" "q1"})"), "not valid JSON (unexpected '\"q1\"' at column 7)")
      << "the whole token, where it starts";
  EXPECT_EQ(refusal(R"({"id" "say \"hi\""})"), "not valid JSON (unexpected '\"say \\\"hi\\\"\"' at column 7)");
  EXPECT_EQ(refusal(R"({"limit" 12})"), "not valid JSON (unexpected '12' at column 10)");
  EXPECT_EQ(refusal(R"({"limit": 01})"), "not valid JSON (unexpected '01' at column 11)");
  EXPECT_EQ(refusal(R"({"id": 1} x)"), "not valid JSON (unexpected 'x' at column 11)");
  EXPECT_EQ(refusal(R"([1,])"), "not valid JSON (unexpected ']' at column 4)");
  EXPECT_EQ(refusal(""), "not valid JSON (unexpected end of input at column 1)");
  EXPECT_EQ(refusal(R"({"limit": 1e400})"), "not valid JSON (number 1e400 is out of range)");
}

TEST(ParseJsonText, ShowsTheOffendingCharacterEscaped) {
  EXPECT_EQ(refusal("{\"id\": \"a\x1b[31m\"}"), "not valid JSON (unexpected '\\x1b' at column 10)");
  EXPECT_EQ(refusal("{\"id\": \"\xff\"}"), "not valid JSON (unexpected '\\xff' at column 9)");
  EXPECT_EQ(refusal("[\xe2\x98]"), "not valid JSON (unexpected '\\xe2' at column 2)") << "a character cut short";
  EXPECT_EQ(refusal("{\"t\": \"Caf\xc3\xa9\", \xc3\xa9}"), "not valid JSON (unexpected '\xc3\xa9' at column 15)")
      << "columns count characters, and a valid one is shown as it is";
}

TEST(ParseJsonText, NamesTheLineOfAMultiLineText) {
  EXPECT_EQ(refusal("{\n  \"id\": \"q1\",\n  \"items\": [1 2]\n}"), "not valid JSON (unexpected '2' at line 3, column 15)");
  EXPECT_EQ(refusal("{\"id\": 1,\n"), "not valid JSON (unexpected end of input at line 2, column 1)");
}

TEST(ParseJsonText, NeverRepeatsTheJsonLibrarysText) {
  const std::string m = refusal("{broken json");
  EXPECT_EQ(m.find("json.exception"), std::string::npos) << m;
  EXPECT_EQ(m.find("parse error"), std::string::npos) << m;
  EXPECT_EQ(m.find("line"), std::string::npos) << "a one-line text has no line number of its own: " << m;
}

TEST(QueryId, ReadsTheIdAsQueryFromJsonDoes) {
  EXPECT_EQ(query_id(json::parse(R"({"id": "q1"})")), "q1");
  EXPECT_EQ(query_id(json::parse(R"({"id": 7})")), "7");
  EXPECT_EQ(query_id(json::parse(R"({"id": null})")), "");
  EXPECT_EQ(query_id(json::parse(R"({"items": []})")), "");
  EXPECT_EQ(query_id(json::parse(R"({"id": ["q1"]})")), std::nullopt);
  EXPECT_EQ(query_id(json::parse(R"([1, 2])")), std::nullopt);
  EXPECT_EQ(query_from_json(json::parse(R"({"id": 7})")).id, "7");
}

}  // namespace
}  // namespace cobuy
