// The HTTP server over a real socket: every route, every error path, keep-alive and model swaps.
#include "api/server_fixture.h"

namespace cobuy {
namespace {

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
  EXPECT_EQ(a->get_header_value("Allow"), "GET, HEAD, OPTIONS");
  expect_error(json::parse(a->body), "method_not_allowed", "POST is not allowed");

  auto b = cli.Get("/v1/recommendations");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 405);
  EXPECT_EQ(b->get_header_value("Allow"), "POST, OPTIONS");
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

}  // namespace
}  // namespace cobuy
