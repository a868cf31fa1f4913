#pragma once
/// Runs the built `cobuy` binary (COBUY_BINARY, defined for the api tests) with arguments and
/// collects its exit status and combined output.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cobuy::testing {

struct CobuyRun {
  int status;          ///< exit status
  std::string output;  ///< stdout and stderr
};

/// A shell command line, its output captured through a temporary file.
inline CobuyRun run_shell(const std::string& command) {
  static int counter = 0;
  const auto out = std::filesystem::temp_directory_path() /
                   ("cobuy-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".txt");
  const std::string cmd = "{ " + command + "; } > " + out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  std::filesystem::remove(out);
  return {WEXITSTATUS(status), ss.str()};
}

/// `cobuy ARGS` exactly as given (ARGS go through the shell).
inline CobuyRun run_cobuy_exactly(const std::string& args) { return run_shell(std::string(COBUY_BINARY) + " " + args); }

/// `cobuy --log-level error ARGS`.
inline CobuyRun run_cobuy(const std::string& args) { return run_cobuy_exactly("--log-level error " + args); }

}  // namespace cobuy::testing
