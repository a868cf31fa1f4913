#include "core/csv_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

struct Record {
  std::vector<std::string> fields;
  std::size_t line = 0;
  std::string error;
  bool operator==(const Record&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Record& r) {
  os << "line " << r.line << " [";
  for (const auto& f : r.fields) os << '<' << f << '>';
  return os << "] " << r.error;
}

constexpr const char* kThrown = "thrown: ";
constexpr const char* kCutShort = ": unterminated quoted field at the end of the input (is the file cut short?)";

/// The records, and last, when reading throws, a record of no fields with the message (without
/// the input's name) after kThrown.
std::vector<Record> read_all(CsvReader& reader) {
  std::vector<Record> out;
  std::vector<std::string_view> f;
  try {
    while (reader.next(f)) out.push_back({{f.begin(), f.end()}, reader.line(), reader.error()});
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    std::string message = e.what();
    EXPECT_EQ(message.rfind(reader.name() + ":", 0), 0u) << message;
    out.push_back({{}, 0, kThrown + message.substr(reader.name().size())});
  }
  return out;
}

std::vector<Record> parse(std::string text) {
  auto reader = CsvReader::from_string(std::move(text));
  return read_all(reader);
}

using Fields = std::vector<std::vector<std::string>>;
Fields fields_of(const std::vector<Record>& records) {
  Fields out;
  for (const auto& r : records) out.push_back(r.fields);
  return out;
}

/// A plain character-by-character RFC 4180 reader with the same conventions (blank lines skipped,
/// a malformed record resumes at the next line, a NUL byte flags its record, the input ending
/// inside a quoted field throws): the reference for the buffered reader.
std::vector<Record> reference_parse(const std::string& s) {
  std::vector<Record> out;
  std::size_t i = 0, line = 1;
  const std::size_t n = s.size();
  if (s.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  while (i < n) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] == '\n'))) {  // a blank line
      i += s[i] == '\r' && i + 1 < n ? 2 : 1;
      if (i <= n && s[i - 1] == '\n') ++line;
      continue;
    }
    Record r;
    r.line = line;
    for (;;) {
      std::string field;
      if (s[i] == '"') {
        ++i;
        const std::size_t open_line = line;
        bool closed = false;
        while (i < n) {
          if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
            field += '"';
            i += 2;
          } else if (s[i] == '"') {
            ++i;
            closed = true;
            break;
          } else {
            if (s[i] == '\n') ++line;
            field += s[i++];
          }
        }
        if (!closed) {
          out.push_back({{}, 0, kThrown + (":" + std::to_string(open_line)) + kCutShort});
          return out;
        }
        r.fields.push_back(field);
        if (i == n) break;
        if (s[i] == ',') {
          ++i;
          if (i == n) {
            r.fields.emplace_back();
            break;
          }
          continue;
        }
        if (s[i] == '\n') {
          ++i;
          ++line;
          break;
        }
        if (s[i] == '\r' && i + 1 == n) {
          ++i;
          break;
        }
        if (s[i] == '\r' && s[i + 1] == '\n') {
          i += 2;
          ++line;
          break;
        }
        r.error = "text after a closing quote";
        while (i < n && s[i] != '\n') ++i;
        if (i < n) {
          ++i;
          ++line;
        }
        break;
      }
      while (i < n && s[i] != ',' && s[i] != '\n') field += s[i++];
      if (i < n && s[i] == ',') {
        r.fields.push_back(field);
        ++i;
        if (i == n) {
          r.fields.emplace_back();
          break;
        }
        continue;
      }
      if (!field.empty() && field.back() == '\r') field.pop_back();
      r.fields.push_back(field);
      if (i < n) {
        ++i;
        ++line;
      }
      break;
    }
    for (std::size_t k = 0; k < r.fields.size() && r.error.empty(); ++k) {
      if (r.fields[k].find('\0') != std::string::npos) r.error = "NUL byte in field " + std::to_string(k + 1);
    }
    out.push_back(r);
  }
  return out;
}

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-csv-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write_plain(const std::string& name, const std::string& text) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string write_gzip(const std::string& name, const std::string& text) {
    const auto p = (dir_ / name).string();
    gzFile f = gzopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    gzclose(f);
    return p;
  }
  fs::path dir_;
};

