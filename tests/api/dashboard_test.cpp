// The dashboard (GET /ui and its files) and GET /v1/stats/shop: content types, the CSP, scopes
// with API keys on, the same-origin rule the page's calls pass, the shop figures of the model and
// of the order log; and the page in a real browser (Debian's chromium driven by
// tests/browser/dashboard.mjs) against `cobuy serve` on the bundled example shop.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "api/http/api_keys.h"
#include "api/http/cors.h"
#include "api/http/dashboard_assets.h"
#include "serve_process.h"
#include "support/run_cobuy.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

using DashboardTest = ServerTest;

TEST_F(DashboardTest, PageScriptAndStyleHaveTheirTypesAndAStrictPolicy) {
  auto c = client();
  for (const auto& [path, type] : {std::pair{"/ui", "text/html; charset=utf-8"},
                                   std::pair{"/ui/dashboard.js", "text/javascript; charset=utf-8"},
                                   std::pair{"/ui/dashboard.css", "text/css; charset=utf-8"}}) {
    const auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), type) << path;
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kDashboardCsp) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->body, dashboard_asset(std::string_view(path).substr(std::min<std::size_t>(4, std::string_view(path).size())))->body);
  }
  const auto page = c.Get("/ui");
  EXPECT_NE(page->body.find(R"(<script src="/ui/dashboard.js" defer></script>)"), std::string::npos);
  EXPECT_NE(page->body.find(R"(id="email-preview")"), std::string::npos);
  EXPECT_NE(std::string(kDashboardCsp).find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(std::string(kDashboardCsp).find("unsafe"), std::string::npos) << "no inline script or style";

  const auto missing = c.Get("/ui/other.js");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("no dashboard file 'other.js'"), std::string::npos);
  EXPECT_EQ(c.Post("/ui", "{}", "application/json")->status, 405);
}

