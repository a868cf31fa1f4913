// Serving cost against catalogue size (issue 15, item 5): the time of one bought-together, one
// recommendation (a basket with its customer) and one offers call (delivered context, the
// next-order engine) on models trained from generated histories of 10k, 100k and 1M items; the
// model's memory, and what 8 concurrent offers callers add to it. In-process calls, as the
// server's handlers make them (the server's /metrics time is this plus JSON); the same number of
// calls, drawn the same way, at each size.
//   build/bench/cobuy_catalogue_scaling_bench [--items N,N,...] [--customers N] [--calls N]
// Defaults: 10000,100000,1000000 items; 200,000 customers (about 900k orders, 5M lines); 2,000
// calls of each kind. EASE keeps its item cap but at 2,000 items (the default 10,000 takes
// minutes to solve at every size and is the same fixed cost at each); embeddings off (default).
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_data.h"
#include "core/log.h"
#include "core/offers.h"
#include "core/recommender.h"
#include "datasets/synthetic_orders.h"
#include "training/train.h"

namespace cobuy::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kThreads = 8;

struct Timing {
  double mean_us = 0, p99_us = 0;
};

/// Times `call(k)` for k in [0, n): the mean and the 99th percentile, in microseconds.
template <class F>
Timing time_calls(std::size_t n, F&& call) {
  std::vector<double> us;
  us.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto t = Clock::now();
    call(k);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  Timing r;
  for (double u : us) r.mean_us += u / static_cast<double>(n);
  std::sort(us.begin(), us.end());
  r.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  return r;
}

void run(std::uint32_t items, std::uint64_t customers, std::size_t calls) {
  auto t = Clock::now();
  datasets::SyntheticOrdersConfig sc;
  sc.items = items;
  sc.customers = customers;
  std::shared_ptr<const Model> model;
  std::vector<Query> baskets;
  std::vector<ItemIndex> anchors;
  std::vector<std::string> buyers;
  malloc_trim(0);
  const double rss_before = rss_mib();
  {
    const OrderData data = datasets::synthetic_orders(sc);
    // The calls: items, baskets and customers of orders drawn uniformly, so popular items come
    // up as often as they are bought.
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::size_t> pick(0, data.orders.size() - 1);
    for (std::size_t k = 0; k < calls; ++k) {
      const Order& o = data.orders[pick(rng)];
      anchors.push_back(o.lines[0].item);
      Query q;
      for (std::size_t j = 0; j < o.lines.size() && j < 4; ++j) q.items.push_back(data.catalog.ids[o.lines[j].item]);
      q.customer_id = data.customer_ids[o.customer];
      q.limit = 10;
      baskets.push_back(std::move(q));
      buyers.push_back(data.customer_ids[o.customer]);
    }
    const double gen_s = std::chrono::duration<double>(Clock::now() - t).count();
    t = Clock::now();
    TrainConfig config;
    config.ease.max_items = 2000;
    model = std::make_shared<const Model>(train_model(data, config));
    std::fprintf(stderr, "items %u: %zu orders generated in %.1f s, trained in %.1f s\n", items, data.orders.size(),
                 gen_s, std::chrono::duration<double>(Clock::now() - t).count());
  }
  malloc_trim(0);  // the generated history is gone: give its pages back before measuring
  const double model_mib = rss_mib() - rss_before;
  const OfferEngine engine(model, OfferPolicy());
  // One untimed pass of each warms caches and the allocator.
  for (std::size_t k = 0; k < std::min<std::size_t>(calls, 200); ++k) {
    bought_together(*model, anchors[k], 10);
    recommend(*model, baskets[k]);
    OfferRequest r;
    r.customer_id = buyers[k];
    r.context = OfferContext::delivered;
    engine.offers(r, {});
  }
  const Timing bt = time_calls(calls, [&](std::size_t k) { bought_together(*model, anchors[k], 10); });
  const Timing rec = time_calls(calls, [&](std::size_t k) { recommend(*model, baskets[k]); });
  const Timing off = time_calls(calls, [&](std::size_t k) {
    OfferRequest r;
    r.customer_id = buyers[k];
    r.context = OfferContext::delivered;
    engine.offers(r, {});
  });
  // What concurrent offers calls hold: 8 threads at once (a server's workers), RSS before and after.
  malloc_trim(0);
  const double rss_serial = rss_mib();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t k = t; k < calls; k += kThreads) {
        OfferRequest r;
        r.customer_id = buyers[k];
        r.context = OfferContext::delivered;
        engine.offers(r, {});
      }
    });
  }
  for (auto& th : threads) th.join();
  malloc_trim(0);
  const double concurrent_mib = rss_mib() - rss_serial;
  std::printf("| %u | %zu | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.0f | %.0f |\n", items, model->catalog.size(),
              bt.mean_us, bt.p99_us, rec.mean_us, rec.p99_us, off.mean_us, off.p99_us, model_mib, concurrent_mib);
  std::fflush(stdout);
}

}  // namespace
}  // namespace cobuy::bench

int main(int argc, char** argv) {
  using namespace cobuy;
  log::set_level(log::Level::error);
  std::vector<std::uint32_t> sizes = {10000, 100000, 1000000};
  std::uint64_t customers = 200000;
  std::size_t calls = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--items") {
      sizes = bench::parse_sizes(argv[i + 1]);
    } else if (a == "--customers") {
      customers = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (a == "--calls") {
      calls = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: %s [--items N,N,...] [--customers N] [--calls N]\n", argv[0]);
      return 2;
    }
  }
  std::printf("| items generated | catalogue | bought-together mean / p99 (us) | recommendation | offers (delivered) "
              "| model RSS (MiB) | + 8 concurrent offers callers (MiB) |\n|---|---|---|---|---|---|---|\n");
  for (const auto n : sizes) bench::run(n, customers, calls);
}
