// The one packing of the artifact's files and of the messages between ranks: its exact layout,
// and a reader that never reads past the end, failing with the caller's code and naming what it
// reads; BinaryWriter and BinaryReader keep that layout in files.
#include "core/byte_packing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/binary_io.h"
#include "support/slurp.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// The Error that `read` throws; fails the test if it throws none.
Error packing_error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "nothing was refused";
  return Error(ErrorCode::internal, "");
}

/// A little-endian u64 length prefix.
std::string packing_length(std::uint64_t n) {
  std::string s;
  for (int k = 0; k < 8; ++k) s.push_back(static_cast<char>((n >> (8 * k)) & 0xff));
  return s;
}

TEST(BytePacking, LaysOutRawValuesAndLengthPrefixedStringsAndArrays) {
  BytePacker p;
  p.put<std::uint32_t>(0x01020304);
  p.put_string("ab");
  p.put_array(std::vector<std::uint16_t>{5, 6});
  p.put_strings({"x", ""});
  const std::string expected = std::string("\x04\x03\x02\x01", 4) + packing_length(2) + "ab" + packing_length(2) +
                               std::string("\x05\x00\x06\x00", 4) + packing_length(2) + packing_length(1) + "x" +
                               packing_length(0);
  EXPECT_EQ(p.bytes(), expected);

  ByteUnpacker u(p.bytes(), "the layout", ErrorCode::bad_data);
  EXPECT_EQ(u.get<std::uint32_t>(), 0x01020304u);
  EXPECT_EQ(u.get_string(), "ab");
  EXPECT_EQ(u.get_array<std::uint16_t>(), (std::vector<std::uint16_t>{5, 6}));
  EXPECT_EQ(u.get_strings(), (std::vector<std::string>{"x", ""}));
  EXPECT_TRUE(u.done());
  EXPECT_NO_THROW(u.expect_end());
}

TEST(BytePacking, EmptyStringsArraysAndRestReadBack) {
  BytePacker p;
  p.put_string("");
  p.put_array(std::vector<double>{});
  p.put_strings({});
  p.put<char>('z');
  ByteUnpacker u(p.bytes(), "empties", ErrorCode::internal);
  EXPECT_EQ(u.get_string(), "");
  EXPECT_TRUE(u.get_array<double>().empty());
  EXPECT_TRUE(u.get_strings().empty());
  EXPECT_EQ(u.remaining(), 1u);
  EXPECT_EQ(u.get_rest(), "z");
  EXPECT_TRUE(u.done());
  EXPECT_EQ(u.get_rest(), "");
}

TEST(BytePacking, AValuePastTheEndFailsWithTheCallersCodeNamingWhatIsRead) {
  for (const ErrorCode code : {ErrorCode::bad_data, ErrorCode::internal}) {
    const std::string bytes("\x01\x02\x03", 3);
    ByteUnpacker u(bytes, "the cut", code);
    const Error e = packing_error_of([&] { u.get<std::uint32_t>(); });
    EXPECT_EQ(e.code(), code);
    EXPECT_STREQ(e.what(), "the cut is truncated (wanted 4 more bytes at offset 0)");
    EXPECT_EQ(u.remaining(), 3u) << "a refused read takes nothing";
  }
}

TEST(BytePacking, AStringPastTheEndIsRefused) {
  BytePacker p;
  p.put_string("hello");
  const std::string cut = p.bytes().substr(0, p.bytes().size() - 2);
  ByteUnpacker u(cut, "the orders from rank 1", ErrorCode::internal);
  const Error e = packing_error_of([&] { u.get_string(); });
  EXPECT_EQ(e.code(), ErrorCode::internal);
  EXPECT_STREQ(e.what(), "the orders from rank 1 is truncated (wanted 5 more bytes at offset 8)");

  // A corrupt length far past the end is refused before anything is allocated.
  const std::string huge = packing_length(std::uint64_t{1} << 62) + "abc";
  ByteUnpacker h(huge, "items.bin", ErrorCode::bad_data);
  const Error he = packing_error_of([&] { h.get_string(); });
  EXPECT_EQ(he.code(), ErrorCode::bad_data);
  EXPECT_STREQ(he.what(), "items.bin is truncated (wanted 4611686018427387904 more bytes at offset 8)");
}