TEST(DashboardFiles, NameNoOtherHost) {
  // The page needs nothing from the network: its files name no URL but the SVG namespace (product
  // images and links come from the API's answers).
  const std::regex url(R"(https?://[^\s'"`)]*)");
  for (const char* name : {"", "dashboard.js", "dashboard.css"}) {
    const std::string text(dashboard_asset(name)->body);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), url); it != std::sregex_iterator(); ++it) {
      EXPECT_EQ(it->str(), "http://www.w3.org/2000/svg") << "in '" << name << "'";
    }
    EXPECT_EQ(text.find("<style"), std::string::npos);
    EXPECT_EQ(text.find(" style=\""), std::string::npos);
    EXPECT_EQ(text.find(" onclick="), std::string::npos);
  }
}

TEST_F(DashboardTest, ShopStatsComeFromTheModelHistory) {
  const json s = get("/v1/stats/shop");
  EXPECT_EQ(s["history"]["source"], "model");
  EXPECT_EQ(s["history"]["model_orders"], 2);
  EXPECT_TRUE(s["history"]["log_orders"].is_null());
  EXPECT_EQ(s["history"]["model_version"], "test-v1");
  EXPECT_EQ(s["orders"], 2);
  EXPECT_EQ(s["customers"], 1);
  EXPECT_DOUBLE_EQ(s["repeat_purchase_rate"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(s["average_order_value"]["mean"].get<double>(), 3.25);
  EXPECT_DOUBLE_EQ(s["days_between_orders"]["median"].get<double>(), 31);  // March 2011
  EXPECT_EQ(s["months"].size(), 2u);
  EXPECT_EQ(s["recent_customers"], json::array({"alice"}));
}

using DashboardLoggedTest = LoggedServerTest;

TEST_F(DashboardLoggedTest, ShopStatsAddTheOrderLog) {
  post("/v1/orders", R"({"order_id": "B-1", "customer_id": "bob", "timestamp": "2011-05-02T10:00:00Z",
                         "items": [{"item_id": "pen", "quantity": 2, "price": 1.5}]})", 201);
  const json s = get("/v1/stats/shop");
  EXPECT_EQ(s["history"]["source"], "model+order_log");
  EXPECT_EQ(s["history"]["log_orders"], 1);
  EXPECT_EQ(s["orders"], 3);
  EXPECT_EQ(s["customers"], 2);
  EXPECT_DOUBLE_EQ(s["repeat_purchase_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(s["revenue"].get<double>(), 9.5);
  EXPECT_EQ(s["last_order"], "2011-05-02T10:00:00Z");
  EXPECT_EQ(s["months"].back()["month"], "2011-05");
  EXPECT_EQ(s["months"].back()["new_customers"], 1);
  EXPECT_EQ(s["recent_customers"], json::array({"bob", "alice"}));
}

TEST(DashboardAuth, PageIsPublicAndShopStatsNeedTheReadScope) {
  const std::string read_token = "cobuy_dashboard-read", write_token = "cobuy_dashboard-write";
  auto o = Running::test_options();
  o.keys = std::make_shared<const ApiKeys>(ApiKeys::parse("reader read " + to_hex(sha256(read_token)) + "\nwriter write " +
                                                              to_hex(sha256(write_token)) + "\n",
                                                          "test-keys"));
  const Running running(make_model(), o);
  auto c = running.client();
  EXPECT_EQ(c.Get("/ui")->status, 200) << "the page holds no data and asks for a key itself";
  EXPECT_EQ(c.Get("/ui/dashboard.js")->status, 200);
  const auto none = c.Get("/v1/stats/shop");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), R"(Bearer realm="cobuy")");
  EXPECT_EQ(c.Get("/v1/stats/shop", {{"Authorization", "Bearer cobuy_wrong"}})->status, 401);
  EXPECT_EQ(c.Get("/v1/stats/shop", {{"Authorization", "Bearer " + write_token}})->status, 403);
  EXPECT_EQ(c.Get("/v1/stats/shop", {{"Authorization", "Bearer " + read_token}})->status, 200);
  EXPECT_EQ(route_scope(RouteId::shop_stats), Scope::read);
  EXPECT_FALSE(route_scope(RouteId::dashboard).has_value());
}

TEST(DashboardOrigin, ThePagesOwnOriginIsTrustedOnLoopbackOrWithKeys) {
  EXPECT_TRUE(trusted_same_origin("http://127.0.0.1:8080", "127.0.0.1:8080", false));
  EXPECT_TRUE(trusted_same_origin("http://localhost:8080", "localhost:8080", false));
  EXPECT_TRUE(trusted_same_origin("http://[::1]:8080", "[::1]:8080", false));
  EXPECT_FALSE(trusted_same_origin("http://127.0.0.1:9999", "127.0.0.1:8080", false)) << "another port";
  EXPECT_FALSE(trusted_same_origin("http://evil.example:8080", "evil.example:8080", false)) << "DNS rebinding";
  EXPECT_TRUE(trusted_same_origin("https://shop.example", "shop.example", true)) << "keys on: the page sends one";
  EXPECT_FALSE(trusted_same_origin("https://other.example", "shop.example", true));
  EXPECT_FALSE(trusted_same_origin("", "127.0.0.1:8080", false));
}

TEST_F(DashboardTest, ThePagesOwnCallsPassTheOriginCheck) {
  const std::string self = "127.0.0.1:" + std::to_string(running_->port());
  auto c = client();
  const std::string body = R"({"customer_id": "alice", "context": "shipping", "preview": true})";
  const auto own = c.Post("/v1/offers", {{"Origin", "http://" + self}, {"Host", self}}, body, "application/json");
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_FALSE(own->has_header("Access-Control-Allow-Origin"));
  const auto rebound = c.Post("/v1/offers", {{"Origin", "http://evil.example:" + std::to_string(running_->port())},
                                             {"Host", "evil.example:" + std::to_string(running_->port())}},
                              body, "application/json");
  EXPECT_EQ(rebound->status, 403);
}

// The page in Debian's chromium (tests/browser/dashboard.mjs, puppeteer-core). Skipped with a
// message when chromium or tests/browser/node_modules is missing, unless COBUY_REQUIRE_BROWSER=1
// (CI), which makes that a failure.
TEST(DashboardBrowser, PicksACustomerAndShowsTheOffersOfTheApi) {
  const fs::path source = fs::path(COBUY_BUNDLED_DATASETS).parent_path();
  const char* chromium_env = std::getenv("CHROMIUM");
  const fs::path chromium = chromium_env != nullptr ? chromium_env : "/usr/bin/chromium";
  const bool required = std::getenv("COBUY_REQUIRE_BROWSER") != nullptr && std::string(std::getenv("COBUY_REQUIRE_BROWSER")) == "1";
  std::string missing;
  if (!fs::exists(chromium)) missing = chromium.string() + " (apt-get install chromium)";
  if (!fs::exists(source / "tests/browser/node_modules/puppeteer-core")) {
    missing = "tests/browser/node_modules (npm ci --prefix tests/browser)";
  }
  if (testing::run_shell("node --version").status != 0) missing = "node";
  if (!missing.empty()) {
    if (required) FAIL() << "COBUY_REQUIRE_BROWSER=1 but " << missing << " is missing (scripts/setup.sh installs it)";
    GTEST_SKIP() << "no browser test: " << missing << " is missing (scripts/setup.sh installs it)";
  }

  const fs::path dir = fs::temp_directory_path() / ("cobuy-dashboard-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path model = dir / "model", keys = dir / "keys.txt", policy = dir / "policy.json";
  const auto trained = testing::run_cobuy("train --orders " + (source / "datasets/example_orders.csv").string() +
                                          " --catalog " + (source / "datasets/example_catalog.csv").string() +
                                          " --out " + model.string());
  ASSERT_EQ(trained.status, 0) << trained.output;
  const std::string read_token = "cobuy_browser-read", write_token = "cobuy_browser-write";
  std::ofstream(keys) << "browser read " << to_hex(sha256(read_token)) << "\norders write " << to_hex(sha256(write_token))
                      << "\n";
  std::ofstream(policy) << R"({"coupon_template": "SAVE{percent}-{item_id}"})" << "\n";
  {  // the server ends (SIGTERM) before its directory is removed
    const ServeProcess serve(model, dir / "orders.db", {"--keys", keys.string(), "--policy", policy.string()});
    // One order in the log, so the shop figures come from the model and the log.
    auto c = serve.client();
    const auto recorded = c.Post("/v1/orders", {{"Authorization", "Bearer " + write_token}},
                                 R"({"order_id": "#2001", "customer_id": "c07", "timestamp": "2024-03-20T10:00:00Z",
                                     "items": [{"item_id": "T-100", "quantity": 1, "price": 6.5}]})",
                                 "application/json");
    ASSERT_EQ(recorded->status, 201) << recorded->body;

    const fs::path out = fs::path(COBUY_BINARY).parent_path() / "browser";  // in the build tree
    const auto run = testing::run_shell("COBUY_API_KEY=" + read_token + " CHROMIUM=" + chromium.string() + " timeout 90 node " +
                                        (source / "tests/browser/dashboard.mjs").string() + " http://127.0.0.1:" +
                                        std::to_string(serve.port()) + " " + out.string());
    std::printf("%s", run.output.c_str());
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("dashboard: "), std::string::npos);
    EXPECT_NE(run.output.find(" 0 failed"), std::string::npos);
    EXPECT_TRUE(fs::exists(out / "dashboard.png"));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
