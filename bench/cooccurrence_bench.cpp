// Pair counting and top-K neighbour lists: on Online Retail's real baskets, on Instacart's, and
// on synthetic ones; counters report baskets/s and pairs/s.
#include <benchmark/benchmark.h>

#include "bench/bench_data.h"
#include "core/log.h"

namespace cobuy::bench {
namespace {

std::uint64_t pair_work(const Baskets& b, std::uint32_t max_basket) {
  std::uint64_t pairs = 0;
  for (std::size_t k = 0; k < b.size(); ++k) {
    const auto s = b.basket(k).size();
    if (s >= 2 && s <= max_basket) pairs += s * (s - 1);
  }
  return pairs;
}

void run_counting(benchmark::State& state, const Baskets& b) {
  const CooccurrenceConfig config;
  const auto counts = item_order_counts(b);
  for (auto _ : state) {
    auto pairs = count_pairs(b, config.min_support, config.max_basket);
    auto table = top_k_neighbors(pairs, counts, b.size(), config);
    benchmark::DoNotOptimize(table.entries.data());
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["baskets/s"] = benchmark::Counter(static_cast<double>(b.size()) * iters, benchmark::Counter::kIsRate);
  state.counters["pairs/s"] =
      benchmark::Counter(static_cast<double>(pair_work(b, config.max_basket)) * iters, benchmark::Counter::kIsRate);
}

Baskets load(const std::string& path, OrderFormat format) {
  log::set_level(log::Level::error);
  IngestOptions options;
  options.format = format;
  return baskets_from_orders(load_orders({path}, options));
}

void BM_CountPairsOnlineRetail(benchmark::State& state) {
  static const Baskets b = load(online_retail_path(), OrderFormat::online_retail);
  run_counting(state, b);
}
BENCHMARK(BM_CountPairsOnlineRetail)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CountPairsInstacart(benchmark::State& state) {
  if (instacart_path().empty()) {
    state.SkipWithError("../shared/datasets/instacart-train is absent");
    return;
  }
  static const Baskets b = load(instacart_path(), OrderFormat::instacart);
  run_counting(state, b);
}
BENCHMARK(BM_CountPairsInstacart)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CountPairsSynthetic(benchmark::State& state) {
  const Baskets b = synthetic_baskets(static_cast<std::size_t>(state.range(0)), 20000, 10, 42);
  run_counting(state, b);
}
BENCHMARK(BM_CountPairsSynthetic)->Arg(100000)->Arg(400000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace cobuy::bench

BENCHMARK_MAIN();
