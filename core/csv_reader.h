#pragma once
/// Streaming RFC 4180 CSV reader over plain or gzip files (detected by content, core/input_file.h).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cobuy {

/// A delimiter argument meaning "find it from the first line" (see detect_delimiter).
inline constexpr char kAutoDelimiter = '\0';

/// Parses a --delimiter value: "auto" (kAutoDelimiter), "," or "comma", ";" or "semicolon", "tab"
/// (or "\t", or a tab character) and "|" or "pipe". Throws Error(bad_request) otherwise.
char parse_delimiter(std::string_view name);
/// "','", "';'", "tab", "'|'": a delimiter for messages and logs.
std::string delimiter_name(char delimiter);

/// The delimiter of a file whose first line is `line`: whichever of ',', ';', tab and '|' occurs
/// most often outside double quotes (ties in that order); ',' when none occurs (one column).
char detect_delimiter(std::string_view line);

/// Reads records one at a time. Handles quoted fields with delimiters, doubled quotes and
/// newlines, CRLF or LF line ends, and a UTF-8 BOM at the start. Not thread-safe.
class CsvReader {
 public:
  /// Opens `path` (plain or gzip). Throws Error(io) naming the file if it cannot be opened; reading
  /// throws as InputFile::read does for a gzip file cut short, corrupt or with trailing garbage.
  /// `delimiter` is one of ',', ';', '\t', '|', or kAutoDelimiter to detect it from the first
  /// line (after a BOM) when the first record is read.
  static CsvReader open_file(const std::string& path, char delimiter = ',');
  /// Reads from an in-memory buffer; `name` is used in messages. For tests and small inputs.
  static CsvReader from_string(std::string data, std::string name = "<memory>", char delimiter = ',');

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  /// Reads the next record into `fields` (views valid until the next call). Returns false at end
  /// of input. A malformed record (text after a closing quote, a NUL byte in a field, a quoted
  /// field over 64 MiB) is still returned, with error() non-empty; reading continues at the next
  /// line. Input that ends inside a quoted field (cut short, or a quote that never closes) throws
  /// Error(bad_data) naming the input and the line where the field began.
  bool next(std::vector<std::string_view>& fields);
  /// Why the last record is malformed, or "" when it is fine.
  const std::string& error() const;
  /// 1-based physical line number where the last record started.
  std::size_t line() const;
  /// The file name given at open.
  const std::string& name() const;
  /// Uncompressed bytes consumed so far (for progress).
  std::size_t bytes_read() const;
  /// The field delimiter: as given, or once the first record is read, as detected.
  char delimiter() const;

 private:
  struct Impl;
  explicit CsvReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Reads the first record of `reader` as a header. Throws Error(bad_data) naming the input when it
/// is empty or the record is malformed.
std::vector<std::string> read_header(CsvReader& reader);

/// Returned by find_column when there is no such column.
inline constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

/// The index of the column named `name` in `header` (surrounding spaces and tabs ignored; an exact
/// match first, else one ignoring ASCII case), or kNoColumn.
std::size_t find_column(const std::vector<std::string>& header, std::string_view name);

/// Reads a small table by column names: calls `row(values)` for each well-formed record with the
/// values of `columns` (spaces trimmed, in that order; "" for an optional column the file lacks).
/// The first `required` columns must exist, else Error(bad_data) naming file and column. Malformed
/// records are skipped and counted in one warning. Throws Error(io) when the file is unreadable.
/// The delimiter is detected from the header line unless given.
void read_table(const std::string& path, const std::vector<std::string>& columns, std::size_t required,
                const std::function<void(const std::vector<std::string_view>& values)>& row,
                char delimiter = kAutoDelimiter);

}  // namespace cobuy
