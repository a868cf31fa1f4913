// Merging placed orders (the order log) into cleaned order history.
#include "core/order_merge.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/order_builder.h"

#include "support/placed_orders.h"

namespace cobuy {
namespace {

using testing::placed_order;

/// Two file orders: f1 (c1, tea + mug) at t=100 and f2 (c2, mug) at t=300; tea costs 2.5.
OrderData history() {
  OrderData data;
  testing::add_order(data, "f1", {"tea", "mug"}, "c1");
  testing::add_order(data, "f2", {"mug"}, "c2");
  data.orders[0].time = 100;
  data.orders[1].time = 300;
  data.catalog.prices[*data.catalog.find("tea")] = 2.5f;
  data.catalog.prices[*data.catalog.find("mug")] = std::nanf("");
  return data;
}

std::vector<std::string> order_ids(const OrderData& data) {
  std::vector<std::string> ids;
  for (const auto& o : data.orders) ids.push_back(o.id);
  return ids;
}

TEST(OrderMerge, AddsOrdersItemsAndCustomersInTimeOrder) {
  OrderData data = history();
  const std::vector<PlacedOrder> orders = {
      placed_order("p-late", "c3", 400, {{"bowl", 2, 9.0}}),
      placed_order("p-mid", "c1", 200, {{"tea", 1, 3.0}, {"spoon", 4, std::nullopt}}),
      placed_order("p-tie", "c2", 300, {{"mug", 1, 4.0}}),
      placed_order("p-first", "", 50, {{"tea", 1, std::nullopt}}),
  };
  EXPECT_EQ(merge_placed_orders(data, orders), 4u);
  EXPECT_EQ(order_ids(data), (std::vector<std::string>{"p-first", "f1", "p-mid", "f2", "p-tie", "p-late"}))
      << "sorted by time; on a tie, the order already there first";
  EXPECT_EQ(data.customer_ids, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(data.catalog.ids, (std::vector<std::string>{"tea", "mug", "bowl", "spoon"}));
  EXPECT_EQ(data.catalog.index.size(), 4u);

  const Order& mid = data.orders[2];
  EXPECT_EQ(mid.customer, 0) << "an existing customer keeps its index";
  EXPECT_EQ(mid.time, 200);
  ASSERT_EQ(mid.lines.size(), 2u);
  EXPECT_EQ(mid.lines[0].item, *data.catalog.find("tea"));
  EXPECT_FLOAT_EQ(mid.lines[0].price, 3.0f);
  EXPECT_EQ(mid.lines[1].item, *data.catalog.find("spoon"));
  EXPECT_FLOAT_EQ(mid.lines[1].quantity, 4.0f);
  EXPECT_TRUE(std::isnan(mid.lines[1].price)) << "no price -> NaN";
  EXPECT_EQ(data.orders[0].customer, kNoCustomer);
  EXPECT_EQ(data.orders[5].customer, 2) << "a new customer gets the next dense index";
}

TEST(OrderMerge, SkipsOrdersAlreadyThereAndEmptyOnes) {
  OrderData data = history();
  const std::vector<PlacedOrder> orders = {
      placed_order("f1", "c9", 500, {{"other", 1, 1.0}}),  // id already in the files
      placed_order("p1", "c1", 600, {{"tea", 1, 2.0}}),
      placed_order("p1", "c1", 600, {{"tea", 1, 2.0}}),  // twice in the log's list
      placed_order("p2", "c1", 700, {}),
  };
  EXPECT_EQ(merge_placed_orders(data, orders), 1u);
  EXPECT_EQ(order_ids(data), (std::vector<std::string>{"f1", "f2", "p1"}));
  EXPECT_FALSE(data.catalog.find("other")) << "a skipped order adds no item";
  EXPECT_EQ(data.customer_ids.size(), 2u) << "nor a customer";
  EXPECT_EQ(merge_placed_orders(data, orders), 0u) << "merging again adds nothing";
}

TEST(OrderMerge, FillsUnknownCatalogPricesOnly) {
  OrderData data = history();
  const std::vector<PlacedOrder> orders = {
      placed_order("p1", "c1", 400, {{"tea", 1, 9.0}, {"mug", 1, 0.0}}),
      placed_order("p2", "c1", 500, {{"mug", 1, 5.5}, {"bowl", 1, std::nullopt}}),
      placed_order("p3", "c1", 600, {{"mug", 1, 7.0}}),
  };
  merge_placed_orders(data, orders);
  EXPECT_FLOAT_EQ(data.catalog.prices[*data.catalog.find("tea")], 2.5f) << "a known price stays";
  EXPECT_FLOAT_EQ(data.catalog.prices[*data.catalog.find("mug")], 5.5f) << "first positive price fills NaN";
  EXPECT_TRUE(std::isnan(data.catalog.prices[*data.catalog.find("bowl")]));
  EXPECT_FLOAT_EQ(data.orders[2].lines[1].price, 0.0f) << "a zero line price is kept on the line";
}

TEST(OrderMerge, RepeatedItemsInOneOrderMergeIntoOneLine) {
  OrderData data;
  const std::vector<PlacedOrder> orders = {placed_order("p1", "c1", 1, {{"tea", 1, 2.0}, {"tea", 2, 2.5}})};
  ASSERT_EQ(merge_placed_orders(data, orders), 1u);
  ASSERT_EQ(data.orders[0].lines.size(), 1u);
  EXPECT_FLOAT_EQ(data.orders[0].lines[0].quantity, 3.0f);
  EXPECT_FLOAT_EQ(data.orders[0].lines[0].price, 2.5f);
}

}  // namespace
}  // namespace cobuy
