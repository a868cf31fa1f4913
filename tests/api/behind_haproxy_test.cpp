// The recommended deployment behind a buffering reverse proxy (issue 13, item 1): haproxy from
// Debian, started by this test on loopback with the repository's own deploy/haproxy.cfg, in front
// of `cobuy serve`. While 200 clients hold half-sent requests open at the proxy, /healthz and a
// bought-together request through it answer within 100 ms every time; JSON bodies, error answers
// and request ids pass through unchanged.

#include <poll.h>

#include <fstream>

#include "core/artifact.h"
#include "haproxy_process.h"
#include "serve_process.h"

namespace cobuy {
namespace {

using Clock = std::chrono::steady_clock;

class BehindHaproxy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kHaproxy, X_OK) != 0) GTEST_SKIP() << kHaproxy << " is not installed (scripts/setup.sh installs it)";
    dir_ = fs::temp_directory_path() / ("cobuy-haproxy-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    save_model(*make_model(), (dir_ / "model").string());
    serve_ = std::make_unique<ServeProcess>(dir_ / "model", fs::path{}, std::vector<std::string>{"--threads", "8"});
    proxy_ = std::make_unique<Haproxy>(free_port(), "haproxy.cfg",
                                       std::vector<std::pair<std::string, std::string>>{
                                           {"COBUY_BACKEND", "127.0.0.1:" + std::to_string(serve_->port())}});
  }
  void TearDown() override {
    proxy_.reset();
    serve_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path dir_;
  std::unique_ptr<ServeProcess> serve_;
  std::unique_ptr<Haproxy> proxy_;
};

TEST_F(BehindHaproxy, TwoHundredHeldHalfRequestsAtTheProxyBlockNothing) {
  std::vector<int> held;
  for (int k = 0; k < 200; ++k) {
    const int fd = connect_loopback(proxy_->port());
    ASSERT_GE(fd, 0);
    const std::string half = "GET /v1/items/tea/bought-tog";
    ::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    held.push_back(fd);
  }
  double worst = 0;
  for (int round = 0; round < 20; ++round) {
    for (const char* path : {"/healthz", "/v1/items/tea/bought-together?limit=3"}) {
      const auto start = Clock::now();
      auto c = proxy_->client();
      const auto res = c.Get(path);
      worst = std::max(worst, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      ASSERT_TRUE(res) << path;
      EXPECT_EQ(res->status, 200) << path;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(worst, 100.0) << "slowest answer through haproxy while 200 connections were held";
  for (const int fd : held) ::close(fd);
}

TEST_F(BehindHaproxy, BodiesErrorsAndRequestIdsPassThrough) {
  auto c = proxy_->client();
  const auto ok = c.Post("/v1/recommendations", httplib::Headers{{"X-Request-Id", "proxy-test-1"}},
                         R"({"items": ["tea"], "limit": 2})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->get_header_value("X-Request-Id"), "proxy-test-1");
  EXPECT_FALSE(json::parse(ok->body)["items"].empty());
  const auto plain = c.Post("/v1/recommendations", R"({"items": ["tea"]})", "text/plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 415);
  const auto unknown = c.Get("/v1/items/no-such-item/bought-together");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  expect_error(json::parse(unknown->body), "not_found", "no-such-item");
}

}  // namespace
}  // namespace cobuy
