// Skip-gram (SGNS) training throughput on Online Retail's baskets (synthetic baskets when the
// file cannot be loaded), plus the single update step; counters report pairs/s.
//
// With --baskets FILE the binary is instead a one-shot driver for bench/gensim_compare.py:
//   cobuy_sgns_bench --baskets FILE [--dim 64] [--epochs 10] [--negatives 5] [--threads 0]
//                    [--window 0] [--subsample 1e-3] [--ns-exponent 0.75] [--lr 0.025]
//                    [--min-lr 0.0001] [--min-count 1] [--max-contexts 20] [--batch 32] [--seed 1]
//                    [--deterministic] [--no-shuffle-baskets] [--out-vectors FILE]
// FILE holds one basket per line, item ids separated by spaces. It trains once and prints one
// JSON line {"pairs", "seconds", "pairs_per_second", ...}; --out-vectors writes a text file:
// "n_items dim", then per item "id in_1 .. in_dim out_1 .. out_dim".
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>

#include "bench/bench_data.h"
#include "core/error.h"
#include "core/log.h"
#include "training/sgns.h"

namespace cobuy::bench {
namespace {

const Baskets& online_retail_baskets() {
  static const Baskets b = [] {
    log::set_level(log::Level::error);
    try {
      IngestOptions options;
      options.format = OrderFormat::online_retail;
      return baskets_from_orders(load_orders({online_retail_path()}, options));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sgns_bench: Online Retail not loaded (%s); using synthetic baskets\n", e.what());
      return synthetic_baskets(20000, 4000, 20, 42);
    }
  }();
  return b;
}

void run_training(benchmark::State& state, const Baskets& b) {
  SgnsConfig config;
  config.epochs = 1;
  config.threads = static_cast<std::uint32_t>(state.range(0));
  config.max_contexts = static_cast<std::uint32_t>(state.range(1));
  std::uint64_t pairs = 0;
  double loss = 0.0;
  for (auto _ : state) {
    auto e = train_sgns(b, config, [&](const SgnsEpochStats& s) {
      pairs += s.pairs;
      loss = s.loss;
    });
    benchmark::DoNotOptimize(e.input.data());
  }
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(pairs), benchmark::Counter::kIsRate);
  state.counters["pairs"] = static_cast<double>(pairs) / static_cast<double>(state.iterations());
  state.counters["loss"] = loss;
}

void BM_SgnsOnlineRetail(benchmark::State& state) { run_training(state, online_retail_baskets()); }
// Args: threads, max_contexts (0 = every pair of every basket, as gensim with a huge window).
BENCHMARK(BM_SgnsOnlineRetail)
    ->ArgNames({"threads", "max_contexts"})
    ->Args({1, 20})
    ->Args({2, 20})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_SgnsSynthetic(benchmark::State& state) { run_training(state, synthetic_baskets(50000, 20000, 10, 7)); }
BENCHMARK(BM_SgnsSynthetic)
    ->ArgNames({"threads", "max_contexts"})
    ->Args({1, 20})
    ->Args({2, 20})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One update (1 positive + 5 negatives) over rows spread through a 4,096-item table.
void BM_SgnsStep(benchmark::State& state) {
  const int dim = static_cast<int>(state.range(0));
  const std::size_t rows = 4096;
  // Trained-looking values: constant rows drift towards saturation and denormal floats, which
  // would measure the FPU's slow path instead of the kernel.
  std::vector<float> input(rows * static_cast<std::size_t>(dim)), output(input.size());
  std::mt19937 init(3);
  std::normal_distribution<float> value(0.0f, 0.3f);
  for (auto& x : input) x = value(init);
  for (auto& x : output) x = value(init);
  std::vector<float> grad(static_cast<std::size_t>(dim));
  float* outs[6];
  const int labels[6] = {1, 0, 0, 0, 0, 0};
  std::uint64_t r = 12345;
  std::int64_t steps = 0;
  for (auto _ : state) {
    for (auto& o : outs) {
      r = r * 6364136223846793005ULL + 1442695040888963407ULL;
      o = output.data() + ((r >> 33) % rows) * static_cast<std::size_t>(dim);
    }
    float* in = input.data() + ((r >> 20) % rows) * static_cast<std::size_t>(dim);
    benchmark::DoNotOptimize(sgns_step(in, outs, labels, 6, dim, 0.025f, grad.data()));
    ++steps;
  }
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SgnsStep)->Arg(32)->Arg(64)->Arg(128);

// ---- one-shot driver -------------------------------------------------------------------------

struct DriverArgs {
  std::string baskets;
  std::string out_vectors;
  SgnsConfig config;
};

DriverArgs parse_driver_args(int argc, char** argv) {
  DriverArgs a;
  auto value = [&](int& i) -> std::string {
    COBUY_CHECK(i + 1 < argc, ErrorCode::bad_request, argv[i] << " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    try {
      if (flag == "--baskets") a.baskets = value(i);
      else if (flag == "--out-vectors") a.out_vectors = value(i);
      else if (flag == "--dim") a.config.dim = std::stoi(value(i));
      else if (flag == "--epochs") a.config.epochs = std::stoi(value(i));
      else if (flag == "--negatives") a.config.negatives = std::stoi(value(i));
      else if (flag == "--threads") a.config.threads = static_cast<std::uint32_t>(std::stoul(value(i)));
      else if (flag == "--window") a.config.window = std::stoi(value(i));
      else if (flag == "--subsample") a.config.subsample = std::stod(value(i));
      else if (flag == "--ns-exponent") a.config.ns_exponent = std::stod(value(i));
      else if (flag == "--lr") a.config.learning_rate = std::stod(value(i));
      else if (flag == "--min-lr") a.config.min_learning_rate = std::stod(value(i));
      else if (flag == "--min-count") a.config.min_count = static_cast<std::uint32_t>(std::stoul(value(i)));
      else if (flag == "--max-contexts") a.config.max_contexts = static_cast<std::uint32_t>(std::stoul(value(i)));
      else if (flag == "--batch") a.config.batch = std::stoi(value(i));
      else if (flag == "--seed") a.config.seed = std::stoull(value(i));
      else if (flag == "--deterministic") a.config.deterministic = true;
      else if (flag == "--no-shuffle-baskets") a.config.shuffle_baskets = false;
      else COBUY_FAIL(ErrorCode::bad_request, "unknown flag " << flag);
    } catch (const std::logic_error&) {  // std::stoi and friends
      COBUY_FAIL(ErrorCode::bad_request, "bad value for " << flag);
    }
  }
  return a;
}

int run_driver(int argc, char** argv) {
  const DriverArgs args = parse_driver_args(argc, argv);
  std::ifstream in(args.baskets);
  COBUY_CHECK(in, ErrorCode::io, "cannot read " << args.baskets);
  std::vector<std::string> ids;
  std::unordered_map<std::string, ItemIndex> index;
  std::vector<std::vector<ItemIndex>> rows;
  std::string line, token;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::vector<ItemIndex> basket;
    while (ss >> token) {
      auto [it, added] = index.try_emplace(token, static_cast<ItemIndex>(ids.size()));
      if (added) ids.push_back(token);
      basket.push_back(it->second);
    }
    if (!basket.empty()) rows.push_back(std::move(basket));
  }
  Baskets baskets;
  baskets.n_items = ids.size();
  for (const auto& r : rows) baskets.add(r);

