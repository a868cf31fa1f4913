// Distributed training over MPI ranks: run by ctest as `mpirun -np 3` (tests/CMakeLists.txt).
// Every rank runs every test, in the same order, so their collectives meet; rank 0 compares with
// what one process computes from the same files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <memory>

#include "api/cli/mpi_collective.h"
#include "core/artifact.h"
#include "core/bootstrap.h"
#include "core/evaluation.h"
#include "core/fnv.h"
#include "core/ingest.h"
#include "support/distributed_fixture.h"
#include "training/cooccurrence.h"
#include "training/distributed_train.h"
#include "training/ease.h"
#include "training/train.h"
#include "training/validation_carve.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;
using namespace test;  // NOLINT: the fixture's files and comparisons

Collective* comm = nullptr;

/// A directory every rank sees: rank 0 names it and writes the files.
class DistributedMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto name = comm->all_gather(
        comm->rank() == 0 ? (fs::temp_directory_path() / ("cobuy-distributed-mpi-" + std::to_string(::getpid()))).string()
                          : std::string());
    dir_ = name[0];
  }
  void TearDown() override {
    comm->all_gather("");  // every rank is done with the files
    if (comm->rank() == 0) fs::remove_all(dir_);
  }
  /// The paths of files rank 0 writes with `write`, once they are written.
  template <typename Write>
  std::vector<std::string> shared_files(Write write) {
    std::vector<std::string> paths;
    if (comm->rank() == 0) paths = write();
    std::string joined;
    for (const auto& p : paths) joined += p + '\n';
    joined = comm->all_gather(joined)[0];
    paths.clear();
    for (std::size_t at = 0; at < joined.size();) {
      const auto end = joined.find('\n', at);
      paths.push_back(joined.substr(at, end - at));
      at = end + 1;
    }
    return paths;
  }
  std::vector<std::string> retail_parts(std::size_t parts, std::size_t rows) {
    return shared_files([&] {
      return write_online_retail_parts(dir_ / "retail", parts, rows, COBUY_BUNDLED_DATASETS "/online_retail.csv.gz");
    });
  }
  static IngestOptions retail_options() {
    IngestOptions o;
    o.format = OrderFormat::online_retail;
    return o;
  }
  /// The validation carve's cut of `all` (the orders at rank 0), at every rank.
  static Timestamp shared_cut(const OrderData& all, const TrainConfig& config) {
    return std::stoll(comm->all_gather(comm->rank() == 0 ? std::to_string(carve_cut(all, config)) : "")[0]);
  }
  fs::path dir_;
};

TEST_F(DistributedMpi, RunsOnThreeRanks) { EXPECT_EQ(comm->size(), 3); }

TEST_F(DistributedMpi, ExchangeGivesWhatLoadOrdersGivesAndEachOrderToTheRankItsIdHashesTo) {
  const auto edge = shared_files([&] { return write_edge_parts(dir_ / "edge"); });
  const auto retail = retail_parts(5, 80000);  // 5 files on 3 ranks: shares of 1 and 2 files
  for (const auto& [paths, options] : {std::pair{edge, IngestOptions{}}, std::pair{retail, retail_options()}}) {
    IngestSummary want_summary;
    const OrderData want = load_orders(paths, options, &want_summary);
    const DistributedOrders got = exchange_orders(*comm, paths, options);
    for (const auto& o : got.owned) {
      EXPECT_EQ(fnv1a(o.id) % 3, static_cast<std::uint64_t>(comm->rank())) << o.id;
    }
    std::uint64_t owned[] = {got.owned.size()};
    comm->sum(owned);
    EXPECT_EQ(owned[0], want.orders.size());
    EXPECT_EQ(got.all.catalog.ids, want.catalog.ids);  // every rank agrees on the catalogue
    EXPECT_EQ(got.all.customer_ids, want.customer_ids);
    EXPECT_EQ(got.summary.rows_read, want_summary.rows_read);
    EXPECT_EQ(got.summary.rows_kept, want_summary.rows_kept);
    EXPECT_EQ(got.summary.dropped, want_summary.dropped);
    if (comm->rank() == 0) {
      expect_same_orders(want, got.all);
    } else {
      EXPECT_TRUE(got.all.orders.empty());
    }
  }
}

