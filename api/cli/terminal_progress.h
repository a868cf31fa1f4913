#pragma once
/// Progress for long commands: a self-rewriting line on a terminal, nothing in logs or CI.

#include <chrono>
#include <mutex>
#include <string>

#include "core/progress.h"

namespace cobuy::cli {

/// A ProgressFn that draws "stage: done/total" on stderr at most 10 times a second, only when
/// stderr is a terminal and CI is not set; safe to call from several threads. finish() ends the line.
class TerminalProgress {
 public:
  TerminalProgress();
  ~TerminalProgress();
  ProgressFn callback();
  void finish();

 private:
  bool enabled_;
  std::mutex mutex_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace cobuy::cli
