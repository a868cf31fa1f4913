#pragma once
/// The artifact's binary files: written whole and synced, read whole and bounds-checked, in the
/// layout of core/byte_packing.h.

#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_packing.h"

namespace cobuy {

/// Accumulates a file in memory; write_to() stores it and returns its CRC32.
class BinaryWriter : public BytePacker {
 public:
  /// Appends raw bytes, without a length prefix (a file holding one foreign blob).
  void put_raw(const std::vector<std::uint8_t>& bytes) {
    this->bytes().append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  std::size_t size() const { return bytes().size(); }
  /// Writes the buffer to `path` and syncs it to disk; returns the CRC32 of the bytes.
  std::uint32_t write_to(const std::string& path) const;
};

/// Reads a whole file and hands out values, failing with Error(bad_data) naming the file when it
/// ends early (a truncated artifact must never be read past its end).
class BinaryReader {
 public:
  /// Reads `path`; throws Error(bad_data) if missing or unreadable.
  explicit BinaryReader(const std::string& path);
  /// Movable, not copyable: in_ reads data_'s buffer, which a vector's move hands over.
  BinaryReader(BinaryReader&&) = default;
  /// CRC32 of the whole file.
  std::uint32_t crc32() const;
  std::size_t size() const { return data_.size(); }

  template <typename T>
  T get() {
    return in_.get<T>();
  }
  std::string get_string() { return in_.get_string(); }
  template <typename T>
  std::vector<T> get_array() {
    return in_.get_array<T>();
  }
  /// All bytes not read yet, as they are (for a file holding one foreign blob); reads them.
  std::vector<std::uint8_t> get_rest() {
    const auto rest = in_.get_rest();
    return {rest.begin(), rest.end()};
  }
  /// Throws unless every byte was read.
  void expect_end() const { in_.expect_end(); }

 private:
  std::vector<char> data_;
  ByteUnpacker in_;
};

}  // namespace cobuy
