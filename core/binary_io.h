#pragma once
/// Little binary file writer and bounds-checked reader used by the artifact.
/// Layout: raw little-endian values; strings and arrays are length-prefixed (u64).

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"

namespace cobuy {

/// Accumulates a file in memory; write_to() stores it and returns its CRC32.
class BinaryWriter {
 public:
  template <typename T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const char*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(T));
  }
  void put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    buf_.insert(buf_.end(), s.begin(), s.end());
  }
  template <typename T>
  void put_array(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(v.size());
    const auto* p = reinterpret_cast<const char*>(v.data());
    buf_.insert(buf_.end(), p, p + v.size() * sizeof(T));
  }
  /// Appends raw bytes, without a length prefix (a file holding one foreign blob).
  void put_raw(const std::vector<std::uint8_t>& bytes) { buf_.insert(buf_.end(), bytes.begin(), bytes.end()); }
  std::size_t size() const { return buf_.size(); }
  /// Writes the buffer to `path` and syncs it to disk; returns the CRC32 of the bytes.
  std::uint32_t write_to(const std::string& path) const;

 private:
  std::vector<char> buf_;
};

/// Reads a whole file and hands out values, failing with Error(bad_data) naming the file when it
/// ends early (a truncated artifact must never be read past its end).
class BinaryReader {
 public:
  /// Reads `path`; throws Error(bad_data) if missing or unreadable.
  explicit BinaryReader(const std::string& path);
  /// CRC32 of the whole file.
  std::uint32_t crc32() const;
  std::size_t size() const { return data_.size(); }

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(data_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  template <typename T>
  std::vector<T> get_array() {
    const auto n = get<std::uint64_t>();
    COBUY_CHECK(n <= (data_.size() - pos_) / sizeof(T), ErrorCode::bad_data,
                path_ << " is truncated or corrupt (array of " << n << " elements past the end)");
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), data_.data() + pos_, n * sizeof(T));  // an empty vector's data() may be null
    pos_ += n * sizeof(T);
    return v;
  }
  /// All bytes not read yet, as they are (for a file holding one foreign blob); reads them.
  std::vector<std::uint8_t> get_rest() {
    std::vector<std::uint8_t> v(data_.begin() + static_cast<std::ptrdiff_t>(pos_), data_.end());
    pos_ = data_.size();
    return v;
  }
  /// Throws unless every byte was read.
  void expect_end() const;

 private:
  void need(std::size_t n) const {
    COBUY_CHECK(n <= data_.size() - pos_, ErrorCode::bad_data, path_ << " is truncated (wanted " << n
                                                                       << " more bytes at offset " << pos_ << ")");
  }
  std::string path_;
  std::vector<char> data_;
  std::size_t pos_ = 0;
};

}  // namespace cobuy
