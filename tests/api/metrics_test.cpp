// GET /metrics (Prometheus text exposition) and the X-Request-Id header.

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "api/http/metrics.h"
#include "api/store/order_store.h"
#include "server_fixture.h"

namespace cobuy {
namespace {

/// Every sample of an exposition, by `name{labels}` as written; fails the test on a line that is
/// neither a comment nor `name{labels} value` / `name value`.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex kSample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (\S+)$)");
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, kSample)) << "not a sample line: '" << line << "'";
    if (m.empty()) continue;
    std::size_t used = 0;
    const std::string value = m[5].str();
    const double v = std::stod(value, &used);
    EXPECT_EQ(used, value.size()) << line;
    EXPECT_TRUE(out.emplace(m[1].str(), v).second) << "duplicate series " << m[1];
  }
  return out;
}

class MetricsTest : public ServerTest {
 protected:
  std::map<std::string, double> scrape() {
    auto c = client();
    auto res = c.Get("/metrics");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4");
    return parse_exposition(res->body);
  }
  static double value(const std::map<std::string, double>& samples, const std::string& series) {
    const auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
};

constexpr const char* kBt = R"(route="/v1/items/{item_id}/bought-together")";

TEST_F(MetricsTest, CountersAndTheHistogramMoveWithRequests) {
  const auto before = scrape();
  EXPECT_EQ(value(before, std::string("cobuy_request_duration_seconds_count{") + kBt + "}"), 0);
  for (int k = 0; k < 3; ++k) get("/v1/items/tea/bought-together?limit=2");
  for (int k = 0; k < 2; ++k) get("/v1/items/tea/bought-together?limit=0", 400);
  get("/v1/items/nope/bought-together", 404);
  const auto after = scrape();
  EXPECT_EQ(value(after, std::string("cobuy_requests_total{") + kBt + ",status=\"200\"}"), 3);
  EXPECT_EQ(value(after, std::string("cobuy_requests_total{") + kBt + ",status=\"400\"}"), 2);
  EXPECT_EQ(value(after, std::string("cobuy_requests_total{") + kBt + ",status=\"404\"}"), 1);
  EXPECT_EQ(value(after, std::string("cobuy_request_duration_seconds_count{") + kBt + "}"), 6);
  EXPECT_EQ(value(after, std::string("cobuy_request_duration_seconds_bucket{") + kBt + ",le=\"+Inf\"}"), 6);
  EXPECT_GT(value(after, std::string("cobuy_request_duration_seconds_sum{") + kBt + "}"), 0);
  // Buckets are cumulative.
  double last = 0;
  for (const double le : Metrics::kBuckets) {
    std::ostringstream series;
    series << "cobuy_request_duration_seconds_bucket{" << kBt << ",le=\"" << le << "\"}";
    const double v = value(after, series.str());
    ASSERT_GE(v, last) << series.str();
    last = v;
  }
  // The first scrape counted itself once it was answered.
  EXPECT_EQ(value(after, R"(cobuy_requests_total{route="/metrics",status="200"})"), 1);
}

TEST_F(MetricsTest, ModelInfoCarriesTheVersionAndFollowsTheLiveModel) {
  auto samples = scrape();
  EXPECT_EQ(value(samples, R"(cobuy_model_info{version="test-v1"})"), 1);
  // Created 2011-12-10: years old.
  EXPECT_GT(value(samples, "cobuy_model_age_seconds"), 365.0 * 86400);
  running_->server().set_model(make_model("test-v2"));
  samples = scrape();
  EXPECT_EQ(value(samples, R"(cobuy_model_info{version="test-v2"})"), 1);
  EXPECT_EQ(samples.count(R"(cobuy_model_info{version="test-v1"})"), 0u);
  EXPECT_EQ(value(samples, R"(cobuy_reloads_total{result="ok"})"), 0);
}

TEST_F(MetricsTest, FallbacksAndFailedReloadsAreCounted) {
  const auto answer = post("/v1/recommendations", R"({"items": ["nope"], "limit": 3})");
  ASSERT_EQ(answer["fallback"], true) << answer;
  post("/v1/recommendations", R"({"items": ["tea"], "limit": 3})");
  post("/v1/admin/reload", "", 400);  // the test server has no model directory
  const auto samples = scrape();
  EXPECT_EQ(value(samples, "cobuy_fallbacks_total"), 1);
  EXPECT_EQ(value(samples, R"(cobuy_reloads_total{result="failed"})"), 1);
  EXPECT_EQ(value(samples, "cobuy_orders_recorded_total"), 0);
}

TEST(Metrics, RecordedOrdersAreCounted) {
  const auto db = std::filesystem::temp_directory_path() / ("cobuy-metrics-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  ServerOptions o = Running::test_options();
  o.orders = OrderStore::open(db.string());
  {
    Running running(make_model(), o);
    auto c = running.client();
    const std::string order =
        R"({"order_id": "o1", "customer_id": "bob", "timestamp": 1302000000, "items": [{"item_id": "tea"}]})";
    auto first = c.Post("/v1/orders", order, "application/json");
    auto again = c.Post("/v1/orders", order, "application/json");  // a duplicate: not counted
    ASSERT_TRUE(first && again);
    EXPECT_EQ(first->status, 201);
    EXPECT_EQ(again->status, 200);
    auto res = c.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_EQ(parse_exposition(res->body)["cobuy_orders_recorded_total"], 1);
  }
  o.orders.reset();
  std::filesystem::remove(db);
}

TEST_F(MetricsTest, RequestIdsAreEchoedOrGenerated) {
  auto c = client();
  httplib::Headers given{{"X-Request-Id", "email-42_a.b:c"}};
  auto res = c.Get("/healthz", given);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("X-Request-Id"), "email-42_a.b:c");
  // Also on POST routes and on errors.
  res = c.Post("/v1/recommendations", given, "{bad", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->get_header_value("X-Request-Id"), "email-42_a.b:c");

  auto a = c.Get("/healthz");
  auto b = c.Get("/healthz");
  ASSERT_TRUE(a && b);
  const auto id_a = a->get_header_value("X-Request-Id");
  EXPECT_FALSE(id_a.empty());
  EXPECT_NE(id_a, b->get_header_value("X-Request-Id"));
  // Not sane (too long, or with a space): replaced by a generated one.
  for (const std::string& bad : {std::string(65, 'x'), std::string("two words")}) {
    res = c.Get("/healthz", httplib::Headers{{"X-Request-Id", bad}});
    ASSERT_TRUE(res);
    const auto id = res->get_header_value("X-Request-Id");
    EXPECT_FALSE(id.empty());
    EXPECT_NE(id, bad);
  }
  res = c.Get("/healthz", httplib::Headers{{"X-Request-Id", std::string(64, 'y')}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("X-Request-Id"), std::string(64, 'y'));
}

TEST(Metrics, TheDebugLogLineCarriesTheRequestId) {
  std::mutex mu;
  std::vector<std::string> lines;
  log::set_sink([&](const std::string& line) {
    std::lock_guard lock(mu);
    lines.push_back(line);
  });
  const auto old_level = log::level();
  log::set_level(log::Level::debug);
  {
    Running running(make_model());
    auto c = running.client();
    auto res = c.Get("/healthz", httplib::Headers{{"X-Request-Id", "trace-7"}});
    ASSERT_TRUE(res);
  }
  log::set_level(old_level);
  log::set_sink(nullptr);
  int matching = 0;
  for (const auto& l : lines) {
    if (l.find("path=/healthz") != std::string::npos && l.find("request_id=trace-7") != std::string::npos) ++matching;
  }
  EXPECT_EQ(matching, 1) << ::testing::PrintToString(lines);
}

}  // namespace
}  // namespace cobuy
