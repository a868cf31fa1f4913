// The per-request time budget (ServerOptions::request_timeout, `cobuy serve --request-timeout-ms`):
// work past it ends with 503 "timeout" and frees the worker; cheap routes are not affected.

#include "server_fixture.h"

namespace cobuy {
namespace {

using namespace std::chrono_literals;

class RequestTimeoutTest : public ::testing::Test {
 protected:
  static ServerOptions options(std::chrono::milliseconds budget) {
    auto o = Running::test_options();
    o.request_timeout = budget;
    return o;
  }
};

TEST_F(RequestTimeoutTest, WorkPastTheBudgetAnswers503TimeoutNamingTheBudget) {
  Running running(make_model(), options(0ms));
  auto c = running.client();
  const std::string query = R"({"items": ["tea"], "limit": 3})";
  auto res = c.Post("/v1/recommendations", query, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  const auto body = json::parse(res->body);
  EXPECT_EQ(body["error"]["code"], "timeout");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("0 ms"), std::string::npos) << res->body;

  auto offers = c.Post("/v1/offers", R"({"customer_id": "alice", "context": "win_back"})", "application/json");
  ASSERT_TRUE(offers);
  EXPECT_EQ(offers->status, 503) << offers->body;

  // Routes without per-item work still answer, and the workers are free again.
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(RequestTimeoutTest, WithinTheBudgetTheSameQueryIsAnswered) {
  Running running(make_model(), options(10s));
  auto c = running.client();
  auto res = c.Post("/v1/recommendations", R"({"items": ["tea"], "limit": 3})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(item_ids(json::parse(res->body)["items"]).front(), "saucer");
}

}  // namespace
}  // namespace cobuy
