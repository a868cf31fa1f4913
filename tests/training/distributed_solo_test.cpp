// Distributed training's own logic with one process (SoloCollective): what ranks would do, with
// no MPI. tests/distributed runs the same over three MPI ranks.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "core/artifact.h"
#include "core/error.h"
#include "core/ingest.h"
#include "support/distributed_fixture.h"
#include "training/distributed_train.h"
#include "training/train.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;
using namespace test;  // NOLINT: the fixture's files and comparisons

class DistributedSolo : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fs::temp_directory_path() / ("cobuy-distributed-solo-" + std::to_string(::getpid())); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  SoloCollective solo_;
};

TEST(FileShare, GivesEachRankAContiguousBlockInRankOrderCoveringEveryFile) {
  for (std::size_t files : {0u, 1u, 2u, 3u, 7u, 10u}) {
    for (int size : {1, 2, 3, 4}) {
      std::size_t next = 0;
      for (int r = 0; r < size; ++r) {
        const auto [first, last] = file_share(files, r, size);
        EXPECT_EQ(first, next) << files << " files, rank " << r << " of " << size;
        EXPECT_LE(last - first, files / static_cast<std::size_t>(size) + 1);
        next = last;
      }
      EXPECT_EQ(next, files);
    }
  }
}

TEST_F(DistributedSolo, ExchangeGivesWhatLoadOrdersGivesOnFilesThatSplitOrders) {
  IngestOptions options;
  options.now = 1893456000;  // 2030
  for (const auto& paths : {write_edge_parts(dir_ / "edge"),
                            write_online_retail_parts(dir_ / "retail", 3, 60000, COBUY_BUNDLED_DATASETS
                                                      "/online_retail.csv.gz")}) {
    if (paths.front().find("orders-") != std::string::npos) options.format = OrderFormat::online_retail;
    IngestSummary want_summary;
    const OrderData want = load_orders(paths, options, &want_summary);
    const DistributedOrders got = exchange_orders(solo_, paths, options);
    expect_same_orders(want, got.all);
    EXPECT_EQ(got.owned.size(), want.orders.size());
    EXPECT_EQ(got.summary.rows_read, want_summary.rows_read);
    EXPECT_EQ(got.summary.rows_kept, want_summary.rows_kept);
    EXPECT_EQ(got.summary.dropped, want_summary.dropped);
    EXPECT_EQ(got.summary.orders, want_summary.orders);
    EXPECT_EQ(got.summary.customers, want_summary.customers);
  }
}

TEST_F(DistributedSolo, TrainsTheArtifactTrainModelWrites) {
  const auto paths = write_online_retail_parts(dir_ / "retail", 2, 60000, COBUY_BUNDLED_DATASETS "/online_retail.csv.gz");
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  TrainConfig config;
  config.threads = 2;
  const OrderData data = load_orders(paths, options);
  save_model(train_model(data, config), (dir_ / "single").string());
  const auto orders = exchange_orders(solo_, paths, options);
  const auto model = train_distributed(solo_, orders, config, nlohmann::json::object());
  ASSERT_TRUE(model.has_value());
  save_model(*model, (dir_ / "solo").string());
  // One rank sums nothing, so even EASE's floats are those of one process.
  expect_same_artifact(dir_ / "single", dir_ / "solo");
}

TEST_F(DistributedSolo, RefusesACatalogueFileAndNoFiles) {
  IngestOptions options;
  options.catalog_path = "items.csv";
  try {
    exchange_orders(solo_, write_edge_parts(dir_), options);
    FAIL() << "a catalogue file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find("--catalog is not supported with --distributed"), std::string::npos);
  }
  EXPECT_THROW(exchange_orders(solo_, {}, IngestOptions{}), Error);
}

}  // namespace
}  // namespace cobuy
