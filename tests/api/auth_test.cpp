// API keys on the server: 401 without a valid bearer token, 403 without the route's scope,
// public routes open, keyless servers open but only on loopback, keys re-read on demand, and
// `cobuy keys create` + `cobuy serve --keys` end to end.

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api/http/api_keys.h"
#include "api/store/order_store.h"
#include "core/artifact.h"
#include "serve_process.h"
#include "support/run_cobuy.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

constexpr const char* kReadToken = "cobuy_test-read-token";
constexpr const char* kWriteToken = "cobuy_test-write-token";
constexpr const char* kBothToken = "cobuy_test-both-token";

std::shared_ptr<const ApiKeys> test_keys() {
  std::string text = "# test keys\n";
  for (const auto& [name, scopes, token] : {std::tuple{"reader", "read", kReadToken},
                                            std::tuple{"writer", "write", kWriteToken},
                                            std::tuple{"admin", "read,write", kBothToken}}) {
    text += std::string(name) + " " + scopes + " " + to_hex(sha256(token)) + "\n";
  }
  return std::make_shared<const ApiKeys>(ApiKeys::parse(text, "test-keys"));
}

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

const std::string kOrder = R"({"order_id": "A-1", "customer_id": "c1", "timestamp": "2011-12-10T12:00:00Z",
                               "items": [{"item_id": "tea", "quantity": 1}]})";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-auth-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto o = Running::test_options();
    o.keys = test_keys();
    o.orders = OrderStore::open((dir_ / "orders.db").string());
    running_ = std::make_unique<Running>(make_model(), o);
  }
  void TearDown() override {
    running_.reset();
    fs::remove_all(dir_);
  }

  /// GET (or POST when `body` is given) with `token` ("" = no Authorization header).
  httplib::Result call(const std::string& path, const std::string& token, const char* body = nullptr) {
    auto c = running_->client();
    const httplib::Headers headers = token.empty() ? httplib::Headers{} : bearer(token);
    return body ? c.Post(path.c_str(), headers, std::string(body), "application/json") : c.Get(path.c_str(), headers);
  }

  fs::path dir_;
  std::unique_ptr<Running> running_;
};

TEST_F(AuthTest, NoKeyIs401WithAChallenge) {
  for (const auto& [path, body] : {std::pair<std::string, const char*>{"/v1/model", nullptr},
                                   {"/v1/items/tea/bought-together", nullptr},
                                   {"/metrics", nullptr},
                                   {"/v1/orders", kOrder.c_str()},
                                   {"/v1/admin/reload", "{}"}}) {
    auto res = call(path, "");
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="cobuy")") << path;
    expect_error(json::parse(res->body), "unauthorized", "Authorization: Bearer");
  }
  // Another scheme is no key either.
  auto c = running_->client();
  auto res = c.Get("/v1/model", {{"Authorization", std::string("Basic ") + kReadToken}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(AuthTest, AWrongKeyIs401InvalidToken) {
  for (const std::string& token : {std::string("cobuy_nope"), std::string(kReadToken) + "x", to_hex(sha256(kReadToken))}) {
    auto res = call("/v1/model", token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << token;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="cobuy", error="invalid_token")");
    expect_error(json::parse(res->body), "unauthorized", "not valid");
  }
}

TEST_F(AuthTest, AReadKeyReadsButCannotWrite) {
  for (const auto& [path, body] : {std::pair<std::string, const char*>{"/v1/model", nullptr},
                                   {"/v1/constant", nullptr},
                                   {"/v1/items/tea/bought-together?limit=2", nullptr},
                                   {"/v1/items/tea/similar", nullptr},
                                   {"/metrics", nullptr},
                                   {"/v1/recommendations", R"({"id": "q", "items": ["tea"]})"},
                                   {"/v1/offers", R"({"customer_id": "alice", "preview": true})"}}) {
    auto res = call(path, kReadToken, body);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
  }
  for (const auto& [path, body] : {std::pair<std::string, const char*>{"/v1/orders", kOrder.c_str()},
                                   {"/v1/admin/reload", "{}"}}) {
    auto res = call(path, kReadToken, body);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 403) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"),
              R"(Bearer realm="cobuy", error="insufficient_scope", scope="write")");
    expect_error(json::parse(res->body), "forbidden", "API key 'reader' lacks the 'write' scope that POST " + path);
  }
  EXPECT_EQ(running_->server().reload_keys(), -1) << "no keys file to re-read";
}

