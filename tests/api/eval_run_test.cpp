#include "api/report/eval_run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/artifact.h"
#include "core/error.h"
#include "core/offline_eval.h"
#include "core/tifu_knn.h"
#include "core/time_util.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy::cli {
namespace {

// Two customers with steady habits, anonymous cake + tea orders, and after 2011-09-01 orders
// that include "novel", an item that exists only in the test part.
OrderData history() {
  OrderData d;
  for (int k = 1; k <= 8; ++k) {
    const std::string month = "2011-0" + std::to_string(k);
    testing::add_order(d, "a" + std::to_string(k), {"tea", "saucer"}, "ann", month + "-01");
    testing::add_order(d, "b" + std::to_string(k), {"pen", "paper"}, "bob", month + "-02");
    testing::add_order(d, "c" + std::to_string(k), {"cake", "tea"}, "", month + "-03");
  }
  testing::add_order(d, "t1", {"tea", "saucer", "novel"}, "ann", "2011-09-05");
  testing::add_order(d, "t2", {"paper", "novel", "pen"}, "bob", "2011-09-06");
  testing::add_order(d, "t3", {"cake", "tea", "saucer"}, "", "2011-09-07");
  return d;
}

/// The evaluation of history() split at 2011-09-01, at K 1 and 3, with few resamples.
EvalRun small_run() {
  EvalRun run;
  run.split = parse_split("time:2011-09-01");
  run.ks = {1, 3};
  run.bootstrap_resamples = 50;
  run.config.embedding.dim = 8;
  return run;
}

TEST(EvalRun, ParsesSplits) {
  EXPECT_EQ(parse_split("last-basket").kind, SplitSpec::Kind::last_basket);
  const auto t = parse_split("time:2011-09-01");
  EXPECT_EQ(t.kind, SplitSpec::Kind::time);
  EXPECT_EQ(t.cut, *parse_timestamp("2011-09-01"));
  EXPECT_DOUBLE_EQ(parse_split("random:0.25").fraction, 0.25);
  for (const char* bad : {"time:yesterday", "random:1.5", "random:", "random:0.2x", "halves", ""}) {
    EXPECT_THROW(parse_split(bad), Error) << bad;
  }
}

TEST(EvalRun, ReportHasEveryModelAndTask) {
  EvalRun run = small_run();
  const auto report = run_evaluation(history(), run);
  EXPECT_EQ(report["data"]["train_orders"], 24);
  EXPECT_EQ(report["data"]["test_orders"], 3);
  std::vector<std::string> names;
  for (const auto& m : report["models"]) names.push_back(m["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"popular", "GP-TopFreq", "TIFU-KNN", "co-occurrence", "EASE", "embeddings",
                                              "EASE on history", "cobuy new items", "cobuy"}));
  const auto& basket = report["tasks"]["basket_completion"];
  EXPECT_EQ(basket["cases"], 1);  // t3; t1 and t2 hold the unseen "novel"
  ASSERT_EQ(basket["results"].size(), 9u);
  const auto& ndcg = basket["results"][8]["metrics"]["ndcg"]["3"];
  EXPECT_LE(ndcg["low"].get<double>(), ndcg["mean"].get<double>());
  EXPECT_GE(ndcg["high"].get<double>(), ndcg["mean"].get<double>());
  const auto& paired = basket["paired"];
  EXPECT_EQ(paired["reference"], "cobuy");
  EXPECT_EQ(paired["k"], 3);
  ASSERT_EQ(paired["rows"].size(), 8u);
  const auto& vs_popular = paired["rows"][0]["metrics"]["ndcg"];
  const double direct = basket["results"][8]["metrics"]["ndcg"]["3"]["mean"].get<double>() -
                        basket["results"][0]["metrics"]["ndcg"]["3"]["mean"].get<double>();
  EXPECT_NEAR(vs_popular["mean"].get<double>(), direct, 1e-12) << "the paired mean is the difference of the means";
  const auto& next = report["tasks"]["next_order"];
  EXPECT_EQ(next["cases"], 2);
  // GP-TopFreq finds ann's tea and saucer and bob's pen and paper: recall 2/3 each at K 3.
  EXPECT_NEAR(next["results"][1]["metrics"]["recall"]["3"]["mean"].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(next["results"][1]["metrics"]["recall_new"]["3"]["mean"].get<double>(), 0.0, 1e-12);
  // The repeat-against-new curves at the middle cut-off; the rule with no new places is GP-TopFreq.
  const auto& tradeoff = next["tradeoff"];
  EXPECT_EQ(tradeoff["k"], 3);
  EXPECT_EQ(tradeoff["cobuy"].size(), 15u);
  ASSERT_EQ(tradeoff["rule"].size(), 4u);
  EXPECT_EQ(tradeoff["split"].size(), 4u);
  EXPECT_EQ(tradeoff["rule"][0]["new_places"], 0);
  EXPECT_NEAR(tradeoff["rule"][0]["recall"]["mean"].get<double>(), 2.0 / 3.0, 1e-12);
  ASSERT_EQ(tradeoff["comparisons"].size(), 3u);
  EXPECT_TRUE(tradeoff["comparisons"][0].contains("split_recall_minus_rule"));
}

TEST(EvalRun, WithEmbeddingsTheReportPairsEachListWithTheSameListWithoutThem) {
  EvalRun run = small_run();
  run.config.embedding.epochs = 2;
  run.config.embedding.min_count = 1;
  run.config.embedding.deterministic = true;
  const auto report = run_evaluation(history(), run);
  std::vector<std::string> names;
  for (const auto& m : report["models"]) names.push_back(m["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"popular", "GP-TopFreq", "TIFU-KNN", "co-occurrence", "EASE", "embeddings",
                                              "cobuy without embeddings", "EASE on history", "cobuy new items",
                                              "cobuy new items without embeddings", "cobuy"}));
  for (const char* task : {"basket_completion", "next_order"}) {
    const auto& t = report["tasks"][task];
    const auto& added = t["embeddings_added"];
    EXPECT_EQ(added["k"], 3) << task;
    ASSERT_EQ(added["rows"].size(), 2u) << task;
    EXPECT_EQ(added["rows"][0]["model"], "cobuy minus cobuy without embeddings");
    EXPECT_EQ(added["rows"][1]["model"], "cobuy new items minus cobuy new items without embeddings");
    // Each row's paired mean is the difference of the two lists' means.
    auto mean = [&](std::size_t model) {
      return t["results"][model]["metrics"]["ndcg"]["3"]["mean"].get<double>();
    };
    const std::pair<std::size_t, std::size_t> pairs[] = {{10, 6}, {8, 9}};
    for (std::size_t r = 0; r < 2; ++r) {
      EXPECT_NEAR(added["rows"][r]["metrics"]["ndcg"]["mean"].get<double>(), mean(pairs[r].first) - mean(pairs[r].second),
                  1e-12)
          << task << " row " << r;
    }
  }
  // The model without embeddings has no index: its description says so, and the rest of cobuy's does not.
  EXPECT_NE(report["models"][6]["description"].get<std::string>().find("embedding.epochs 0"), std::string::npos);
}

