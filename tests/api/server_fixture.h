#pragma once
/// Shared pieces of the server tests: a small hand-built model, a running server on a free
/// port, raw-socket helpers and error checks.

#include "api/http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/codec.h"
#include "api/store/order_store.h"
#include "core/error.h"
#include "core/log.h"
#include "core/recommender.h"

namespace cobuy {
namespace {

using nlohmann::json;

/// A hand-built model: tea goes with saucer, cake and 22697; pen with paper; alice bought tea twice.
inline std::shared_ptr<Model> make_model(const std::string& version = "test-v1") {
  auto m = std::make_shared<Model>();
  m->version = version;
  m->created_at = "2011-12-10T00:00:00Z";
  m->data_fingerprint = "fp";
  auto& c = m->catalog;
  const auto add = [&](const std::string& id, const std::string& title, float price, const std::string& cat) {
    const auto i = c.add(id);
    c.titles[i] = title;
    c.prices[i] = price;
    c.categories[i] = cat;
    return i;
  };
  const auto tea = add("tea", "Teacup", 2.5f, "kitchen");                       // 0
  const auto saucer = add("saucer", "Saucer, pink", 1.5f, "kitchen");           // 1
  const auto cake = add("cake", "Cake", 4.0f, "food");                          // 2
  const auto pen = add("pen", "Pen", 1.0f, "office");                           // 3
  const auto paper = c.add("paper");                                            // 4: nothing known
  const auto regency = add("22697", "Green regency teacup", 2.95f, "kitchen");  // 5
  const auto box = add("box/2", "Box", 3.0f, "office");                         // 6
  const auto latin1 = add("cafe", "Caf\xe9", 2.0f, "food");                     // 7: not UTF-8

  // Rows best first, one per item, in item order.
  const std::vector<std::vector<Neighbor>> rows = {
      {{saucer, 0.9f, 6}, {cake, 0.5f, 3}, {regency, 0.2f, 2}},  // tea
      {{tea, 0.9f, 6}, {cake, 0.1f, 2}},                         // saucer
      {{tea, 0.5f, 3}, {saucer, 0.1f, 2}},                       // cake
      {{paper, 0.8f, 9}, {box, 0.3f, 2}},                        // pen
      {{pen, 0.8f, 9}},                                          // paper
      {{tea, 0.2f, 2}},                                          // 22697
      {{pen, 0.3f, 2}},                                          // box/2
      {{cake, 0.4f, 2}},                                         // cafe
  };
  for (const auto& row : rows) {
    m->bought_together.entries.insert(m->bought_together.entries.end(), row.begin(), row.end());
    m->bought_together.offsets.push_back(m->bought_together.entries.size());
  }
  // Substitutes: only tea has one (cafe), every other row is empty.
  m->similar.entries = {{latin1, 0.7f, 0}};
  m->similar.offsets = {0, 1, 1, 1, 1, 1, 1, 1, 1};
  m->item_orders = {12, 7, 4, 10, 9, 2, 2, 2};
  m->popular = {pen, tea, saucer, paper, cake, regency, box, latin1};
  m->popular_scores = {1.0f, 0.8f, 0.6f, 0.5f, 0.3f, 0.1f, 0.05f, 0.02f};

  auto& h = m->customers;
  h.ids = {"alice"};
  h.index.emplace("alice", 0);
  h.order_offsets = {0, 2};
  h.order_times = {1298937600, 1301616000};  // 2011-03-01, 2011-04-01
  h.order_values = {4.0f, 2.5f};
  h.item_offsets = {0, 2, 3};
  h.items = {tea, saucer, tea};

  m->stats.orders = 30;
  m->stats.first_order = 1298937600;
  m->stats.last_order = 1301616000;
  m->stats.items = c.size();
  m->stats.customers = 1;
  m->stats.pairs = 8;
  m->ingest_summary = json::object();
  return m;
}

inline std::vector<std::string> item_ids(const json& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.at("item_id").get<std::string>());
  return out;
}

/// A server on 127.0.0.1 with a free port, run in its own thread for the length of a test.
class Running {
 public:
  explicit Running(std::shared_ptr<const Model> model, ServerOptions options = test_options())
      : server_(std::move(model), std::move(options)) {
    server_.bind();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~Running() {
    server_.stop();
    thread_.join();
  }
  static ServerOptions test_options() {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 4;
    o.limits.max_limit = 50;
    o.max_body_bytes = 64 * 1024;
    return o;
  }
  Server& server() { return server_; }
  int port() const { return server_.port(); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    c.set_write_timeout(5, 0);
    return c;
  }

 private:
  Server server_;
  std::thread thread_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = make_model();
    running_ = std::make_unique<Running>(model_);
  }
  void TearDown() override { running_.reset(); }

