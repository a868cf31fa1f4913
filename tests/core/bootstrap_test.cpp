#include "core/bootstrap.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <tbb/global_control.h>

#include "core/error.h"

namespace cobuy {
namespace {

TEST(Bootstrap, ConstantValuesGiveAPointInterval) {
  const std::vector<double> v(50, 0.25);
  const auto ci = bootstrap_mean(v);
  EXPECT_DOUBLE_EQ(ci.mean, 0.25);
  EXPECT_DOUBLE_EQ(ci.low, 0.25);
  EXPECT_DOUBLE_EQ(ci.high, 0.25);
}

TEST(Bootstrap, EmptyInputIsZero) {
  const auto ci = bootstrap_mean(std::vector<double>{});
  EXPECT_EQ(ci.mean, 0);
  EXPECT_EQ(ci.low, 0);
  EXPECT_EQ(ci.high, 0);
}

TEST(Bootstrap, TwoValuesSpanTheWholeRange) {
  // Resampled means of {0, 1} are 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and
  // 97.5% quantiles are 0 and 1.
  const auto ci = bootstrap_mean(std::vector<double>{0.0, 1.0});
  EXPECT_DOUBLE_EQ(ci.mean, 0.5);
  EXPECT_DOUBLE_EQ(ci.low, 0.0);
  EXPECT_DOUBLE_EQ(ci.high, 1.0);
}

TEST(Bootstrap, WidthMatchesTheNormalApproximation) {
  // 10,000 Bernoulli(0.3) draws: the 95% interval is about mean +- 1.96 * sqrt(0.21 / 10000) = +-0.009.
  std::mt19937_64 rng(7);
  std::bernoulli_distribution coin(0.3);
  std::vector<double> v(10000);
  for (auto& x : v) x = coin(rng) ? 1.0 : 0.0;
  const auto ci = bootstrap_mean(v, 2000);
  EXPECT_LT(ci.low, ci.mean);
  EXPECT_GT(ci.high, ci.mean);
  EXPECT_NEAR(ci.mean - ci.low, 0.009, 0.0015);
  EXPECT_NEAR(ci.high - ci.mean, 0.009, 0.0015);
}

TEST(Bootstrap, SeededAndReproducible) {
  const std::vector<double> v{0.1, 0.7, 0.3, 0.0, 1.0, 0.4};
  const auto a = bootstrap_mean(v, 500, 9);
  const auto b = bootstrap_mean(v, 500, 9);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
}

TEST(Bootstrap, TheThreadCountDoesNotChangeTheInterval) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> v(3000);
  for (auto& x : v) x = u(rng);
  Interval one;
  {
    tbb::global_control single(tbb::global_control::max_allowed_parallelism, 1);
    one = bootstrap_mean(v, 400, 5);
  }
  const auto many = bootstrap_mean(v, 400, 5);
  EXPECT_EQ(one.low, many.low);
  EXPECT_EQ(one.high, many.high);
  const auto other_seed = bootstrap_mean(v, 400, 6);
  EXPECT_TRUE(other_seed.low != many.low || other_seed.high != many.high) << "the seed picks the resamples";
}

TEST(Bootstrap, PairedDifferenceRemovesSharedNoise) {
  // b is a noisy score and a = b + 0.01 on every case: the separate intervals overlap, the
  // paired difference is exactly 0.01.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> a(1000), b(1000);
  for (std::size_t i = 0; i < b.size(); ++i) {
    b[i] = u(rng);
    a[i] = b[i] + 0.01;
  }
  const auto ia = bootstrap_mean(a), ib = bootstrap_mean(b);
  EXPECT_LT(ia.low, ib.high);
  const auto d = bootstrap_mean_difference(a, b);
  EXPECT_NEAR(d.mean, 0.01, 1e-12);
  EXPECT_NEAR(d.low, 0.01, 1e-12);
  EXPECT_NEAR(d.high, 0.01, 1e-12);
}

TEST(Bootstrap, RejectsBadArguments) {
  const std::vector<double> a{1, 2}, b{1};
  EXPECT_THROW(bootstrap_mean_difference(a, b), Error);
  EXPECT_THROW(bootstrap_mean(a, 0), Error);
  EXPECT_THROW(bootstrap_mean(a, 100, 1, 1.5), Error);
}

}  // namespace
}  // namespace cobuy
