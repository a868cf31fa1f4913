// A JSON number too large for a double (1e400) makes nlohmann's parser throw out_of_range, not
// parse_error; the server must still answer 400, not 500 (found by fuzz/fuzz_request; reproducer
// tests/fuzz_corpus/fuzz_request/number_overflow_1e400.json).
#include "api/server_fixture.h"

namespace cobuy {
namespace {

// Its own suite name: ServerTest's fixture class is per translation unit (anonymous namespace).
class JsonNumberOverflowTest : public ServerTest {};

TEST_F(JsonNumberOverflowTest, NumberTooLargeForADoubleIsABadRequest) {
  expect_error(post("/v1/recommendations", R"({"items": ["tea"], "limit": 1e400})", 400), "bad_request",
               "not valid JSON");
  expect_error(post("/v1/offers", R"({"customer_id": "c1", "at": -4444E4444})", 400), "bad_request",
               "not valid JSON");
  EXPECT_EQ(get("/healthz")["status"], "ok");
}

// Integer timestamps are bounded like the text form (12 digits of Unix seconds), so the date
// arithmetic behind offers (at minus a number of days) cannot overflow.
TEST_F(JsonNumberOverflowTest, TimestampsBeyondTwelveDigitsOfSecondsAreBadRequests) {
  for (const char* at : {"9223372036854775807", "-9223372036854775808", "18446744073709551615", "1000000000001"}) {
    expect_error(post("/v1/offers", std::string(R"({"customer_id": "alice", "at": )") + at + "}", 400), "bad_request",
                 "'at'");
  }
  EXPECT_EQ(post("/v1/offers", R"({"customer_id": "alice", "at": 1323430200})")["customer_id"], "alice");
}

}  // namespace
}  // namespace cobuy
