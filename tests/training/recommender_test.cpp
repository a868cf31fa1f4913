#include "core/recommender.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

std::vector<std::string> ids(const Model& m, const RecommendResult& r) {
  std::vector<std::string> out;
  for (const auto& x : r.items) out.push_back(m.catalog.ids[x.item]);
  return out;
}

class RecommenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OrderData d;
    // tea goes with saucer (always) and with cake (sometimes); pen is popular on its own.
    for (int k = 0; k < 6; ++k) testing::add_order(d, "a" + std::to_string(k), {"tea", "saucer"}, "", "2011-01-01");
    for (int k = 0; k < 3; ++k) testing::add_order(d, "b" + std::to_string(k), {"tea", "cake"}, "", "2011-01-02");
    for (int k = 0; k < 9; ++k) testing::add_order(d, "c" + std::to_string(k), {"pen", "paper"}, "", "2011-01-03");
    testing::add_order(d, "d1", {"pen"}, "", "2011-01-04");
    testing::add_order(d, "h1", {"tea", "saucer"}, "alice", "2011-03-01");
    testing::add_order(d, "h2", {"tea"}, "alice", "2011-04-01");
    testing::add_order(d, "h3", {"pen"}, "alice", "2011-06-01");
    testing::describe(d, "cake", "Cake", 5.0f, "food");
    testing::describe(d, "saucer", "Saucer", 1.0f, "kitchen");
    testing::describe(d, "paper", "Paper", 2.0f, "office");
    TrainConfig c;
    c.cooccurrence.min_support = 2;
    c.cooccurrence.shrinkage = 1;
    c.popularity.half_life_days = 0;
    model_ = train_model(d, c);
  }
  Model model_;
};

TEST_F(RecommenderTest, BasketCompletionRanksComplementsAndNeverReturnsQueryItems) {
  Query q;
  q.id = "q1";
  q.items = {"tea"};
  q.limit = 2;
  auto r = recommend(model_, q);
  EXPECT_EQ(r.id, "q1");
  EXPECT_EQ(ids(model_, r), (std::vector<std::string>{"saucer", "cake"}));
  EXPECT_EQ(r.items[0].relation, Relation::complement);
  EXPECT_EQ(r.items[0].reason, "tea");
  EXPECT_FALSE(r.fallback);
  EXPECT_GT(r.items[0].score, r.items[1].score);
}

TEST_F(RecommenderTest, ShortListsAreBackfilledWithPopularAndFlagged) {
  Query q;
  q.items = {"tea", "saucer"};
  q.limit = 5;
  auto r = recommend(model_, q);
  auto got = ids(model_, r);
  // Only three items are neither in the basket nor its own: cake (complement), pen, paper (popular).
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "cake");
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(r.items.back().relation, Relation::popular);
  for (const auto& id : got) {
    EXPECT_NE(id, "tea");
    EXPECT_NE(id, "saucer");
  }
  for (std::size_t k = 1; k < r.items.size(); ++k) EXPECT_GE(r.items[k - 1].score, r.items[k].score);
}

TEST_F(RecommenderTest, UnknownItemsFallBackToPopular) {
  Query q;
  q.items = {"nope"};
  q.limit = 2;
  auto r = recommend(model_, q);
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(r.unknown_items, (std::vector<std::string>{"nope"}));
  EXPECT_EQ(ids(model_, r), (std::vector<std::string>{"tea", "pen"}));
}

TEST_F(RecommenderTest, ExcludeAndFiltersApply) {
  Query q;
  q.items = {"tea"};
  q.limit = 3;
  q.exclude = {"saucer"};
  auto r = recommend(model_, q);
  ASSERT_FALSE(r.items.empty());
  EXPECT_EQ(ids(model_, r)[0], "cake");
  for (const auto& id : ids(model_, r)) EXPECT_NE(id, "saucer");

  Query f;
  f.items = {"tea"};
  f.limit = 3;
  f.filters.max_price = 3.0;
  auto rf = recommend(model_, f);
  for (const auto& x : rf.items) EXPECT_LE(model_.catalog.prices[x.item], 3.0f);
  EXPECT_EQ(ids(model_, rf)[0], "saucer");

  Query c;
  c.items = {"tea"};
  c.limit = 3;
  c.filters.categories = {"food"};
  EXPECT_EQ(ids(model_, recommend(model_, c)), (std::vector<std::string>{"cake"}));
}

TEST_F(RecommenderTest, NextOrderUsesHistoryBeforeAt) {
  Query q;
  q.customer_id = "alice";
  q.limit = 10;
  q.at = *parse_timestamp("2011-05-01");
  auto r = recommend(model_, q);
  auto got = ids(model_, r);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0], "tea") << "most frequent past item comes first";
  EXPECT_EQ(r.items[0].relation, Relation::repeat);
  for (const auto& item : r.items) {
    // The pen order is after 'at': the pen may come as a popular item, never from history.
    if (model_.catalog.ids[item.item] == "pen") {
      EXPECT_EQ(item.relation, Relation::popular);
    }
  }
  // A complement of the history is proposed too, naming its anchor.
  const auto cake = std::find(got.begin(), got.end(), "cake");
  ASSERT_NE(cake, got.end());
  EXPECT_EQ(r.items[static_cast<std::size_t>(cake - got.begin())].relation, Relation::complement);
  EXPECT_EQ(r.items[static_cast<std::size_t>(cake - got.begin())].reason, "tea");
}

TEST_F(RecommenderTest, UnknownCustomerFallsBack) {
  Query q;
  q.customer_id = "bob";
  q.limit = 1;
  auto r = recommend(model_, q);
  EXPECT_TRUE(r.unknown_customer);
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(r.items.size(), 1u);
}

