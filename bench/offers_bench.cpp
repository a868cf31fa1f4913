// Batch offers throughput: customers per second of run_offers_batch (what `cobuy offers` runs)
// over every Online Retail customer and over a generated history of a million customers, with 2
// threads and with 1 (the ratio is the parallel speed-up). Output goes to a byte counter, so the
// numbers are the engine and JSON cost without the disk. A plain timed program: each part trains
// its own model first, which a Google Benchmark fixture would redo per benchmark.
//   build/bench/cobuy_offers_bench [retail] [synthetic] [--customers N] [--repeats R]
// (--repeats applies to Online Retail; the synthetic history is timed once per thread count)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "api/cli/offers_batch.h"
#include "bench/bench_data.h"
#include "core/log.h"
#include "datasets/synthetic_orders.h"
#include "training/train.h"

namespace cobuy::bench {
namespace {

/// A stream that only counts what is written.
class CountingBuf : public std::streambuf {
 public:
  std::uint64_t bytes = 0;

 protected:
  int_type overflow(int_type ch) override {
    if (!traits_type::eq_int_type(ch, traits_type::eof())) ++bytes;
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::uint64_t>(n);
    return n;
  }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// Times `repeats` batches with `threads` workers; returns the median wall time and the stats of the last.
std::pair<double, OffersBatchStats> time_batch(const OfferEngine& engine, const std::vector<std::string>& customers,
                                               unsigned threads, int repeats) {
  OffersBatchOptions o;
  o.threads = threads;
  std::vector<double> times;
  OffersBatchStats stats;
  for (int r = 0; r < repeats; ++r) {
    CountingBuf buf;
    std::ostream out(&buf);
    stats = run_offers_batch(engine, customers, o, out);
    times.push_back(stats.seconds);
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], stats};
}

void report(const char* name, const OfferEngine& engine, const std::vector<std::string>& customers, int repeats) {
  // One untimed pass warms caches and the allocator (a million customers warm up on their own).
  if (customers.size() < 100000) time_batch(engine, customers, 2, 1);
  const auto [two, stats] = time_batch(engine, customers, 2, repeats);
  const auto [one, stats1] = time_batch(engine, customers, 1, repeats);
  const double n = static_cast<double>(customers.size());
  std::printf("| %s | %zu | %.3f s | %.0f | %.3f s | %.0f | %.2fx | %.1f | %.0f |\n", name, customers.size(), two,
              n / two, one, n / one, one / two, static_cast<double>(stats.offers) / n,
              static_cast<double>(stats.bytes) / n);
  std::fflush(stdout);
}

void header(int repeats) {
  std::printf("\nmedian of %d runs each\n", repeats);
  std::printf("| data | customers | 2 threads | customers/s | 1 thread | customers/s | speed-up | offers/customer "
              "| bytes/line |\n|---|---|---|---|---|---|---|---|---|\n");
}

void online_retail(int repeats) {
  const std::string path = online_retail_path();
  if (!std::filesystem::exists(path)) {
    std::printf("online-retail: skipped, %s is absent\n", path.c_str());
    return;
  }
  auto t = std::chrono::steady_clock::now();
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  const OrderData data = load_orders({path}, options);
  auto model = std::make_shared<const Model>(train_model(data, TrainConfig{}));
  std::printf("online-retail (%s): %zu orders, %zu customers; ingest + train (default config) %.1f s\n",
              path.c_str(), data.orders.size(), model->customers.customers(), seconds_since(t));
  const OfferEngine engine(model, OfferPolicy());
  header(repeats);
  report("Online Retail, every customer", engine, all_customers(*model), repeats);
  std::printf("peak RSS %.0f MiB, RSS now %.0f MiB\n", peak_rss_mib(), rss_mib());
}

void synthetic(std::uint64_t n_customers, int repeats) {
  auto t = std::chrono::steady_clock::now();
  datasets::SyntheticOrdersConfig sc;
  sc.customers = n_customers;
  std::shared_ptr<const Model> model;
  {
    const OrderData data = datasets::synthetic_orders(sc);
    std::size_t lines = 0;
    for (const auto& o : data.orders) lines += o.lines.size();
    std::printf("\nsynthetic: %zu customers, %zu orders, %zu lines, %u items; generated in %.1f s, RSS %.0f MiB\n",
                data.customer_ids.size(), data.orders.size(), lines, sc.items, seconds_since(t), rss_mib());
    t = std::chrono::steady_clock::now();
    TrainConfig config;
    config.blend.ease = 0;  // co-occurrence only: EASE over 20,000 items would take minutes
    model = std::make_shared<const Model>(train_model(data, config));
    std::printf("trained (blend.ease 0, no embeddings) in %.1f s, peak RSS %.0f MiB\n", seconds_since(t),
                peak_rss_mib());
  }
  const OfferEngine engine(model, OfferPolicy());
  std::printf("model + engine RSS %.0f MiB\n", rss_mib());
  header(repeats);
  report("synthetic", engine, all_customers(*model), repeats);
  std::printf("peak RSS %.0f MiB, RSS now %.0f MiB\n", peak_rss_mib(), rss_mib());
}

}  // namespace
}  // namespace cobuy::bench

int main(int argc, char** argv) {
  using namespace cobuy;
  log::set_level(log::Level::error);
  bool retail = false, synth = false;
  std::uint64_t customers = 1000000;
  int repeats = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "retail") {
      retail = true;
    } else if (a == "synthetic") {
      synth = true;
    } else if (a == "--customers" && i + 1 < argc) {
      customers = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--repeats" && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [retail] [synthetic] [--customers N] [--repeats R]\n", argv[0]);
      return 2;
    }
  }
  if (!retail && !synth) retail = synth = true;
  if (retail) bench::online_retail(repeats);
  // A million customers take a while per pass: one run each.
  if (synth) bench::synthetic(customers, 1);
}
