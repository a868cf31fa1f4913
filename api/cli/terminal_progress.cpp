#include "api/cli/terminal_progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace cobuy::cli {

TerminalProgress::TerminalProgress() : enabled_(::isatty(STDERR_FILENO) && std::getenv("CI") == nullptr) {}

TerminalProgress::~TerminalProgress() { finish(); }

ProgressFn TerminalProgress::callback() {
  if (!enabled_) return nullptr;
  return [this](std::string_view stage, std::uint64_t done, std::uint64_t total) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done != total) return;
    last_ = now;
    drawn_ = true;
    if (total > 0) {
      std::fprintf(stderr, "\r\033[K%.*s: %llu/%llu (%.0f%%)", static_cast<int>(stage.size()), stage.data(),
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   100.0 * static_cast<double>(done) / static_cast<double>(total));
    } else {
      std::fprintf(stderr, "\r\033[K%.*s: %llu", static_cast<int>(stage.size()), stage.data(),
                   static_cast<unsigned long long>(done));
    }
    std::fflush(stderr);
  };
}

void TerminalProgress::finish() {
  if (enabled_ && drawn_) std::fputs("\r\033[K", stderr);
  drawn_ = false;
}

}  // namespace cobuy::cli
