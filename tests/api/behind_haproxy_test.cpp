// The recommended deployment behind a buffering reverse proxy (issue 13, item 1): haproxy from
// Debian, started by this test on loopback with the repository's own deploy/haproxy.cfg, in front
// of `cobuy serve`. While 200 clients hold half-sent requests open at the proxy, /healthz and a
// bought-together request through it answer within 100 ms every time; JSON bodies, error answers
// and request ids pass through unchanged.

#include <poll.h>

#include <fstream>

#include "core/artifact.h"
#include "serve_process.h"

namespace cobuy {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kHaproxy = "/usr/sbin/haproxy";

/// haproxy in the foreground with deploy/haproxy.cfg, between `proxy_port` and `backend_port`.
class Haproxy {
 public:
  Haproxy(int proxy_port, int backend_port) : port_(proxy_port) {
    const std::string config = std::string(COBUY_BUNDLED_DATASETS) + "/../deploy/haproxy.cfg";
    const std::string bind = "127.0.0.1:" + std::to_string(proxy_port);
    const std::string backend = "127.0.0.1:" + std::to_string(backend_port);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("COBUY_PROXY_BIND", bind.c_str(), 1);
      ::setenv("COBUY_BACKEND", backend.c_str(), 1);
      ::execl(kHaproxy, kHaproxy, "-db", "-q", "-f", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      httplib::Client c("127.0.0.1", port_);
      c.set_connection_timeout(1, 0);
      if (auto res = c.Get("/healthz"); res && res->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "haproxy did not come up on port " << port_;
  }
  ~Haproxy() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(5, 0);
    return c;
  }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

class BehindHaproxy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kHaproxy, X_OK) != 0) GTEST_SKIP() << kHaproxy << " is not installed (scripts/setup.sh installs it)";
    dir_ = fs::temp_directory_path() / ("cobuy-haproxy-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    save_model(*make_model(), (dir_ / "model").string());
    serve_ = std::make_unique<ServeProcess>(dir_ / "model", fs::path{}, std::vector<std::string>{"--threads", "8"});
    proxy_ = std::make_unique<Haproxy>(free_port(), serve_->port());
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
