// The server's life cycle: readiness without a model, binding, stopping, logging.
#include "api/server_fixture.h"

namespace cobuy {
namespace {

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
