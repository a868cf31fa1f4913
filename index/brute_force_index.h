#pragma once
/// Private to index/: the brute-force index's byte format, read by index_from_bytes().

#include <cstdint>
#include <memory>
#include <span>

#include "index/vector_index.h"

namespace cobuy::detail {

/// First four bytes of a serialized brute-force index ("CBBF" little-endian); Faiss's own
/// formats start with other four-character codes.
inline constexpr std::uint32_t kBruteForceMagic = 0x46424243;

/// Reads bytes written by the brute-force index's serialize(): magic, u32 dim, u64 n, then
/// n * dim floats. Throws Error(bad_data) when the sizes do not add up.
std::unique_ptr<VectorIndex> brute_force_index_from_bytes(std::span<const std::uint8_t> bytes);

}  // namespace cobuy::detail
