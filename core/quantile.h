#pragma once
/// Quantiles of samples, by linear interpolation between order statistics.

#include <algorithm>
#include <cmath>
#include <vector>

namespace cobuy {

/// The q-quantile (q in 0..1) of sorted, non-empty `v`, interpolating linearly between ranks.
inline double sorted_quantile(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace cobuy
