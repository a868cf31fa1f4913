// `cobuy train --orders-db`: training from the order log alone (a SQLite file or PostgreSQL on a
// server the test starts), from files plus the log, and the error when neither is given.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/store/order_store.h"
#include "core/ingest.h"
#include "support/order_store_fixture.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

struct Run {
  int status;
  std::string output;
};

Run run_cobuy(const std::string& args, const fs::path& dir) {
  const auto out = dir / "cobuy-output.txt";
  const std::string cmd = std::string(COBUY_BINARY) + " --log-level error " + args + " > " + out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  return {WEXITSTATUS(status), ss.str()};
}

nlohmann::json manifest(const fs::path& model_dir) {
  std::ifstream f(model_dir / "manifest.json");
  return nlohmann::json::parse(f);
}

/// A log of either kind holding six orders of two customers; the ids cannot clash with Online
/// Retail invoice numbers.
class TrainOrdersDbTest : public testing::OrderStoreTest {
 protected:
  void SetUp() override {
    testing::OrderStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto store = open();
    for (int k = 0; k < 6; ++k) {
      PlacedOrder o;
      o.order_id = "db-" + std::to_string(k);
      o.customer_id = k < 4 ? "c1" : "c2";
      o.time = 1300000000 + 86400 * k;
      o.lines = {{"tea", 1, 2.5}, {k < 4 ? "saucer" : "cake", 2, std::nullopt}};
      ASSERT_EQ(store->record_order(o), RecordResult::recorded);
    }
  }
};
INSTANTIATE_TEST_SUITE_P(Stores, TrainOrdersDbTest, ::testing::Values(testing::Backend::sqlite, testing::Backend::postgres),
                         testing::backend_name);

/// The same on the SQLite file only, for what does not depend on the kind of log.
class TrainOrdersDbFileTest : public TrainOrdersDbTest {};
INSTANTIATE_TEST_SUITE_P(Sqlite, TrainOrdersDbFileTest, ::testing::Values(testing::Backend::sqlite));

TEST_P(TrainOrdersDbTest, TrainsFromTheOrderLogAlone) {
  const auto model = dir_ / "model";
  const auto r = run_cobuy("train --orders-db " + location_ + " --out " + model.string(), dir_);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("from db       6 orders"), std::string::npos) << r.output;
  const auto m = manifest(model);
  EXPECT_EQ(m["counts"]["orders"], 6);
  EXPECT_EQ(m["counts"]["items"], 3);
  EXPECT_EQ(m["counts"]["customers"], 2);
  EXPECT_EQ(m["ingest"]["orders_from_db"], 6);
  EXPECT_EQ(m["ingest"]["orders"], 6);
}

TEST_P(TrainOrdersDbFileTest, FilesPlusTheLogCountBoth) {
  const std::string file = std::string(COBUY_BUNDLED_DATASETS) + "/online_retail.csv.gz";
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  const std::size_t file_orders = load_orders({file}, options).orders.size();
  ASSERT_GT(file_orders, 10000u);

  const auto model = dir_ / "model";
  const auto r = run_cobuy("train --orders " + file + " --format online-retail --orders-db " + location_ + " --out " +
                               model.string(),
                           dir_);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto m = manifest(model);
  EXPECT_EQ(m["counts"]["orders"], file_orders + 6);
  EXPECT_EQ(m["ingest"]["orders_from_db"], 6);
  EXPECT_EQ(m["ingest"]["orders_db_duplicates"], 0);
}

TEST_P(TrainOrdersDbTest, LogOrdersAlreadyInTheFilesCountOnce) {
  std::ofstream(dir_ / "orders.csv") << "order_id,item_id,customer_id,timestamp\n"
                                     << "db-0,tea,c1,2011-03-13\ndb-0,saucer,c1,2011-03-13\n"
                                     << "f-1,tea,c3,2011-04-01\nf-1,cake,c3,2011-04-01\n";
  const auto model = dir_ / "model";
  const auto r = run_cobuy("train --orders " + (dir_ / "orders.csv").string() + " --orders-db " + location_ + " --out " +
                               model.string(),
                           dir_);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto m = manifest(model);
  EXPECT_EQ(m["counts"]["orders"], 7);
  EXPECT_EQ(m["counts"]["customers"], 3);
  EXPECT_EQ(m["ingest"]["orders_from_db"], 5);
  EXPECT_EQ(m["ingest"]["orders_db_duplicates"], 1);
}

TEST_P(TrainOrdersDbFileTest, NeitherOrdersNorOrdersDbIsAClearError) {
  const auto model = dir_ / "model";
  const auto r = run_cobuy("train --out " + model.string(), dir_);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--orders"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--orders-db"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(model));

  const auto missing = run_cobuy("train --orders-db " + (dir_ / "nope.db").string() + " --out " + model.string(), dir_);
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.output.find("nope.db"), std::string::npos) << missing.output;
  EXPECT_FALSE(fs::exists(dir_ / "nope.db")) << "a missing log is not created by train";
}

}  // namespace
}  // namespace cobuy
