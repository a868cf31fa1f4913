// Hot reload: POST /v1/admin/reload and SIGHUP swap in a new artifact; a bad one leaves the old
// model serving; requests in flight during reloads never fail.

#include <fstream>

#include "core/artifact.h"
#include "core/time_util.h"
#include "serve_process.h"

namespace cobuy {
namespace {

/// Two saved artifacts (versions "v1" and "v2") in a fresh temporary directory.
class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("cobuy-reload-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    save_model(*make_model("v1"), dir1());
    save_model(*make_model("v2"), dir2());
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string dir1() const { return (root_ / "m1").string(); }
  std::string dir2() const { return (root_ / "m2").string(); }

  /// A server started on dir1 as `cobuy serve --model dir1` would start it.
  std::unique_ptr<Running> start() const {
    ServerOptions o = Running::test_options();
    o.model_dir = dir1();
    return std::make_unique<Running>(load_model(dir1()), o);
  }
  static json get_json(Running& r, const std::string& path) {
    auto c = r.client();
    auto res = c.Get(path.c_str());
    EXPECT_TRUE(res);
    if (!res) return nullptr;
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }
  static std::pair<int, json> reload(Running& r, const std::string& body) {
    auto c = r.client();
    auto res = c.Post("/v1/admin/reload", body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return {0, nullptr};
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return {res->status, json::parse(res->body)};
  }

  fs::path root_;
};

TEST_F(ReloadTest, ReloadToASecondArtifactChangesTheVersion) {
  auto running = start();
  auto model = get_json(*running, "/v1/model");
  EXPECT_EQ(model["version"], "v1");
  EXPECT_EQ(model["model_dir"], dir1());
  ASSERT_TRUE(model["loaded_at"].is_string());
  EXPECT_TRUE(parse_timestamp(model["loaded_at"].get<std::string>())) << model["loaded_at"];

  const auto [status, answer] = reload(*running, json({{"model", dir2()}}).dump());
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(answer["status"], "reloaded");
  EXPECT_EQ(answer["version"], "v2");
  EXPECT_EQ(answer["previous_version"], "v1");
  EXPECT_EQ(answer["model_dir"], dir2());
  model = get_json(*running, "/v1/model");
  EXPECT_EQ(model["version"], "v2");
  EXPECT_EQ(model["model_dir"], dir2());
  EXPECT_EQ(get_json(*running, "/readyz")["model_version"], "v2");

  // Without a body the server reloads the directory it was started with.
  const auto [again, back] = reload(*running, "");
  ASSERT_EQ(again, 200) << back;
  EXPECT_EQ(get_json(*running, "/v1/model")["version"], "v1");
}

TEST_F(ReloadTest, ABadArtifactLeavesTheOldModelServingAndSaysWhy) {
  auto running = start();
  // Missing directory.
  auto [status, answer] = reload(*running, json({{"model", (root_ / "nowhere").string()}}).dump());
  EXPECT_EQ(status, 422);
  expect_error(answer, "bad_model", "nowhere does not exist");

  // A corrupt file: one byte of items.bin flipped.
  const fs::path corrupt = root_ / "corrupt";
  fs::copy(dir2(), corrupt);
  {
    std::fstream f(corrupt / "items.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  std::tie(status, answer) = reload(*running, json({{"model", corrupt.string()}}).dump());
  EXPECT_EQ(status, 422);
  expect_error(answer, "bad_model", "items.bin");

  // Another major format version.
  const fs::path future = root_ / "future";
  fs::copy(dir2(), future);
  {
    json manifest = json::parse(std::ifstream(future / "manifest.json"));
    manifest["format_version"] = "9.0";
    std::ofstream(future / "manifest.json") << manifest.dump();
  }
  std::tie(status, answer) = reload(*running, json({{"model", future.string()}}).dump());
  EXPECT_EQ(status, 422);
  expect_error(answer, "bad_model", "format version '9.0'");

  EXPECT_EQ(get_json(*running, "/v1/model")["version"], "v1");
  auto c = running->client();
  auto bt = c.Get("/v1/items/tea/bought-together");
  ASSERT_TRUE(bt);
  EXPECT_EQ(bt->status, 200);
}

TEST_F(ReloadTest, MalformedBodiesAndAMissingDirectoryAreBadRequests) {
  auto running = start();
  auto [status, answer] = reload(*running, R"({"model": 3})");
  EXPECT_EQ(status, 400);
  expect_error(answer, "bad_request", "'model'");
  std::tie(status, answer) = reload(*running, "{not json");
  EXPECT_EQ(status, 400);
  auto c = running->client();
  auto get = c.Get("/v1/admin/reload");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);

  Running no_dir(make_model("hand-made"));  // set up without a directory
  std::tie(status, answer) = reload(no_dir, "");
  EXPECT_EQ(status, 400);
  expect_error(answer, "bad_request", "no model directory");
  EXPECT_EQ(get_json(no_dir, "/v1/model")["model_dir"], nullptr);
}

TEST_F(ReloadTest, RequestsDuringReloadsNeverFail) {
  auto running = start();
  std::atomic<bool> done{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&] {
      auto c = running->client();
      c.set_keep_alive(true);
      // At least 150 requests each, and on until the reloads are over.
      for (int k = 0; k < 150 || !done.load(); ++k) {
        auto res = k % 2 == 0 ? c.Get("/v1/items/tea/bought-together?limit=3")
                              : c.Post("/v1/recommendations", R"({"items": ["tea"], "limit": 3})", "application/json");
        const bool good = res && res->status == 200 && json::parse(res->body)["items"].size() > 0;
        (good ? ok : failed).fetch_add(1);
      }
    });
  }
  // Two reloading threads at once: reloads are serialised, and every one succeeds.
  std::atomic<int> reloads_ok{0};
  std::vector<std::thread> reloaders;
  for (int t = 0; t < 2; ++t) {
    reloaders.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k) {
        const auto status = reload(*running, json({{"model", (k + t) % 2 == 0 ? dir2() : dir1()}}).dump()).first;
        if (status == 200) reloads_ok.fetch_add(1);
      }
    });
  }
  for (auto& r : reloaders) r.join();
  done = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(reloads_ok.load(), 20);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(ok.load(), 300);
}

TEST_F(ReloadTest, SighupReloadsTheArtifactDirectoryOfCobuyServe) {
  const fs::path live = root_ / "live";
  save_model(*make_model("v1"), live.string());
  ServeProcess serve(live, {});
  auto c = serve.client();
  const auto version = [&] {
    auto res = c.Get("/v1/model");
    return res && res->status == 200 ? json::parse(res->body)["version"].get<std::string>() : std::string("?");
  };
  ASSERT_EQ(version(), "v1");

  // A corrupt replacement is refused: the process keeps serving v1.
  {
    std::ofstream(live / "items.bin", std::ios::app) << "junk";
  }
  serve.signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(version(), "v1");

  save_model(*make_model("v2"), live.string());  // renamed over the old directory
  serve.signal(SIGHUP);
  std::string seen;
  for (int i = 0; i < 100 && (seen = version()) != "v2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(seen, "v2");
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("cobuy_reloads_total{result=\"ok\"} 1"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("cobuy_reloads_total{result=\"failed\"} 1"), std::string::npos) << metrics->body;
}

}  // namespace
}  // namespace cobuy
