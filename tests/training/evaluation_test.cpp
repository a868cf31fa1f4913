#include "core/evaluation.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/time_util.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

// tea always comes with saucer before the cut; after it, one order repeats the pair, one holds
// an item never seen in training, one holds a single item.
OrderData history() {
  OrderData d;
  for (int k = 0; k < 5; ++k) testing::add_order(d, "a" + std::to_string(k), {"tea", "saucer"}, "ann", "2011-01-0" + std::to_string(k + 1));
  for (int k = 0; k < 5; ++k) testing::add_order(d, "b" + std::to_string(k), {"pen", "paper"}, "bob", "2011-02-0" + std::to_string(k + 1));
  testing::add_order(d, "t1", {"tea", "saucer"}, "ann", "2011-09-02");
  testing::add_order(d, "t2", {"tea", "newitem"}, "ann", "2011-09-03");
  testing::add_order(d, "t3", {"pen"}, "bob", "2011-09-04");
  return d;
}

TEST(Evaluation, TimeSplitPutsOrdersOnEitherSideOfTheCut) {
  const auto [train, test] = split_by_time(history(), *parse_timestamp("2011-09-01"));
  EXPECT_EQ(train.orders.size(), 10u);
  EXPECT_EQ(test.orders.size(), 3u);
  for (const auto& o : test.orders) EXPECT_GE(o.time, *parse_timestamp("2011-09-01"));
}

TEST(Evaluation, CasesSkipUnseenItemsAndSingleItemOrders) {
  const auto [train, test] = split_by_time(history(), *parse_timestamp("2011-09-01"));
  const auto cases = basket_completion_cases(train, test, 42);
  ASSERT_EQ(cases.size(), 1u);  // t2 has an item unseen in training, t3 has one item
  const auto& c = cases[0];
  ASSERT_EQ(c.given.size(), 1u);
  EXPECT_NE(c.given[0], c.hidden);
  EXPECT_TRUE((c.given[0] == "tea" && c.hidden == "saucer") || (c.given[0] == "saucer" && c.hidden == "tea"));
  ASSERT_TRUE(c.customer.has_value());
  EXPECT_EQ(*c.customer, "ann");
  EXPECT_EQ(c.at, *parse_timestamp("2011-09-02"));
  // Seeded: the same seed hides the same item.
  EXPECT_EQ(basket_completion_cases(train, test, 42)[0].hidden, c.hidden);
}

TEST(Evaluation, PerCaseMetricsAndTheirSummary) {
  const auto [train, test] = split_by_time(history(), *parse_timestamp("2011-09-01"));
  const Model model = train_model(train, TrainConfig{});
  std::vector<BasketCase> cases(2);
  cases[0].given = {"tea"};
  cases[0].hidden = "saucer";  // the top complement: rank 1
  cases[1].given = {"tea"};
  cases[1].hidden = "paper";  // never bought with tea: popular backfill ranks it below saucer
  const auto m = basket_completion_metrics(model, cases, 10);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_DOUBLE_EQ(m[0].hit, 1.0);
  EXPECT_DOUBLE_EQ(m[0].ndcg, 1.0);
  EXPECT_DOUBLE_EQ(m[0].rr, 1.0);
  EXPECT_DOUBLE_EQ(m[0].precision, 0.1);
  EXPECT_LT(m[1].rr, 1.0);
  const auto s = summarize(m);
  EXPECT_EQ(s.cases, 2u);
  EXPECT_DOUBLE_EQ(s.mrr, (m[0].rr + m[1].rr) / 2);
  const auto e = evaluate_basket_completion(model, cases, 10);
  EXPECT_DOUBLE_EQ(e.ndcg, s.ndcg);
  EXPECT_DOUBLE_EQ(e.hit_rate, s.hit_rate);
}

}  // namespace
}  // namespace cobuy
