// `cobuy train` on an order file cut short fails, naming the file and where, and leaves the model
// already at --out as it was.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "support/slurp.h"
#include "support/run_cobuy.h"

namespace {
namespace fs = std::filesystem;

using ::cobuy::test::slurp;

/// Every file under `dir`, relative path -> contents.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = slurp(e.path());
  }
  return out;
}

constexpr const char* kHeader = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

class TrainCutInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-train-cut-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A small good file trains the model in place; the bad files are made from the real one.
    std::ofstream good(dir_ / "good.csv");
    good << kHeader;
    for (int k = 0; k < 6; ++k) {
      good << 536365 + k << ",85123A,WHITE HANGING HEART,6,2010-12-0" << k + 1 << " 08:26:00,2.55,1785" << k % 2
           << ",United Kingdom\n";
      good << 536365 + k << ",71053,\"WHITE METAL, LANTERN\",6,2010-12-0" << k + 1 << " 08:26:00,3.39,1785" << k % 2
           << ",United Kingdom\n";
    }
    good.close();
    const auto r = train((dir_ / "good.csv").string());
    ASSERT_EQ(r.status, 0) << r.output;
    before_ = snapshot(model());
    ASSERT_TRUE(before_.count("manifest.json"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path model() const { return dir_ / "model"; }
  cobuy::testing::CobuyRun train(const std::string& orders) const {
    return cobuy::testing::run_cobuy("train --format online-retail --orders " + orders + " --out " + model().string());
  }
  /// Trains on `orders`, which must fail with `message` in the output and the model untouched.
  void expect_refused(const std::string& orders, const std::string& message) const {
    const auto r = train(orders);
    EXPECT_NE(r.status, 0) << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
    EXPECT_EQ(snapshot(model()), before_) << "the model at --out must be left as it was";
  }

  fs::path dir_;
  std::map<std::string, std::string> before_;
};

TEST_F(TrainCutInputTest, TruncatedGzipFailsAndKeepsTheModel) {
  const auto cut = (dir_ / "cut.csv.gz").string();
  fs::copy_file(fs::path(COBUY_BUNDLED_DATASETS) / "online_retail.csv.gz", cut);
  const auto size = fs::file_size(cut);
  fs::resize_file(cut, size * 2 / 3);
  expect_refused(cut, cut + ": truncated gzip stream: the file ends at byte " + std::to_string(size * 2 / 3));
}

TEST_F(TrainCutInputTest, GarbageAfterTheGzipStreamFailsAndKeepsTheModel) {
  const auto tail = (dir_ / "tail.csv.gz").string();
  fs::copy_file(fs::path(COBUY_BUNDLED_DATASETS) / "online_retail.csv.gz", tail);
  const auto size = fs::file_size(tail);
  std::ofstream(tail, std::ios::binary | std::ios::app) << "not gzip";
  expect_refused(tail, tail + ": trailing garbage after the gzip stream at byte " + std::to_string(size));
}

TEST_F(TrainCutInputTest, CsvCutInsideAQuotedFieldFailsAndKeepsTheModel) {
  const auto cut = (dir_ / "cut.csv").string();
  // Enough good rows that the two pieces of the cut row would be under the malformed-row limit.
  std::ofstream f(cut);
  f << kHeader;
  for (int k = 0; k < 100; ++k) f << 536365 + k << ",85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,UK\n";
  f << "536465,71053,\"WHITE METAL\nLANTERN";
  f.close();
  expect_refused(cut, cut + ":102: unterminated quoted field at the end of the input");
}

}  // namespace
