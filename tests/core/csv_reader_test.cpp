#include "core/csv_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "core/error.h"

namespace cobuy {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows read_all(CsvReader& r, std::vector<std::string>* errors = nullptr, std::vector<std::size_t>* lines = nullptr) {
  Rows rows;
  std::vector<std::string_view> f;
  while (r.next(f)) {
    rows.emplace_back(f.begin(), f.end());
    if (errors) errors->push_back(r.error());
    if (lines) lines->push_back(r.line());
  }
  return rows;
}

Rows parse(std::string text) {
  auto r = CsvReader::from_string(std::move(text));
  return read_all(r);
}

TEST(CsvReader, PlainRecords) {
  EXPECT_EQ(parse("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(parse("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}})) << "no newline at the end";
  EXPECT_EQ(parse("a,,c\n"), (Rows{{"a", "", "c"}}));
  EXPECT_EQ(parse("a,\n"), (Rows{{"a", ""}}));
}

TEST(CsvReader, QuotedFieldsWithCommasQuotesAndNewlines) {
  EXPECT_EQ(parse("\"a,b\",c\n"), (Rows{{"a,b", "c"}}));
  EXPECT_EQ(parse("\"say \"\"hi\"\"\",x\n"), (Rows{{"say \"hi\"", "x"}}));
  EXPECT_EQ(parse("\"line1\nline2\",x\nnext,y\n"), (Rows{{"line1\nline2", "x"}, {"next", "y"}}));
  EXPECT_EQ(parse("\"\",x\n"), (Rows{{"", "x"}}));
}

TEST(CsvReader, CrlfAndBom) {
  EXPECT_EQ(parse("\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,c\r\n"),
            (Rows{{"id", "name"}, {"1", "a\r\nb"}, {"2", "c"}}));
}

TEST(CsvReader, BlankLinesAreSkippedAndLinesAreCounted) {
  auto r = CsvReader::from_string("h\n\n\"a\nb\"\n\r\nc\n");
  std::vector<std::size_t> lines;
  auto rows = read_all(r, nullptr, &lines);
  EXPECT_EQ(rows, (Rows{{"h"}, {"a\nb"}, {"c"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 3, 6}));
}

TEST(CsvReader, ShortRowsComeBackAsTheyAre) {
  EXPECT_EQ(parse("a,b,c\n1,2\n"), (Rows{{"a", "b", "c"}, {"1", "2"}}));
}

TEST(CsvReader, MalformedRecordsAreFlaggedAndReadingContinues) {
  auto r = CsvReader::from_string("\"ok\",1\n\"bad\"x,2\nnext,3\n");
  std::vector<std::string> errors;
  auto rows = read_all(r, &errors);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "text after a closing quote");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"next", "3"}));
  EXPECT_EQ(errors[2], "");

  auto u = CsvReader::from_string("a,\"never closed\n");
  std::vector<std::string> uerr;
  read_all(u, &uerr);
  ASSERT_EQ(uerr.size(), 1u);
  EXPECT_EQ(uerr[0], "unterminated quoted field");
}

TEST(CsvReader, ReadsGzipAndPlainFiles) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto gz = (dir / "cobuy-csv-test.csv.gz").string();
  const std::string text = "a,b\n\"x,1\",2\n";
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  auto r = CsvReader::open_file(gz);
  EXPECT_EQ(read_all(r), (Rows{{"a", "b"}, {"x,1", "2"}}));
  EXPECT_EQ(r.bytes_read(), text.size());
  std::filesystem::remove(gz);

  EXPECT_THROW(CsvReader::open_file((dir / "cobuy-no-such-file.csv").string()), Error);
}

TEST(CsvReader, LongFieldsAcrossBufferBoundaries) {
  std::string big(3 << 20, 'x');
  auto rows = parse("a,\"" + big + "\"\n" + big + ",b\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1].size(), big.size());
  EXPECT_EQ(rows[1][0].size(), big.size());
  EXPECT_EQ(rows[1][1], "b");
}

}  // namespace
}  // namespace cobuy
