#pragma once
/// Packing values into bytes and back, the one layout of the model artifact's files
/// (core/binary_io.h) and of what distributed training sends between ranks: trivially copyable
/// values as they lie in memory (little-endian), strings and arrays prefixed by their length (u64).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cobuy {

/// Appends packed values to a byte string it owns.
class BytePacker {
 public:
  template <typename T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_string(std::string_view s) {
    put<std::uint64_t>(s.size());
    bytes_.append(s);
  }
  template <typename T>
  void put_array(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(v.size());
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  /// A count, then each string as put_string writes it.
  void put_strings(const std::vector<std::string>& v) {
    put<std::uint64_t>(v.size());
    for (const auto& s : v) put_string(s);
  }
  /// The bytes packed so far (the caller may move them out).
  std::string& bytes() { return bytes_; }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

/// Reads what a BytePacker wrote from bytes it does not own (they must outlive it). Never reads
/// past the end: running out throws Error(code) saying "<what> is truncated".
class ByteUnpacker {
 public:
  /// `what` names the bytes in errors (a file's path, "the orders from rank 2").
  ByteUnpacker(std::string_view bytes, std::string what, ErrorCode code)
      : bytes_(bytes), what_(std::move(what)), code_(code) {}

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    return std::string(take(n), n);
  }
  template <typename T>
  std::vector<T> get_array() {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto n = get<std::uint64_t>();
    // Checked before allocating: a corrupt length must not ask for exabytes.
    COBUY_CHECK(n <= remaining() / sizeof(T), code_,
                what_ << " is truncated or corrupt (array of " << n << " elements past the end)");
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));  // an empty vector's data() may be null
    return v;
  }
  /// What put_strings wrote.
  std::vector<std::string> get_strings() {
    const auto n = get<std::uint64_t>();
    std::vector<std::string> v;
    v.reserve(std::min<std::uint64_t>(n, remaining() / sizeof(std::uint64_t)));
    for (std::uint64_t k = 0; k < n; ++k) v.push_back(get_string());
    return v;
  }
  /// Every byte not read yet, as it is; reads them.
  std::string_view get_rest() {
    const auto rest = bytes_.substr(at_);
    at_ = bytes_.size();
    return rest;
  }
  bool done() const { return at_ == bytes_.size(); }
  std::size_t remaining() const { return bytes_.size() - at_; }
  /// Throws Error(code) unless every byte was read.
  void expect_end() const {
    COBUY_CHECK(done(), code_, what_ << " has " << remaining() << " unexpected trailing bytes");
  }

 private:
  const char* take(std::uint64_t n) {
    COBUY_CHECK(n <= remaining(), code_, what_ << " is truncated (wanted " << n << " more bytes at offset " << at_ << ")");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  std::string_view bytes_;
  std::string what_;
  ErrorCode code_;
  std::size_t at_ = 0;
};

}  // namespace cobuy
