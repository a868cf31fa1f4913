// The two order logs side by side, on the calls a request makes: recording an order (POST
// /v1/orders), reading a customer's orders and offers (every offers call) and logging the offers
// it showed. SQLite is a file in
// the temporary directory (WAL, synchronous=FULL); PostgreSQL is a server this benchmark starts
// on loopback with its default durability (fsync on), through one libpq connection. Both sides do
// the same calls on the same data.
//
//   build/bench/cobuy_order_store_bench
//
// Without PostgreSQL installed, only the SQLite benchmarks run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "api/store/order_store.h"
#include "support/postgres_server.h"

namespace cobuy {
namespace {

using testing::PostgresServer;

constexpr int kCustomers = 200, kOrdersPerCustomer = 10;

PlacedOrder order(int customer, int k) {
  PlacedOrder o;
  o.order_id = "o-" + std::to_string(customer) + "-" + std::to_string(k);
  o.customer_id = "c" + std::to_string(customer);
  o.time = 1300000000 + 86400 * k;
  for (int j = 0; j < 8; ++j) o.lines.push_back({"item-" + std::to_string((customer + j * 7) % 500), 1.0 + j, 2.5});
  return o;
}

/// The two logs, each filled with kCustomers x kOrdersPerCustomer orders and 20 offers a customer.
struct Logs {
  std::filesystem::path dir;
  std::unique_ptr<PostgresServer> server;
  std::string locations[2];

  Logs() {
    dir = std::filesystem::temp_directory_path() / ("cobuy-store-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    locations[0] = (dir / "orders.db").string();
    if (PostgresServer::unavailable_reason().empty()) {
      server = std::make_unique<PostgresServer>(PostgresServer::Sync::durable);
      locations[1] = server->create_database("orders");
    } else {
      std::fprintf(stderr, "%s: the PostgreSQL benchmarks are skipped\n", PostgresServer::unavailable_reason().c_str());
    }
    for (const auto& location : locations) {
      if (location.empty()) continue;
      auto store = OrderStore::open(location);
      for (int c = 0; c < kCustomers; ++c) {
        for (int k = 0; k < kOrdersPerCustomer; ++k) store->record_order(order(c, k));
        std::vector<std::pair<std::string, std::string>> offers;
        for (int j = 0; j < 20; ++j) offers.emplace_back("item-" + std::to_string(j), "offer");
        store->record_offers("c" + std::to_string(c), offers, "shipping", 1300000000);
      }
    }
  }
  ~Logs() {
    server.reset();
    std::filesystem::remove_all(dir);
  }
};

Logs& logs() {
  static Logs l;
  return l;
}

/// Skips the state's benchmark when its log is not there; else opens it.
std::unique_ptr<OrderStore> open_or_skip(benchmark::State& state) {
  const std::string& location = logs().locations[state.range(0)];
  if (location.empty()) {
    state.SkipWithError("PostgreSQL is not installed");
    return nullptr;
  }
  state.SetLabel(state.range(0) == 0 ? "sqlite" : "postgres");
  return OrderStore::open(location);
}

void BM_RecordOrder(benchmark::State& state) {
  auto store = open_or_skip(state);
  if (!store) return;
  int k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(store->record_order(order(kCustomers + k / 100, 1000 + k)));
    ++k;
  }
}
BENCHMARK(BM_RecordOrder)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_ADuplicateOrder(benchmark::State& state) {
  auto store = open_or_skip(state);
  if (!store) return;
  const PlacedOrder o = order(1, 1);
  for (auto _ : state) benchmark::DoNotOptimize(store->record_order(o));
}
BENCHMARK(BM_ADuplicateOrder)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// What an offers call that records writes: its ten offers, in one batch.
void BM_RecordTenOffers(benchmark::State& state) {
  auto store = open_or_skip(state);
  if (!store) return;
  std::vector<std::pair<std::string, std::string>> offers;
  for (int j = 0; j < 10; ++j) offers.emplace_back("item-" + std::to_string(j), "offer-" + std::to_string(j));
  int c = 0;
  // Other customers than those BM_ReadACustomer reads, so its reads stay the same size.
  for (auto _ : state) store->record_offers("w" + std::to_string(c++ % kCustomers), offers, "shipping", 1300086400);
}
BENCHMARK(BM_RecordTenOffers)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// What one offers call reads: the customer's orders and logged offers.
void BM_ReadACustomer(benchmark::State& state) {
  auto store = open_or_skip(state);
  if (!store) return;
  int c = 0;
  for (auto _ : state) {
    const std::string id = "c" + std::to_string(c++ % kCustomers);
    benchmark::DoNotOptimize(store->customer_orders(id));
    benchmark::DoNotOptimize(store->offered_since(id, 0));
  }
}
BENCHMARK(BM_ReadACustomer)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cobuy

BENCHMARK_MAIN();
