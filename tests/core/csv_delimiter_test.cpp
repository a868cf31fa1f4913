// Delimiters other than ',' (shops' exports: ';' where the comma is the decimal mark, tab, '|'),
// given or detected from the header line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/csv_reader.h"
#include "core/error.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;
using Fields = std::vector<std::vector<std::string>>;

Fields read(std::string text, char delimiter, char* found = nullptr) {
  auto reader = CsvReader::from_string(std::move(text), "d.csv", delimiter);
  Fields out;
  std::vector<std::string_view> f;
  while (reader.next(f)) {
    EXPECT_EQ(reader.error(), "") << "line " << reader.line();
    out.emplace_back(f.begin(), f.end());
  }
  if (found) *found = reader.delimiter();
  return out;
}

TEST(CsvDelimiter, DetectedFromTheHeaderLine) {
  EXPECT_EQ(detect_delimiter("order_id,item_id,price"), ',');
  EXPECT_EQ(detect_delimiter("order_id;item_id;price"), ';');
  EXPECT_EQ(detect_delimiter("order_id\titem_id\tprice"), '\t');
  EXPECT_EQ(detect_delimiter("order_id|item_id|price"), '|');
  EXPECT_EQ(detect_delimiter("\"id,a\";\"b,c\";d"), ';') << "delimiters inside quotes do not count";
  EXPECT_EQ(detect_delimiter("\"say \"\"a,b\"\"\";x"), ';') << "nor inside doubled quotes";
  EXPECT_EQ(detect_delimiter("a;b,c"), ',') << "a tie goes to the comma";
  EXPECT_EQ(detect_delimiter("item_id"), ',') << "one column";
  EXPECT_EQ(detect_delimiter(""), ',');
}

TEST(CsvDelimiter, SemicolonFileReadWithDetectionAndWhenGiven) {
  const std::string text = "\xEF\xBB\xBForder_id;title;price\r\n1;\"Bee; large\";2,95\r\n2;Cup, blue;3\r\n";
  const Fields want = {{"order_id", "title", "price"}, {"1", "Bee; large", "2,95"}, {"2", "Cup, blue", "3"}};
  char found = 0;
  EXPECT_EQ(read(text, kAutoDelimiter, &found), want) << "a quoted field holds the delimiter, a comma is data";
  EXPECT_EQ(found, ';');
  EXPECT_EQ(read(text, ';', &found), want);
  EXPECT_EQ(found, ';');
  EXPECT_EQ(read(text, ',').front(), (std::vector<std::string>{"order_id;title;price"}))
      << "an explicit comma is not second-guessed";
}

TEST(CsvDelimiter, TabAndPipeFiles) {
  const Fields want = {{"a", "b c", "d,e"}, {"1", "x\ty", ""}};
  char found = 0;
  EXPECT_EQ(read("a\tb c\td,e\n1\t\"x\ty\"\t\n", kAutoDelimiter, &found), want);
  EXPECT_EQ(found, '\t');
  EXPECT_EQ(read("a\tb c\td,e\n1\t\"x\ty\"\t\n", '\t'), want);
  EXPECT_EQ(read("a|b c|d,e\n1|\"x\ty\"|\n", kAutoDelimiter, &found), want);
  EXPECT_EQ(found, '|');
}

TEST(CsvDelimiter, DetectionLooksAtTheFirstLineOnly) {
  char found = 0;
  EXPECT_EQ(read("a,b\n1;2,3\n", kAutoDelimiter, &found), (Fields{{"a", "b"}, {"1;2", "3"}}));
  EXPECT_EQ(found, ',');
  EXPECT_EQ(read("", kAutoDelimiter, &found), Fields{});
  EXPECT_EQ(found, ',') << "an empty input reads as comma-separated";
}

TEST(CsvDelimiter, Names) {
  EXPECT_EQ(parse_delimiter("auto"), kAutoDelimiter);
  EXPECT_EQ(parse_delimiter(","), ',');
  EXPECT_EQ(parse_delimiter("comma"), ',');
  EXPECT_EQ(parse_delimiter(";"), ';');
  EXPECT_EQ(parse_delimiter("semicolon"), ';');
  EXPECT_EQ(parse_delimiter("tab"), '\t');
  EXPECT_EQ(parse_delimiter("\\t"), '\t');
  EXPECT_EQ(parse_delimiter("\t"), '\t');
  EXPECT_EQ(parse_delimiter("|"), '|');
  EXPECT_EQ(parse_delimiter("pipe"), '|');
  EXPECT_EQ(delimiter_name('\t'), "tab");
  EXPECT_EQ(delimiter_name(';'), "';'");
  for (const char* bad : {"xx", "", ":", "\"", "auto,"}) {
    try {
      parse_delimiter(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      EXPECT_NE(std::string(e.what()).find("unknown delimiter '" + std::string(bad) + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST(CsvDelimiter, ReadTableDetectsIt) {
  const auto dir = fs::temp_directory_path() / ("cobuy-csv-delimiter-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto path = (dir / "products.csv").string();
  std::ofstream(path) << "product_id;product_name\n1;\"Tea; green\"\n2;Cake\n";
  Fields rows;
  read_table(path, {"product_name", "product_id"}, 2,
             [&](const std::vector<std::string_view>& v) { rows.emplace_back(v.begin(), v.end()); });
  EXPECT_EQ(rows, (Fields{{"Tea; green", "1"}, {"Cake", "2"}}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
