#pragma once
/// A file's bytes read in chunks, decompressed when the file is gzip (told by its first two bytes).

#include <cstddef>
#include <memory>
#include <string>

namespace cobuy {

/// Reads a plain or gzip file from start to end. A gzip file must be whole: every member must reach
/// its end and match its CRC-32 and length trailer; further members (`cat a.gz b.gz`) are read on
/// as one stream, and bytes after the last member that do not start a member are an error.
/// Not thread-safe.
class InputFile {
 public:
  /// Opens `path`. Throws Error(io) naming the file if it cannot be opened.
  static InputFile open(const std::string& path);

  InputFile(InputFile&&) noexcept;
  InputFile& operator=(InputFile&&) noexcept;
  ~InputFile();

  /// Reads up to `size` (> 0) decompressed bytes into `out`; returns how many, 0 only at the end.
  /// Throws Error(bad_data) naming the file and the byte offset in it (of the compressed bytes)
  /// for a gzip stream cut short, corrupt, failing its CRC-32 or length check, or followed by
  /// trailing garbage; Error(io) naming the file when reading fails.
  std::size_t read(char* out, std::size_t size);

  const std::string& path() const;

 private:
  struct Impl;
  explicit InputFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cobuy