TEST_F(AuthTest, AWriteKeyWritesButDoesNotRead) {
  auto res = call("/v1/orders", kWriteToken, kOrder.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  // Past authorisation: the server has no model directory to reload from.
  res = call("/v1/admin/reload", kWriteToken, "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  expect_error(json::parse(res->body), "bad_request", "no model directory");
  res = call("/v1/model", kWriteToken);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403) << res->body;
  expect_error(json::parse(res->body), "forbidden", "lacks the 'read' scope");
}

TEST_F(AuthTest, AKeyWithBothScopesDoesEverything) {
  EXPECT_EQ(call("/v1/model", kBothToken)->status, 200);
  EXPECT_EQ(call("/v1/orders", kBothToken, kOrder.c_str())->status, 201);
  EXPECT_EQ(call("/v1/offers", kBothToken, R"({"customer_id": "c1", "preview": true})")->status, 200);
}

TEST_F(AuthTest, PublicRoutesAndUnknownPathsNeedNoKey) {
  for (const char* path : {"/healthz", "/readyz", "/openapi.json"}) {
    auto res = call(path, "");
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path << ": " << res->body.substr(0, 200);
  }
  auto res = call("/v1/nothing-here", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(AuthTest, TheRequestLogNamesTheKeyNeverTheToken) {
  std::mutex mutex;
  std::vector<std::string> lines;
  struct Capture {  // restores the logger even when an assertion returns early
    ~Capture() {
      log::set_level(log::Level::info);
      log::set_sink(nullptr);
    }
  } capture;
  log::set_sink([&](const std::string& line) {
    std::lock_guard lock(mutex);
    lines.push_back(line);
  });
  log::set_level(log::Level::debug);
  ASSERT_EQ(call("/v1/model", kReadToken)->status, 200);
  ASSERT_EQ(call("/v1/orders", kReadToken, kOrder.c_str())->status, 403);
  // httplib writes the log line after the answer: wait for both.
  std::vector<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mutex);
      seen = lines;
    }
    if (std::count_if(seen.begin(), seen.end(), [](const auto& l) { return l.find("path=/v1/") != l.npos; }) >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(seen.size(), 2u);
  int request_lines = 0;
  for (const auto& line : seen) {
    EXPECT_EQ(line.find(kReadToken), std::string::npos) << line;
    if (line.find("path=/v1/") == std::string::npos) continue;
    ++request_lines;
    EXPECT_NE(line.find("key=reader"), std::string::npos) << line;
  }
  EXPECT_EQ(request_lines, 2);
}

TEST_F(AuthTest, ReloadKeysTakesNewAndRevokedKeys) {
  const auto path = (dir_ / "keys").string();
  const auto first = create_api_key(path, "first", ScopeSet({Scope::read}));
  auto o = Running::test_options();
  o.keys = std::make_shared<const ApiKeys>(ApiKeys::load(path));
  o.keys_path = path;
  Running keyed(make_model(), o);
  const auto get = [&](const std::string& token) {
    auto c = keyed.client();
    return c.Get("/v1/model", bearer(token))->status;
  };
  EXPECT_EQ(get(first), 200);
  const auto second = create_api_key(path, "second", ScopeSet({Scope::read}));
  EXPECT_EQ(get(second), 401) << "not before a reload";
  EXPECT_EQ(keyed.server().reload_keys(), 2);
  EXPECT_EQ(get(second), 200);
  revoke_api_key(path, "first");
  EXPECT_EQ(keyed.server().reload_keys(), 1);
  EXPECT_EQ(get(first), 401);
  EXPECT_EQ(get(second), 200);
  // A broken file is refused and the keys in use stay.
  std::ofstream(path, std::ios::app) << "broken line\n";
  EXPECT_THROW(keyed.server().reload_keys(), Error);
  EXPECT_EQ(get(second), 200);
}

TEST(KeylessServer, IsOpenOnLoopback) {
  auto o = Running::test_options();
  o.orders = OrderStore::open((fs::temp_directory_path() / ("cobuy-keyless-" + std::to_string(::getpid()) + ".db"))
                                  .string());
  Running running(make_model(), o);
  auto c = running.client();
  EXPECT_EQ(c.Get("/v1/model")->status, 200);
  auto res = c.Post("/v1/admin/reload", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << "reached the route: " << res->body;
  EXPECT_FALSE(res->has_header("WWW-Authenticate"));
  fs::remove(fs::temp_directory_path() / ("cobuy-keyless-" + std::to_string(::getpid()) + ".db"));
}

TEST(KeylessServer, RefusesToBindAnAddressOtherThanLoopback) {
  for (const char* host : {"0.0.0.0", "::"}) {
    auto o = Running::test_options();
    o.host = host;
    Server server(make_model(), o);
    try {
      server.bind();
      ADD_FAILURE() << "bound " << host << " without keys";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      EXPECT_NE(std::string(e.what()).find("without API keys: pass --keys FILE"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.port(), -1);
  }
  // With keys the same address binds.
  auto o = Running::test_options();
  o.host = "0.0.0.0";
  o.keys = test_keys();
  Server server(make_model(), o);
  ASSERT_NO_THROW(server.bind());
  EXPECT_GT(server.port(), 0);
}

/// `cobuy ARGS` with stdout alone captured (stderr discarded); the exit status in `status`.
std::string cobuy_stdout(const std::string& args, int& status) {
  const std::string cmd = std::string(COBUY_BINARY) + " --log-level error " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  status = p != nullptr ? WEXITSTATUS(::pclose(p)) : -1;
  return out;
}

TEST(KeysCommand, CreateThenAKeyedServeProcessAcceptsThePrintedToken) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-keys-cli-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  save_model(*make_model(), (dir / "model").string());
  const std::string keys = (dir / "keys").string();

  int status = -1;
  std::string out = cobuy_stdout("keys create --file " + keys + " --name emails --scope read", status);
  ASSERT_EQ(status, 0) << out;
  ASSERT_TRUE(out.ends_with("\n")) << out;
  const std::string token = out.substr(0, out.size() - 1);
  ASSERT_EQ(token.size(), 70u) << "stdout is the token alone: " << out;
  ASSERT_TRUE(token.starts_with("cobuy_"));
  struct stat st {};
  ASSERT_EQ(::stat(keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  out = cobuy_stdout("keys create --file " + keys + " --name orders --scope write", status);
  ASSERT_EQ(status, 0) << out;
  const std::string write_token = out.substr(0, out.size() - 1);

  auto run = testing::run_cobuy("keys create --file " + keys + " --name emails --scope read");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("already has a key named 'emails'"), std::string::npos) << run.output;
  run = testing::run_cobuy("keys create --file " + keys + " --name x --scope admin");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find("unknown scope 'admin'"), std::string::npos) << run.output;
  out = cobuy_stdout("keys list --file " + keys, status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "emails read\norders write\n");

  {
    ServeProcess serve(dir / "model", dir / "orders.db", {"--keys", keys});
    auto c = serve.client();
    EXPECT_EQ(c.Get("/v1/model")->status, 401);
    EXPECT_EQ(c.Get("/v1/model", bearer(token))->status, 200);
    EXPECT_EQ(c.Post("/v1/orders", bearer(token), kOrder, "application/json")->status, 403);
    EXPECT_EQ(c.Post("/v1/orders", bearer(write_token), kOrder, "application/json")->status, 201);
    // Revoked in the file, refused after SIGHUP.
    run = testing::run_cobuy("keys revoke --file " + keys + " --name emails");
    EXPECT_EQ(run.status, 0) << run.output;
    serve.signal(SIGHUP);
    int answer = 0;
    for (int i = 0; i < 100 && answer != 401; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      answer = c.Get("/v1/model", bearer(token))->status;
    }
    EXPECT_EQ(answer, 401);
    EXPECT_EQ(c.Post("/v1/orders", bearer(write_token), kOrder, "application/json")->status, 200) << "duplicate";
  }
  out = cobuy_stdout("keys list --file " + keys, status);
  EXPECT_EQ(out, "orders write\n");
  run = testing::run_cobuy("keys revoke --file " + keys + " --name emails");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("no key named 'emails'"), std::string::npos) << run.output;
  fs::remove_all(dir);
}

TEST(KeysCommand, ServeRefusesAnOpenAddressWithoutKeys) {
  const auto run = testing::run_cobuy("serve --model /nonexistent --host 0.0.0.0 --port 0");
  EXPECT_EQ(run.status, 2) << run.output;
  EXPECT_NE(run.output.find("refusing to listen on '0.0.0.0' without API keys: pass --keys FILE"), std::string::npos)
      << run.output;
  const auto missing = testing::run_cobuy("serve --model /nonexistent --keys /nonexistent/keys");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.output.find("/nonexistent/keys"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace cobuy