TEST_F(RecommenderTest, BasketQueryWithACustomerRanksTheirOwnItems) {
  // cake's only complement is tea; alice also bought saucer and pen.
  Query q;
  q.items = {"cake"};
  q.limit = 3;
  auto plain = recommend(model_, q);
  ASSERT_EQ(plain.items.size(), 3u);
  EXPECT_EQ(model_.catalog.ids[plain.items[0].item], "tea");
  EXPECT_EQ(plain.items[1].relation, Relation::popular) << "without a customer the rest is popular backfill";

  q.customer_id = "alice";
  auto r = recommend(model_, q);
  EXPECT_FALSE(r.unknown_customer);
  const auto got = ids(model_, r);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "tea") << "a complement she also bought before";
  EXPECT_EQ(r.items[0].relation, Relation::complement);
  for (std::size_t k = 1; k < 3; ++k) {
    EXPECT_TRUE(got[k] == "saucer" || got[k] == "pen") << got[k];
    EXPECT_EQ(r.items[k].relation, Relation::repeat);
    EXPECT_EQ(r.items[k].reason, "history");
  }
  EXPECT_FALSE(r.fallback);

  q.at = *parse_timestamp("2011-05-01");  // the pen order is later
  const auto before = ids(model_, recommend(model_, q));
  EXPECT_NE(std::find(before.begin(), before.end(), "saucer"), before.end());

  q.customer_id = "nobody";
  auto unknown = recommend(model_, q);
  EXPECT_TRUE(unknown.unknown_customer);
  EXPECT_EQ(ids(model_, unknown), ids(model_, plain));
}

TEST_F(RecommenderTest, HistoryWeightZeroIgnoresTheCustomerInBasketQueries) {
  Model m = model_;
  m.config.blend.history = 0;
  Query q;
  q.items = {"cake"};
  q.limit = 3;
  const auto plain = ids(m, recommend(m, q));
  q.customer_id = "alice";
  EXPECT_EQ(ids(m, recommend(m, q)), plain);
}

TEST_F(RecommenderTest, EasePenaltiesCountAgainstTheComplementsTheyName) {
  // Trained: EASE's negative weights, all < 0, one row per item; none without EASE.
  ASSERT_EQ(model_.penalties.items(), model_.catalog.size());
  EXPECT_FALSE(model_.penalties.entries.empty()) << "tea and pen are never bought together";
  for (const auto& nb : model_.penalties.entries) EXPECT_LT(nb.score, 0);

  Model m = model_;
  m.reranker = {};
  m.penalties = NeighborTable::from_rows(std::vector<std::vector<Neighbor>>(m.catalog.size()));
  Query q;
  q.items = {"tea", "pen"};
  q.limit = 4;
  const auto score_of = [&](const RecommendResult& r, const std::string& id) {
    for (const auto& x : r.items) {
      if (m.catalog.ids[x.item] == id) return x.score;
    }
    return -1.0f;
  };
  const auto before = recommend(m, q);
  const float saucer = score_of(before, "saucer");
  ASSERT_GT(saucer, 0);
  ASSERT_GT(score_of(before, "paper"), 0);
  const auto pen = *m.catalog.find("pen"), paper = *m.catalog.find("paper");
  std::vector<std::vector<Neighbor>> rows(m.catalog.size());
  rows[pen] = {{*m.catalog.find("saucer"), -0.75f * saucer, 0}, {*m.catalog.find("cake"), -1e-3f, 0}};
  rows[*m.catalog.find("tea")] = {{paper, -100.0f, 0}};  // kills paper outright
  m.penalties = NeighborTable::from_rows(rows);
  const auto after = recommend(m, q);
  EXPECT_NEAR(score_of(after, "saucer"), 0.25f * saucer, 1e-5f);
  const auto paper_after = std::find_if(after.items.begin(), after.items.end(), [&](const Recommendation& x) {
    return x.item == paper;
  });
  ASSERT_NE(paper_after, after.items.end()) << "backfilled as popular";
  EXPECT_EQ(paper_after->relation, Relation::popular) << "a negative total is no complement";

  TrainConfig no_ease = model_.config;
  no_ease.blend.ease = 0;
  OrderData d;
  for (int k = 0; k < 3; ++k) testing::add_order(d, "o" + std::to_string(k), {"x", "y"});
  testing::add_order(d, "p", {"z"});
  EXPECT_TRUE(train_model(d, no_ease).penalties.entries.empty());
}

TEST(QueryValidation, RejectsAbsurdParameters) {
  ServeLimits limits;
  Query q;
  q.items = {"a"};
  q.limit = 0;
  EXPECT_THROW(validate(q, limits), Error);
  q.limit = limits.max_limit + 1;
  EXPECT_THROW(validate(q, limits), Error);
  q.limit = 10;
  EXPECT_NO_THROW(validate(q, limits));
  Query empty;
  EXPECT_THROW(validate(empty, limits), Error);
  q.filters.min_price = 5;
  q.filters.max_price = 1;
  EXPECT_THROW(validate(q, limits), Error);
}

TEST(BoughtTogether, ListsTheItemsComplementsInOrder) {
  OrderData d;
  for (int k = 0; k < 4; ++k) testing::add_order(d, "a" + std::to_string(k), {"x", "y"});
  for (int k = 0; k < 2; ++k) testing::add_order(d, "b" + std::to_string(k), {"x", "z"});
  TrainConfig c;
  c.cooccurrence.shrinkage = 0;
  Model m = train_model(d, c);
  auto r = bought_together(m, *m.catalog.find("x"), 10);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(m.catalog.ids[r[0].item], "y");
  EXPECT_EQ(m.catalog.ids[r[1].item], "z");
  EXPECT_EQ(bought_together(m, *m.catalog.find("x"), 1).size(), 1u);
}

}  // namespace
}  // namespace cobuy