TEST_F(DistributedMpi, PairCountsSumToOneProcesssAndEaseAgreesWithinFloatTolerance) {
  const auto paths = retail_parts(4, 120000);
  const auto orders = exchange_orders(*comm, paths, retail_options());
  TrainConfig config;
  config.ease.max_items = 1500;
  const CountedSources got = count_sources(*comm, orders.owned, orders.all.catalog.size(), config);
  if (comm->rank() != 0) return;
  const Baskets baskets = baskets_from_orders(orders.all);
  const PairCounts want = count_pairs(baskets, 1, config.cooccurrence.max_basket);
  EXPECT_GT(want.entries(), 100000u);
  EXPECT_EQ(got.pairs.offsets, want.offsets);
  EXPECT_EQ(got.pairs.items, want.items);
  EXPECT_EQ(got.pairs.counts, want.counts);
  ASSERT_TRUE(got.ease.has_value());
  const EaseTables ease = train_ease(baskets, want, config.ease, config.cooccurrence.top_k, config.cooccurrence.max_basket);
  for (const auto* pair : {&ease.positive, &ease.negative}) {
    const NeighborTable& w = *pair;
    const NeighborTable& g = pair == &ease.positive ? got.ease->positive : got.ease->negative;
    ASSERT_EQ(w.items(), g.items());
    float largest = 0;
    for (const auto& n : w.entries) largest = std::max(largest, std::abs(n.score));
    std::size_t same_item = 0, compared = 0;
    for (ItemIndex i = 0; i < w.items(); ++i) {
      const auto wr = w.row(i), gr = g.row(i);
      ASSERT_EQ(wr.size(), gr.size()) << "item " << i;
      for (std::size_t k = 0; k < wr.size(); ++k) {
        // Rank by rank, weights may swap places with a near-equal one; the k-th weight may not move.
        EXPECT_NEAR(wr[k].score, gr[k].score, 1e-5f * largest) << "item " << i << " place " << k;
        same_item += wr[k].item == gr[k].item;
        ++compared;
      }
    }
    EXPECT_GT(compared, 10000u);
    EXPECT_GE(static_cast<double>(same_item), 0.99 * static_cast<double>(compared));
  }
}

TEST_F(DistributedMpi, WithoutEaseTheArtifactIsOneProcesssGivenItsDataParallelEmbeddings) {
  // Co-occurrence and the learned stages: nothing summed in floats, so nothing may differ once
  // one process is given the embeddings the ranks trained together (for the model, and for the
  // validation carve's first stage, which the next-order fit trains with embeddings).
  const auto paths = retail_parts(4, 100000);
  TrainConfig config;
  config.blend.ease = 0;
  config.embedding.epochs = 2;
  config.embedding.deterministic = true;
  ASSERT_TRUE(carve_trains_embeddings(config));
  const auto orders = exchange_orders(*comm, paths, retail_options());
  const auto model = train_distributed(*comm, orders, config, nlohmann::json::object());
  EXPECT_EQ(model.has_value(), comm->rank() == 0);
  const std::size_t n_items = orders.all.catalog.size();
  const auto vectors = train_embeddings_data_parallel(*comm, orders.owned, n_items, config, kEmbeddingAveragingRounds);
  const Timestamp cut = shared_cut(orders.all, config);
  ASSERT_NE(cut, kNoTime);
  const auto before_cut =
      train_embeddings_data_parallel(*comm, orders.owned, n_items, config, kEmbeddingAveragingRounds, cut);
  if (!model) return;
  SourceCache carve;
  carve.embeddings = &before_cut;
  SourceCache given;
  given.embeddings = &vectors;
  given.carve = &carve;
  save_model(*model, (dir_ / "distributed").string());
  save_model(train_model(load_orders(paths, retail_options()), config, nlohmann::json::object(), nullptr, &given),
             (dir_ / "single").string());
  expect_same_artifact(dir_ / "single", dir_ / "distributed");
}

