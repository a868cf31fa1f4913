#pragma once
/// Seeded standard-normal vectors for index tests.

#include <cstdint>
#include <random>
#include <vector>

namespace cobuy::testing {

/// n row-major vectors of dimension dim, entries drawn from N(0, 1) with `seed`.
inline std::vector<float> random_vectors(std::size_t n, int dim, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(n * static_cast<std::size_t>(dim));
  for (auto& x : v) x = g(rng);
  return v;
}

}  // namespace cobuy::testing
