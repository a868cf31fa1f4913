// `cobuy eval` and `cobuy train` + `cobuy recommend` agree when the model has a fitted re-ranker:
// the re-ranker is part of the serving path, and eval scores that path.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/time_util.h"
#include "support/run_cobuy.h"
#include "support/staples_shop.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

std::vector<nlohmann::json> read_lines(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream f(p);
  for (std::string line; std::getline(f, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(EvalRerankAgree, EvalAndRecommendAgreeWithTheReRankerOn) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-rerank-agree-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // The staples shop (support/staples_shop.h); the first stage ignores history (blend.history 0),
  // so only the re-ranker can use it.
  std::ofstream train(dir / "train.csv"), test(dir / "test.csv");
  train << "order_id,item_id,customer_id,timestamp\n";
  test << "order_id,item_id,customer_id,timestamp\n";
  const Timestamp cut = *parse_timestamp("2011-12-01T00:00:00Z");
  for (const auto& o : testing::staples_shop(400)) {
    for (const auto& i : o.items) {
      (o.time < cut ? train : test) << o.id << "," << i << "," << o.customer << "," << format_timestamp(o.time) << "\n";
    }
  }
  train.close();
  test.close();
  std::ofstream(dir / "config.json") << R"({"blend": {"history": 0}})";
  const std::string config = " --config " + (dir / "config.json").string();

  const auto report_dir = dir / "report";
  auto e = testing::run_cobuy("eval --orders " + (dir / "train.csv").string() + " " + (dir / "test.csv").string() +
                              " --split time:2011-12-01 --k 10 --bootstrap 20" + config + " --out " + report_dir.string());
  ASSERT_EQ(e.status, 0) << e.output;
  auto t = testing::run_cobuy("train --orders " + (dir / "train.csv").string() + config + " --out " + (dir / "m").string());
  ASSERT_EQ(t.status, 0) << t.output;
  EXPECT_NE(t.output.find("re-ranker     on"), std::string::npos) << t.output;
  std::ifstream manifest(dir / "m" / "manifest.json");
  EXPECT_TRUE(nlohmann::json::parse(manifest)["reranker"].is_object());
  auto r = testing::run_cobuy("recommend --model " + (dir / "m").string() + " --queries " +
                              (report_dir / "basket_completion_queries.jsonl").string() + " --out " +
                              (dir / "replay.jsonl").string());
  ASSERT_EQ(r.status, 0) << r.output;

  std::map<std::string, std::string> hidden;
  for (const auto& q : read_lines(report_dir / "basket_completion_queries.jsonl")) hidden[q["id"]] = q["hidden"];
  const auto answers = read_lines(dir / "replay.jsonl");
  ASSERT_EQ(answers.size(), hidden.size());
  ASSERT_GT(answers.size(), 100u);
  double ndcg = 0;
  for (const auto& a : answers) {
    const auto& items = a["items"];
    for (std::size_t p = 0; p < items.size() && p < 10; ++p) {
      if (items[p]["item_id"] == hidden[a["id"]]) ndcg += 1.0 / std::log2(static_cast<double>(p) + 2.0);
    }
  }
  ndcg /= static_cast<double>(answers.size());
  std::ifstream f(report_dir / "report.json");
  const auto report = nlohmann::json::parse(f);
  const auto& results = report["tasks"]["basket_completion"]["results"];
  const auto& cobuy = results[results.size() - 1];
  ASSERT_EQ(cobuy["model"], "cobuy");
  for (const auto& m : report["models"]) {
    const auto description = m["description"].get<std::string>();
    EXPECT_EQ(description.find("re-ranker on: validation NDCG@10") != std::string::npos, m["name"] == "cobuy")
        << "only cobuy's description says its re-ranker is on: " << description;
  }
  EXPECT_NEAR(cobuy["metrics"]["ndcg"]["10"]["mean"].get<double>(), ndcg, 1e-9);
  // And the re-ranker is what puts cobuy ahead of its own sources here.
  for (const auto& other : results) {
    if (other["model"] == "EASE" || other["model"] == "co-occurrence") {
      EXPECT_GT(ndcg, other["metrics"]["ndcg"]["10"]["mean"].get<double>() + 0.03) << other["model"];
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
