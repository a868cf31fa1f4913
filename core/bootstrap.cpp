#include "core/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <tbb/parallel_for.h>

#include "core/error.h"

namespace cobuy {
namespace {

/// Resample r's stream: splitmix64 over a counter that starts at a hash of (seed, r), so every
/// resample draws the same cases however the resamples are spread over threads.
class ResampleStream {
 public:
  ResampleStream(std::uint64_t seed, std::size_t resample) : state_(seed) { state_ = next() ^ (resample + 1) * kGolden; }
  std::uint64_t next() {
    std::uint64_t z = (state_ += kGolden);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// A case in [0, n), n < 2^32: the top 32 bits scaled to n (bias below n / 2^32).
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(((next() >> 32) * n) >> 32); }

 private:
  static constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
  std::uint64_t state_;
};

}  // namespace

Interval bootstrap_mean(std::span<const double> values, std::size_t resamples, std::uint64_t seed, double alpha) {
  COBUY_CHECK(resamples >= 1, ErrorCode::bad_request, "bootstrap needs at least one resample");
  COBUY_CHECK(alpha > 0 && alpha < 1, ErrorCode::bad_request, "bootstrap alpha must be in (0, 1), got " << alpha);
  const std::size_t n = values.size();
  if (n == 0) return {};
  COBUY_CHECK(n < (std::size_t{1} << 32), ErrorCode::bad_request, "bootstrap over " << n << " cases: at most 2^32 - 1");
  Interval out;
  out.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  std::vector<double> means(resamples);
  tbb::parallel_for(std::size_t{0}, resamples, [&](std::size_t r) {
    ResampleStream stream(seed, r);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += values[stream.pick(n)];
    means[r] = sum / static_cast<double>(n);
  });
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
