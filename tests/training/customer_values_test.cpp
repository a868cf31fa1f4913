// CustomerHistory::order_values: what each of a customer's orders was worth.
#include <gtest/gtest.h>

#include <cmath>

#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

/// Sets quantity and unit price (NaN = unknown) of `item` in order `order_id`.
void set_line(OrderData& data, const std::string& order_id, const std::string& item, float quantity, float price) {
  for (auto& o : data.orders) {
    if (o.id != order_id) continue;
    for (auto& l : o.lines) {
      if (data.catalog.ids[l.item] == item) l = {l.item, quantity, price};
    }
  }
}

OrderData priced_orders() {
  OrderData data;
  testing::add_order(data, "o1", {"tea", "saucer", "spoon"}, "alice", "2011-01-01");
  testing::add_order(data, "o2", {"cake"}, "bob", "2011-01-02");
  testing::add_order(data, "o3", {"tea", "cake"}, "", "2011-01-03");  // no customer: not in any history
  testing::add_order(data, "o4", {"spoon", "cake"}, "alice", "2011-02-01");
  testing::add_order(data, "o5", {"mystery"}, "bob", "2011-02-02");
  set_line(data, "o1", "tea", 2.0f, 2.5f);
  set_line(data, "o1", "saucer", 3.0f, 1.25f);
  set_line(data, "o1", "spoon", 4.0f, std::nanf(""));  // unknown price: left out of the sum
  set_line(data, "o2", "cake", 1.5f, 4.0f);
  set_line(data, "o4", "spoon", 10.0f, 0.1f);
  set_line(data, "o4", "cake", 1.0f, 4.0f);
  set_line(data, "o5", "mystery", 2.0f, std::nanf(""));  // no priced line at all
  return data;
}

/// The reference: for each order of each customer in history order, sum quantity x price over
/// priced lines, computed straight from the orders.
std::vector<float> expected_values(const OrderData& data, const CustomerHistory& h) {
  std::vector<float> out;
  for (std::size_t c = 0; c < h.customers(); ++c) {
    for (const auto& o : data.orders) {
      if (o.customer != static_cast<CustomerIndex>(c)) continue;
      double v = 0;
      for (const auto& l : o.lines) v += std::isnan(l.price) ? 0.0 : static_cast<double>(l.quantity) * l.price;
      out.push_back(static_cast<float>(v));
    }
  }
  return out;
}

TEST(CustomerValues, OrderValuesSumQuantityTimesPriceOverPricedLines) {
  const OrderData data = priced_orders();
  const CustomerHistory h = build_customer_history(data);
  ASSERT_EQ(h.order_values.size(), h.order_times.size()) << "one value per order, parallel to order_times";
  ASSERT_EQ(h.order_times.size(), 4u) << "o3 has no customer";
  const auto alice = h.index.at("alice"), bob = h.index.at("bob");
  ASSERT_EQ(h.order_offsets[alice + 1] - h.order_offsets[alice], 2u);
  ASSERT_EQ(h.order_offsets[bob + 1] - h.order_offsets[bob], 2u);
  EXPECT_FLOAT_EQ(h.order_values[h.order_offsets[alice]], 2.0f * 2.5f + 3.0f * 1.25f);  // o1
  EXPECT_FLOAT_EQ(h.order_values[h.order_offsets[alice] + 1], 10.0f * 0.1f + 4.0f);     // o4
  EXPECT_FLOAT_EQ(h.order_values[h.order_offsets[bob]], 6.0f);                          // o2
  EXPECT_EQ(h.order_values[h.order_offsets[bob] + 1], 0.0f) << "o5 has no priced line";
  EXPECT_EQ(h.order_values, expected_values(data, h));
}

TEST(CustomerValues, TrainedModelCarriesTheValues) {
  const OrderData data = priced_orders();
  TrainConfig config;
  config.cooccurrence.min_support = 1;
  const Model m = train_model(data, config);
  EXPECT_EQ(m.customers.order_values, build_customer_history(data).order_values);
  EXPECT_EQ(m.catalog.in_stock, std::vector<std::uint8_t>(m.catalog.size(), 1)) << "nothing said otherwise";
}

}  // namespace
}  // namespace cobuy
