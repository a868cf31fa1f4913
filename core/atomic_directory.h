#pragma once
/// Replaces a directory by a new one so that, whatever moment the process is killed at, the path
/// holds either the old directory or the new one, complete, and never nothing.
///
/// The new contents are written into a staging sibling `.<name>.tmp-<pid>-<hex>`; commit() syncs it
/// and swaps it with the old directory in one renameat2(RENAME_EXCHANGE) (a plain rename() when
/// there is no old one), syncs the parent, then deletes the old directory, which now sits at the
/// staging name. Leftovers of a killed run (`.<name>.tmp-*`, and `.<name>.old-*` of older cobuy
/// versions, which moved the old directory aside first) are deleted by the next replacement of the
/// same path. An exclusive
/// flock on the parent directory serialises replacements in it, so no run deletes another's staging.

#include <filesystem>
#include <string>

namespace cobuy {

class AtomicDirectory {
 public:
  /// Prepares to replace `target`: creates its parent if needed, locks the parent, deletes stale
  /// leftovers when `target` exists, and creates the empty staging directory. Refuses (Error(io))
  /// a `target` that is not a directory, or a non-empty directory without the file `marker` (so that
  /// `--out .` never wipes a directory that is not the output of an earlier run).
  AtomicDirectory(const std::filesystem::path& target, const std::string& marker);
  /// Deletes the staging directory unless commit() ran; releases the lock.
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  /// Where the new contents go; every file written there must already be synced (fsync).
  const std::filesystem::path& staging() const { return staging_; }
  /// Puts the staged directory at `target` atomically and durably, then deletes the old one and any
  /// leftovers. Throws Error(io) if the filesystem cannot exchange two directories (NFS, some FUSE
  /// file systems), leaving `target` as it was.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path parent_;
  std::filesystem::path staging_;
  int parent_fd_ = -1;  ///< the locked parent directory
  bool committed_ = false;
};

/// True for the names AtomicDirectory gives staging and old directories of `target_name`:
/// `.<target_name>.tmp-<digits>-<hex digits>` and `.<target_name>.old-<digits>-<hex digits>`.
bool is_replacement_leftover(const std::string& name, const std::string& target_name);

/// A crash-test hook on the steps of writing and replacing a model: the Nth call in a process
/// kills it with SIGKILL when the environment holds COBUY_FAULT_SAVE_STEP=N, after writing
/// "fault injection: killed at save step N (what)" to stderr. Otherwise it only counts.
void save_fault_point(const char* what);

}  // namespace cobuy