  httplib::Client client() const { return running_->client(); }

  /// GETs `path`, checks status and content type, returns the parsed body.
  json get(const std::string& path, int status = 200) {
    auto cli = client();
    auto res = cli.Get(path.c_str());
    EXPECT_TRUE(res) << "GET " << path << ": " << httplib::to_string(res.error());
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << "GET " << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(res->body);
  }
  json post(const std::string& path, const std::string& body, int status = 200) {
    auto cli = client();
    auto res = cli.Post(path.c_str(), body, "application/json");
    EXPECT_TRUE(res) << "POST " << path << ": " << httplib::to_string(res.error());
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << "POST " << path << " " << body.substr(0, 200) << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(res->body);
  }

  std::shared_ptr<Model> model_;
  std::unique_ptr<Running> running_;
};

/// ServerTest's server with an order log (a SQLite file named after the test suite) and offer
/// lists of 3.
class LoggedServerTest : public ServerTest {
 protected:
  void SetUp() override {
    db_ = std::filesystem::temp_directory_path() /
          ("cobuy-" + std::string(::testing::UnitTest::GetInstance()->current_test_suite()->name()) + "-" +
           std::to_string(::getpid()) + ".db");
    std::filesystem::remove(db_);
    model_ = make_model();
    ServerOptions o = Running::test_options();
    o.orders = OrderStore::open(db_.string());
    o.policy.limit = 3;
    running_ = std::make_unique<Running>(model_, o);
  }
  void TearDown() override {
    running_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_.string() + suffix);
  }
  std::filesystem::path db_;
};

/// A TCP connection to 127.0.0.1:`port`, or -1.
inline int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Sends raw bytes on a fresh connection and returns everything the server answers before it
/// closes the connection or stays silent for `timeout_ms`.
inline std::string raw_exchange(int port, const std::string& request, int timeout_ms = 2000) {
  const int fd = connect_loopback(port);
  EXPECT_GE(fd, 0);
  if (fd < 0) return "";
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  // Read until the response is complete (Content-Length), the peer closes, or the timeout.
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    const auto head_end = out.find("\r\n\r\n");
    const auto cl = out.find("Content-Length: ");
    if (head_end != std::string::npos && cl != std::string::npos && cl < head_end) {
      const auto length = std::stoul(out.substr(cl + 16));
      if (out.size() >= head_end + 4 + length) break;
    }
  }
  ::close(fd);
  return out;
}

/// The JSON body of a raw HTTP response.
inline json raw_body(const std::string& response) {
  const auto p = response.find("\r\n\r\n");
  return p == std::string::npos ? json() : json::parse(response.substr(p + 4));
}

/// Checks an error body: {"error": {"code": code, "message": "...message_part..."}}.
inline void expect_error(const json& body, const std::string& code, const std::string& message_part) {
  ASSERT_TRUE(body.is_object()) << body;
  ASSERT_TRUE(body.contains("error")) << body;
  ASSERT_TRUE(body["error"]["code"].is_string()) << body;
  ASSERT_TRUE(body["error"]["message"].is_string()) << body;
  EXPECT_EQ(body["error"]["code"], code) << body;
  EXPECT_NE(body["error"]["message"].get<std::string>().find(message_part), std::string::npos)
      << "message " << body["error"]["message"] << " lacks '" << message_part << "'";
}

}  // namespace
}  // namespace cobuy
