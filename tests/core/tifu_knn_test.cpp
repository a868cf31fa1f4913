// TIFU-KNN as the authors' code computes it: the grouped, decayed user vector exactly, and the
// blend of the customer's own vector with their nearest other customers' (among those with orders).

#include "core/tifu_knn.h"

#include <cmath>

#include <gtest/gtest.h>

#include "support/model_builder.h"

namespace cobuy {
namespace {

double value_of(const SparseVector& v, ItemIndex i) {
  for (const auto& [item, x] : v) {
    if (item == i) return x;
  }
  return 0.0;
}

TEST(TifuUserVector, FewerBasketsThanGroupsMakesEachBasketAGroupThatStillDecaysFromTheLastGroup) {
  // Items a=0, b=1, c=2; three baskets, seven groups: basket k weighs 0.9^(2-k) x 0.7^(6-k), / 3.
  const auto v = tifu_user_vector({{0}, {0, 1}, {2}}, TifuParams{});
  const double b0 = 0.81 * std::pow(0.7, 6), b1 = 0.9 * std::pow(0.7, 5), b2 = std::pow(0.7, 4);
  EXPECT_NEAR(value_of(v, 0), (b0 + b1) / 3, 1e-12);
  EXPECT_NEAR(value_of(v, 1), b1 / 3, 1e-12);
  EXPECT_NEAR(value_of(v, 2), b2 / 3, 1e-12);
}

TEST(TifuUserVector, LaterGroupsHoldTheExtraBasketsAndGroupVectorsAreMeans) {
  // Five baskets x y x z x in two groups: {0, 1} and {2, 3, 4} (the last n mod groups get one
  // more); within-decay 0.9^(4-k) over the whole history, group decay 0.7 then 1, / 2 groups.
  TifuParams p;
  p.groups = 2;
  const auto v = tifu_user_vector({{0}, {1}, {0}, {2}, {0}}, p);
  EXPECT_NEAR(value_of(v, 0), (0.7 * 0.6561 / 2 + (0.81 + 1.0) / 3) / 2, 1e-12);
  EXPECT_NEAR(value_of(v, 1), (0.7 * 0.729 / 2) / 2, 1e-12);
  EXPECT_NEAR(value_of(v, 2), (0.9 / 3) / 2, 1e-12);
  EXPECT_TRUE(tifu_user_vector({}, p).empty());
}

TEST(TifuKnnRanker, BlendsTheCustomersVectorWithTheirNearestOtherCustomerThenFillsByOrders) {
  // A bought x twice; B (nearest to A) bought x and y; C bought only z. With 1 neighbour (B: the
  // customer is never their own neighbour), y is reached through B and z is not; the fill is the
  // most ordered item w.
  const Model m = testing::ModelBuilder()
                      .item("x").item("y").item("z").item("w")
                      .order("A", "2011-01-01", {"x"})
                      .order("A", "2011-01-08", {"x"})
                      .order("B", "2011-01-01", {"x", "y"})
                      .order("C", "2011-01-01", {"z"})
                      .build();
  TifuParams p;
  p.neighbors = 1;
  const auto rank = tifu_knn_ranker(m, {3, 1, 1, 9}, p);
  Query q;
  q.customer_id = "A";
  q.limit = 3;
  const auto list = rank(q);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(m.catalog.ids[list[0]], "x");
  EXPECT_EQ(m.catalog.ids[list[1]], "y");
  EXPECT_EQ(m.catalog.ids[list[2]], "w");
  // With the customer alone (alpha 1) y is not reached: the fill follows x.
  p.alpha = 1.0;
  const auto alone = tifu_knn_ranker(m, {3, 1, 1, 9}, p)(q);
  EXPECT_EQ(m.catalog.ids[alone[1]], "w");
}

TEST(TifuKnnRanker, NeighboursAreOtherCustomersWithOrdersNotTheCustomerNorCustomersWithoutHistory) {
  // A: {x}, {x}. B: {x, y, u, v}; C: {z, z2, z3, z4}; E and F: no orders (customers of the
  // model only through the test part, as `cobuy eval --split time:` leaves them). A's vector is
  // (0.9 x 0.7^6 + 0.7^5) / 2 on x (0.13698); B's and C's are 0.7^6 (0.11765) on each item. The
  // squared distances from A: E and F 0.01876 (the zero vector), B 0.04191, C 0.07410. Before,
  // A's 2 nearest were A itself and E: no item beyond x. Now they are B and C, in that order.
  Model m = testing::ModelBuilder()
                .item("x").item("y").item("u").item("v").item("z").item("z2").item("z3").item("z4").item("w")
                .order("A", "2011-01-01", {"x"})
                .order("A", "2011-01-08", {"x"})
                .order("B", "2011-01-01", {"x", "y", "u", "v"})
                .order("C", "2011-01-01", {"z", "z2", "z3", "z4"})
                .build();
  for (const std::string id : {"E", "F"}) {
    auto& h = m.customers;
    h.index.emplace(id, static_cast<std::uint32_t>(h.ids.size()));
    h.ids.push_back(id);
    h.order_offsets.push_back(h.order_offsets.back());
  }
  // Orders holding each item: ties among B's items go to y, u, v; among C's to z .. z4; w fills.
  const std::vector<std::uint32_t> orders{3, 8, 7, 6, 5, 4, 3, 2, 9};
  TifuParams p;
  p.neighbors = 2;
  Query q;
  q.customer_id = "A";
  q.limit = 9;
  auto names = [&](const std::vector<ItemIndex>& list) {
    std::vector<std::string> out;
    for (ItemIndex i : list) out.push_back(m.catalog.ids[i]);
    return out;
  };
  // x: 0.7 x 0.13698 + 0.3 x 0.11765 / 2; y u v: 0.3 x 0.11765 / 2 each; z .. z4 the same; w fills.
  EXPECT_EQ(names(tifu_knn_ranker(m, orders, p)(q)),
            (std::vector<std::string>{"x", "y", "u", "v", "z", "z2", "z3", "z4", "w"}));
  // One neighbour: B only, C's items are not reached.
  p.neighbors = 1;
  EXPECT_EQ(names(tifu_knn_ranker(m, orders, p)(q)),
            (std::vector<std::string>{"x", "y", "u", "v", "w", "z", "z2", "z3", "z4"}));
  // More neighbours than customers with orders: the mean is over B and C, as with 2.
  p.neighbors = 300;
  EXPECT_EQ(names(tifu_knn_ranker(m, orders, p)(q)),
            (std::vector<std::string>{"x", "y", "u", "v", "z", "z2", "z3", "z4", "w"}));
  // A customer without orders gets the most ordered items.
  q.customer_id = "E";
  q.limit = 3;
  EXPECT_EQ(names(tifu_knn_ranker(m, orders, p)(q)), (std::vector<std::string>{"w", "y", "u"}));
}

}  // namespace
}  // namespace cobuy