TEST(CsvReader, PlainRecordsAndLastLineWithoutNewline) {
  EXPECT_EQ(fields_of(parse("a,b,c\n1,2,3\n")), (Fields{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(fields_of(parse("a,b\n1,2")), (Fields{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(fields_of(parse("a,,c\n,\n")), (Fields{{"a", "", "c"}, {"", ""}}));
  EXPECT_EQ(fields_of(parse("a,")), (Fields{{"a", ""}}));
  EXPECT_TRUE(parse("").empty());
}

TEST(CsvReader, QuotedFieldsWithCommasDoubledQuotesAndNewlines) {
  EXPECT_EQ(fields_of(parse("\"a,b\",c\n")), (Fields{{"a,b", "c"}}));
  EXPECT_EQ(fields_of(parse("\"say \"\"hi\"\"\",x\n")), (Fields{{"say \"hi\"", "x"}}));
  EXPECT_EQ(fields_of(parse("\"\"\"\"\n")), (Fields{{"\""}}));
  EXPECT_EQ(fields_of(parse("\"\",x\n")), (Fields{{"", "x"}}));
  EXPECT_EQ(fields_of(parse("\"line1\nline2\",x\nnext,y\n")), (Fields{{"line1\nline2", "x"}, {"next", "y"}}));
  EXPECT_EQ(fields_of(parse("1,\"a\r\nb\",2\r\n")), (Fields{{"1", "a\r\nb", "2"}}));
  EXPECT_EQ(fields_of(parse("x,\"q\"")), (Fields{{"x", "q"}})) << "a closing quote at the end of input";
  EXPECT_EQ(fields_of(parse("a,b\"c,d\n")), (Fields{{"a", "b\"c", "d"}})) << "a quote inside a bare field is data";
}

TEST(CsvReader, CrlfLineEndsAndBom) {
  EXPECT_EQ(fields_of(parse("\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,c\r\n")),
            (Fields{{"id", "name"}, {"1", "a\r\nb"}, {"2", "c"}}));
  EXPECT_EQ(fields_of(parse("a,b\r\n1,2\r")), (Fields{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(fields_of(parse("\xEF\xBB\xBF")), Fields{});
  EXPECT_EQ(fields_of(parse("x\xEF\xBB\xBF\n")), (Fields{{"x\xEF\xBB\xBF"}})) << "a BOM is only skipped at the start";
}

TEST(CsvReader, EmptyLinesAreSkippedAndLinesCounted) {
  auto reader = CsvReader::from_string("h\n\n\"a\nb\"\n\r\nc\n\n");
  const auto records = read_all(reader);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(fields_of(records), (Fields{{"h"}, {"a\nb"}, {"c"}}));
  EXPECT_EQ(records[0].line, 1u);
  EXPECT_EQ(records[1].line, 3u);
  EXPECT_EQ(records[2].line, 6u);
}

TEST(CsvReader, ShortRowsComeBackAsTheyAre) {
  EXPECT_EQ(fields_of(parse("a,b,c\n1,2\n3\n")), (Fields{{"a", "b", "c"}, {"1", "2"}, {"3"}}));
}

TEST(CsvReader, MalformedRecordsAreFlaggedAndReadingContinues) {
  const auto records = parse("\"ok\",1\n\"bad\"x,2\nnext,3\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].error, "");
  EXPECT_EQ(records[1].error, "text after a closing quote");
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_EQ(records[2], (Record{{"next", "3"}, 3, ""}));
}

// A file cut inside a quoted field (or a quote that never closes) loses its last record and
// leaves the rest in doubt: an error naming the input and the line where the field began, never a
// record dropped or merged with the lines after it.
TEST(CsvReader, InputEndingInsideAQuotedFieldThrowsNamingTheLine) {
  const auto expect_throw = [](const std::string& text, const std::string& message, std::size_t records) {
    auto reader = CsvReader::from_string(text, "cut.csv");
    std::vector<std::string_view> f;
    std::size_t read = 0;
    try {
      while (reader.next(f)) ++read;
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data);
      EXPECT_EQ(std::string(e.what()), message);
    }
    EXPECT_EQ(read, records) << "records before the cut one are read";
  };
  expect_throw("h,t\n1,\"cut in the mid", std::string("cut.csv:2") + kCutShort, 1);
  expect_throw("h,t\n1,\"two\nlines, then \"\"cut", std::string("cut.csv:2") + kCutShort, 1);
  expect_throw("h,t\n1,\"a\"\n2,x,\"multi\r\nline\r\n", std::string("cut.csv:3") + kCutShort, 2);
  // The line of the field, not of the record.
  expect_throw("h,t\n1,\"a\nb\",\"c\nd", std::string("cut.csv:3") + kCutShort, 1);
  expect_throw("\"", std::string("cut.csv:1") + kCutShort, 0);
  // A stray quote, then no other quote to the end: as cut short (which it may be).
  expect_throw("h\nok,1\na,\"never \"\"x\"\" \r\nclosed,2\nlast,3", std::string("cut.csv:3") + kCutShort, 2);
}

// A NUL byte in a field would become part of an id or a title: the record is flagged, by field.
TEST(CsvReader, NulBytesFlagTheirRecord) {
  using namespace std::string_literals;
  const auto records = parse("a,b\nx\0y,z\n1,\"q\0\"\"\",w\nok,\0\n\"a\"\0,1\nlast,1\n\0\n"s);
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[0], (Record{{"a", "b"}, 1, ""}));
  EXPECT_EQ(records[1], (Record{{"x\0y"s, "z"}, 2, "NUL byte in field 1"}));
  EXPECT_EQ(records[2], (Record{{"1", "q\0\""s, "w"}, 3, "NUL byte in field 2"})) << "quoted and unescaped";
  EXPECT_EQ(records[3], (Record{{"ok", "\0"s}, 4, "NUL byte in field 2"}));
  EXPECT_EQ(records[4].error, "text after a closing quote") << "the first fault is the one reported";
  EXPECT_EQ(records[5], (Record{{"last", "1"}, 6, ""}));
  EXPECT_EQ(records[6], (Record{{"\0"s}, 7, "NUL byte in field 1"}));
  EXPECT_EQ(parse("h\n\0"s), (std::vector<Record>{{{"h"}, 1, ""}, {{"\0"s}, 2, "NUL byte in field 1"}}))
      << "at the very end, without a line break";
}

TEST(CsvReader, ErrorIsClearedOnTheNextRecord) {
  auto reader = CsvReader::from_string("\"a\"b\nc\n");
  std::vector<std::string_view> f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_FALSE(reader.error().empty());
  ASSERT_TRUE(reader.next(f));
  EXPECT_TRUE(reader.error().empty());
  EXPECT_FALSE(reader.next(f));
  EXPECT_TRUE(f.empty());
}

TEST(CsvReader, NameAndBytesRead) {
  auto reader = CsvReader::from_string("a,b\n1,2\n", "mem.csv");
  EXPECT_EQ(reader.name(), "mem.csv");
  std::vector<std::string_view> f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(reader.bytes_read(), 4u);
  while (reader.next(f)) {
  }
  EXPECT_EQ(reader.bytes_read(), 8u);
}

TEST(CsvReader, MatchesTheReferenceOnHandPickedCases) {
  using namespace std::string_literals;
  for (const std::string& text : {"a,b\n"s, "\"a\"\"\",\"\"\n"s, "\r\n\r\nx\r\n"s, "\"a\"x\ny\n"s, "\"open"s, "a,\"b\"\r"s,
                                 "\"a\"\r\"b\"\n"s, ",\n,,\n"s, "a\0,b\n"s, "\"\0\"\n"s, "ok\n\"x\ny\0"s}) {
    EXPECT_EQ(parse(text), reference_parse(text)) << text;
  }
}

TEST_F(CsvFileTest, ReadsGzipAndPlainFilesAlike) {
  const std::string text = "\xEF\xBB\xBFid,title\r\n1,\"Bee, \"\"large\"\"\"\r\n2,\"two\nlines\"\r\n3,last";
  const Fields expected = {{"id", "title"}, {"1", "Bee, \"large\""}, {"2", "two\nlines"}, {"3", "last"}};
  for (const auto& path : {write_plain("a.csv", text), write_gzip("a.csv.gz", text)}) {
    auto reader = CsvReader::open_file(path);
    EXPECT_EQ(reader.name(), path);
    EXPECT_EQ(fields_of(read_all(reader)), expected) << path;
    EXPECT_EQ(reader.bytes_read(), text.size()) << "uncompressed bytes";
  }
}

TEST_F(CsvFileTest, MissingFileThrowsNamingIt) {
  const auto path = (dir_ / "absent.csv").string();
  try {
    CsvReader::open_file(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(CsvReader, FindColumnPrefersExactNames) {
  const std::vector<std::string> header = {" Id ", "NAME", "name", "Qty"};
  EXPECT_EQ(find_column(header, "Id"), 0u) << "spaces around a header are ignored";
  EXPECT_EQ(find_column(header, "id"), 0u) << "case is ignored when nothing matches exactly";
  EXPECT_EQ(find_column(header, "name"), 2u) << "an exact match wins over an earlier loose one";
  EXPECT_EQ(find_column(header, "NAME"), 1u);
  EXPECT_EQ(find_column(header, "price"), kNoColumn);
}

TEST(CsvReader, ReadHeaderRejectsEmptyAndMalformedInput) {
  auto ok = CsvReader::from_string("a, b\n1,2\n");
  EXPECT_EQ(read_header(ok), (std::vector<std::string>{"a", " b"}));
  for (const char* text : {"", "\n\n", "\"a\"x,b\n"}) {
    auto reader = CsvReader::from_string(text, "h.csv");
    try {
      read_header(reader);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data);
      EXPECT_NE(std::string(e.what()).find("h.csv"), std::string::npos) << e.what();
    }
  }
}

TEST_F(CsvFileTest, ReadTableByColumnNames) {
  const auto path = write_plain("t.csv", "a,B,c\n1,2,3\n4,5\n\"bad\"x,1,1\n 7 ,8,9\n");
  std::vector<std::vector<std::string>> rows;
  read_table(path, {"b", "a", "zz"}, 2,
             [&](const std::vector<std::string_view>& v) { rows.emplace_back(v.begin(), v.end()); });
  EXPECT_EQ(rows, (Fields{{"2", "1", ""}, {"8", "7", ""}})) << "malformed rows are skipped";
  try {
    read_table(path, {"a", "zz"}, 2, [](const std::vector<std::string_view>&) {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_NE(std::string(e.what()).find("'zz'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

// Records cut by the end of the 1 MiB read buffer at every position of some tricky sequences:
// the first read ends at byte 1 << 20, so a padding record of the right length puts each byte of
// the sequence there.
TEST_F(CsvFileTest, RecordsCutAtTheBufferEnd) {
  using namespace std::string_literals;
  const std::vector<std::string> tricky = {"a,\"b\"\"c\",d\r\n", "\"x\"\r\n", "\"q\"\"\"\n", "\"multi\r\nline\",z\n",
                                           "\"bad\"tail,1\n",    "p,q\r\n",   "\r\n\r\n",    "\"unterminated",
                                           "n\0l,\"\0\"\n"s,     "\0\0\n"s};
  constexpr std::size_t kBoundary = std::size_t{1} << 20;
  int checked = 0;
  for (const auto& t : tricky) {
    for (std::size_t before = 0; before <= t.size() + 1; ++before) {
      std::string text = "pad," + std::string(kBoundary - before - 5, 'x') + "\n" + t;
      text += "end,1\n";
      ASSERT_EQ(text.find(t), kBoundary - before);
      auto reader = CsvReader::open_file(write_plain("cut.csv", text));
      const auto got = read_all(reader);
      const auto want = reference_parse(text);
      ASSERT_EQ(got, want) << "sequence " << t << " starting " << before << " bytes before the buffer end";
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

// A stray quote in a big file costs one row, not the rest of the file (nor memory for it).
TEST_F(CsvFileTest, StrayQuoteInABigFile) {
  std::string text = "h,v\n1,\"stray\n";
  text.reserve((std::size_t{65} << 20) + 64);
  while (text.size() < (std::size_t{65} << 20)) text += "x,y\n";
  text += "last,1\n";
  const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  auto reader = CsvReader::open_file(write_plain("stray.csv", text));
  std::vector<std::string_view> f;
  std::size_t records = 0, bad = 0;
  while (reader.next(f)) {
    ++records;
    if (!reader.error().empty()) {
      ++bad;
      EXPECT_EQ(reader.line(), 2u);
      EXPECT_EQ(reader.error(), "quoted field over 64 MiB (an unclosed quote?)");
      EXPECT_EQ(f.size(), 2u);
      EXPECT_EQ(f[1], "stray");
    }
  }
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(records, lines);
  EXPECT_TRUE(f.empty()) << "no record after the end";
  EXPECT_EQ(reader.line(), lines) << "the last record";
}

// Random well-formed and malformed CSV (seeded) against the reference, from memory, a plain file
// and a gzip file; fields longer than the buffer make it grow.
TEST_F(CsvFileTest, RandomDataMatchesTheReference) {
  std::mt19937 rng(20240601);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::string text;
  while (text.size() < (std::size_t{5} << 20)) {
    const int fields = 1 + pick(6);
    for (int f = 0; f < fields; ++f) {
      if (f > 0) text += ',';
      const int kind = pick(10);
      std::string value;
      const int len = pick(100) == 0 ? 2000 + pick(5000) : pick(12);
      for (int k = 0; k < len; ++k) value += "abc ,\"\n\r;x"[pick(kind < 5 ? 10 : 3)];
      if (pick(300) == 0) value.insert(static_cast<std::size_t>(pick(len + 1)), 1, '\0');
      if (kind < 5) {
        text += '"';
        for (char c : value) text += c == '"' ? std::string("\"\"") : std::string(1, c);
        if (pick(500) != 0) text += '"';  // else an unclosed quote
        if (pick(200) == 0) text += "junk";
      } else {
        text += value;
      }
    }
    text += pick(3) == 0 ? "\r\n" : "\n";
    if (pick(20) == 0) text += "\n";
  }
  text += "\"a\",\"big:" + std::string(3 << 20, 'y') + "\"\n" + std::string(3 << 20, 'z') + ",end";
  const auto want = reference_parse(text);
  ASSERT_GT(want.size(), 20000u);
  const auto flagged = std::count_if(want.begin(), want.end(), [](const Record& r) { return !r.error.empty(); });
  EXPECT_GT(flagged, 10) << "malformed records are part of the mix";
  EXPECT_GT(std::count_if(want.begin(), want.end(), [](const Record& r) { return r.error.rfind("NUL", 0) == 0; }), 10)
      << "and records with NUL bytes";
  EXPECT_EQ(parse(text), want);
  auto plain = CsvReader::open_file(write_plain("r.csv", text));
  EXPECT_EQ(read_all(plain), want);
  auto gz = CsvReader::open_file(write_gzip("r.csv.gz", text));
  EXPECT_EQ(read_all(gz), want);
  EXPECT_EQ(gz.bytes_read(), text.size());
}

// Any delimiter reads as ',' does: swapping ',' and ';' in a file (both occur in its values) and
// reading it with ';' gives the reference's records with the two swapped back.
TEST(CsvReader, SemicolonsReadAsCommasDo) {
  std::mt19937 rng(20240602);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::string text;
  while (text.size() < (std::size_t{1} << 18)) {
    for (int f = 0, fields = 1 + pick(6); f < fields; ++f) {
      if (f > 0) text += ',';
      const bool quoted = pick(2) == 0;
      std::string value;
      for (int k = 0, len = pick(12); k < len; ++k) value += quoted ? "abc ,\"\n\r;x"[pick(10)] : "ab ;,x"[pick(6)];
      if (!quoted) {
        text += value;
        continue;
      }
      text += '"';
      for (char c : value) text += c == '"' ? std::string("\"\"") : std::string(1, c);
      text += '"';
    }
    text += pick(3) == 0 ? "\r\n" : "\n";
  }
  const auto swap = [](std::string s) {
    for (char& c : s) c = c == ',' ? ';' : c == ';' ? ',' : c;
    return s;
  };
  auto want = reference_parse(text);
  ASSERT_GT(want.size(), 2000u);
  for (auto& r : want) {
    for (auto& f : r.fields) f = swap(f);
  }
  auto reader = CsvReader::from_string(swap(text), "swapped", ';');
  EXPECT_EQ(read_all(reader), want);
}

}  // namespace
}  // namespace cobuy
