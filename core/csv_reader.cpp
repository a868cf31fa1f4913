#include "core/csv_reader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace cobuy {

struct CsvReader::Impl {
  std::string name;
  gzFile file = nullptr;
  std::string buffer;      // raw bytes read so far and not yet consumed
  std::size_t pos = 0;     // next unread byte in buffer
  bool eof = false;        // the source has no more bytes
  std::size_t consumed = 0;
  std::size_t line = 1;    // physical line of the next unread byte
  std::size_t record_line = 0;
  bool started = false;
  std::string record;      // unescaped bytes of the current record
  std::vector<std::size_t> ends;
  std::string error;

  ~Impl() {
    if (file) gzclose(file);
  }

  /// Makes at least one byte available; false at end of input.
  bool fill() {
    if (pos < buffer.size()) return true;
    if (eof || !file) {
      eof = true;
      return false;
    }
    buffer.resize(1 << 20);
    pos = 0;
    const int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int errnum = 0;
      const char* msg = gzerror(file, &errnum);
      COBUY_FAIL(ErrorCode::io, name << ": cannot read (" << (msg ? msg : "gzip error") << ")");
    }
    buffer.resize(static_cast<std::size_t>(n));
    if (n == 0) {
      eof = true;
      return false;
    }
    return true;
  }
  int peek() { return fill() ? static_cast<unsigned char>(buffer[pos]) : -1; }
  int get() {
    if (!fill()) return -1;
    ++consumed;
    const int c = static_cast<unsigned char>(buffer[pos++]);
    if (c == '\n') ++line;
    return c;
  }

  /// Skips to just past the end of the current physical line.
  void skip_line() {
    for (int c = get(); c != -1 && c != '\n'; c = get()) {
    }
  }

  /// Reads one quoted field's content (the opening quote already consumed) into `record`.
  /// Returns the character after the field (',', '\n' or -1).
  int quoted_field() {
    for (;;) {
      int c = get();
      if (c == -1) {
        error = "unterminated quoted field";
        return -1;
      }
      if (c == '"') {
        if (peek() == '"') {
          get();
          record += '"';
          continue;
        }
        c = get();
        if (c == '\r' && peek() == '\n') c = get();
        if (c == ',' || c == '\n' || c == -1) return c;
        error = "text after a closing quote";
        if (c != '\n') skip_line();
        return '\n';
      }
      record += static_cast<char>(c);
    }
  }

  /// Reads one unquoted field into `record`; returns the character after it.
  int plain_field() {
    for (;;) {
      // Copy runs of ordinary bytes straight from the buffer.
      if (!fill()) return -1;
      const char* start = buffer.data() + pos;
      const char* end = buffer.data() + buffer.size();
      const char* p = start;
      while (p != end && *p != ',' && *p != '\n' && *p != '\r') ++p;
      record.append(start, p);
      consumed += static_cast<std::size_t>(p - start);
      pos += static_cast<std::size_t>(p - start);
      if (p == end) continue;
      int c = get();
      if (c == '\r') {
        if (peek() == '\n') return get();
        record += '\r';  // a lone CR inside a field is data
        continue;
      }
      return c;
    }
  }
};

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

CsvReader CsvReader::open_file(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->name = path;
  impl->file = gzopen(path.c_str(), "rb");
  COBUY_CHECK(impl->file != nullptr, ErrorCode::io, "cannot open " << path << ": " << std::strerror(errno));
  gzbuffer(impl->file, 1 << 17);
  return CsvReader(std::move(impl));
}

CsvReader CsvReader::from_string(std::string data, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->buffer = std::move(data);
  impl->eof = true;
  return CsvReader(std::move(impl));
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  Impl& s = *impl_;
  fields.clear();
  if (!s.started) {
    s.started = true;
    if (s.peek() == 0xEF && s.fill() && s.buffer.compare(s.pos, 3, "\xEF\xBB\xBF") == 0) {
      s.pos += 3;
      s.consumed += 3;
    }
  }
  for (;;) {
    s.record.clear();
    s.ends.clear();
    s.error.clear();
    if (s.peek() == -1) return false;
    s.record_line = s.line;
    int c;
    do {
      if (s.peek() == '"') {
        s.get();
        c = s.quoted_field();
      } else {
        c = s.plain_field();
      }
      s.ends.push_back(s.record.size());
    } while (c == ',');
    // A blank line is not a record.
    if (s.ends.size() == 1 && s.ends[0] == 0 && s.error.empty()) continue;
    std::size_t start = 0;
    for (std::size_t end : s.ends) {
      fields.emplace_back(s.record.data() + start, end - start);
      start = end;
    }
    return true;
  }
}

const std::string& CsvReader::error() const { return impl_->error; }
std::size_t CsvReader::line() const { return impl_->record_line; }
const std::string& CsvReader::name() const { return impl_->name; }
std::size_t CsvReader::bytes_read() const { return impl_->consumed; }

}  // namespace cobuy
