#include "datasets/synthetic_orders.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace cobuy::datasets {
namespace {

constexpr double kSecondsPerDay = 86400.0;

bool contains(const std::vector<OrderLine>& lines, ItemIndex item) {
  return std::any_of(lines.begin(), lines.end(), [&](const OrderLine& l) { return l.item == item; });
}

}  // namespace

OrderData synthetic_orders(const SyntheticOrdersConfig& c) {
  COBUY_CHECK(c.items >= 1 && c.theme_size >= 1 && c.max_orders >= 1 && c.max_items >= 1, ErrorCode::bad_request,
              "synthetic orders need at least one item, theme item, order and item per order");
  std::mt19937_64 rng(c.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  OrderData data;

  // Items: popularity by a shuffled Zipf rank, so every theme mixes popular and rare items.
  std::vector<double> weight(c.items);
  std::vector<std::uint32_t> rank(c.items);
  std::iota(rank.begin(), rank.end(), 0u);
  std::shuffle(rank.begin(), rank.end(), rng);
  std::vector<double> rhythm_days(c.items, 0.0);
  std::vector<float> price(c.items);
  for (std::uint32_t i = 0; i < c.items; ++i) {
    weight[i] = 1.0 / std::pow(static_cast<double>(rank[i]) + 1.0, c.zipf_exponent);
    if (unit(rng) < c.rhythm_share) rhythm_days[i] = 7.0 + 53.0 * unit(rng);
    price[i] = static_cast<float>(std::round(std::exp(std::log(50.0) * unit(rng)) * 100.0) / 100.0);
    const ItemIndex idx = data.catalog.add("i" + std::to_string(i));
    data.catalog.titles[idx] = "Item " + std::to_string(i);
    data.catalog.categories[idx] = "theme-" + std::to_string(i / c.theme_size);
    data.catalog.prices[idx] = std::max(1.0f, std::min(price[i], 49.99f));
    price[i] = data.catalog.prices[idx];
  }
  std::discrete_distribution<std::uint32_t> popular(weight.begin(), weight.end());
  std::uniform_int_distribution<std::uint32_t> n_orders(1, c.max_orders);
  std::uniform_int_distribution<std::uint32_t> n_lines(1, c.max_items);
  std::uniform_int_distribution<int> quantity(1, 3);
  std::exponential_distribution<double> gap_days(1.0 / 45.0);

  data.customer_ids.reserve(c.customers);
  data.orders.reserve(c.customers * (c.max_orders + 1) / 2);
  std::vector<ItemIndex> consumables;  // of the current customer
  std::uint64_t order_no = 0;
  for (std::uint64_t k = 0; k < c.customers; ++k) {
    const auto customer = static_cast<CustomerIndex>(data.customer_ids.size());
    data.customer_ids.push_back("c" + std::to_string(k));
    consumables.clear();
    double t = static_cast<double>(c.start) + unit(rng) * 0.6 * c.span_days * kSecondsPerDay;
    for (std::uint32_t n = n_orders(rng); n > 0; --n) {
      Order o;
      o.id = "o" + std::to_string(order_no++);
      o.customer = customer;
      o.time = static_cast<Timestamp>(t);
      auto add = [&](ItemIndex i) {
        if (!contains(o.lines, i)) o.lines.push_back({i, static_cast<float>(quantity(rng)), price[i]});
      };
      for (ItemIndex i : consumables) {
        if (o.lines.size() < c.max_items && unit(rng) < c.repurchase_chance) add(i);
      }
      const std::size_t target = std::max<std::size_t>(n_lines(rng), o.lines.size());
      // A bounded number of tries: tiny catalogues cannot always fill a basket with distinct items.
      for (std::size_t tries = 0; o.lines.size() < target && tries < 4 * target; ++tries) {
        if (!o.lines.empty() && unit(rng) < c.theme_share) {
          const ItemIndex first = o.lines.front().item;
          const ItemIndex theme_begin = first / c.theme_size * c.theme_size;
          const ItemIndex theme_end = std::min<ItemIndex>(c.items, theme_begin + c.theme_size);
          add(theme_begin + static_cast<ItemIndex>(unit(rng) * (theme_end - theme_begin)) % (theme_end - theme_begin));
        } else {
          add(popular(rng));
        }
      }
      double rhythm = 0;
      for (const auto& l : o.lines) {
        if (rhythm_days[l.item] > 0 && std::find(consumables.begin(), consumables.end(), l.item) == consumables.end()) {
          consumables.push_back(l.item);
        }
      }
      if (!consumables.empty()) rhythm = rhythm_days[consumables.front()];
      data.orders.push_back(std::move(o));
      // Customers with a consumable come back on its rhythm (+-20%); others at random.
      const double days = rhythm > 0 ? rhythm * (0.8 + 0.4 * unit(rng)) : std::max(1.0, gap_days(rng));
      t += days * kSecondsPerDay;
    }
  }
  std::stable_sort(data.orders.begin(), data.orders.end(),
                   [](const Order& a, const Order& b) { return a.time < b.time; });
  return data;
}

}  // namespace cobuy::datasets
