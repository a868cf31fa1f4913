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
#include "core/artifact.h"
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

// The log's changes to history reach training: a cancelled order, an order returned in full and
// every order of an erased customer are left out, of the log and of the files alike; an order of
// the files with returns in the log is trained on as the log has it, less its returns.
TEST_P(TrainOrdersDbTest, CancelledReturnedAndErasedOrdersAreLeftOut) {
  std::ofstream(dir_ / "orders.csv") << "order_id,item_id,customer_id,timestamp\n"
                                     << "db-0,tea,c1,2011-03-13\ndb-0,saucer,c1,2011-03-13\n"
                                     << "f-1,tea,c3,2011-04-01\nf-1,cake,c3,2011-04-01\n"
                                     << "f-2,tea,c2,2011-04-02\nf-2,cake,c2,2011-04-02\n";
  {
    auto store = open();
    ASSERT_EQ(store->cancel_order("db-1"), CancelResult::cancelled);
    ASSERT_EQ(store->record_return({"db-2", "r1", {{"tea", 1, std::nullopt}, {"saucer", 2, std::nullopt}}}),
              RecordResult::recorded);
    ASSERT_EQ(store->record_return({"db-0", "r2", {{"saucer", 2, std::nullopt}}}), RecordResult::recorded);
    ASSERT_EQ(store->erase_customer("c2").orders, 2u);
  }
  const auto model = dir_ / "model";
  const auto r = run_cobuy("train --orders " + (dir_ / "orders.csv").string() + " --orders-db " + location_ + " --out " +
                               model.string(),
                           dir_);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("left out      3 orders: 1 cancelled, 1 returned in full, 1 of erased customers "
                          "(1 more with returns taken off)"),
            std::string::npos)
      << r.output;
  const auto m = manifest(model);
  EXPECT_EQ(m["counts"]["orders"], 3) << "f-1, and db-0 (less its saucers) and db-3 of the log";
  EXPECT_EQ(m["counts"]["customers"], 2) << "c1 and c3: the erased c2 is not known";
  EXPECT_EQ(m["ingest"]["orders_from_db"], 2);
  EXPECT_EQ(m["ingest"]["left_out"], nlohmann::json({{"erased_customer", 1},
                                                     {"cancelled", 1},
                                                     {"returned_in_full", 1},
                                                     {"with_returns", 1}}));
  const auto trained = load_model(model.string());
  EXPECT_EQ(trained->customers.index.count("c2"), 0u);
  const auto c1 = trained->customers.index.at("c1");
  const auto& h = trained->customers;
  ASSERT_EQ(h.order_offsets[c1 + 1] - h.order_offsets[c1], 2u) << "db-0 and db-3";
  const auto first = h.order_offsets[c1];
  EXPECT_EQ(h.item_offsets[first + 1] - h.item_offsets[first], 1u) << "db-0 without its returned saucers";
  EXPECT_EQ(trained->catalog.ids[h.items[h.item_offsets[first]]], "tea");
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
