// The size model's measurements (issue 15, item 4; docs/SCALING.md): for generated histories of
// a given number of orders and catalogue sizes, the time of each training stage, the peak
// memory, the artifact's size and the time to save and load it. One run per shape, default
// training config (EASE on its 10,000 most ordered items, embeddings off).
//   build/bench/cobuy_size_model_bench [--orders N] [--items N,N,...] [--threads N]
// Defaults: 1,000,000 orders (about 222,000 customers of 1 to 8 orders of 1 to 10 items), and
// catalogues of 10k, 100k and 1M items. Run one shape per process (--items N) for a clean peak.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "core/artifact.h"
#include "core/log.h"
#include "datasets/synthetic_orders.h"
#include "training/train.h"

namespace cobuy::bench {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::uintmax_t directory_bytes(const std::filesystem::path& dir) {
  std::uintmax_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes;
}

void run(std::uint64_t orders, std::uint32_t items, unsigned threads) {
  datasets::SyntheticOrdersConfig sc;
  sc.items = items;
  sc.customers = std::max<std::uint64_t>(1, orders * 2 / 9);  // 4.5 orders a customer on average
  auto t = Clock::now();
  const OrderData data = datasets::synthetic_orders(sc);
  const double generate_s = since(t);
  std::size_t lines = 0;
  for (const auto& o : data.orders) lines += o.lines.size();
  const double data_mib = rss_mib();

  // Stage boundaries from the progress callback: the first report of each (stage, done).
  std::map<std::string, double> at;
  const auto start = Clock::now();
  const ProgressFn progress = [&](std::string_view stage, std::uint64_t done, std::uint64_t) {
    at.emplace(std::string(stage) + "/" + std::to_string(done), since(start));
  };
  TrainConfig config;
  config.threads = threads;
  Model model = train_model(data, config, nlohmann::json::object(), progress);
  const double train_s = since(start);
  const double peak_mib = peak_rss_mib();
  auto stage = [&](const std::string& a, const std::string& b) {
    const auto x = at.find(a), y = at.find(b);
    return x == at.end() || y == at.end() ? -1.0 : y->second - x->second;
  };
  const double pairs_s = stage("count/0", "count/1"), tables_s = stage("count/1", "count/2"),
               history_s = stage("count/2", "count/3");
  const double fits_s = at.count("count/3") ? train_s - at["count/3"] : -1.0;

  const auto dir = std::filesystem::temp_directory_path() / ("cobuy-size-" + std::to_string(::getpid()));
  t = Clock::now();
  save_model(model, dir.string());
  const double save_s = since(t);
  const double artifact_mib = static_cast<double>(directory_bytes(dir)) / (1024.0 * 1024.0);
  t = Clock::now();
  const auto loaded = load_model(dir.string());
  const double load_s = since(t);
  std::filesystem::remove_all(dir);

  std::printf("| %zu | %zu | %u | %zu | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %.1f | %.1f |\n",
              data.orders.size(), lines, items, data.customer_ids.size(), generate_s, pairs_s, tables_s, history_s,
              fits_s, train_s, data_mib, peak_mib, artifact_mib, save_s, load_s);
  std::fflush(stdout);
}

}  // namespace
}  // namespace cobuy::bench

int main(int argc, char** argv) {
  using namespace cobuy;
  log::set_level(log::Level::error);
  std::uint64_t orders = 1000000;
  std::vector<std::uint32_t> sizes = {10000, 100000, 1000000};
  unsigned threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--orders") {
      orders = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (a == "--items") {
      sizes = bench::parse_sizes(argv[i + 1]);
    } else if (a == "--threads") {
      threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    } else {
      std::fprintf(stderr, "usage: %s [--orders N] [--items N,N,...] [--threads N]\n", argv[0]);
      return 2;
    }
  }
  std::printf("| orders | lines | items | customers | generate s | pair count s | item tables (lists + EASE) s | "
              "history s | fits s | train s | data RSS MiB | peak RSS MiB | artifact MiB | save s | load s |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto n : sizes) bench::run(orders, n, threads);
}
