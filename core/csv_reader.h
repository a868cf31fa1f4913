#pragma once
/// Streaming RFC 4180 CSV reader over plain or gzip files (detected by content, via zlib).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cobuy {

/// Reads records one at a time. Handles quoted fields with commas, doubled quotes and newlines,
/// CRLF or LF line ends, and a UTF-8 BOM at the start. Not thread-safe.
class CsvReader {
 public:
  /// Opens `path` (plain or gzip). Throws Error(io) naming the file if it cannot be opened.
  static CsvReader open_file(const std::string& path);
  /// Reads from an in-memory buffer; `name` is used in messages. For tests and small inputs.
  static CsvReader from_string(std::string data, std::string name = "<memory>");

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  /// Reads the next record into `fields` (views valid until the next call). Returns false at end
  /// of input. A malformed record (an unterminated quote, text after a closing quote) is still
  /// returned, with error() non-empty; reading continues at the next line.
  bool next(std::vector<std::string_view>& fields);
  /// Why the last record is malformed, or "" when it is fine.
  const std::string& error() const;
  /// 1-based physical line number where the last record started.
  std::size_t line() const;
  /// The file name given at open.
  const std::string& name() const;
  /// Uncompressed bytes consumed so far (for progress).
  std::size_t bytes_read() const;

 private:
  struct Impl;
  explicit CsvReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cobuy
