#pragma once
/// Shared data for the benchmarks: the real order files when present, synthetic baskets otherwise.

#include <filesystem>
#include <random>
#include <string>

#include "core/ingest.h"
#include "training/cooccurrence.h"

namespace cobuy::bench {

/// The Online Retail file: ../shared/datasets if present, else the bundled copy.
inline std::string online_retail_path() {
  const std::string shared = std::string(COBUY_SHARED_DATASETS) + "/online-retail/online_retail.csv.gz";
  if (std::filesystem::exists(shared)) return shared;
  return std::string(COBUY_BUNDLED_DATASETS) + "/online_retail.csv.gz";
}

/// The Instacart train order file, or "" when ../shared/datasets is absent.
inline std::string instacart_path() {
  const std::string p = std::string(COBUY_SHARED_DATASETS) + "/instacart-train/order_products__train.csv.gz";
  return std::filesystem::exists(p) ? p : "";
}

/// Synthetic baskets: power-law item popularity, sizes 1..2*mean_size.
inline Baskets synthetic_baskets(std::size_t n_baskets, std::size_t n_items, int mean_size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> w(n_items);
  for (std::size_t i = 0; i < n_items; ++i) w[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> item(w.begin(), w.end());
  std::uniform_int_distribution<int> size(1, 2 * mean_size);
  Baskets b;
  b.n_items = n_items;
  std::vector<ItemIndex> basket;
  for (std::size_t k = 0; k < n_baskets; ++k) {
    basket.clear();
    for (int t = size(rng); t > 0; --t) basket.push_back(static_cast<ItemIndex>(item(rng)));
    b.add(basket);
  }
  return b;
}

}  // namespace cobuy::bench
