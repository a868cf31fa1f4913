#pragma once
/// Packing values into bytes and back, for what distributed training sends between ranks (ranks
/// of one build on one kind of machine: raw values, length-prefixed strings and arrays).

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.h"

namespace cobuy::wire {

class Packer {
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
  void put_strings(const std::vector<std::string>& v) {
    put<std::uint64_t>(v.size());
    for (const auto& s : v) put_string(s);
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

/// Reads what a Packer wrote; running past the end is a fault (Error(internal)).
class Unpacker {
 public:
  explicit Unpacker(std::string_view bytes) : bytes_(bytes) {}
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
    const auto n = get<std::uint64_t>();
    COBUY_CHECK(n <= remaining() / sizeof(T), ErrorCode::internal, "wire: an array of " << n << " runs past the end");
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  std::vector<std::string> get_strings() {
    const auto n = get<std::uint64_t>();
    std::vector<std::string> v;
    v.reserve(std::min<std::uint64_t>(n, remaining()));
    for (std::uint64_t k = 0; k < n; ++k) v.push_back(get_string());
    return v;
  }
  bool done() const { return at_ == bytes_.size(); }
  std::size_t remaining() const { return bytes_.size() - at_; }

 private:
  const char* take(std::size_t n) {
    COBUY_CHECK(n <= remaining(), ErrorCode::internal, "wire: " << n << " bytes wanted, " << remaining() << " left");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  std::string_view bytes_;
  std::size_t at_ = 0;
};

}  // namespace cobuy::wire
