// The `cobuy` command line as a whole: global flags on every subcommand, and error lines that
// never pass outside text (file headers, argv) to the terminal raw.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_cobuy.h"

namespace {
namespace fs = std::filesystem;
using cobuy::testing::run_cobuy;
using cobuy::testing::run_cobuy_exactly;

class CliGlobalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-cli-global-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(CliGlobalTest, LogLevelIsAcceptedAfterTheSubcommand) {
  auto help = run_cobuy_exactly("serve --log-level debug --help");
  EXPECT_EQ(help.status, 0) << help.output;
  EXPECT_NE(help.output.find("--model"), std::string::npos) << "serve's own help: " << help.output;
  EXPECT_EQ(run_cobuy_exactly("--log-level debug train --help").status, 0) << "and still before it";

  // A real run: `run_cobuy` puts --log-level error first; the one after the subcommand wins.
  std::ofstream(path("orders.csv")) << "order_id,item_id\na,tea\na,saucer\nb,tea\nb,saucer\n";
  auto train = run_cobuy("train --orders " + path("orders.csv") + " --out " + path("model") + " --log-level info");
  ASSERT_EQ(train.status, 0) << train.output;
  EXPECT_NE(train.output.find("level=info msg=\"model written\""), std::string::npos) << train.output;

  auto bad = run_cobuy("train --log-level loud --orders " + path("orders.csv") + " --out " + path("m2"));
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_NE(bad.output.find("unknown log level 'loud'"), std::string::npos) << bad.output;

  auto version = run_cobuy_exactly("serve --version");
  EXPECT_EQ(version.status, 0) << version.output;
  EXPECT_NE(version.output.find("cobuy 0.1.0"), std::string::npos) << version.output;
}

TEST_F(CliGlobalTest, EverySubcommandsHelpListsTheGlobalOptions) {
  for (const char* sub : {"train", "serve", "recommend", "demo", "eval", "offers", "keys", "keys create",
                          "keys list", "keys revoke"}) {
    auto r = run_cobuy_exactly(std::string(sub) + " --help");
    EXPECT_EQ(r.status, 0) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("Global options"), std::string::npos) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("--log-level"), std::string::npos) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("--version"), std::string::npos) << sub << ": " << r.output;
  }
}

TEST_F(CliGlobalTest, AnErrorQuotingAFileHeaderIsPrintedEscapedOnOneLine) {
  std::ofstream(path("red.csv"), std::ios::binary) << "order_id,item\x1b[31m_id,\"two\nlines\"\na,tea,x\n";
  auto r = run_cobuy("train --orders " + path("red.csv") + " --out " + path("m"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << "no raw ESC reaches the terminal: " << r.output;
  EXPECT_NE(r.output.find("item\\x1b[31m_id"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("two\\nlines"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one error line: " << r.output;
  EXPECT_EQ(r.output.rfind("cobuy: error: ", 0), 0u) << r.output;
}

TEST_F(CliGlobalTest, ACommandLineErrorQuotingArgvIsPrintedEscaped) {
  // CLI11's own message for a missing file quotes the path as given.
  auto r = run_cobuy("train --orders '" + path("no\x1b[2Jfile.csv") + "' --out " + path("m"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no\\x1b[2Jfile.csv"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\nRun with --help"), std::string::npos) << "CLI11's own lines are kept: " << r.output;
}

}  // namespace
