// Recall and speed of the approximate Faiss indexes against the exact brute-force reference,
// through cobuy's VectorIndex interface (inner product, top 10). Not a Google Benchmark: it
// prints the markdown table of bench/RESULTS.md.
//   build/bench/cobuy_index_recall_bench
// Data: the Online Retail item embeddings (output vectors searched with input vectors, as the
// complement search does) and 100k synthetic clustered vectors for a large catalogue.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "core/log.h"
#include "index/vector_index.h"
#include "training/sgns.h"

namespace {
using namespace cobuy;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void compare(const std::string& data, int dim, const std::vector<float>& base, const std::vector<float>& queries,
             const std::vector<std::string>& factories) {
  constexpr int k = 10;
  const auto n_queries = queries.size() / static_cast<std::size_t>(dim);
  auto exact_index = make_brute_force_index(dim);
  exact_index->add(base);
  auto t = Clock::now();
  const auto exact = exact_index->search(queries, k);
  const double exact_us = seconds_since(t) * 1e6 / static_cast<double>(n_queries);
  std::printf("| %s | brute force (reference) | - | %.1f | 1.000 |\n", data.c_str(), exact_us);
  for (const auto& f : factories) {
    t = Clock::now();
    auto index = make_faiss_index(dim, f);
    index->add(base);
    const double build_s = seconds_since(t);
    t = Clock::now();
    const auto hits = index->search(queries, k);
    const double us = seconds_since(t) * 1e6 / static_cast<double>(n_queries);
    std::printf("| %s | Faiss %s | %.2f | %.1f | %.3f |\n", data.c_str(), f.c_str(), build_s, us,
                recall_at_k(exact, hits, k));
    std::fflush(stdout);
  }
}

}  // namespace

int main() {
  log::set_level(log::Level::error);
  std::printf("| data | index | build s | search us/query | recall@10 |\n|---|---|---|---|---|\n");
  {
    IngestOptions options;
    options.format = OrderFormat::online_retail;
    const auto baskets = baskets_from_orders(load_orders({bench::online_retail_path()}, options));
    SgnsConfig c;
    c.epochs = 10;
    const auto e = train_sgns(baskets, c);
    compare("Online Retail (" + std::to_string(baskets.n_items) + " items, dim 64)", c.dim, e.output, e.input,
            {"Flat", "HNSW32", "IVF64,Flat"});
  }
  {
    // 100k vectors around 1,000 random centres, 1,000 queries drawn the same way.
    constexpr int dim = 64;
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> centres(1000 * dim);
    for (auto& x : centres) x = g(rng);
    std::uniform_int_distribution<int> pick(0, 999);
    auto draw = [&](std::size_t n) {
      std::vector<float> v(n * dim);
      for (std::size_t i = 0; i < n; ++i) {
        const int c = pick(rng);
        for (int d = 0; d < dim; ++d) v[i * dim + d] = centres[c * dim + d] + 0.5f * g(rng);
      }
      return v;
    };
    const auto base = draw(100000);
    const auto queries = draw(1000);
    compare("synthetic (100,000 vectors, dim 64)", dim, base, queries, {"Flat", "HNSW32", "IVF1024,Flat"});
  }
}
