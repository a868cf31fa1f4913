// `cobuy train --distributed` from the command line: under mpirun with three ranks when cobuy is
// built with MPI, and the message saying what is missing when it is not (the sanitizer build).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "api/cli/mpi_collective.h"
#include "support/distributed_fixture.h"
#include "support/run_cobuy.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;
using namespace test;  // NOLINT: the fixture's files and comparisons
using testing::run_cobuy;

bool mpirun_found() { return std::system("command -v mpirun > /dev/null 2>&1") == 0; }

class TrainDistributed : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-train-distributed-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  /// Why the mpirun tests cannot run here, or "" when they can. (A skip must come from the test
  /// body itself: GTEST_SKIP in a helper only leaves the helper.)
  static std::string mpirun_missing() {
    if (!cli::mpi_built_in()) return "cobuy is built without MPI (the test of its message runs instead)";
    if (mpirun_found()) return "";
    const char* require = std::getenv("COBUY_REQUIRE_MPI");
    if (require && std::string(require) == "1") ADD_FAILURE() << "COBUY_REQUIRE_MPI=1 but mpirun is not on PATH";
    return "mpirun not found (install openmpi-bin)";
  }
  /// `mpirun -np 3 cobuy ARGS`, ended after two minutes if it hangs.
  testing::CobuyRun mpirun(const std::string& args) {
    return testing::run_shell("timeout 120 mpirun --oversubscribe --allow-run-as-root -np 3 " +
                              std::string(COBUY_BINARY) + " --log-level error " + args);
  }
  std::string joined(const std::vector<std::string>& paths) {
    std::string s;
    for (const auto& p : paths) s += " " + p;
    return s;
  }
  fs::path dir_;
};

TEST_F(TrainDistributed, ThreeRanksWriteTheArtifactOneProcessWrites) {
  if (const auto why = mpirun_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto files = joined(
      write_online_retail_parts(dir_ / "retail", 4, 60000, COBUY_BUNDLED_DATASETS "/online_retail.csv.gz"));
  // Without EASE no float is summed across ranks, so the artifacts must be equal byte for byte.
  std::ofstream(dir_ / "config.json") << R"({"blend": {"ease": 0}})";
  const std::string common = " --format online-retail --config " + (dir_ / "config.json").string() + " --orders" + files;
  const auto single = run_cobuy("train" + common + " --out " + (dir_ / "single").string());
  ASSERT_EQ(single.status, 0) << single.output;
  const auto distributed = mpirun("train --distributed" + common + " --out " + (dir_ / "distributed").string());
  ASSERT_EQ(distributed.status, 0) << distributed.output;
  EXPECT_NE(distributed.output.find("ranks         3"), std::string::npos) << distributed.output;
  expect_same_artifact(dir_ / "single", dir_ / "distributed");
}

TEST_F(TrainDistributed, AFailingRankEndsEveryRankWithItsMessage) {
  if (const auto why = mpirun_missing(); !why.empty()) GTEST_SKIP() << why;
  auto paths = write_edge_parts(dir_ / "edge");
  // The third file, rank 2's, has no item column: that rank fails, and the others must not wait for it.
  std::ofstream(paths[2]) << "order_id,product,timestamp\no9,x,2024-01-01\n";
  const auto r = mpirun("train --distributed --orders" + joined(paths) + " --out " + (dir_ / "model").string());
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.status, 124) << "mpirun hung: " << r.output;  // timeout's status
  EXPECT_NE(r.output.find("rank 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("edge-2.csv"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "model"));
}

TEST_F(TrainDistributed, RefusesWhatItDoesNotSupportYetBeforeStartingMpi) {
  const auto paths = joined(write_edge_parts(dir_ / "edge"));
  const std::string out = " --out " + (dir_ / "model").string();
  std::ofstream(dir_ / "orders.db").put('\0');  // it exists, so --orders-db's own check passes
  const auto with_log = run_cobuy("train --distributed --orders" + paths + " --orders-db " +
                                  (dir_ / "orders.db").string() + out);
  EXPECT_EQ(with_log.status, 2) << with_log.output;
  EXPECT_NE(with_log.output.find("--orders-db is not supported with --distributed"), std::string::npos)
      << with_log.output;
  const auto with_tail = run_cobuy("train --distributed --eval-tail 0.1 --orders" + paths + out);
  EXPECT_EQ(with_tail.status, 2) << with_tail.output;
  EXPECT_NE(with_tail.output.find("--eval-tail is not supported with --distributed"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "model"));
}

TEST_F(TrainDistributed, WithoutMpiSaysWhatToInstall) {
  if (cli::mpi_built_in()) GTEST_SKIP() << "cobuy is built with MPI (the sanitizer build checks this message)";
  const auto r = run_cobuy("train --distributed --orders" + joined(write_edge_parts(dir_ / "edge")) + " --out " +
                           (dir_ / "model").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("built without it: install OpenMPI"), std::string::npos) << r.output;
  const auto help = run_cobuy("train --help");
  EXPECT_NE(help.output.find("This cobuy was built without MPI"), std::string::npos) << help.output;
}

}  // namespace
}  // namespace cobuy