TEST_F(DistributedMpi, EmbeddingsTrainedOnThreeRanksCompleteBasketsAsWellAsOneProcesss) {
  // The training part is the orders before the cut, spread over the ranks by their ids; the
  // cases are the later orders. The embeddings are the only source, so the lists are theirs.
  const auto paths = retail_parts(3, 1000000);  // the whole file
  TrainConfig config;
  config.blend = {.cooccurrence = 0, .ease = 0, .embedding = 1, .history = 0};
  config.rerank.enabled = false;
  config.next_order.fit = false;
  config.embedding.epochs = 10;
  config.embedding.deterministic = true;
  const auto orders = exchange_orders(*comm, paths, retail_options());
  const Timestamp cut = shared_cut(orders.all, config);
  ASSERT_NE(cut, kNoTime);
  const std::size_t n_items = orders.all.catalog.size();
  const auto vectors = train_embeddings_data_parallel(*comm, orders.owned, n_items, config, kEmbeddingAveragingRounds, cut);
  // Every rank ends with the same vectors.
  const auto sums = comm->all_gather(std::to_string(fnv1a(std::string_view(
      reinterpret_cast<const char*>(vectors.input.data()), vectors.input.size() * sizeof(float)))));
  EXPECT_EQ(sums[1], sums[0]);
  EXPECT_EQ(sums[2], sums[0]);
  if (comm->rank() != 0) return;
  const auto [train, test] = split_by_time(orders.all, cut);
  const auto cases = basket_completion_cases(train, test, 42);
  ASSERT_GT(cases.size(), 1000u);
  auto hits = [&](const SgnsEmbeddings& v) {
    SourceCache cache;
    cache.embeddings = &v;
    std::vector<double> h;
    for (const auto& m : basket_completion_metrics(train_model(train, config, nlohmann::json::object(), nullptr, &cache), cases, 10)) {
      h.push_back(m.hit);
    }
    return h;
  };
  SoloCollective alone;
  const auto single = hits(train_embeddings_data_parallel(alone, train.orders, n_items, config, 1));
  const auto spread = hits(vectors);
  const Interval one = bootstrap_mean(single), three = bootstrap_mean(spread);
  const Interval diff = bootstrap_mean_difference(spread, single);
  std::printf("HR@10: one process %.4f [%.4f, %.4f], three ranks %.4f [%.4f, %.4f], paired difference %+.4f [%+.4f, %+.4f]\n",
              one.mean, one.low, one.high, three.mean, three.low, three.high, diff.mean, diff.low, diff.high);
  EXPECT_GT(one.mean, 0.15);  // the embeddings learned something: the most popular items score far less
  EXPECT_GT(diff.high, 0.0);  // the ranks' vectors are not measurably worse ...
  EXPECT_LT(std::abs(diff.mean), 0.02);  // ... and the two means are close
}

TEST_F(DistributedMpi, WithEaseOnlyEasesTablesDiffer) {
  const auto paths = retail_parts(4, 100000);
  TrainConfig config;
  const auto orders = exchange_orders(*comm, paths, retail_options());
  const auto model = train_distributed(*comm, orders, config, nlohmann::json::object());
  if (!model) return;
  const Model single = train_model(load_orders(paths, retail_options()), config);
  save_model(*model, (dir_ / "distributed").string());
  save_model(single, (dir_ / "single").string());
  for (const char* file : {"items.bin", "customers.bin", "popular.bin", "similar.bin"}) {
    EXPECT_TRUE(slurp(dir_ / "single" / file) == slurp(dir_ / "distributed" / file)) << file;
  }
  EXPECT_EQ(model->item_orders, single.item_orders);
  EXPECT_EQ(model->stats.pairs, single.stats.pairs);
  EXPECT_EQ(model->data_fingerprint, single.data_fingerprint);
  // The blended lists rank the same items first: the top 5 of nearly every item agree.
  std::size_t same = 0, compared = 0;
  for (ItemIndex i = 0; i < single.bought_together.items(); ++i) {
    const auto w = single.bought_together.row(i), g = model->bought_together.row(i);
    for (std::size_t k = 0; k < std::min<std::size_t>({5, w.size(), g.size()}); ++k, ++compared) same += w[k].item == g[k].item;
  }
  EXPECT_GT(compared, 5000u);
  EXPECT_GE(static_cast<double>(same), 0.99 * static_cast<double>(compared));
}

}  // namespace
}  // namespace cobuy

int main(int argc, char** argv) {
  const auto mpi = cobuy::cli::open_mpi();
  cobuy::comm = mpi.get();
  ::testing::InitGoogleTest(&argc, argv);
  if (mpi->rank() != 0) {
    // One report is enough: the other ranks print only their failures.
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  return failed;
}
