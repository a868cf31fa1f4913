#pragma once
/// Test helpers that rewrite a saved model artifact, keeping its manifest's byte counts and
/// checksums right, so a test can fake an older format or inconsistent contents.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "core/binary_io.h"
#include "core/model.h"

namespace cobuy::testing {

/// Reads the artifact's manifest.json.
inline nlohmann::json read_manifest(const std::string& dir) {
  std::ifstream in(std::filesystem::path(dir) / "manifest.json");
  return nlohmann::json::parse(in);
}

/// Writes the artifact's manifest.json.
inline void write_manifest(const std::string& dir, const nlohmann::json& manifest) {
  std::ofstream(std::filesystem::path(dir) / "manifest.json") << manifest.dump(2) << "\n";
}

/// Applies `edit` to the bytes of file `name` of the artifact in `dir` and records the new byte
/// count and CRC32 in `manifest` (which the caller writes).
inline void rewrite_file(const std::string& dir, const std::string& name, nlohmann::json& manifest,
                         const std::function<void(std::string& bytes)>& edit) {
  const auto path = std::filesystem::path(dir) / name;
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  edit(bytes);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  manifest["files"][name] = {{"bytes", bytes.size()}, {"crc32", BinaryReader(path.string()).crc32()}};
}

/// Removes one length-prefixed array that ends `tail` bytes before the end of `bytes`, after
/// checking that its prefix says `count` elements of `width` bytes.
inline void erase_array(std::string& bytes, std::size_t tail, std::uint64_t count, std::size_t width) {
  const std::size_t length = sizeof(std::uint64_t) + count * width;
  ASSERT_GE(bytes.size(), tail + length);
  const std::size_t at = bytes.size() - tail - length;
  std::uint64_t prefix = 0;
  std::memcpy(&prefix, bytes.data() + at, sizeof prefix);
  ASSERT_EQ(prefix, count) << "not the array expected at byte " << at;
  bytes.erase(at, length);
}

/// Turns the format 1.9 artifact in `dir` into 1.8: the same files (1.9 only allows items.bin to hold
/// catalogue items without orders), the manifest without counts.items_without_orders.
inline void downgrade_to_format_1_8(const std::string& dir) {
  auto manifest = read_manifest(dir);
  ASSERT_EQ(manifest["format_version"], "1.9");
  manifest["counts"].erase("items_without_orders");
  manifest["format_version"] = "1.8";
  write_manifest(dir, manifest);
}

/// Turns the format 1.8 (or 1.9) artifact in `dir`, whose catalogue has no item fields, into 1.7:
/// items.bin without its last value (the field count, 0).
inline void downgrade_to_format_1_7(const std::string& dir) {
  if (read_manifest(dir)["format_version"] == "1.9") downgrade_to_format_1_8(dir);
  auto manifest = read_manifest(dir);
  ASSERT_EQ(manifest["format_version"], "1.8");
  rewrite_file(dir, "items.bin", manifest, [&](std::string& bytes) {
    ASSERT_GE(bytes.size(), sizeof(std::uint64_t));
    std::uint64_t fields = 1;
    std::memcpy(&fields, bytes.data() + bytes.size() - sizeof fields, sizeof fields);
    ASSERT_EQ(fields, 0u) << "a catalogue with item fields cannot be written as 1.7";
    bytes.resize(bytes.size() - sizeof fields);
  });
  manifest["format_version"] = "1.7";
  write_manifest(dir, manifest);
}

/// Turns the format 1.7 (or 1.8) artifact in `dir` into 1.6: the manifest's next_order without its
/// last feature (embedding_affinity) and that feature's weight, as a 1.6 build wrote it.
inline void downgrade_to_format_1_6(const std::string& dir) {
  if (const auto v = read_manifest(dir)["format_version"]; v == "1.8" || v == "1.9") downgrade_to_format_1_7(dir);
  auto manifest = read_manifest(dir);
  ASSERT_EQ(manifest["format_version"], "1.7");
  auto& next = manifest["next_order"];
  if (next.is_object() && next.contains("features")) {
    ASSERT_EQ(next["features"].back(), "embedding_affinity");
    next["features"].erase(next["features"].size() - 1);
    next["weights"].erase(next["weights"].size() - 1);
  }
  manifest["format_version"] = "1.6";
  write_manifest(dir, manifest);
}

/// Turns the format 1.6 to 1.8 artifact in `dir` into 1.5: the manifest without `next_order`.
inline void downgrade_to_format_1_5(const std::string& dir) {
  const auto from = read_manifest(dir)["format_version"];
  if (from == "1.7" || from == "1.8" || from == "1.9") downgrade_to_format_1_6(dir);
  auto manifest = read_manifest(dir);
  ASSERT_EQ(manifest["format_version"], "1.6");
  manifest.erase("next_order");
  manifest["format_version"] = "1.5";
  write_manifest(dir, manifest);
}

/// Turns the format 1.5 to 1.8 artifact of `model` in `dir` into the 1.4 layout: customers.bin
/// without the order keys (its last array), manifest format_version "1.4".
inline void downgrade_to_format_1_4(const std::string& dir, const Model& model) {
  const auto from = read_manifest(dir)["format_version"];
  if (from == "1.6" || from == "1.7" || from == "1.8" || from == "1.9") downgrade_to_format_1_5(dir);
  auto manifest = read_manifest(dir);
  ASSERT_EQ(manifest["format_version"], "1.5");
  const std::uint64_t n_orders = model.customers.order_times.size();
  rewrite_file(dir, "customers.bin", manifest,
               [&](std::string& bytes) { erase_array(bytes, 0, n_orders, sizeof(std::uint64_t)); });
  manifest["format_version"] = "1.4";
  write_manifest(dir, manifest);
}

/// Turns the format 1.2 to 1.8 artifact of `model` in `dir` into the 1.1 layout: items.bin without the
/// stock flags, customers.bin without the order values (nor order keys), no penalties.bin, manifest
/// format_version "1.1".
inline void downgrade_to_format_1_1(const std::string& dir, const Model& model) {
  const auto version = read_manifest(dir)["format_version"];
  if (version == "1.5" || version == "1.6" || version == "1.7" || version == "1.8" || version == "1.9") downgrade_to_format_1_4(dir, model);
  auto manifest = read_manifest(dir);
  ASSERT_TRUE(manifest["format_version"] == "1.2" || manifest["format_version"] == "1.3" ||
              manifest["format_version"] == "1.4");
  manifest.erase("reranker");
  manifest["files"].erase("penalties.bin");
  std::filesystem::remove(std::filesystem::path(dir) / "penalties.bin");
  const std::uint64_t n_items = model.catalog.size();
  const std::uint64_t n_orders = model.customers.order_times.size();
  const std::uint64_t n_lines = model.customers.items.size();
  // items.bin ends with ... prices, in_stock (u8 x items), item_orders (u32 x items).
  rewrite_file(dir, "items.bin", manifest, [&](std::string& bytes) {
    erase_array(bytes, sizeof(std::uint64_t) + n_items * sizeof(std::uint32_t), n_items, sizeof(std::uint8_t));
  });
  // customers.bin ends with ... order_times, order_values (f32 x orders), item_offsets
  // (u64 x orders + 1), items (u32 x lines).
  rewrite_file(dir, "customers.bin", manifest, [&](std::string& bytes) {
    const std::size_t tail = sizeof(std::uint64_t) + (n_orders + 1) * sizeof(std::uint64_t) +
                             sizeof(std::uint64_t) + n_lines * sizeof(ItemIndex);
    erase_array(bytes, tail, n_orders, sizeof(float));
  });
  manifest["format_version"] = "1.1";
  write_manifest(dir, manifest);
}

}  // namespace cobuy::testing
