#include "core/atomic_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>  // renameat2, RENAME_EXCHANGE (glibc >= 2.28)
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace cobuy {
namespace fs = std::filesystem;

namespace {

std::string unique_suffix() {
  std::random_device rd;
  std::ostringstream os;
  os << ::getpid() << "-" << std::hex << rd();
  return os.str();
}

/// fsync of a directory: makes the names created, renamed or removed in it durable.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  COBUY_CHECK(fd >= 0, ErrorCode::io, "cannot open directory " << dir.string() << ": " << std::strerror(errno));
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  COBUY_CHECK(synced, ErrorCode::io, "cannot sync directory " << dir.string() << ": " << std::strerror(err));
}

/// Deletes the leftovers of killed replacements of `target` in `parent` (never anything else).
void remove_leftovers(const fs::path& parent, const fs::path& target) {
  std::error_code ec;
  const std::string name = target.filename().string();
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const auto entry_name = it->path().filename().string();
    // Only directories: cobuy never makes a file of that name, so a file is someone else's.
    if (is_replacement_leftover(entry_name, name) && it->is_directory(ec) && !it->is_symlink(ec)) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
}

}  // namespace

bool is_replacement_leftover(const std::string& name, const std::string& target_name) {
  for (const char* kind : {".tmp-", ".old-"}) {
    const std::string prefix = "." + target_name + kind;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || dash + 1 == rest.size()) continue;
    const bool pid = rest.find_first_not_of("0123456789") == dash;
    const bool hex = rest.find_first_not_of("0123456789abcdef", dash + 1) == std::string::npos;
    if (pid && hex) return true;
  }
  return false;
}

void save_fault_point(const char* what) {
  static const long kill_at = [] {
    const char* v = std::getenv("COBUY_FAULT_SAVE_STEP");
    return v ? std::strtol(v, nullptr, 10) : 0L;
  }();
  static long step = 0;
  if (++step != kill_at) return;
  std::fprintf(stderr, "fault injection: killed at save step %ld (%s)\n", step, what);
  std::fflush(stderr);
  std::raise(SIGKILL);
}

AtomicDirectory::AtomicDirectory(const fs::path& target, const std::string& marker) {
  // "models/", "." and "a/.." name a directory too: the swap needs its parent and its own name.
  std::error_code ec;
  target_ = fs::absolute(target, ec).lexically_normal();
  while (target_.filename().empty() && target_.has_relative_path()) target_ = target_.parent_path();
  COBUY_CHECK(!ec && target_.has_relative_path(), ErrorCode::io,
              "cannot write a directory at " << target.string() << ": name a directory below the root");
  parent_ = target_.parent_path();
  fs::create_directories(parent_, ec);
  parent_fd_ = ::open(parent_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  COBUY_CHECK(parent_fd_ >= 0, ErrorCode::io, "cannot open directory " << parent_.string() << ": " << std::strerror(errno));
  while (::flock(parent_fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(parent_fd_);
    COBUY_FAIL(ErrorCode::io, "cannot lock directory " << parent_.string() << ": " << std::strerror(err));
  }
  try {
    const auto status = fs::symlink_status(target_, ec);
    if (fs::exists(status)) {
      COBUY_CHECK(fs::is_directory(status), ErrorCode::io,
                  target_.string() << " exists and is not a directory: refusing to replace it");
      COBUY_CHECK(fs::is_empty(target_, ec) || fs::exists(target_ / marker), ErrorCode::io,
                  target_.string() << " is a directory without " << marker
                                   << ", not one cobuy wrote: refusing to replace it");
      // The old directory is whole, so no leftover can be the only copy of anything.
      remove_leftovers(parent_, target_);
    }
    staging_ = parent_ / ("." + target_.filename().string() + ".tmp-" + unique_suffix());
    fs::create_directory(staging_, ec);
    COBUY_CHECK(!ec, ErrorCode::io, "cannot create " << staging_.string() << ": " << ec.message());
  } catch (...) {
    ::close(parent_fd_);
    throw;
  }
  save_fault_point("staging directory created");
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_ && !staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  ::close(parent_fd_);  // releases the lock
}

void AtomicDirectory::commit() {
  COBUY_ASSERT(!committed_);
  sync_directory(staging_);
  save_fault_point("staging directory synced");
  std::error_code ec;
  const bool replacing = fs::exists(fs::symlink_status(target_, ec));
  if (replacing) {
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      const int err = errno;
      COBUY_CHECK(err != EINVAL && err != ENOSYS && err != EOPNOTSUPP, ErrorCode::io,
                  "cannot replace " << target_.string()
                                    << " atomically: its file system cannot exchange two directories "
                                       "(renameat2 RENAME_EXCHANGE: "
                                    << std::strerror(err)
                                    << "); write to a new directory, or delete the old one first");
      COBUY_FAIL(ErrorCode::io, "cannot replace " << target_.string() << " by " << staging_.string() << ": "
                                                  << std::strerror(err));
    }
  } else {
    COBUY_CHECK(::rename(staging_.c_str(), target_.c_str()) == 0, ErrorCode::io,
                "cannot rename " << staging_.string() << " to " << target_.string() << ": " << std::strerror(errno));
  }
  committed_ = true;  // from here on, staging_ names the old directory (or nothing)
  save_fault_point(replacing ? "directories exchanged" : "directory renamed into place");
  sync_directory(parent_);
  save_fault_point("parent directory synced");
  if (replacing) {
    std::vector<fs::path> old_files;
    for (fs::directory_iterator it(staging_, ec), end; !ec && it != end; it.increment(ec)) old_files.push_back(it->path());
    for (std::size_t i = 0; i < old_files.size(); ++i) {
      fs::remove_all(old_files[i], ec);
      if (i == 0) save_fault_point("old directory partly deleted");
    }
    fs::remove_all(staging_, ec);
    save_fault_point("old directory deleted");
  }
  remove_leftovers(parent_, target_);
}

}  // namespace cobuy
