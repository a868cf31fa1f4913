#pragma once
/// Shared data for the benchmarks: the real order files when present, synthetic baskets otherwise.

#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/ingest.h"
#include "training/cooccurrence.h"

namespace cobuy::bench {

/// The process's peak resident set so far (MiB).
inline double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/// The process's current resident set (MiB), from /proc/self/status.
inline double rss_mib() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

/// The sizes of a comma-separated list such as "10000,100000" (a benchmark's --items).
inline std::vector<std::uint32_t> parse_sizes(const std::string& list) {
  std::vector<std::uint32_t> sizes;
  std::stringstream ss(list);
  for (std::string n; std::getline(ss, n, ',');) sizes.push_back(static_cast<std::uint32_t>(std::stoul(n)));
  return sizes;
}

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
