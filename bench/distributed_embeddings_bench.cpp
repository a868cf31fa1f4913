// Data-parallel embeddings (what `cobuy train --distributed` trains) against one process, on
// basket completion with the embeddings as the only source. Run under MPI; rank 0 prints the
// markdown table of bench/RESULTS.md ("Data-parallel embeddings"):
//   mpirun --oversubscribe --allow-run-as-root --bind-to none -np 3 build/bench/cobuy_distributed_embeddings_bench
// Online Retail (bundled), time split at 2011-09-01; the training orders go to the ranks by the
// hash of their id, as exchange_orders routes them. Every run is deterministic (one thread a
// rank), so the rows differ only by how the vectors were trained.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "api/cli/mpi_collective.h"
#include "core/bootstrap.h"
#include "core/error.h"
#include "core/evaluation.h"
#include "core/fnv.h"
#include "core/ingest.h"
#include "core/log.h"
#include "core/time_util.h"
#include "training/distributed_train.h"
#include "training/train.h"

namespace {
using namespace cobuy;
using Clock = std::chrono::steady_clock;

std::vector<double> hits(const std::vector<CaseMetrics>& m) {
  std::vector<double> v;
  for (const auto& c : m) v.push_back(c.hit);
  return v;
}
std::vector<double> ndcgs(const std::vector<CaseMetrics>& m) {
  std::vector<double> v;
  for (const auto& c : m) v.push_back(c.ndcg);
  return v;
}
}  // namespace

int main() {
  std::unique_ptr<Collective> mpi;
  try {
    mpi = cli::open_mpi();
  } catch (const Error& e) {  // built without MPI: say what to install
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  Collective& comm = *mpi;
  log::set_level(log::Level::error);
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  const OrderData data = load_orders({COBUY_BUNDLED_DATASETS "/online_retail.csv.gz"}, options);
  const auto [train, test] = split_by_time(data, *parse_timestamp("2011-09-01"));
  const auto cases = basket_completion_cases(train, test, 42);
  std::vector<Order> owned;
  for (const auto& o : train.orders) {
    if (fnv1a(o.id) % static_cast<std::uint64_t>(comm.size()) == static_cast<std::uint64_t>(comm.rank())) {
      owned.push_back(o);
    }
  }
  TrainConfig config;
  config.blend = {.cooccurrence = 0, .ease = 0, .embedding = 1, .history = 0};
  config.rerank.enabled = false;
  config.next_order.fit = false;
  config.embedding.epochs = 10;
  config.embedding.deterministic = true;
  constexpr std::size_t k = 10;

  // Rank 0's basket-completion metrics of the model with `vectors` as its embeddings.
  auto score = [&](const SgnsEmbeddings& vectors) {
    SourceCache cache;
    cache.embeddings = &vectors;
    return basket_completion_metrics(train_model(train, config, nlohmann::json::object(), nullptr, &cache), cases, k);
  };
  std::vector<CaseMetrics> single;
  if (comm.rank() == 0) {
    // One process over all training orders: the same trainer with no one to average with.
    SoloCollective solo;
    const auto t = Clock::now();
    const SgnsEmbeddings vectors = train_embeddings_data_parallel(solo, train.orders, train.catalog.size(), config, 1);
    const double seconds = std::chrono::duration<double>(Clock::now() - t).count();
    single = score(vectors);
    const auto h = bootstrap_mean(hits(single)), n = bootstrap_mean(ndcgs(single));
    std::printf("Online Retail, time split at 2011-09-01: %zu training orders, %zu cases, %d ranks\n\n",
                train.orders.size(), cases.size(), comm.size());
    std::printf("| embeddings | averaged per epoch | train s | HR@10 | NDCG@10 | HR@10 minus one process [95%%] |\n");
    std::printf("|---|---|---|---|---|---|\n");
    std::printf("| one process, all orders | - | %.1f | %.4f [%.4f, %.4f] | %.4f [%.4f, %.4f] | - |\n", seconds, h.mean,
                h.low, h.high, n.mean, n.low, n.high);
  }
  for (const int rounds : {1, 4, 16}) {
    const auto t = Clock::now();
    const SgnsEmbeddings vectors =
        train_embeddings_data_parallel(comm, owned, train.catalog.size(), config, rounds);
    const double seconds = std::chrono::duration<double>(Clock::now() - t).count();
    if (comm.rank() != 0) continue;
    const auto got = score(vectors);
    const auto h = bootstrap_mean(hits(got)), n = bootstrap_mean(ndcgs(got));
    const auto d = bootstrap_mean_difference(hits(got), hits(single));
    std::printf("| %d ranks, data-parallel | %d | %.1f | %.4f [%.4f, %.4f] | %.4f [%.4f, %.4f] | %+.4f [%+.4f, %+.4f] |\n",
                comm.size(), rounds, seconds, h.mean, h.low, h.high, n.mean, n.low, n.high, d.mean, d.low, d.high);
    std::fflush(stdout);
  }
  return 0;
}
