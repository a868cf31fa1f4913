// The HTTP server over a real socket: every route, every error path, keep-alive and model swaps.
#include "api/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/codec.h"
#include "core/error.h"
#include "core/log.h"
#include "core/recommender.h"

namespace cobuy {
namespace {

using nlohmann::json;

/// A hand-built model: tea goes with saucer, cake and 22697; pen with paper; alice bought tea twice.
std::shared_ptr<Model> make_model(const std::string& version = "test-v1") {
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
  h.item_offsets = {0, 2, 3};
  h.items = {tea, saucer, tea};

  m->stats.orders = 30;
  m->stats.items = c.size();
  m->stats.customers = 1;
  m->stats.pairs = 8;
  m->ingest_summary = json::object();
  return m;
}

std::vector<std::string> item_ids(const json& items) {
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

/// Sends raw bytes on a fresh connection and returns everything the server answers before it
/// closes the connection or stays silent for `timeout_ms`.
std::string raw_exchange(int port, const std::string& request, int timeout_ms = 2000) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
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
json raw_body(const std::string& response) {
  const auto p = response.find("\r\n\r\n");
  return p == std::string::npos ? json() : json::parse(response.substr(p + 4));
}

/// Checks an error body: {"error": {"code": code, "message": "...message_part..."}}.
void expect_error(const json& body, const std::string& code, const std::string& message_part) {
  ASSERT_TRUE(body.is_object()) << body;
  ASSERT_TRUE(body.contains("error")) << body;
  ASSERT_TRUE(body["error"]["code"].is_string()) << body;
  ASSERT_TRUE(body["error"]["message"].is_string()) << body;
  EXPECT_EQ(body["error"]["code"], code) << body;
  EXPECT_NE(body["error"]["message"].get<std::string>().find(message_part), std::string::npos)
      << "message " << body["error"]["message"] << " lacks '" << message_part << "'";
}

TEST_F(ServerTest, HealthReadinessAndConstant) {
  EXPECT_EQ(get("/healthz"), json({{"status", "ok"}}));
  const json ready = get("/readyz");
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_EQ(ready["model_version"], "test-v1");
  const json constant = get("/v1/constant");
  EXPECT_EQ(constant["constant"], true);
  EXPECT_EQ(get("/v1/constant"), constant);
}

TEST_F(ServerTest, ModelRouteServesTheManifest) {
  const json j = get("/v1/model");
  EXPECT_EQ(j["version"], "test-v1");
  EXPECT_EQ(j["data_fingerprint"], "fp");
  EXPECT_EQ(j["created_at"], "2011-12-10T00:00:00Z");
}

TEST_F(ServerTest, BoughtTogetherListsTheNeighboursInOrderWithoutTheAnchor) {
  const json j = get("/v1/items/tea/bought-together");
  EXPECT_EQ(j["item_id"], "tea");
  EXPECT_EQ(j["title"], "Teacup");
  EXPECT_EQ(item_ids(j["items"]), (std::vector<std::string>{"saucer", "cake", "22697"}));
  const json& first = j["items"][0];
  EXPECT_EQ(first["title"], "Saucer, pink");
  EXPECT_EQ(first["price"].get<double>(), 1.5);
  EXPECT_EQ(first["category"], "kitchen");
  EXPECT_EQ(first["relation"], "complement");
  EXPECT_EQ(first["reason"], "tea");
  EXPECT_EQ(first["score"].get<double>(), 0.9);
  for (std::size_t k = 1; k < j["items"].size(); ++k) {
    EXPECT_GE(j["items"][k - 1]["score"].get<double>(), j["items"][k]["score"].get<double>());
  }

  EXPECT_EQ(item_ids(get("/v1/items/tea/bought-together?limit=2")["items"]),
            (std::vector<std::string>{"saucer", "cake"}));
  EXPECT_EQ(item_ids(get("/v1/items/saucer/bought-together?limit=50")["items"]),
            (std::vector<std::string>{"tea", "cake"}));
}

TEST_F(ServerTest, BoughtTogetherHandlesNumericSlashedAndUntitledItems) {
  const json regency = get("/v1/items/22697/bought-together");
  EXPECT_EQ(regency["item_id"], "22697");
  EXPECT_EQ(item_ids(regency["items"]), (std::vector<std::string>{"tea"}));

  const json box = get("/v1/items/box%2F2/bought-together");  // id "box/2"
  EXPECT_EQ(box["item_id"], "box/2");
  EXPECT_EQ(item_ids(box["items"]), (std::vector<std::string>{"pen"}));

  const json pen = get("/v1/items/pen/bought-together");
  ASSERT_EQ(item_ids(pen["items"]), (std::vector<std::string>{"paper", "box/2"}));
  EXPECT_FALSE(pen["items"][0].contains("title"));  // paper has no title or price
  EXPECT_FALSE(pen["items"][0].contains("price"));

  const json paper = get("/v1/items/paper/bought-together");
  EXPECT_FALSE(paper.contains("title"));
  EXPECT_EQ(item_ids(paper["items"]), (std::vector<std::string>{"pen"}));
}

TEST_F(ServerTest, InvalidUtf8TitlesAreReplacedNotFatal) {
  const json j = get("/v1/items/cafe/bought-together");
  EXPECT_EQ(j["title"], "Caf\xEF\xBF\xBD");  // U+FFFD
  EXPECT_EQ(item_ids(j["items"]), (std::vector<std::string>{"cake"}));
}

TEST_F(ServerTest, SimilarListsSubstitutes) {
  const json j = get("/v1/items/tea/similar?limit=5");
  EXPECT_EQ(j["item_id"], "tea");
  EXPECT_EQ(item_ids(j["items"]), (std::vector<std::string>{"cafe"}));
  EXPECT_EQ(j["items"][0]["relation"], "substitute");
  EXPECT_EQ(j["items"][0]["reason"], "tea");
  const json none = get("/v1/items/pen/similar");
  EXPECT_TRUE(none["items"].is_array());
  EXPECT_TRUE(none["items"].empty());
  expect_error(get("/v1/items/nope/similar", 404), "not_found", "unknown item 'nope'");
  expect_error(get("/v1/items/tea/similar?limit=0", 400), "bad_request", "'limit'");
}

TEST_F(ServerTest, RecommendationsCompleteABasketLikeTheBatchCommand) {
  const std::string body = R"({"id": "q1", "items": ["tea"], "limit": 2})";
  const json j = post("/v1/recommendations", body);
  EXPECT_EQ(j["id"], "q1");
  EXPECT_EQ(item_ids(j["items"]), (std::vector<std::string>{"saucer", "cake"}));
  EXPECT_EQ(j["items"][0]["relation"], "complement");
  EXPECT_EQ(j["items"][0]["reason"], "tea");
  EXPECT_EQ(j["fallback"], false);
  EXPECT_FALSE(j.contains("unknown_items"));
  // The same answer as core + codec give in-process (what `cobuy recommend` writes).
  const Query q = query_from_json(json::parse(body));
  EXPECT_EQ(j, result_to_json(*model_, recommend(*model_, q)));
}

TEST_F(ServerTest, RecommendationsHonourExcludeAndFilters) {
  const json excluded = post("/v1/recommendations", R"({"items": ["tea"], "exclude": ["saucer"], "limit": 2})");
  EXPECT_EQ(item_ids(excluded["items"]), (std::vector<std::string>{"cake", "22697"}));

  const json food =
      post("/v1/recommendations", R"({"items": ["tea"], "limit": 5, "filters": {"categories": ["food"]}})");
  for (const auto& i : food["items"]) EXPECT_EQ(i["category"], "food") << i;
  ASSERT_FALSE(food["items"].empty());
  EXPECT_EQ(food["items"][0]["item_id"], "cake");

  const json cheap = post("/v1/recommendations", R"({"items": [22697], "limit": 10, "filters": {"max_price": 2.0}})");
  ASSERT_FALSE(cheap["items"].empty());
  for (const auto& i : cheap["items"]) {
    ASSERT_TRUE(i.contains("price")) << i;
    EXPECT_LE(i["price"].get<double>(), 2.0) << i;
    EXPECT_NE(i["item_id"], "22697");
  }
}

TEST_F(ServerTest, RecommendationsFallBackForUnknownItemsAndCustomers) {
  const json items = post("/v1/recommendations", R"({"id": 7, "items": ["nope"], "limit": 3})");
  EXPECT_EQ(items["id"], "7");
  EXPECT_EQ(items["fallback"], true);
  EXPECT_EQ(items["unknown_items"], json({"nope"}));
  EXPECT_EQ(item_ids(items["items"]), (std::vector<std::string>{"pen", "tea", "saucer"}));
  EXPECT_EQ(items["items"][0]["relation"], "popular");

  const json customer = post("/v1/recommendations", R"({"customer_id": "bob", "limit": 2})");
  EXPECT_EQ(customer["unknown_customer"], true);
  EXPECT_EQ(customer["fallback"], true);
  EXPECT_EQ(item_ids(customer["items"]), (std::vector<std::string>{"pen", "tea"}));
}

TEST_F(ServerTest, RecommendationsPredictAKnownCustomersNextOrder) {
  const std::string body = R"({"id": "n", "customer_id": "alice", "at": "2011-06-01", "limit": 4})";
  const json j = post("/v1/recommendations", body);
  ASSERT_FALSE(j["items"].empty());
  EXPECT_EQ(j["items"][0]["item_id"], "tea");  // bought twice
  EXPECT_EQ(j["items"][0]["relation"], "repeat");
  EXPECT_FALSE(j.contains("unknown_customer"));
  EXPECT_EQ(j, result_to_json(*model_, recommend(*model_, query_from_json(json::parse(body)))));
}

TEST_F(ServerTest, MalformedAndInvalidBodiesAre400) {
  expect_error(post("/v1/recommendations", R"({"items": ["tea")", 400), "bad_request", "not valid JSON");
  expect_error(post("/v1/recommendations", "", 400), "bad_request", "not valid JSON");
  expect_error(post("/v1/recommendations", R"(["tea"])", 400), "bad_request", "JSON object");
  expect_error(post("/v1/recommendations", R"({"items": "abc"})", 400), "bad_request", "field 'items'");
  expect_error(post("/v1/recommendations", R"({"items": ["tea"], "limit": 0})", 400), "bad_request", "'limit'");
  expect_error(post("/v1/recommendations", R"({"items": ["tea"], "limit": 100000})", 400), "bad_request", "'limit'");
  expect_error(post("/v1/recommendations", R"({"items": ["tea"], "limit": "abc"})", 400), "bad_request", "'limit'");
  expect_error(post("/v1/recommendations", R"({"items": ["tea"], "at": "someday"})", 400), "bad_request", "'at'");
  expect_error(post("/v1/recommendations", R"({"items": ["tea"], "filters": {"colour": "red"}})", 400), "bad_request",
               "filters.colour");
  expect_error(post("/v1/recommendations", R"({"id": "empty"})", 400), "bad_request", "customer_id");
}

TEST_F(ServerTest, DeeplyNestedJsonIsRejectedWithoutHarm) {
  const std::string nested = std::string(30000, '[') + std::string(30000, ']');
  expect_error(post("/v1/recommendations", nested, 400), "bad_request", "JSON object");
  EXPECT_EQ(get("/healthz")["status"], "ok");
}

TEST_F(ServerTest, AbsurdQueryLimitsAre400) {
  for (const char* limit : {"0", "100000", "abc", "-1", "5x", "", "99999999999999999999999"}) {
    expect_error(get(std::string("/v1/items/tea/bought-together?limit=") + limit, 400), "bad_request",
                 "parameter 'limit' must be an integer between 1 and 50");
  }
}

TEST_F(ServerTest, UnknownItemsAndRoutesAre404) {
  expect_error(get("/v1/items/nope/bought-together", 404), "not_found", "unknown item 'nope'");
  expect_error(get("/v2/nothing", 404), "not_found", "no route for GET /v2/nothing");
  expect_error(get("/v1/items/tea", 404), "not_found", "no route");
  expect_error(get("/v1/items//bought-together", 404), "not_found", "no route");
  expect_error(post("/v1/nothing", R"({"a": 1})", 404), "not_found", "no route for POST /v1/nothing");
}

TEST_F(ServerTest, WrongMethodsOnKnownPathsAre405) {
  auto cli = client();
  auto a = cli.Post("/v1/items/tea/bought-together", "{}", "application/json");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 405);
  EXPECT_EQ(a->get_header_value("Allow"), "GET, HEAD");
  expect_error(json::parse(a->body), "method_not_allowed", "POST is not allowed");

  auto b = cli.Get("/v1/recommendations");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 405);
  EXPECT_EQ(b->get_header_value("Allow"), "POST");
  expect_error(json::parse(b->body), "method_not_allowed", "GET is not allowed");

