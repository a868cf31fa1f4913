#include "api/report/eval_sweep.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "support/order_builder.h"

namespace cobuy::cli {
namespace {
using nlohmann::json;

TEST(EvalSweep, SetsDottedParameters) {
  const auto c = with_parameter(TrainConfig{}, "ease.lambda", 7.5);
  EXPECT_DOUBLE_EQ(c.ease.lambda, 7.5);
  EXPECT_DOUBLE_EQ(with_parameter(c, "blend.cooccurrence", 0.1).blend.cooccurrence, 0.1);
  EXPECT_EQ(with_parameter(c, "threads", 1).threads, 1u);
  EXPECT_THROW(with_parameter(c, "ease.lambdaa", 1), Error);      // unknown field
  EXPECT_THROW(with_parameter(c, "ease", 1), Error);              // a section, not a field
  EXPECT_THROW(with_parameter(c, "ease.lambda", -1), Error);      // invalid value
  EXPECT_THROW(with_parameter(c, "ease.lambda", "big"), Error);   // wrong type
}

TEST(EvalSweep, GridIsTheCartesianProduct) {
  const auto points = grid_points(json{{"ease.lambda", {2, 5, 10}}, {"blend.cooccurrence", {0.1, 0.25}}});
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0]["blend.cooccurrence"], 0.1);
  EXPECT_EQ(points[0]["ease.lambda"], 2);
  EXPECT_THROW(grid_points(json::array()), Error);
  EXPECT_THROW(grid_points(json{{"ease.lambda", json::array()}}), Error);
  EXPECT_THROW(grid_points(json{{"ease.lambda", 5}}), Error);
  json big;
  for (const char* p : {"a", "b", "c"}) big[p] = {1, 2, 3, 4, 5};
  EXPECT_THROW(grid_points(big), Error) << "125 points";
}

TEST(EvalSweep, ChoosesOnAValidationPartOfTheTrainingPart) {
  OrderData d;
  for (int k = 1; k <= 9; ++k) {
    const std::string day = "2011-0" + std::to_string(k);
    for (int r = 0; r < 3; ++r) testing::add_order(d, "a" + std::to_string(k) + std::to_string(r), {"tea", "saucer", "cake"}, "", day + "-0" + std::to_string(r + 1));
    testing::add_order(d, "b" + std::to_string(k), {"pen", "paper"}, "", day + "-05");
  }
  SplitSpec split;
  split.kind = SplitSpec::Kind::time;
  TrainConfig chosen;
  // Co-occurrence alone against EASE alone: both find the planted pairs; the sweep must report
  // both points and choose one of them.
  const json grid = {{"blend.ease", {0.0, 1.0}}};
  const auto out = run_sweep(d, split, TrainConfig{}, grid, 42, chosen);
  ASSERT_EQ(out["results"].size(), 2u);
  EXPECT_GT(out["validation"]["cases"].get<std::size_t>(), 0u);
  EXPECT_LT(out["validation"]["train_orders"].get<std::size_t>(), d.orders.size());
  const double a = out["results"][0]["ndcg@10"], b = out["results"][1]["ndcg@10"];
  EXPECT_EQ(out["chosen"]["blend.ease"], a >= b ? 0.0 : 1.0);
  EXPECT_DOUBLE_EQ(chosen.blend.ease, a >= b ? 0.0 : 1.0);
}

}  // namespace
}  // namespace cobuy::cli