TEST(BytePacking, AnArrayLengthPastTheEndIsRefusedBeforeAllocating) {
  for (const ErrorCode code : {ErrorCode::bad_data, ErrorCode::internal}) {
    // One element short: 3 floats announced, 2 there.
    BytePacker p;
    p.put<std::uint64_t>(3);
    p.put<float>(1.0f);
    p.put<float>(2.0f);
    ByteUnpacker u(p.bytes(), "popular.bin", code);
    const Error e = packing_error_of([&] { u.get_array<float>(); });
    EXPECT_EQ(e.code(), code);
    EXPECT_STREQ(e.what(), "popular.bin is truncated or corrupt (array of 3 elements past the end)");

    // A length whose byte count overflows 64 bits must not wrap around into a small read.
    const std::string huge = packing_length(std::uint64_t{1} << 61) + std::string(16, '\0');
    ByteUnpacker h(huge, "the pair counts from rank 2", code);
    const Error he = packing_error_of([&] { h.get_array<std::uint64_t>(); });
    EXPECT_EQ(he.code(), code);
    EXPECT_STREQ(he.what(),
                 "the pair counts from rank 2 is truncated or corrupt (array of 2305843009213693952 elements past the end)");
  }
}

TEST(BytePacking, AStringCountPastTheEndIsRefused) {
  const std::string bytes = packing_length(std::uint64_t{1} << 60) + packing_length(1) + "q";
  ByteUnpacker u(bytes, "the catalogue from rank 0", ErrorCode::internal);
  const Error e = packing_error_of([&] { u.get_strings(); });
  EXPECT_EQ(e.code(), ErrorCode::internal);
  EXPECT_STREQ(e.what(), "the catalogue from rank 0 is truncated (wanted 8 more bytes at offset 17)");
}

TEST(BytePacking, TrailingBytesAreRefusedByExpectEnd) {
  BytePacker p;
  p.put<std::uint16_t>(7);
  p.put<std::uint16_t>(8);
  ByteUnpacker u(p.bytes(), "popular.bin", ErrorCode::bad_data);
  EXPECT_EQ(u.get<std::uint16_t>(), 7);
  const Error e = packing_error_of([&] { u.expect_end(); });
  EXPECT_EQ(e.code(), ErrorCode::bad_data);
  EXPECT_STREQ(e.what(), "popular.bin has 2 unexpected trailing bytes");
}

class BinaryFilePackingTest : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove(path_); }
  const std::string path_ =
      (fs::temp_directory_path() / ("cobuy-byte-packing-test-" + std::to_string(::getpid()) + ".bin")).string();
};

TEST_F(BinaryFilePackingTest, AFileHoldsExactlyThePackedBytesAndReadsBack) {
  const auto fill = [](BytePacker& out) {
    out.put<std::uint64_t>(42);
    out.put_string("item");
    out.put_array(std::vector<float>{0.5f, 1.5f});
  };
  BinaryWriter w;
  BytePacker p;
  fill(w);
  fill(p);
  w.put_raw({0xde, 0xad});
  const auto crc = w.write_to(path_);
  EXPECT_EQ(test::slurp(path_), p.bytes() + "\xde\xad");

  BinaryReader r(path_);
  EXPECT_EQ(r.crc32(), crc);
  EXPECT_EQ(r.size(), w.size());
  EXPECT_EQ(r.get<std::uint64_t>(), 42u);
  BinaryReader moved(std::move(r));  // as load_model's open() returns one: it reads on where r was
  EXPECT_EQ(moved.get_string(), "item");
  EXPECT_EQ(moved.get_array<float>(), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(moved.get_rest(), (std::vector<std::uint8_t>{0xde, 0xad}));
  EXPECT_NO_THROW(moved.expect_end());
}

TEST_F(BinaryFilePackingTest, ACutFileIsRefusedAsBadDataNamingTheFile) {
  BinaryWriter w;
  w.put_array(std::vector<std::uint32_t>{1, 2, 3});
  w.put_string("tail");
  w.write_to(path_);
  fs::resize_file(path_, 8 + 2 * 4);  // the array's prefix and two of its three values

  BinaryReader r(path_);
  const Error e = packing_error_of([&] { r.get_array<std::uint32_t>(); });
  EXPECT_EQ(e.code(), ErrorCode::bad_data);
  EXPECT_EQ(std::string(e.what()), path_ + " is truncated or corrupt (array of 3 elements past the end)");

  BinaryReader s(path_);
  EXPECT_EQ(s.get<std::uint64_t>(), 3u);
  EXPECT_EQ(s.get<std::uint64_t>(), 0x0000000200000001u);
  const Error se = packing_error_of([&] { s.get<std::uint32_t>(); });
  EXPECT_EQ(se.code(), ErrorCode::bad_data);
  EXPECT_EQ(std::string(se.what()), path_ + " is truncated (wanted 4 more bytes at offset 16)");

  BinaryReader t(path_);
  t.get<std::uint64_t>();
  const Error te = packing_error_of([&] { t.expect_end(); });
  EXPECT_EQ(std::string(te.what()), path_ + " has 8 unexpected trailing bytes");
}

}  // namespace
}  // namespace cobuy
