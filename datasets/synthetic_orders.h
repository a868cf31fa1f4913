#pragma once
/// A seeded generator of order histories of any size, for benchmarks at scales the real data sets
/// do not reach (a million customers and more). Items have Zipf popularity and belong to themes
/// (their category) that are bought together; some items are consumables with a repurchase
/// rhythm that customers follow.

#include <cstdint>

#include "core/order_data.h"

namespace cobuy::datasets {

/// The shape of a synthetic history.
struct SyntheticOrdersConfig {
  std::uint64_t customers = 1000000;
  std::uint32_t items = 20000;
  double zipf_exponent = 1.0;        ///< item popularity ~ 1 / rank^exponent (ranks shuffled across themes)
  std::uint32_t max_orders = 8;      ///< orders per customer: uniform in 1..max_orders
  std::uint32_t max_items = 10;      ///< distinct items per order: uniform in 1..max_items
  std::uint32_t theme_size = 20;     ///< items per theme (category "theme-K")
  double theme_share = 0.6;          ///< chance each further item comes from the first item's theme
  double rhythm_share = 0.1;         ///< share of items that are consumables with a repurchase rhythm
  double repurchase_chance = 0.7;    ///< chance an order repeats each consumable the customer bought
  Timestamp start = 1640995200;      ///< first possible order time (2022-01-01, Unix seconds)
  double span_days = 730;            ///< customers start within the first 60% of this span
  std::uint64_t seed = 42;
};

/// Generates the history: customers "c0".., orders "o0".., items "i0".. with titles "Item N",
/// categories "theme-K" and unit prices in [1, 50); quantities 1..3. Orders are sorted by time
/// (stable), as load_orders returns them, so train_model takes the result directly. The same
/// config always gives the same data (on one standard library). Memory: the defaults (1 M
/// customers, 4.5 M orders, 25 M lines) take about 850 MiB.
OrderData synthetic_orders(const SyntheticOrdersConfig& config = {});

}  // namespace cobuy::datasets
