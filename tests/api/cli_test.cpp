// The `cobuy` executable end to end: train on a small file, then answer a queries file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_cobuy.h"

namespace {
namespace fs = std::filesystem;

using Run = cobuy::testing::CobuyRun;
Run run(const std::string& args) { return cobuy::testing::run_cobuy(args); }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-cli-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream orders(dir_ / "orders.csv");
    orders << "order_id,item_id,customer_id,timestamp,quantity,price,title\n";
    for (int k = 0; k < 5; ++k) {
      orders << "a" << k << ",tea,c1,2011-01-0" << (k + 1) << ",1,2.5,Teacup\n";
      orders << "a" << k << ",saucer,c1,2011-01-0" << (k + 1) << ",1,1.5,\"Saucer, pink\"\n";
    }
    for (int k = 0; k < 3; ++k) {
      orders << "b" << k << ",tea,c2,2011-02-0" << (k + 1) << ",2,2.5,Teacup\n";
      orders << "b" << k << ",cake,c2,2011-02-0" << (k + 1) << ",1,4.0,Cake\n";
    }
    orders.close();
    auto r = run("train --orders " + (dir_ / "orders.csv").string() + " --out " + (dir_ / "model").string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::vector<nlohmann::json> read_results(const fs::path& p) {
    std::vector<nlohmann::json> out;
    std::ifstream f(p);
    for (std::string line; std::getline(f, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  std::string recommend_args() const {
    return "recommend --model " + (dir_ / "model").string() + " --queries " + (dir_ / "queries.jsonl").string() +
           " --out " + (dir_ / "out.jsonl").string();
  }
  fs::path dir_;
};

TEST_F(CliTest, RecommendAnswersEveryQueryInOrder) {
  std::ofstream q(dir_ / "queries.jsonl");
  q << R"({"id": "q1", "items": ["tea"], "customer_id": null, "at": null, "limit": 2})" << "\n";
  q << R"({"id": "q2", "items": [], "customer_id": "c2", "at": "2011-03-01T00:00:00", "limit": 3})" << "\n";
  q << R"({"id": "q3", "items": ["unknown-item"], "limit": 1})" << "\n";
  q.close();
  auto r = run(recommend_args());
  ASSERT_EQ(r.status, 0) << r.output;
  auto res = read_results(dir_ / "out.jsonl");
  ASSERT_EQ(res.size(), 3u);
  EXPECT_EQ(res[0]["id"], "q1");
  ASSERT_EQ(res[0]["items"].size(), 2u);
  EXPECT_EQ(res[0]["items"][0]["item_id"], "saucer");
  EXPECT_EQ(res[0]["items"][0]["title"], "Saucer, pink");
  EXPECT_EQ(res[0]["items"][0]["relation"], "complement");
  EXPECT_EQ(res[0]["fallback"], false);
  EXPECT_EQ(res[1]["id"], "q2");
  ASSERT_FALSE(res[1]["items"].empty());
  EXPECT_EQ(res[1]["items"][0]["relation"], "repeat");
  EXPECT_EQ(res[2]["id"], "q3");
  EXPECT_EQ(res[2]["fallback"], true);
  EXPECT_EQ(res[2]["items"].size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "out.jsonl.tmp")) << "the temporary output must be renamed away";
}

TEST_F(CliTest, InvalidQueryLinesGetErrorLinesAndANonZeroExit) {
  std::ofstream q(dir_ / "queries.jsonl");
  q << R"({"id": "ok", "items": ["tea"], "limit": 1})" << "\n";
  q << "{broken json\n";
  q << R"({"id": "bad-limit", "items": ["tea"], "limit": 0})" << "\n";
  q.close();
  auto r = run(recommend_args());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("2 of 3 queries"), std::string::npos) << r.output;
  auto res = read_results(dir_ / "out.jsonl");
  ASSERT_EQ(res.size(), 3u);
  EXPECT_EQ(res[0]["id"], "ok");
  EXPECT_FALSE(res[0].contains("error"));
  ASSERT_TRUE(res[1].contains("error"));
  EXPECT_NE(res[1]["error"]["message"].get<std::string>().find("line 2"), std::string::npos);
  EXPECT_EQ(res[2]["id"], "bad-limit");
  EXPECT_EQ(res[2]["error"]["code"], "bad_request");
}

TEST_F(CliTest, BadFlagsAndFilesGiveOneClearLine) {
  std::ofstream(dir_ / "queries.jsonl") << R"({"id": "ok", "items": ["tea"]})" << "\n";
  auto missing_model = run("recommend --model " + (dir_ / "nope").string() + " --queries " +
                           (dir_ / "queries.jsonl").string() + " --out " + (dir_ / "x.jsonl").string());
  EXPECT_NE(missing_model.status, 0);
  EXPECT_NE(missing_model.output.find("does not exist"), std::string::npos) << missing_model.output;

  auto bad_format = run("train --orders " + (dir_ / "orders.csv").string() + " --format excel --out " +
                        (dir_ / "m2").string());
  EXPECT_NE(bad_format.status, 0);
  EXPECT_NE(bad_format.output.find("excel"), std::string::npos) << bad_format.output;

  auto unknown_flag = run("train --bogus");
  EXPECT_NE(unknown_flag.status, 0);
}

TEST_F(CliTest, TrainRejectsAFileWithoutRequiredColumns) {
  std::ofstream(dir_ / "wrong.csv") << "a,b\n1,2\n";
  auto r = run("train --orders " + (dir_ / "wrong.csv").string() + " --out " + (dir_ / "m3").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("wrong.csv"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "m3")) << "a failed run must not leave a model behind";
}

TEST_F(CliTest, DemoTrainsOnTheBundledData) {
  auto r = run("demo --train-only --model-dir " + (dir_ / "demo").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("bought-together"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "demo" / "manifest.json"));
}

TEST_F(CliTest, EvalWritesTheReportAndTheChosenConfig) {
  const std::string orders = (dir_ / "orders.csv").string();
  std::ofstream(dir_ / "grid.json") << R"({"blend.cooccurrence": [0.1, 0.5]})";
  auto r = run("eval --orders " + orders + " --split time:2011-02-02 --k 1,2 --bootstrap 20 --sweep " +
               (dir_ / "grid.json").string() + " --out " + (dir_ / "report").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("# cobuy offline evaluation"), std::string::npos) << "prints the markdown";
  for (const char* f : {"report.json", "report.md", "report.html", "chosen_config.json"}) {
    EXPECT_TRUE(fs::exists(dir_ / "report" / f)) << f;
  }
  std::ifstream f(dir_ / "report" / "report.json");
  const auto report = nlohmann::json::parse(f);
  EXPECT_EQ(report["data"]["split"], "time:2011-02-02");
  EXPECT_EQ(report["k"], nlohmann::json({1, 2}));
  // The chosen config is one `cobuy train --config` accepts.
  auto t = run("train --orders " + orders + " --config " + (dir_ / "report" / "chosen_config.json").string() +
               " --eval-tail 0.3 --out " + (dir_ / "m4").string());
  ASSERT_EQ(t.status, 0) << t.output;
  EXPECT_NE(t.output.find("held-out"), std::string::npos) << t.output;
  std::ifstream manifest(dir_ / "m4" / "manifest.json");
  EXPECT_TRUE(nlohmann::json::parse(manifest)["evaluation"].is_object());

  auto bad = run("eval --orders " + orders + " --split random:2 --out " + (dir_ / "r2").string());
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.output.find("random:FRACTION"), std::string::npos) << bad.output;
}

TEST_F(CliTest, EvalAndRecommendAgreeOnTheSameSplit) {
  // The training part and the test part in two files, so `cobuy train` can learn from the
  // training part alone.
  const char* header = "order_id,item_id,customer_id,timestamp\n";
  std::ofstream train(dir_ / "train.csv"), test(dir_ / "test.csv");
  train << header;
  test << header;
  auto line = [](std::ofstream& f, const std::string& order, std::initializer_list<const char*> items,
                 const std::string& customer, const std::string& day) {
    for (const char* i : items) f << order << "," << i << "," << customer << ",2011-" << day << "\n";
  };
  for (int k = 0; k < 4; ++k) {
    const std::string day = "01-0" + std::to_string(k + 1);
    line(train, "a" + std::to_string(k), {"tea", "saucer", "spoon"}, "c1", day);
    line(train, "b" + std::to_string(k), {"tea", "cake"}, "c2", day);
    line(train, "c" + std::to_string(k), {"pen", "paper", "ink"}, "c3", day);
    line(train, "d" + std::to_string(k), {"cake", "spoon"}, "", day);
  }
  line(test, "t1", {"tea", "saucer", "spoon"}, "c1", "02-01");
  line(test, "t2", {"tea", "cake", "spoon"}, "c2", "02-02");
  line(test, "t3", {"pen", "paper", "tea"}, "c3", "02-03");
  line(test, "t4", {"saucer", "cake", "ink"}, "", "02-04");
  line(test, "t5", {"paper", "ink"}, "c1", "02-05");
  train.close();
  test.close();
  const auto report_dir = dir_ / "agree";
  auto e = run("eval --orders " + (dir_ / "train.csv").string() + " " + (dir_ / "test.csv").string() +
               " --split time:2011-02-01 --k 3 --bootstrap 20 --out " + report_dir.string());
  ASSERT_EQ(e.status, 0) << e.output;
  auto t = run("train --orders " + (dir_ / "train.csv").string() + " --out " + (dir_ / "m5").string());
  ASSERT_EQ(t.status, 0) << t.output;
  auto r = run("recommend --model " + (dir_ / "m5").string() + " --queries " +
               (report_dir / "basket_completion_queries.jsonl").string() + " --out " + (dir_ / "replay.jsonl").string());
  ASSERT_EQ(r.status, 0) << r.output;

  std::map<std::string, std::string> hidden;
  for (const auto& q : read_results(report_dir / "basket_completion_queries.jsonl")) hidden[q["id"]] = q["hidden"];
  const auto answers = read_results(dir_ / "replay.jsonl");
  ASSERT_EQ(answers.size(), hidden.size());
  ASSERT_EQ(answers.size(), 5u);
  double hits = 0, ndcg = 0;
  for (const auto& a : answers) {
    const auto& items = a["items"];
    for (std::size_t p = 0; p < items.size() && p < 3; ++p) {
      if (items[p]["item_id"] == hidden[a["id"]]) {
        hits += 1;
        ndcg += 1.0 / std::log2(static_cast<double>(p) + 2.0);
      }
    }
  }
  EXPECT_GT(hits, 0) << "the replay finds hidden items";
  EXPECT_LT(hits, 5) << "and misses some: the comparison is not trivial";
  std::ifstream f(report_dir / "report.json");
  const auto report = nlohmann::json::parse(f);
  const auto& results = report["tasks"]["basket_completion"]["results"];
  const auto& cobuy = results[results.size() - 1];
  ASSERT_EQ(cobuy["model"], "cobuy");
  EXPECT_NEAR(cobuy["metrics"]["hit_rate"]["3"]["mean"].get<double>(), hits / 5.0, 1e-9);
  EXPECT_NEAR(cobuy["metrics"]["ndcg"]["3"]["mean"].get<double>(), ndcg / 5.0, 1e-9);
}

}  // namespace
