// The time origin of a model's decayed popularity is robust: one order dated far after the
// rest does not age every other order. And the model knows the ids of its customers' orders.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>

#include "core/artifact.h"
#include "core/customer_profile.h"
#include "core/fnv.h"
#include "support/artifact_rewrite.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

/// 100 days of orders: tea in every order, cake in every second, pen in every fifth.
OrderData hundred_days() {
  OrderData data;
  const Timestamp start = *parse_timestamp("2011-01-01");
  for (int d = 0; d < 100; ++d) {
    std::vector<std::string> items = {"tea"};
    if (d % 2 == 0) items.push_back("cake");
    if (d % 5 == 0) items.push_back("pen");
    testing::add_order(data, "o" + std::to_string(d), items, "c" + std::to_string(d % 7));
    data.orders.back().time = start + d * 86400;
  }
  return data;
}

std::map<std::string, float> popularity(const OrderData& data) {
  PopularityConfig config;  // half-life 90 days
  Model m;
  build_popularity(data, config, m);
  std::map<std::string, float> out;
  for (std::size_t k = 0; k < m.popular.size(); ++k) out[data.catalog.ids[m.popular[k]]] = m.popular_scores[k];
  return out;
}

TEST(DecayOrigin, OneOrderFarAfterTheRestLeavesEveryOtherItemsPopularityAsItWas) {
  const OrderData base = hundred_days();
  OrderData outlier = base;
  // Within any clock skew of a server running years later, but three years after the rest.
  testing::add_order(outlier, "late", {"kettle"}, "c1");
  outlier.orders.back().time = base.orders.back().time + 3 * 365 * 86400;

  EXPECT_EQ(decay_origin(outlier), base.orders.back().time) << "the outlier does not set the origin";
  const auto before = popularity(base);
  const auto after = popularity(outlier);
  for (const auto& [item, score] : before) {
    ASSERT_TRUE(after.contains(item)) << item;
    // The origin moves by one rank (a day): at most 1/90 of a half-life.
    EXPECT_NEAR(after.at(item), score, 0.01) << item;
  }
  ASSERT_TRUE(after.contains("kettle"));
  EXPECT_LT(after.at("kettle"), after.at("pen")) << "one order counts as one order of age 0, no more";
}

TEST(DecayOrigin, IsTheNewestTimeOnceTheNewestTenthOfAPercentIsSetAside) {
  OrderData data;
  EXPECT_EQ(decay_origin(data), kNoTime);
  testing::add_order(data, "a", {"tea"});
  EXPECT_EQ(decay_origin(data), kNoTime) << "no order has a time";
  data.orders.back().time = 5000;
  EXPECT_EQ(decay_origin(data), 5000) << "a single order is its own origin";
  for (int k = 0; k < 2999; ++k) {
    testing::add_order(data, "o" + std::to_string(k), {"tea"});
    data.orders.back().time = k;
  }
  // 3000 timed orders: the newest three (5000, 2998, 2997) are set aside.
  EXPECT_EQ(decay_origin(data), 2996);
}

TEST(CustomerHistory, KnowsTheIdsOfItsOrdersWhateverTheirTime) {
  OrderData data;
  testing::add_order(data, "x1", {"tea"}, "alice", "2011-01-01");
  testing::add_order(data, "x2", {"cake"}, "bob", "2011-02-01");
  testing::add_order(data, "x3", {"tea", "cake"}, "alice", "2011-03-01");
  Model m;
  m.customers = build_customer_history(data);
  m.stats.last_order = *parse_timestamp("2011-03-01");
  EXPECT_EQ(m.customers.order_keys, (std::vector<std::uint64_t>{fnv1a("x1"), fnv1a("x3"), fnv1a("x2")}));

  const Timestamp early = *parse_timestamp("2010-06-01");
  EXPECT_TRUE(model_holds_order(m, "alice", "x1", early)) << "by id, whatever the time";
  EXPECT_FALSE(model_holds_order(m, "alice", "late-export", early)) << "dated before the last order, still news";
  EXPECT_FALSE(model_holds_order(m, "bob", "x1", early)) << "another customer's order id";
  EXPECT_FALSE(model_holds_order(m, "carol", "x1", early)) << "a customer the model does not know";

  m.customers.order_keys.clear();  // an artifact before format 1.5: the old rule, by time
  EXPECT_TRUE(model_holds_order(m, "alice", "late-export", early));
  EXPECT_FALSE(model_holds_order(m, "alice", "x1", *parse_timestamp("2011-03-02")));
}

TEST(CustomerHistory, OrderKeysSurviveTheArtifactAndA14ArtifactFallsBackToTime) {
  OrderData data;
  testing::add_order(data, "x1", {"tea", "cake"}, "alice", "2011-01-01");
  testing::add_order(data, "x2", {"tea", "cake"}, "alice", "2011-02-01");
  TrainConfig config;
  config.cooccurrence.min_support = 1;
  config.embedding.epochs = 0;
  const Model model = train_model(data, config);
  const auto dir = (std::filesystem::temp_directory_path() / ("cobuy-order-keys-" + std::to_string(::getpid()))).string();
  save_model(model, dir);
  const auto loaded = load_model(dir);
  EXPECT_EQ(loaded->customers.order_keys, (std::vector<std::uint64_t>{fnv1a("x1"), fnv1a("x2")}));
  EXPECT_FALSE(model_holds_order(*loaded, "alice", "late", *parse_timestamp("2010-01-01")));

  testing::downgrade_to_format_1_4(dir, model);
  const auto older = load_model(dir);
  EXPECT_TRUE(older->customers.order_keys.empty());
  EXPECT_TRUE(model_holds_order(*older, "alice", "late", *parse_timestamp("2010-01-01"))) << "the old rule, by time";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
