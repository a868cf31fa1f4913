// Fitting the next-order engine: the logistic fit recovers planted weights, and on a generated
// shop with planted repurchase cycles and planted complements the trained engine puts each
// customer's due consumable first, keeps a durable bought once out of the head of the list, and
// offers the planted complement of an item bought alone.

#include "training/next_order_fit.h"

#include <random>

#include <gtest/gtest.h>

#include "core/recommender.h"
#include "core/time_util.h"
#include "support/order_builder.h"
#include "training/train.h"
#include "support/days.h"

namespace cobuy {
namespace {

TEST(FitLogistic, RecoversPlantedWeightsAndIgnoresAConstantFeature) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<LabelledFeatures> rows(40000);
  for (auto& r : rows) {
    for (auto& x : r.x) x = g(rng);
    r.x[5] = 2.0;  // the same everywhere
    const double logit = 0.5 + 1.5 * r.x[1] - 2.0 * r.x[3];
    r.positive = u(rng) < 1.0 / (1.0 + std::exp(-logit));
  }
  const auto s = fit_logistic(rows);
  ASSERT_TRUE(s.fitted());
  EXPECT_NEAR(s.weights[1], 1.5, 0.15);
  EXPECT_NEAR(s.weights[3], -2.0, 0.15);
  EXPECT_NEAR(s.bias, 0.5, 0.15);
  EXPECT_EQ(s.weights[5], 0.0);
  for (std::size_t k : {0, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13}) EXPECT_LT(std::abs(s.weights[k]), 0.1) << k;
  const auto none = fit_logistic({});
  EXPECT_EQ(none.weights, std::vector<double>(kNextOrderFeatures, 0.0));
  EXPECT_EQ(none.bias, 0.0);
}

using testing::kDay;
constexpr int kCustomers = 200, kOrders = 10, kPairs = 6;

Timestamp start_of(int c) { return *parse_timestamp("2011-01-01") + (c % 50) * 3 * kDay + c * 60; }

/// Customer c orders every 7 days from start_of(c): their consumable k{c%10} in every other order
/// (t even), their durable d{c%10} in the first only, one of 200 noise items each time, and in
/// each odd order t the pair p = (c + t / 2) % 6: a{p} and b{p} together for even c, b{p} in the
/// next order for odd c. Customers s0..s5 buy k0 in each of 4 orders, a{j} alone in the second,
/// never b{j}.
OrderData planted_shop() {
  OrderData d;
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> noise(0, 199);
  struct Planned {
    Timestamp time;
    std::string id, customer;
    std::vector<std::string> items;
  };
  std::vector<Planned> orders;
  for (int c = 0; c < kCustomers; ++c) {
    for (int t = 0; t < kOrders; ++t) {
      Planned o{start_of(c) + t * 7 * kDay, "o" + std::to_string(c) + "-" + std::to_string(t), "c" + std::to_string(c), {}};
      if (t % 2 == 0) o.items.push_back("k" + std::to_string(c % 10));
      if (t == 0) o.items.push_back("d" + std::to_string(c % 10));
      if (t % 2 == 1) {
        const std::string pair = std::to_string((c + t / 2) % kPairs);
        o.items.push_back("a" + pair);
        if (c % 2 == 0) o.items.push_back("b" + pair);
      } else if (t > 0 && c % 2 == 1) {
        o.items.push_back("b" + std::to_string((c + (t - 1) / 2) % kPairs));
      }
      o.items.push_back("n" + std::to_string(noise(rng)));
      orders.push_back(std::move(o));
    }
  }
  for (int j = 0; j < kPairs; ++j) {
    for (int t = 0; t < 4; ++t) {
      Planned o{start_of(j) + t * 7 * kDay + 3600, "s" + std::to_string(j) + "-" + std::to_string(t), "s" + std::to_string(j),
                {"k0", "n" + std::to_string(noise(rng))}};
      if (t == 1) o.items.push_back("a" + std::to_string(j));
      orders.push_back(std::move(o));
    }
  }
  std::stable_sort(orders.begin(), orders.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  for (const auto& o : orders) testing::add_order(d, o.id, o.items, o.customer, format_timestamp(o.time));
  return d;
}

std::vector<Recommendation> next_order_of(const Model& m, const std::string& customer, Timestamp at) {
  Query q;
  q.customer_id = customer;
  q.at = at;
  q.limit = 10;
  return recommend(m, q).items;
}

std::ptrdiff_t rank_of(const Model& m, const std::vector<Recommendation>& list, const std::string& id) {
  for (std::size_t r = 0; r < list.size(); ++r) {
    if (m.catalog.ids[list[r].item] == id) return static_cast<std::ptrdiff_t>(r);
  }
  return -1;
}

TEST(NextOrderEngine, RecoversPlantedRepurchaseCyclesAndComplements) {
  const Model m = train_model(planted_shop(), TrainConfig{});
  ASSERT_TRUE(m.next_order.fitted()) << m.next_order.fit.dump();
  for (int c = 0; c < 20; ++c) {
    // Order 10 is due: the consumable was last bought in order 8, the durable in order 0.
    const auto list = next_order_of(m, "c" + std::to_string(c), start_of(c) + kOrders * 7 * kDay);
    const std::string k = "k" + std::to_string(c % 10), d = "d" + std::to_string(c % 10);
    EXPECT_EQ(rank_of(m, list, k), 0) << "customer c" << c;
    EXPECT_EQ(list[0].relation, Relation::repeat);
    const auto durable = rank_of(m, list, d);
    EXPECT_TRUE(durable < 0 || durable >= 5) << "customer c" << c << ": the durable at " << durable;
  }
  for (int j = 0; j < kPairs; ++j) {
    const auto list = next_order_of(m, "s" + std::to_string(j), start_of(j) + 4 * 7 * kDay);
    const auto b = rank_of(m, list, "b" + std::to_string(j));
    ASSERT_GE(b, 0) << "customer s" << j << " is not offered b" << j;
    EXPECT_EQ(list[static_cast<std::size_t>(b)].relation, Relation::complement);
    EXPECT_EQ(list[static_cast<std::size_t>(b)].reason, "a" + std::to_string(j));
  }
}

TEST(NextOrderEngine, KeepsGpTopFreqsRuleWhenTheFitCannotBeatItOnValidation) {
  // Every customer orders the same three items of their own each week: GP-TopFreq's order finds
  // all of them that the carve's model knows, so no fitted weights can beat it.
  OrderData d;
  for (int c = 0; c < 150; ++c) {
    for (int t = 0; t < 12; ++t) {
      const std::string own = "x" + std::to_string(c) + "-";
      testing::add_order(d, "o" + std::to_string(c) + "-" + std::to_string(t), {own + "0", own + "1", own + "2"},
                         "c" + std::to_string(c), format_timestamp(*parse_timestamp("2011-01-03") + (t * 7 + c % 5) * kDay));
    }
  }
  const Model m = train_model(d, TrainConfig{});
  EXPECT_FALSE(m.next_order.fitted()) << m.next_order.fit.dump();
  ASSERT_TRUE(m.next_order.fit.contains("skipped")) << m.next_order.fit.dump();
  EXPECT_NE(m.next_order.fit["skipped"].get<std::string>().find("did not beat GP-TopFreq"), std::string::npos)
      << m.next_order.fit.dump();
  EXPECT_LE(m.next_order.fit["recall_at_10_fitted_2fold"].get<double>(),
            m.next_order.fit["recall_at_10_gp_topfreq"].get<double>());
  // The rule stands: the customer's own items first.
  const auto list = next_order_of(m, "c7", *parse_timestamp("2011-06-01"));
  ASSERT_GE(list.size(), 3u);
  for (std::size_t r = 0; r < 3; ++r) EXPECT_EQ(m.catalog.ids[list[r].item].rfind("x7-", 0), 0u) << r;
}

}  // namespace
}  // namespace cobuy
