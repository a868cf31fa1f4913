#pragma once
/// FNV-1a, the 64-bit hash behind data fingerprints, offer ids and batch shards: simple, stable
/// across builds and platforms (never std::hash, which may change).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cobuy {

/// The FNV-1a 64-bit offset basis: the hash of no bytes.
inline constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;

/// Mixes `n` bytes at `data` into the running hash `h`.
inline std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

/// The FNV-1a 64-bit hash of `text`.
inline std::uint64_t fnv1a(std::string_view text) { return fnv1a(kFnvOffsetBasis, text.data(), text.size()); }

}  // namespace cobuy
