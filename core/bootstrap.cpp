#include "core/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/error.h"

namespace cobuy {

Interval bootstrap_mean(std::span<const double> values, std::size_t resamples, std::uint64_t seed, double alpha) {
  COBUY_CHECK(resamples >= 1, ErrorCode::bad_request, "bootstrap needs at least one resample");
  COBUY_CHECK(alpha > 0 && alpha < 1, ErrorCode::bad_request, "bootstrap alpha must be in (0, 1), got " << alpha);
  const std::size_t n = values.size();
  if (n == 0) return {};
  Interval out;
  out.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  std::vector<double> means(resamples);
  for (auto& m : means) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += values[pick(rng)];
    m = sum / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  // Percentile interval: the alpha/2 and 1 - alpha/2 quantiles (nearest rank).
  auto quantile = [&](double q) {
    const auto r = static_cast<std::size_t>(std::floor(q * static_cast<double>(resamples - 1) + 0.5));
    return means[std::min(r, resamples - 1)];
  };
  out.low = quantile(alpha / 2);
  out.high = quantile(1 - alpha / 2);
  return out;
}

Interval bootstrap_mean_difference(std::span<const double> a, std::span<const double> b, std::size_t resamples,
                                   std::uint64_t seed, double alpha) {
  COBUY_CHECK(a.size() == b.size(), ErrorCode::bad_request,
              "a paired bootstrap needs scores on the same cases: " << a.size() << " vs " << b.size());
  std::vector<double> diff(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) diff[i] = a[i] - b[i];
  return bootstrap_mean(diff, resamples, seed, alpha);
}

}  // namespace cobuy