  auto c = cli.Delete("/healthz");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 405);
  expect_error(json::parse(c->body), "method_not_allowed", "DELETE");

  auto d = cli.Put("/v1/model", "x", "text/plain");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 405);
}

TEST_F(ServerTest, RequestsWithoutALengthHaveNoBodyAndDoNotStall) {
  const auto start = std::chrono::steady_clock::now();
  const std::string patch = raw_exchange(running_->port(), "PATCH /v1/recommendations HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(patch.rfind("HTTP/1.1 405", 0), 0u) << patch;
  expect_error(raw_body(patch), "method_not_allowed", "PATCH");
  const std::string post = raw_exchange(running_->port(), "POST /v1/recommendations HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(post.rfind("HTTP/1.1 400", 0), 0u) << post;
  expect_error(raw_body(post), "bad_request", "not valid JSON");
  // httplib alone would wait for the client to close: the 5 s read timeout, twice.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
}

TEST_F(ServerTest, MalformedHttpGetsAJsonError) {
  const std::string res = raw_exchange(running_->port(), "this is not http\r\n\r\n");
  EXPECT_EQ(res.rfind("HTTP/1.1 400", 0), 0u) << res;
  expect_error(raw_body(res), "bad_request", "malformed HTTP request");
}

TEST_F(ServerTest, HeadIsAnsweredLikeGetWithoutABody) {
  auto cli = client();
  auto res = cli.Head("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());
}

TEST_F(ServerTest, OversizedBodiesAre413) {
  // Declared by Content-Length (httplib's check).
  std::string big = R"({"items": [)";
  while (big.size() < 100 * 1024) big += R"("tea", )";
  big += R"("tea"]})";
  expect_error(post("/v1/recommendations", big, 413), "too_large", "over 65536 bytes");

  // Chunked, without a length (our own cap while reading).
  auto cli = client();
  std::size_t sent = 0;
  auto res = cli.Post(
      "/v1/recommendations",
      [&](std::size_t, httplib::DataSink& sink) {
        const std::string chunk(4096, ' ');
        if (sent >= 200 * 1024) {
          sink.done();
          return true;
        }
        sent += chunk.size();
        return sink.write(chunk.data(), chunk.size());
      },
      "application/json");
  if (res) {  // the server may close before the client has sent everything
    EXPECT_EQ(res->status, 413);
    expect_error(json::parse(res->body), "too_large", "over 65536 bytes");
  }
  // Either way the server is still serving.
  EXPECT_EQ(get("/healthz")["status"], "ok");
}

TEST_F(ServerTest, ChunkedBodiesUnderTheCapAreAccepted) {
  auto cli = client();
  const std::string body = R"({"id": "chunked", "items": ["tea"], "limit": 1})";
  bool done = false;
  auto res = cli.Post(
      "/v1/recommendations",
      [&](std::size_t, httplib::DataSink& sink) {
        if (done) {
          sink.done();
          return true;
        }
        done = true;
        return sink.write(body.data(), body.size());
      },
      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  const json j = json::parse(res->body);
  EXPECT_EQ(j["id"], "chunked");
  EXPECT_EQ(item_ids(j["items"]), (std::vector<std::string>{"saucer"}));
}

TEST_F(ServerTest, OverlongUrisGetJsonErrors) {
  expect_error(get("/" + std::string(7000, 'a'), 404), "not_found", "no route");
  expect_error(get("/" + std::string(9000, 'a'), 414), "too_large", "URI");
}

TEST_F(ServerTest, KeepAliveConnectionsAreReusedWithoutDelayedAckStalls) {
  auto cli = client();
  cli.set_keep_alive(true);
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRequests = 50;
  for (int k = 0; k < kRequests; ++k) {
    auto res = cli.Get("/v1/items/tea/bought-together?limit=1");
    ASSERT_TRUE(res) << k;
    ASSERT_EQ(res->status, 200);
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // With Nagle's algorithm on, each request would wait ~40 ms for a delayed ACK (2 s in all).
  EXPECT_LT(seconds, 1.0);
}

TEST_F(ServerTest, ModelSwapsAreAtomicUnderLoad) {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      auto cli = client();
      cli.set_keep_alive(true);
      while (!stop) {
        auto res = cli.Get("/v1/items/tea/bought-together");
        const bool good =
            res && res->status == 200 &&
            item_ids(json::parse(res->body)["items"]) == std::vector<std::string>{"saucer", "cake", "22697"};
        (good ? ok : bad)++;
      }
    });
  }
  for (int k = 0; k < 200; ++k) running_->server().set_model(make_model("v" + std::to_string(k)));
  while (ok < 100 && bad == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GE(ok, 100);
  EXPECT_EQ(get("/readyz")["model_version"], "v199");
}

TEST(ServerLifecycle, WithoutAModelReadinessIs503UntilOneIsSet) {
  Running running(nullptr);
  auto cli = running.client();
  auto health = cli.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = cli.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  expect_error(json::parse(ready->body), "unavailable", "no model");
  auto bt = cli.Get("/v1/items/tea/bought-together");
  ASSERT_TRUE(bt);
  EXPECT_EQ(bt->status, 503);

  running.server().set_model(make_model("late"));
  ready = cli.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(json::parse(ready->body)["model_version"], "late");
}

TEST(ServerLifecycle, BindingATakenPortFailsWithAnIoError) {
  Running first(make_model());
  ServerOptions o = Running::test_options();
  o.port = first.port();
  Server second(make_model(), o);
  try {
    second.bind();
    FAIL() << "bound a port already in use";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
}

TEST(ServerLifecycle, StopRightAfterStartNeverHangs) {
  for (int k = 0; k < 20; ++k) {
    ServerOptions o = Running::test_options();
    Server s(make_model(), o);
    s.bind();
    EXPECT_GT(s.port(), 0);
    std::thread t([&] { s.run(); });
    s.stop();  // may land before, during or after run() starts listening
    t.join();
  }
  Server never_run(make_model(), Running::test_options());
  never_run.bind();
  never_run.stop();
  never_run.run();  // returns at once: stop() already asked
}

TEST(ServerLogging, OneDebugLinePerRequest) {
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
    auto cli = running.client();
    auto res = cli.Get("/v1/items/nope/bought-together");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
  }  // the server has stopped: its log line is written
  log::set_level(old_level);
  log::set_sink(nullptr);
  int matching = 0;
  for (const auto& l : lines) {
    if (l.find("level=debug") != std::string::npos && l.find("method=GET") != std::string::npos &&
        l.find("path=/v1/items/nope/bought-together") != std::string::npos &&
        l.find("status=404") != std::string::npos && l.find("micros=") != std::string::npos) {
      ++matching;
    }
  }
  EXPECT_EQ(matching, 1) << ::testing::PrintToString(lines);
}

}  // namespace
}  // namespace cobuy
