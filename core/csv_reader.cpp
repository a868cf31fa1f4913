#include "core/csv_reader.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>

#include "core/error.h"
#include "core/input_file.h"
#include "core/log.h"
#include "core/text_fields.h"

namespace cobuy {
namespace {

using text_fields::join;
using text_fields::trim;

constexpr std::size_t kChunk = std::size_t{1} << 20;  // bytes asked of the file per read
constexpr std::size_t kNoNul = static_cast<std::size_t>(-1);
// A quoted field this long is taken for an unclosed quote, so one stray quote cannot pull the
// rest of a large file into memory as one field.
constexpr std::size_t kMaxQuotedField = std::size_t{64} << 20;

const char* find(const char* from, const char* to, char c) {
  return static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(to - from)));
}

bool iequals(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

// Records are parsed in place: fields are views into `buf`. A record cut by the end of the
// buffer is parsed again from its start after a refill (which moves it to the front), so the
// buffer is only modified once a record is complete (unescaping doubled quotes in place, which
// never makes a field longer). NUL bytes are found once per read, not once per record.
struct CsvReader::Impl {
  enum class Status { record, blank, need_more };

  std::string name;
  char delim = ',';  // kAutoDelimiter until the first line is seen
  std::optional<InputFile> file;  // none for from_string
  std::string buf;  // [begin, end) is read but not yet consumed
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t base = 0;  // offset in the input of buf[0]
  bool eof = false;      // nothing more will come from the source
  bool started = false;  // the BOM check is done
  std::size_t line = 1;  // physical line at `begin`
  std::size_t record_line = 0;
  std::string error;
  std::vector<std::size_t> quoted_with_doubles;  // field indexes to unescape
  std::size_t nul = kNoNul;  // offset in the input of the first NUL byte in [begin, end), if any

  /// Moves unconsumed bytes to the front, grows the buffer if it is full, and reads more.
  /// Returns false (and sets eof) when the source has nothing more.
  bool refill() {
    if (eof) return false;
    if (begin > 0) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      base += begin;
      end -= begin;
      begin = 0;
    }
    if (end == buf.size()) buf.resize(std::max(kChunk, buf.size() * 2));
    const std::size_t n = file->read(buf.data() + end, std::min<std::size_t>(buf.size() - end, INT_MAX / 2));
    const std::size_t old_end = end;
    end += n;
    if (nul == kNoNul) find_nul(old_end);
    if (n == 0) eof = true;
    return n > 0;
  }

  /// Sets `nul` to the first NUL byte read at or after buf[from].
  void find_nul(std::size_t from) {
    const char* p = find(buf.data() + from, buf.data() + end, '\0');
    nul = p ? base + static_cast<std::size_t>(p - buf.data()) : kNoNul;
  }

  /// Flags the record just consumed when it holds a NUL byte (ids and titles must not), and finds
  /// the next one. Before unescaping: the views still cover the record's bytes as read.
  void check_nul(const std::vector<std::string_view>& fields) {
    if (nul == kNoNul || nul >= base + begin) return;
    const char* const at = buf.data() + (nul - base);
    if (error.empty()) {
      error = "NUL byte in the record";
      for (std::size_t k = 0; k < fields.size(); ++k) {
        if (at >= fields[k].data() && at < fields[k].data() + fields[k].size()) {
          error = "NUL byte in field " + std::to_string(k + 1);
          break;
        }
      }
    }
    find_nul(begin);
  }

  /// Parses the record at `begin` into `fields`; on success consumes it and counts its lines.
  Status parse(std::vector<std::string_view>& fields) {
    fields.clear();
    quoted_with_doubles.clear();
    error.clear();
    const char* const start = buf.data() + begin;
    const char* const stop = buf.data() + end;
    const char* nl = find(start, stop, '\n');
    if (!nl && !eof) return Status::need_more;
    const char* line_end = nl ? nl : stop;
    if (!find(start, line_end, '"')) return parse_plain(fields, start, line_end, nl != nullptr);
    return parse_quoted(fields, start, stop);
  }

  /// The fast path: one physical line without quotes, split at delimiters.
  Status parse_plain(std::vector<std::string_view>& fields, const char* p, const char* line_end, bool has_nl) {
    const char* content_end = line_end;
    if (content_end > p && content_end[-1] == '\r') --content_end;
    consume(line_end + (has_nl ? 1 : 0), has_nl ? 1 : 0);
    if (content_end == p) return Status::blank;
    for (;;) {
      const char* comma = find(p, content_end, delim);
      if (!comma) break;
      fields.emplace_back(p, static_cast<std::size_t>(comma - p));
      p = comma + 1;
    }
    fields.emplace_back(p, static_cast<std::size_t>(content_end - p));
    return Status::record;
  }

  /// The general path: quoted fields, which may hold delimiters, doubled quotes and line breaks.
  Status parse_quoted(std::vector<std::string_view>& fields, const char* p, const char* const stop) {
    std::size_t lines = 0;
    for (;;) {
      if (p < stop && *p == '"') {
        const char* content = ++p;
        const std::size_t lines_before = lines;
        bool doubles = false;
        const char* close = nullptr;
        while (!close) {
          const char* q = find(p, stop, '"');
          if (!q || (q + 1 == stop && !eof)) {
            if (static_cast<std::size_t>(stop - content) > kMaxQuotedField) {
              error = "quoted field over 64 MiB (an unclosed quote?)";
              return unclosed(fields, content, stop, lines_before);
            }
            // The input ends inside the field: it was cut short, or a quote never closes. Either
            // way the last record is lost, and the rest of the file is in doubt.
            COBUY_CHECK(!eof, ErrorCode::bad_data,
                        name << ":" << line + lines_before
                             << ": unterminated quoted field at the end of the input (is the file cut short?)");
            return Status::need_more;  // cannot yet tell where the field ends
          }
          lines += static_cast<std::size_t>(std::count(p, q, '\n'));
          if (q + 1 < stop && q[1] == '"') {
            doubles = true;
            p = q + 2;
          } else {
            close = q;
          }
        }
        fields.emplace_back(content, static_cast<std::size_t>(close - content));
        if (doubles) quoted_with_doubles.push_back(fields.size() - 1);
        p = close + 1;
        if (p == stop) return finish(p, lines);  // eof here, or need_more was returned above
        if (*p == delim) {
          ++p;
          continue;
        }
        if (*p == '\n') return finish(p + 1, lines + 1);
        if (*p == '\r') {
          if (p + 1 == stop && !eof) return Status::need_more;
          if (p + 1 == stop) return finish(p + 1, lines);
          if (p[1] == '\n') return finish(p + 2, lines + 1);
        }
        // Resynchronise at the next line break.
        const char* nl = find(p, stop, '\n');
        if (!nl && !eof) return Status::need_more;
        error = "text after a closing quote";
        return nl ? finish(nl + 1, lines + 1) : finish(stop, lines);
      }
      // An unquoted field (a quote inside it is kept as data, as most readers do).
      const char* field = p;
      while (p < stop && *p != delim && *p != '\n') ++p;
      if (p == stop && !eof) return Status::need_more;
      if (p < stop && *p == delim) {
        fields.emplace_back(field, static_cast<std::size_t>(p - field));
        ++p;
        continue;
      }
      const char* field_end = p;
      if (field_end > field && field_end[-1] == '\r') --field_end;
      fields.emplace_back(field, static_cast<std::size_t>(field_end - field));
      return p < stop ? finish(p + 1, lines + 1) : finish(p, lines);
    }
  }

  /// Ends the record at the end of the line where an unclosed quote opened, so that reading goes
  /// on with the next line rather than swallowing the rest of the input.
  Status unclosed(std::vector<std::string_view>& fields, const char* content, const char* stop, std::size_t lines) {
    const char* nl = find(content, stop, '\n');
    const char* field_end = nl ? nl : stop;
    if (field_end > content && field_end[-1] == '\r') --field_end;
    fields.emplace_back(content, static_cast<std::size_t>(field_end - content));
    quoted_with_doubles.push_back(fields.size() - 1);  // quotes before the line end come in pairs
    return nl ? finish(nl + 1, lines + 1) : finish(stop, lines);
  }

  Status finish(const char* next, std::size_t lines) {
    consume(next, lines);
    return Status::record;
  }

  void consume(const char* next, std::size_t lines) {
    record_line = line;
    line += lines;
    begin = static_cast<std::size_t>(next - buf.data());
  }

  /// Turns `""` into `"` inside the quoted fields that hold them, in place.
  void unescape(std::vector<std::string_view>& fields) {
    for (std::size_t k : quoted_with_doubles) {
      char* const out_start = buf.data() + (fields[k].data() - buf.data());
      const char* in = out_start;
      const char* const in_end = in + fields[k].size();
      char* out = out_start;
      while (in < in_end) {
        const char c = *in++;
        *out++ = c;
        if (c == '"') ++in;  // the second quote of a pair
      }
      fields[k] = std::string_view(out_start, static_cast<std::size_t>(out - out_start));
    }
  }

  void skip_bom() {
    started = true;
    while (end - begin < 3 && refill()) {
    }
    if (end - begin >= 3 && std::memcmp(buf.data() + begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;
    if (delim != kAutoDelimiter) return;
    // The first line decides; a header line is short, but stop growing the buffer past a few MiB.
    while (!find(buf.data() + begin, buf.data() + end, '\n') && end - begin < 4 * kChunk && refill()) {
    }
    const char* nl = find(buf.data() + begin, buf.data() + end, '\n');
    delim = detect_delimiter(std::string_view(buf.data() + begin, (nl ? nl : buf.data() + end) - (buf.data() + begin)));
  }
};

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

CsvReader CsvReader::open_file(const std::string& path, char delimiter) {
  auto impl = std::make_unique<Impl>();
  impl->name = path;
  impl->delim = delimiter;
  impl->file.emplace(InputFile::open(path));
  return CsvReader(std::move(impl));
}

CsvReader CsvReader::from_string(std::string data, std::string name, char delimiter) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->delim = delimiter;
  impl->buf = std::move(data);
  impl->end = impl->buf.size();
  impl->eof = true;
  impl->find_nul(0);
  return CsvReader(std::move(impl));
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  Impl& s = *impl_;
  if (!s.started) s.skip_bom();
  for (;;) {
    if (s.begin == s.end && !s.refill()) {
      fields.clear();
      s.error.clear();
      return false;
    }
    switch (s.parse(fields)) {
      case Impl::Status::record:
        s.check_nul(fields);
        s.unescape(fields);
        return true;
      case Impl::Status::blank:
        break;
      case Impl::Status::need_more:
        s.refill();
        break;
    }
  }
}

const std::string& CsvReader::error() const { return impl_->error; }
std::size_t CsvReader::line() const { return impl_->record_line; }
const std::string& CsvReader::name() const { return impl_->name; }
std::size_t CsvReader::bytes_read() const { return impl_->base + impl_->begin; }
char CsvReader::delimiter() const { return impl_->delim; }

char parse_delimiter(std::string_view name) {
  if (name == "auto") return kAutoDelimiter;
  if (name == "," || name == "comma") return ',';
  if (name == ";" || name == "semicolon") return ';';
  if (name == "\t" || name == "\\t" || name == "tab") return '\t';
  if (name == "|" || name == "pipe") return '|';
  COBUY_FAIL(ErrorCode::bad_request,
             "unknown delimiter '" << name << "' (expected auto, ',' or comma, ';' or semicolon, tab, '|' or pipe)");
}

std::string delimiter_name(char delimiter) {
  if (delimiter == '\t') return "tab";
  if (delimiter == kAutoDelimiter) return "auto";
  return std::string("'") + delimiter + "'";
}

char detect_delimiter(std::string_view line) {
  constexpr char kCandidates[] = {',', ';', '\t', '|'};
  std::size_t counts[4] = {};
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') quoted = !quoted;  // a doubled quote flips twice
    if (quoted) continue;
    for (std::size_t k = 0; k < 4; ++k) counts[k] += c == kCandidates[k] ? 1 : 0;
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < 4; ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return kCandidates[best];
}

std::vector<std::string> read_header(CsvReader& reader) {
  std::vector<std::string_view> f;
  COBUY_CHECK(reader.next(f), ErrorCode::bad_data, reader.name() << ": the file is empty (no header row)");
  COBUY_CHECK(reader.error().empty(), ErrorCode::bad_data,
              reader.name() << ":" << reader.line() << ": bad header: " << reader.error());
  return {f.begin(), f.end()};
}

std::size_t find_column(const std::vector<std::string>& header, std::string_view name) {
  std::size_t loose = kNoColumn;
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (trim(header[k]) == name) return k;
    if (loose == kNoColumn && iequals(trim(header[k]), name)) loose = k;
  }
  return loose;
}

void read_table(const std::string& path, const std::vector<std::string>& columns, std::size_t required,
                const std::function<void(const std::vector<std::string_view>& values)>& row, char delimiter) {
  auto reader = CsvReader::open_file(path, delimiter);
  const auto header = read_header(reader);
  std::vector<std::size_t> col(columns.size());
  for (std::size_t k = 0; k < columns.size(); ++k) {
    col[k] = find_column(header, columns[k]);
    COBUY_CHECK(col[k] != kNoColumn || k >= required, ErrorCode::bad_data,
                path << ": no column '" << columns[k] << "' (columns: " << join(header) << ")");
  }
  std::vector<std::string_view> f, values(columns.size());
  std::size_t skipped = 0, first_skipped = 0;
  while (reader.next(f)) {
    if (!reader.error().empty() || f.size() != header.size()) {
      if (skipped++ == 0) first_skipped = reader.line();
      continue;
    }
    for (std::size_t k = 0; k < col.size(); ++k) values[k] = col[k] == kNoColumn ? std::string_view{} : trim(f[col[k]]);
    row(values);
  }
  if (skipped > 0)
    log::warn("malformed rows skipped", {{"file", path}, {"rows", skipped}, {"first_line", first_skipped}});
}

}  // namespace cobuy