TEST(EvalRun, WithoutEmbeddingsThereIsNoEmbeddingsTable) {
  EvalRun run;
  run.split = parse_split("time:2011-09-01");
  run.ks = {3};
  run.bootstrap_resamples = 20;
  const auto report = run_evaluation(history(), run);
  EXPECT_FALSE(report["tasks"]["next_order"].contains("embeddings_added"));
  EXPECT_FALSE(report["tasks"]["basket_completion"].contains("embeddings_added"));
  for (const auto& m : report["models"]) EXPECT_EQ(m["name"].get<std::string>().find("without embeddings"), std::string::npos);
}

TEST(EvalRun, TestOnlyItemsAreNeverRecommended) {
  const auto [train, test] = split_by_time(history(), *parse_timestamp("2011-09-01"));
  const Model m = train_model(train, TrainConfig{});
  const auto novel = *m.catalog.find("novel");
  for (const auto& rank : {model_ranker(m), popular_ranker(m), gp_topfreq_ranker(m, orders_holding(train)),
                           tifu_knn_ranker(m, orders_holding(train))}) {
    for (const auto& c : next_order_cases(train, test)) {
      Query q;
      q.customer_id = c.customer;
      q.at = c.at;
      q.limit = 10;
      for (auto i : rank(q)) EXPECT_NE(i, novel);
    }
    Query q;
    q.items = {"tea"};
    q.limit = 10;
    for (auto i : rank(q)) EXPECT_NE(i, novel);
  }
}

TEST(EvalRun, RejectsSplitsThatLeaveAPartEmpty) {
  EvalRun run;
  run.split = parse_split("time:2030-01-01");
  EXPECT_THROW(run_evaluation(history(), run), Error);
  run.split = parse_split("time:2000-01-01");
  EXPECT_THROW(run_evaluation(history(), run), Error);
}

TEST(EvalRun, HoldoutSummaryIsStoredInTheManifest) {
  const auto summary = holdout_summary(history(), TrainConfig{}, 0.15);
  EXPECT_EQ(summary["test_orders"].get<std::size_t>() + summary["train_orders"].get<std::size_t>(), 27u);
  EXPECT_GT(summary["test_orders"].get<std::size_t>(), 0u);
  EXPECT_TRUE(summary["basket_completion"].contains("ndcg@10"));
  EXPECT_TRUE(summary["next_order"].contains("recall@10"));
  EXPECT_THROW(holdout_summary(history(), TrainConfig{}, 0), Error);

  Model m = train_model(history(), TrainConfig{});
  m.evaluation = summary;
  const auto dir = std::filesystem::temp_directory_path() / ("cobuy-holdout-" + std::to_string(::getpid()));
  save_model(m, dir.string());
  const auto loaded = load_model(dir.string());
  EXPECT_EQ(loaded->evaluation, summary);
  EXPECT_EQ(manifest_json(*loaded)["evaluation"], summary);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cobuy::cli
