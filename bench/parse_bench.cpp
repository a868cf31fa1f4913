// CSV parsing and full ingestion (parse + clean) on the real Online Retail file.
#include <benchmark/benchmark.h>

#include "bench/bench_data.h"
#include "core/csv_reader.h"
#include "core/log.h"

namespace cobuy::bench {
namespace {

void BM_CsvReadOnlineRetail(benchmark::State& state) {
  std::uint64_t rows = 0, bytes = 0;
  std::vector<std::string_view> fields;
  for (auto _ : state) {
    auto reader = CsvReader::open_file(online_retail_path());
    while (reader.next(fields)) ++rows;
    bytes += reader.bytes_read();
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CsvReadOnlineRetail)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IngestOnlineRetail(benchmark::State& state) {
  log::set_level(log::Level::error);
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  std::uint64_t rows = 0;
  for (auto _ : state) {
    IngestSummary summary;
    auto data = load_orders({online_retail_path()}, options, &summary);
    benchmark::DoNotOptimize(data.orders.data());
    rows += summary.rows_read;
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IngestOnlineRetail)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace cobuy::bench

BENCHMARK_MAIN();
