// Recall and speed of the approximate Faiss indexes against the exact brute-force reference,
// through cobuy's VectorIndex interface (inner product, top 10). Not a Google Benchmark: it
// prints the markdown table of bench/RESULTS.md.
//   build/bench/cobuy_index_recall_bench                    Online Retail, then 100k synthetic
//   build/bench/cobuy_index_recall_bench --synthetic N      N synthetic vectors only
// Data: the Online Retail item embeddings (output vectors searched with input vectors, as the
// complement search does) and N synthetic clustered vectors for a large catalogue (N / 100
// centres, 1,000 queries). Each Faiss index is built and searched through VectorIndex at Faiss's
// default search setting; the larger efSearch and nprobe rows search a copy of the same index
// (its serialize() bytes read back into Faiss) with the parameter set through
// faiss::ParameterSpace, as make_faiss_index's `search` argument sets it. "index MiB" is the size of serialize().
// Searches run the 1,000 queries as one batch: Faiss spreads them over the cores, the brute-force
// reference runs on one.

#include <faiss/AutoTune.h>
#include <faiss/IVFlib.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
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
constexpr int k = 10;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The search parameter worth raising for a factory string, and the larger values to try.
struct Sweep {
  std::string name;
  std::vector<int> values;
};
Sweep sweep_for(const std::string& factory) {
  if (factory.starts_with("HNSW")) return {"efSearch", {64, 256}};
  if (factory.starts_with("IVF")) return {"nprobe", {16, 64}};
  return {};
}

// The search setting a Faiss index holds (for the default row's label).
std::string setting_of(faiss::Index* index) {
  if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index)) return "efSearch " + std::to_string(hnsw->hnsw.efSearch);
  if (auto* ivf = faiss::ivflib::try_extract_index_ivf(index)) return "nprobe " + std::to_string(ivf->nprobe);
  return "";
}

std::vector<SearchHit> faiss_search(const faiss::Index& index, const std::vector<float>& queries) {
  const auto nq = static_cast<faiss::Index::idx_t>(queries.size() / static_cast<std::size_t>(index.d));
  std::vector<float> dist(static_cast<std::size_t>(nq) * k);
  std::vector<faiss::Index::idx_t> ids(dist.size());
  index.search(nq, queries.data(), k, dist.data(), ids.data());
  std::vector<SearchHit> out(dist.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = {ids[i], dist[i]};
  return out;
}

void compare(const std::string& data, int dim, const std::vector<float>& base, const std::vector<float>& queries,
             const std::vector<std::string>& factories) {
  const auto n_queries = static_cast<double>(queries.size() / static_cast<std::size_t>(dim));
  auto exact_index = make_brute_force_index(dim);
  exact_index->add(base);
  auto t = Clock::now();
  const auto exact = exact_index->search(queries, k);
  const double exact_us = seconds_since(t) * 1e6 / n_queries;
  std::printf("| %s | brute force (reference, one core) | - | %.1f | 1.000 | %.0f |\n", data.c_str(), exact_us,
              static_cast<double>(base.size() * sizeof(float)) / (1 << 20));
  std::fflush(stdout);
  for (const auto& f : factories) {
    t = Clock::now();
    auto index = make_faiss_index(dim, f);
    index->add(base);
    const double build_s = seconds_since(t);
    auto bytes = index->serialize();
    faiss::VectorIOReader reader;
    reader.data = std::move(bytes);
    std::unique_ptr<faiss::Index> copy(faiss::read_index(&reader));
    const double mib = static_cast<double>(reader.data.size()) / (1 << 20);
    reader.data = {};
    const std::string setting = setting_of(copy.get());
    t = Clock::now();
    const auto hits = index->search(queries, k);
    const double us = seconds_since(t) * 1e6 / n_queries;
    std::printf("| %s | Faiss %s%s | %.2f | %.1f | %.3f | %.0f |\n", data.c_str(), f.c_str(),
                setting.empty() ? "" : (" (" + setting + ", the default)").c_str(), build_s, us,
                recall_at_k(exact, hits, k), mib);
    std::fflush(stdout);
    index.reset();
    const Sweep s = sweep_for(f);
    for (const int v : s.values) {
      faiss::ParameterSpace().set_index_parameter(copy.get(), s.name, v);
      t = Clock::now();
      const auto tuned = faiss_search(*copy, queries);
      const double tuned_us = seconds_since(t) * 1e6 / n_queries;
      std::printf("| %s | Faiss %s (%s %d) | same | %.1f | %.3f | same |\n", data.c_str(), f.c_str(), s.name.c_str(),
                  v, tuned_us, recall_at_k(exact, tuned, k));
      std::fflush(stdout);
    }
  }
}

// n vectors around n / 100 random centres (noise 0.5 a coordinate), 1,000 queries drawn the same
// way. At n = 100,000 these are the vectors of the earlier runs (1,000 centres, seed 11).
void synthetic(std::size_t n) {
  constexpr int dim = 64;
  const int n_centres = static_cast<int>(std::max<std::size_t>(1, n / 100));
  std::mt19937 rng(11);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> centres(static_cast<std::size_t>(n_centres) * dim);
  for (auto& x : centres) x = g(rng);
  std::uniform_int_distribution<int> pick(0, n_centres - 1);
  auto draw = [&](std::size_t count) {
    std::vector<float> v(count * dim);
    for (std::size_t i = 0; i < count; ++i) {
      const auto c = static_cast<std::size_t>(pick(rng));
      for (int d = 0; d < dim; ++d) v[i * dim + d] = centres[c * dim + d] + 0.5f * g(rng);
    }
    return v;
  };
  const auto base = draw(n);
  const auto queries = draw(1000);
  // nlist near 4 sqrt(n), a power of two (Faiss's guideline is 4 to 16 sqrt(n)): 1024 at 100k, 4096 at 1M.
  const int nlist = 1 << static_cast<int>(std::lround(std::log2(4.0 * std::sqrt(static_cast<double>(n)))));
  char label[96];
  std::snprintf(label, sizeof label, "synthetic (%zu vectors, %d centres, dim 64)", n, n_centres);
  compare(label, dim, base, queries, {"Flat", "HNSW32", "IVF" + std::to_string(nlist) + ",Flat"});
}

}  // namespace

int main(int argc, char** argv) {
  log::set_level(log::Level::error);
  std::size_t synthetic_only = 0;
  if (argc == 3 && std::string(argv[1]) == "--synthetic") {
    synthetic_only = std::strtoull(argv[2], nullptr, 10);
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--synthetic N]\n", argv[0]);
    return 2;
  }
  std::printf("| data | index | build s | search us/query | recall@10 | index MiB |\n|---|---|---|---|---|---|\n");
  if (synthetic_only > 0) {
    synthetic(synthetic_only);
    return 0;
  }
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
  synthetic(100000);
}
