// CorsPolicy and is_json_media_type: which browser origins may call the API, and what a body
// must say it is.

#include "api/http/cors.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cobuy {
namespace {

TEST(CorsPolicy, NoOriginHeaderIsAlwaysAllowedAndAnyOriginIsRefusedByDefault) {
  const CorsPolicy none;
  EXPECT_TRUE(none.allows(""));
  EXPECT_FALSE(none.allows("http://127.0.0.1:8080"));
  EXPECT_FALSE(none.allows("null"));  // a file:// page or a sandboxed frame
  EXPECT_TRUE(none.answer_headers("").empty());
}

TEST(CorsPolicy, ListedOriginsMatchWithoutRegardToCase) {
  const CorsPolicy p({"https://Shop.Example", "http://localhost:3000"});
  EXPECT_TRUE(p.allows("https://shop.example"));
  EXPECT_TRUE(p.allows("HTTPS://SHOP.EXAMPLE"));
  EXPECT_TRUE(p.allows("http://localhost:3000"));
  EXPECT_FALSE(p.allows("http://shop.example"));       // another scheme
  EXPECT_FALSE(p.allows("https://shop.example:8443"));  // another port
  EXPECT_FALSE(p.allows("https://evil.shop.example"));
}

TEST(CorsPolicy, AnswersNameTheOriginAndVaryOnIt) {
  const CorsPolicy p({"https://shop.example"});
  const auto h = p.answer_headers("https://shop.example");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].first, "Access-Control-Allow-Origin");
  EXPECT_EQ(h[0].second, "https://shop.example");
  EXPECT_EQ(h[1].first, "Vary");
  const auto pre = p.preflight_headers("https://shop.example", "POST, OPTIONS");
  bool methods = false;
  for (const auto& [name, value] : pre) methods = methods || (name == "Access-Control-Allow-Methods" && value == "POST, OPTIONS");
  EXPECT_TRUE(methods);
}

TEST(CorsPolicy, EntriesThatAreNotOriginsAreRefusedByName) {
  for (const char* bad : {"*", "shop.example", "https://shop.example/", "https://shop.example/path", "ftp://x",
                          "https://", "https://a b"}) {
    try {
      CorsPolicy p({bad});
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(JsonMediaType, ApplicationJsonWithOrWithoutParameters) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type(" application/json "));
  EXPECT_FALSE(is_json_media_type(""));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_media_type("multipart/form-data; boundary=x"));
  EXPECT_FALSE(is_json_media_type("application/jsonp"));
}

}  // namespace
}  // namespace cobuy
