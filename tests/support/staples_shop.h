#pragma once
/// A generated shop for re-ranker tests: pairs of items (p2k, p2k+1) go together, each order also
/// holds a noise item, and every customer buys their own staple in most orders, which only the
/// customer's history can predict. Three orders a day from 2011-01-01, seeded.

#include <random>
#include <string>
#include <vector>

#include "core/time_util.h"

namespace cobuy::testing {

struct ShopOrder {
  std::string id;
  std::vector<std::string> items;
  std::string customer;
  Timestamp time = kNoTime;
};

inline std::vector<ShopOrder> staples_shop(int days) {
  std::vector<ShopOrder> out;
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> pair(0, 29), noise(0, 59), customer(0, 39);
  const Timestamp start = *parse_timestamp("2011-01-01T00:00:00Z");
  for (int day = 0; day < days; ++day) {
    for (int k = 0; k < 3; ++k) {
      const int c = customer(rng);
      const int p = pair(rng);
      ShopOrder o;
      o.id = "o" + std::to_string(day) + "-" + std::to_string(k);
      o.items = {"p" + std::to_string(2 * p), "p" + std::to_string(2 * p + 1), "n" + std::to_string(noise(rng))};
      if (rng() % 5 != 0) o.items.push_back("s" + std::to_string(c % 20));
      o.customer = "c" + std::to_string(c);
      o.time = start + static_cast<Timestamp>(day) * 86400 + k * 600;
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace cobuy::testing
