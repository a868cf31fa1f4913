// Gzip files must be whole: cut short, corrupt or followed by garbage is an error naming the file
// and the byte offset; concatenated members read as one stream.
#include "core/input_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/csv_reader.h"
#include "core/error.h"
#include "support/slurp.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

using ::cobuy::test::slurp;

/// `text` as one gzip member.
std::string gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-input-file-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  /// Everything `path` reads as, in reads of odd sizes.
  static std::string read_all(const std::string& path) {
    auto file = InputFile::open(path);
    std::string out, chunk(70001, '\0');
    while (const std::size_t n = file.read(chunk.data(), chunk.size())) out.append(chunk.data(), n);
    EXPECT_EQ(file.read(chunk.data(), chunk.size()), 0u) << "the end stays the end";
    return out;
  }

  /// The Error reading `path` to the end throws (an internal "no error" when it throws none).
  static Error error_reading(const std::string& path) {
    try {
      read_all(path);
    } catch (const Error& e) {
      return e;
    }
    return Error(ErrorCode::internal, "no error");
  }

  /// The bundled Online Retail file, which is one gzip member.
  static const std::string& retail() {
    static const std::string bytes = slurp(fs::path(COBUY_BUNDLED_DATASETS) / "online_retail.csv.gz");
    return bytes;
  }

  fs::path dir_;
};

TEST_F(InputFileTest, PlainAndGzipFilesReadAlike) {
  const std::string text = "order_id,item_id\n1,a\n2,b\n";
  EXPECT_EQ(read_all(write("p.csv", text)), text);
  EXPECT_EQ(read_all(write("g.csv.gz", gzip(text))), text);
  EXPECT_EQ(read_all(write("empty.csv", "")), "");
  EXPECT_EQ(read_all(write("one.csv", "\x1f")), "\x1f") << "one byte cannot be a gzip header";
  EXPECT_EQ(read_all(write("empty.gz", gzip(""))), "");
  const std::string all = read_all((fs::path(COBUY_BUNDLED_DATASETS) / "online_retail.csv.gz").string());
  EXPECT_EQ(all.rfind("InvoiceNo,StockCode,", 0), 0u);
  EXPECT_GT(all.size(), retail().size() * 4);
}

TEST_F(InputFileTest, TruncatedGzipFailsAtTheByteWhereTheFileEnds) {
  const std::string& gz = retail();
  for (const std::size_t cut : {std::size_t{2}, std::size_t{9}, std::size_t{10}, std::size_t{4096},
                                gz.size() / 2, gz.size() - 8, gz.size() - 4, gz.size() - 1}) {
    const auto path = write("cut.csv.gz", gz.substr(0, cut));
    const Error e = error_reading(path);
    EXPECT_EQ(e.code(), ErrorCode::bad_data) << cut << ": " << e.what();
    EXPECT_EQ(std::string(e.what()), path + ": truncated gzip stream: the file ends at byte " + std::to_string(cut) +
                                         " inside the compressed data (the file is cut short)");
  }
}

TEST_F(InputFileTest, BadCrcAndLengthFailNamingTheTrailer) {
  std::string gz = gzip("order_id,item_id\n1,a\n2,b\n");
  const std::size_t crc = gz.size() - 8, length = gz.size() - 4;
  std::string bad_crc = gz, bad_length = gz;
  bad_crc[crc] = static_cast<char>(bad_crc[crc] ^ 0x01);
  bad_length[length] = static_cast<char>(bad_length[length] ^ 0x01);
  const auto crc_path = write("crc.csv.gz", bad_crc), length_path = write("len.csv.gz", bad_length);
  const Error e1 = error_reading(crc_path), e2 = error_reading(length_path);
  EXPECT_EQ(e1.code(), ErrorCode::bad_data);
  EXPECT_EQ(std::string(e1.what()), crc_path + ": gzip CRC-32 mismatch: the member's trailer at byte " +
                                        std::to_string(crc) + " does not match its data (the file is corrupt)");
  EXPECT_EQ(e2.code(), ErrorCode::bad_data);
  EXPECT_EQ(std::string(e2.what()), length_path + ": gzip length mismatch: the member's trailer at byte " +
                                        std::to_string(length) + " does not match its data (the file is corrupt)");

  // A flipped bit inside the compressed data of the real file: an error with an offset, whatever
  // zlib finds first (a bad code, or the CRC at the end).
  std::string real = retail();
  real[real.size() / 3] = static_cast<char>(real[real.size() / 3] ^ 0x10);
  const auto real_path = write("flipped.csv.gz", real);
  const Error e3 = error_reading(real_path);
  EXPECT_EQ(e3.code(), ErrorCode::bad_data);
  EXPECT_TRUE(std::regex_search(e3.what(), std::regex("^" + real_path + ": .*gzip.* at byte [0-9]+"))) << e3.what();
}

TEST_F(InputFileTest, TrailingGarbageFailsAtItsFirstByte) {
  const std::string gz = gzip("order_id,item_id\n1,a\n");
  for (const std::string& tail : {std::string("garbage\n"), std::string(1, '\x1f'), std::string(512, '\0'),
                                 std::string("\x1f\x8c rest")}) {
    const auto path = write("tail.csv.gz", gz + tail);
    const Error e = error_reading(path);
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_EQ(std::string(e.what()), path + ": trailing garbage after the gzip stream at byte " +
                                         std::to_string(gz.size()));
  }
}

TEST_F(InputFileTest, ConcatenatedMembersReadAsOneStream) {
  const std::string a = "order_id,item_id\n1,a\n", b = "2,b\n3,\"c\nd\"\n";
  EXPECT_EQ(read_all(write("ab.csv.gz", gzip(a) + gzip(b))), a + b);
  EXPECT_EQ(read_all(write("a0b.csv.gz", gzip(a) + gzip("") + gzip(b))), a + b) << "an empty member between";

  // The real file twice over reads as twice its text, through the CSV reader too.
  const auto twice = write("twice.csv.gz", retail() + retail());
  const std::string text = read_all(twice);
  const std::string once = read_all(write("once.csv.gz", retail()));
  EXPECT_EQ(text, once + once);
  auto reader = CsvReader::open_file(twice);
  std::vector<std::string_view> f;
  std::size_t records = 0;
  while (reader.next(f)) ++records;
  EXPECT_EQ(reader.bytes_read(), text.size());
  EXPECT_GT(records, 2 * 500000u);

  // A second member that is cut short is as bad as a first one.
  const std::string second = gzip(b);
  const auto cut = write("cut2.csv.gz", gzip(a) + second.substr(0, second.size() - 3));
  EXPECT_EQ(std::string(error_reading(cut).what()),
            cut + ": truncated gzip stream: the file ends at byte " + std::to_string(gzip(a).size() + second.size() - 3) +
                " inside the compressed data (the file is cut short)");
}

TEST_F(InputFileTest, UnreadablePathsAreIoErrors) {
  try {
    InputFile::open((dir_ / "absent.csv").string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_EQ(std::string(e.what()), "cannot open " + (dir_ / "absent.csv").string() + ": No such file or directory");
  }
  try {
    InputFile::open(dir_.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_EQ(std::string(e.what()), "cannot read " + dir_.string() + ": Is a directory");
  }
}

}  // namespace
}  // namespace cobuy