  std::uint64_t pairs = 0;
  std::ostringstream losses;
  const std::clock_t cpu_start = std::clock();
  const auto start = std::chrono::steady_clock::now();
  const SgnsEmbeddings e = train_sgns(baskets, args.config, [&](const SgnsEpochStats& s) {
    pairs += s.pairs;
    losses << (s.epoch > 1 ? "," : "") << s.loss;
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf(
      "{\"trainer\": \"cobuy\", \"baskets\": %zu, \"items\": %zu, \"pairs\": %llu, \"seconds\": %.6f, "
      "\"pairs_per_second\": %.1f, \"cpu_seconds\": %.6f, \"loss\": [%s]}\n",
      baskets.size(), ids.size(), static_cast<unsigned long long>(pairs), seconds,
      seconds > 0 ? static_cast<double>(pairs) / seconds : 0.0, cpu_seconds, losses.str().c_str());

  if (!args.out_vectors.empty()) {
    std::ofstream out(args.out_vectors);
    COBUY_CHECK(out, ErrorCode::io, "cannot write " << args.out_vectors);
    out << ids.size() << ' ' << e.dim << '\n';
    char buf[32];
    for (std::size_t i = 0; i < ids.size(); ++i) {
      out << ids[i];
      for (int d = 0; d < e.dim; ++d) {
        std::snprintf(buf, sizeof buf, " %.7g", e.input_row(i)[d]);
        out << buf;
      }
      for (int d = 0; d < e.dim; ++d) {
        std::snprintf(buf, sizeof buf, " %.7g", e.output_row(i)[d]);
        out << buf;
      }
      out << '\n';
    }
    COBUY_CHECK(out.good(), ErrorCode::io, "cannot write " << args.out_vectors);
  }
  return 0;
}

}  // namespace
}  // namespace cobuy::bench

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--baskets") == 0) {
      try {
        return cobuy::bench::run_driver(argc, argv);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "cobuy_sgns_bench: %s\n", e.what());
        return 2;
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
