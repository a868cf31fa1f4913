#pragma once
/// Bootstrap confidence intervals for means of per-case metrics, and for paired differences
/// between two models scored on the same cases (the comparison that says whether a gap is real).

#include <cstddef>
#include <cstdint>
#include <span>

namespace cobuy {

/// A mean with a two-sided percentile bootstrap interval.
struct Interval {
  double mean = 0;
  double low = 0;
  double high = 0;
};

/// The mean of `values` and its (1 - alpha) percentile bootstrap interval from `resamples`
/// resamples drawn with a seeded generator (same inputs, same interval). Empty input gives
/// {0, 0, 0}. Throws Error(bad_request) for resamples < 1 or alpha outside (0, 1).
Interval bootstrap_mean(std::span<const double> values, std::size_t resamples = 1000, std::uint64_t seed = 42,
                        double alpha = 0.05);

/// The same for the paired difference mean(a_i - b_i): a and b are two models' scores on the
/// same cases, in the same order. Throws Error(bad_request) if the sizes differ.
Interval bootstrap_mean_difference(std::span<const double> a, std::span<const double> b,
                                   std::size_t resamples = 1000, std::uint64_t seed = 42, double alpha = 0.05);

}  // namespace cobuy
