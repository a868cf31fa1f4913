// Replacing a model under any kill: `cobuy train --out DIR` is killed (SIGKILL, through the
// COBUY_FAULT_SAVE_STEP hook of core/atomic_directory.h) at every step of writing and swapping the
// artifact, in turn. After each kill DIR loads and holds the old model or the new one, never
// nothing; the next normal run deletes the leftovers and puts the new model in place.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/artifact.h"
#include "core/atomic_directory.h"
#include "core/error.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// How a run of `cobuy train` ended: killed by SIGKILL, or its exit code.
struct TrainRun {
  bool killed = false;
  int exit_code = -1;
};

/// `cobuy --log-level error train --orders ORDERS --out OUT`, with COBUY_FAULT_SAVE_STEP=step
/// (none when step is 0); output goes to `log`. Run directly (no shell) so a SIGKILL is seen.
TrainRun train(const fs::path& orders, const fs::path& out, int step, const fs::path& log) {
  // Everything the child needs is made before fork(): between fork and exec only
  // async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("COBUY_FAULT_SAVE_STEP=", 0) != 0) env_strings.emplace_back(*e);
  }
  if (step > 0) env_strings.push_back("COBUY_FAULT_SAVE_STEP=" + std::to_string(step));
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  const std::string binary = COBUY_BINARY;
  std::vector<std::string> args = {binary, "--log-level", "error", "train", "--orders", orders.string(), "--out", out.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0 || ::dup2(fd, STDERR_FILENO) < 0) ::_exit(127);
    ::execve(binary.c_str(), argv.data(), env.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  TrainRun r;
  r.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The names in `dir`.
std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

class ArtifactSwapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-artifact-swap-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Two data sets, so the old and the new model have different data fingerprints.
    std::ofstream old_orders(dir_ / "old.csv"), new_orders(dir_ / "new.csv");
    old_orders << "order_id,item_id,customer_id,timestamp\n";
    new_orders << "order_id,item_id,customer_id,timestamp\n";
    for (int k = 0; k < 6; ++k) {
      for (auto* f : {&old_orders, &new_orders}) {
        *f << "a" << k << ",tea,c1,2011-01-0" << (k + 1) << "\n" << "a" << k << ",saucer,c1,2011-01-0" << (k + 1) << "\n";
      }
      new_orders << "b" << k << ",cake,c2,2011-02-0" << (k + 1) << "\n" << "b" << k << ",tea,c2,2011-02-0" << (k + 1) << "\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Trains the model of `orders` into `out` without faults and returns its data fingerprint.
  std::string train_ok(const std::string& orders, const fs::path& out) {
    const auto r = train(dir_ / orders, out, 0, dir_ / "ok.log");
    EXPECT_EQ(r.exit_code, 0) << read_text(dir_ / "ok.log");
    return load_model(out.string())->data_fingerprint;
  }

  /// Kills `cobuy train --out <case>/model` at each save step in turn, with an old model there
  /// first (`with_old`) or nothing; returns how many steps were killed.
  int kill_at_every_step(bool with_old) {
    const std::string new_print = train_ok("new.csv", dir_ / "reference" / "model");
    int killed = 0;
    bool saw_old = false, saw_new = false;
    for (int step = 1;; ++step) {
      SCOPED_TRACE("save step " + std::to_string(step));
      const fs::path parent = dir_ / ("step-" + std::to_string(step));
      const fs::path out = parent / "model";
      const std::string old_print = with_old ? train_ok("old.csv", out) : "";
      const fs::path log = parent.string() + ".log";
      const auto r = train(dir_ / "new.csv", out, step, log);
      if (!r.killed) {  // past the last step: the run completed
        EXPECT_EQ(r.exit_code, 0) << read_text(log);
        EXPECT_EQ(load_model(out.string())->data_fingerprint, new_print);
        EXPECT_EQ(names_in(parent), std::set<std::string>{"model"});
        break;
      }
      ++killed;
      EXPECT_NE(read_text(log).find("killed at save step " + std::to_string(step)), std::string::npos) << read_text(log);
      if (with_old || fs::exists(out)) {
        std::string print;
        try {
          print = load_model(out.string())->data_fingerprint;
        } catch (const Error& e) {
          ADD_FAILURE() << "no model at " << out << " after the kill: " << e.what() << "\n" << read_text(log);
        }
        (print == old_print ? saw_old : saw_new) = true;
        EXPECT_TRUE(print == new_print || (with_old && print == old_print))
            << "'" << print << "' is neither the old '" << old_print << "' nor the new '" << new_print << "'";
      }
      // The next normal run succeeds and leaves nothing but the new model.
      EXPECT_EQ(train_ok("new.csv", out), new_print);
      EXPECT_EQ(names_in(parent), std::set<std::string>{"model"});
    }
    // Killed before the swap, the old model stays (or nothing, on a first save); after it, the new.
    EXPECT_EQ(saw_old, with_old);
    EXPECT_TRUE(saw_new);
    return killed;
  }

  fs::path dir_;
};

TEST_F(ArtifactSwapTest, AKillAtAnyStepOfReplacingAModelLeavesTheOldOrTheNewOne) {
  // Staging, 8 data files, the manifest, syncs, the exchange, deleting the old model.
  EXPECT_GE(kill_at_every_step(true), 14);
}

TEST_F(ArtifactSwapTest, AKillAtAnyStepOfAFirstSaveLeavesNothingOrTheNewModel) {
  EXPECT_GE(kill_at_every_step(false), 12);
}

TEST_F(ArtifactSwapTest, TheNextSaveDeletesOnlyItsOwnLeftovers) {
  const fs::path out = dir_ / "m" / "model";
  train_ok("old.csv", out);
  const std::vector<std::string> ours = {".model.tmp-12-ab3f", ".model.old-7-0", ".model.tmp-99-deadbeef"};
  const std::vector<std::string> dirs_kept = {".model.tmp-x-1",   ".model.tmp-12-",  ".model.tmp-12-xyz", ".other.tmp-1-a",
                                              "model.tmp-1-a",    ".model.tmp--1",  ".model.new-1-a",   ".model.tmp-12-AB"};
  for (const auto& n : ours) {
    fs::create_directories(dir_ / "m" / n / "sub");
    std::ofstream(dir_ / "m" / n / "sub" / "f") << "x";
  }
  for (const auto& n : dirs_kept) fs::create_directories(dir_ / "m" / n);
  std::ofstream(dir_ / "m" / ".model.tmp-5-a") << "a file is not ours";
  train_ok("new.csv", out);
  auto expected = std::set<std::string>(dirs_kept.begin(), dirs_kept.end());
  expected.insert({"model", ".model.tmp-5-a"});
  EXPECT_EQ(names_in(dir_ / "m"), expected);
  for (const auto& n : ours) EXPECT_TRUE(is_replacement_leftover(n, "model")) << n;
  for (const auto& n : dirs_kept) EXPECT_FALSE(is_replacement_leftover(n, "model")) << n;
}

TEST_F(ArtifactSwapTest, RefusesToReplaceAFileOrADirectoryThatIsNotAModel) {
  const fs::path file = dir_ / "notes.txt";
  std::ofstream(file) << "mine";
  const fs::path foreign = dir_ / "photos";
  fs::create_directories(foreign);
  std::ofstream(foreign / "cat.jpg") << "meow";
  for (const auto& [out, reason] : {std::pair{file, "is not a directory"}, std::pair{foreign, "without manifest.json"}}) {
    const auto r = train(dir_ / "new.csv", out, 0, dir_ / "refused.log");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(read_text(dir_ / "refused.log").find(reason), std::string::npos) << read_text(dir_ / "refused.log");
  }
  EXPECT_EQ(read_text(file), "mine");
  EXPECT_EQ(read_text(foreign / "cat.jpg"), "meow");
  // An empty directory is fine, and so is a trailing slash.
  fs::create_directories(dir_ / "empty");
  train_ok("new.csv", dir_ / "empty");
  const auto print = train_ok("old.csv", dir_ / "empty/");
  EXPECT_EQ(load_model((dir_ / "empty").string())->data_fingerprint, print);
  EXPECT_EQ(names_in(dir_), (std::set<std::string>{"empty", "new.csv", "notes.txt", "ok.log", "old.csv", "photos",
                                                    "refused.log"}));
}

}  // namespace
}  // namespace cobuy
