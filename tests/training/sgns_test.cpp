#include "training/sgns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "core/error.h"

namespace cobuy {
namespace {

TEST(SgnsStep, MatchesHandComputedUpdate) {
  // dim 2, one positive and one negative, lr 0.5:
  //   in = (0.1, 0.2), pos = (0.3, -0.1), neg = (-0.2, 0.4)
  //   f_pos = 0.1*0.3 + 0.2*(-0.1) = 0.01   sigmoid(0.01) = 0.50249998
  //   f_neg = 0.1*(-0.2) + 0.2*0.4 = 0.06   sigmoid(0.06) = 0.51499550
  //   g_pos = (1 - 0.50249998) * 0.5 =  0.24875001
  //   g_neg = (0 - 0.51499550) * 0.5 = -0.25749775
  //   grad  = g_pos*pos + g_neg*neg
  //         = (0.074625003 + 0.051499550, -0.024875001 - 0.102999100) = (0.12612455, -0.12787410)
  //   pos' = pos + g_pos*in = (0.3 + 0.024875001, -0.1 + 0.049750002) = (0.32487500, -0.05025000)
  //   neg' = neg + g_neg*in = (-0.2 - 0.025749775, 0.4 - 0.051499550) = (-0.22574978, 0.34850045)
  //   in'  = in + grad = (0.22612455, 0.07212590)
  //   loss = -log(0.50249998) - log(1 - 0.51499550) = 0.68815968 + 0.72359711 = 1.41175679
  float in[2] = {0.1f, 0.2f};
  float pos[2] = {0.3f, -0.1f};
  float neg[2] = {-0.2f, 0.4f};
  float* outs[2] = {pos, neg};
  const int labels[2] = {1, 0};
  float grad[2];
  const float loss = sgns_step(in, outs, labels, 2, 2, 0.5f, grad);

  constexpr float tol = 2e-6f;
  EXPECT_NEAR(loss, 1.41175679f, tol);
  EXPECT_NEAR(pos[0], 0.32487500f, tol);
  EXPECT_NEAR(pos[1], -0.05025000f, tol);
  EXPECT_NEAR(neg[0], -0.22574978f, tol);
  EXPECT_NEAR(neg[1], 0.34850045f, tol);
  EXPECT_NEAR(in[0], 0.22612455f, tol);
  EXPECT_NEAR(in[1], 0.07212590f, tol);
}

TEST(SgnsStep, MatchesAPlainReferenceForAnyDimAndTargetCount) {
  // Dims that exercise the 16- and 8-wide blocks and the scalar tail, and target counts past one
  // group of 8, against word2vec's one-target-at-a-time loop in double precision.
  for (int dim : {3, 8, 16, 19, 64, 67}) {
    for (int n : {1, 2, 6, 8, 11, 20}) {
      std::mt19937 rng(static_cast<std::uint32_t>(dim * 100 + n));
      std::uniform_real_distribution<float> u(-0.3f, 0.3f);
      const auto udim = static_cast<std::size_t>(dim);
      std::vector<float> in(udim), grad(udim);
      std::vector<std::vector<float>> outs(static_cast<std::size_t>(n), std::vector<float>(udim));
      std::vector<int> labels(static_cast<std::size_t>(n), 0);
      labels[0] = 1;
      for (auto& x : in) x = u(rng);
      for (auto& o : outs) {
        for (auto& x : o) x = u(rng);
      }
      std::vector<double> rin(in.begin(), in.end()), rgrad(udim, 0.0);
      std::vector<std::vector<double>> rout;
      for (const auto& o : outs) rout.emplace_back(o.begin(), o.end());
      const double lr = 0.1;
      double rloss = 0.0;
      for (std::size_t t = 0; t < rout.size(); ++t) {
        double f = 0.0;
        for (std::size_t d = 0; d < udim; ++d) f += rin[d] * rout[t][d];
        const double s = 1.0 / (1.0 + std::exp(-f));
        const double label = labels[t];
        rloss += label > 0 ? -std::log(s) : -std::log(1.0 - s);
        const double g = (label - s) * lr;
        for (std::size_t d = 0; d < udim; ++d) {
          rgrad[d] += g * rout[t][d];
          rout[t][d] += g * rin[d];
        }
      }
      std::vector<float*> ptrs;
      for (auto& o : outs) ptrs.push_back(o.data());
      const float loss = sgns_step(in.data(), ptrs.data(), labels.data(), n, dim, static_cast<float>(lr), grad.data());
      EXPECT_NEAR(loss, rloss, 1e-5) << "dim " << dim << " n " << n;
      for (std::size_t d = 0; d < udim; ++d) {
        EXPECT_NEAR(in[d], rin[d] + rgrad[d], 1e-6) << "dim " << dim << " n " << n << " d " << d;
        for (std::size_t t = 0; t < outs.size(); ++t) {
          EXPECT_NEAR(outs[t][d], rout[t][d], 1e-6) << "dim " << dim << " n " << n << " t " << t;
        }
      }
    }
  }
}

TEST(SgnsStep, SigmoidTableIsAccurateAndClamped) {
  for (double x = -7.999; x < 8.0; x += 0.0137) {
    EXPECT_NEAR(sgns_sigmoid(static_cast<float>(x)), 1.0 / (1.0 + std::exp(-x)), 1e-6) << x;
  }
  EXPECT_EQ(sgns_sigmoid(20.0f), 1.0f);
  EXPECT_EQ(sgns_sigmoid(-20.0f), 0.0f);
  EXPECT_EQ(sgns_sigmoid(std::nanf("")), 1.0f);  // never an out-of-range table index
}

/// Skewed random baskets of 1..max_size items out of n_items.
Baskets random_baskets(std::size_t n_baskets, std::size_t n_items, int max_size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> w(n_items);
  for (std::size_t i = 0; i < n_items; ++i) w[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> item(w.begin(), w.end());
  std::uniform_int_distribution<int> size(1, max_size);
  Baskets b;
  b.n_items = n_items;
  for (std::size_t k = 0; k < n_baskets; ++k) {
    std::vector<ItemIndex> basket;
    for (int t = size(rng); t > 0; --t) basket.push_back(static_cast<ItemIndex>(item(rng)));
    b.add(basket);
  }
  return b;
}

TEST(TrainSgns, DeterministicModeIsBitIdenticalForASeed) {
  const Baskets b = random_baskets(3000, 300, 12, 5);
  SgnsConfig c;
  c.dim = 24;
  c.epochs = 3;
  c.deterministic = true;
  c.threads = 2;  // ignored in deterministic mode
  c.seed = 11;
  const SgnsEmbeddings first = train_sgns(b, c);
  const SgnsEmbeddings second = train_sgns(b, c);
  ASSERT_EQ(first.input.size(), 300u * 24u);
  EXPECT_TRUE(first.input == second.input);
  EXPECT_TRUE(first.output == second.output);
  EXPECT_TRUE(first.trained == second.trained);

  c.seed = 12;
  const SgnsEmbeddings other = train_sgns(b, c);
  EXPECT_FALSE(first.input == other.input);
  EXPECT_FALSE(first.output == other.output);

  c.seed = 11;
  c.shuffle_baskets = false;  // basket order is the other source of randomness
  const SgnsEmbeddings in_order = train_sgns(b, c);
  EXPECT_TRUE(in_order.input == train_sgns(b, c).input);
  EXPECT_FALSE(in_order.input == first.input);
}

TEST(TrainSgns, CountsPairsPerContextRule) {
  // One basket of 10 items (no subsampling): whole basket 10*9 pairs; window 1 on the shuffled
  // order gives 2*(10-1); max_contexts 4 gives each centre 4 contexts.
  Baskets b;
  b.n_items = 12;
  std::vector<ItemIndex> basket(10);
  std::iota(basket.begin(), basket.end(), 0);
  b.add(basket);
  b.add(std::vector<ItemIndex>{10});  // a single item is no pair
  SgnsConfig c;
  c.dim = 8;
  c.epochs = 2;
  c.subsample = 0;
  c.deterministic = true;
  auto pairs_per_epoch = [&](const SgnsConfig& config) {
    std::vector<std::uint64_t> pairs;
    train_sgns(b, config, [&](const SgnsEpochStats& s) { pairs.push_back(s.pairs); });
    return pairs;
  };
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{90, 90}));
  c.window = 1;
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{18, 18}));
  c.window = 3;  // i-3..i+3 clipped at the ends: 3+4+5+6+6+6+6+5+4+3 = 48
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{48, 48}));
  c.window = 0;
  c.max_contexts = 4;
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{40, 40}));
  c.max_contexts = 5;  // rounds down to 4
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{40, 40}));
  c.max_contexts = 9;  // 9 others: the whole basket
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{90, 90}));
  c.max_contexts = 8;
  EXPECT_EQ(pairs_per_epoch(c), (std::vector<std::uint64_t>{80, 80}));
}

TEST(TrainSgns, MinCountLeavesRareItemsUntrainedWithZeroRows) {
  const Baskets b = random_baskets(2000, 400, 8, 3);
  const auto counts = item_order_counts(b);
  SgnsConfig c;
  c.dim = 8;
  c.epochs = 1;
  c.min_count = 5;
  c.threads = 2;
  const SgnsEmbeddings e = train_sgns(b, c);
  std::size_t rare = 0;
  for (std::size_t i = 0; i < b.n_items; ++i) {
    const bool zero_in = std::all_of(e.input_row(i), e.input_row(i) + c.dim, [](float x) { return x == 0.0f; });
    const bool zero_out = std::all_of(e.output_row(i), e.output_row(i) + c.dim, [](float x) { return x == 0.0f; });
    if (counts[i] < 5) {
      ++rare;
      EXPECT_EQ(e.trained[i], 0) << i;
      EXPECT_TRUE(zero_in && zero_out) << i;
    } else {
      EXPECT_EQ(e.trained[i], 1) << i;
      EXPECT_FALSE(zero_in) << i;
    }
  }
  EXPECT_GT(rare, 0u);  // the test data must actually have rare items
}

TEST(TrainSgns, SubsamplingDropsOccurrencesOfFrequentItems) {
  const Baskets b = random_baskets(3000, 200, 10, 9);
  SgnsConfig c;
  c.dim = 8;
  c.epochs = 1;
  c.deterministic = true;
  std::uint64_t full = 0, sampled = 0;
  c.subsample = 0;
  train_sgns(b, c, [&](const SgnsEpochStats& s) { full = s.pairs; });
  c.subsample = 1e-3;
  train_sgns(b, c, [&](const SgnsEpochStats& s) { sampled = s.pairs; });
  EXPECT_GT(sampled, 0u);
  EXPECT_LT(sampled, full * 9 / 10);
}

double dot(const float* a, const float* b, int dim) {
  double s = 0.0;
  for (int d = 0; d < dim; ++d) s += static_cast<double>(a[d]) * b[d];
  return s;
}

/// `count` baskets of 2..max_size items (repeats allowed) drawn from one of `groups` groups of
/// `per_group` consecutive items each (seeded).
Baskets planted_groups(int groups, int per_group, int count, int max_size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> group(0, groups - 1), member(0, per_group - 1), size(2, max_size);
  Baskets b;
  b.n_items = static_cast<std::size_t>(groups * per_group);
  for (int k = 0; k < count; ++k) {
    const int g = group(rng);
    std::vector<ItemIndex> basket;
    for (int t = size(rng); t > 0; --t) basket.push_back(static_cast<ItemIndex>(g * per_group + member(rng)));
    b.add(basket);
  }
  return b;
}

TEST(TrainSgns, PlantedGroupsAreLearned) {
  // 40 items in 4 groups of 10; every basket holds 2..5 items of one group.
  constexpr int kGroups = 4, kPerGroup = 10, kItems = kGroups * kPerGroup;
  const Baskets b = planted_groups(kGroups, kPerGroup, 4000, 5, 2024);
  SgnsConfig c;
  c.dim = 16;
  c.epochs = 10;
  c.subsample = 0;
  c.threads = 2;  // the Hogwild path
  std::vector<double> losses;
  const SgnsEmbeddings e = train_sgns(b, c, [&](const SgnsEpochStats& s) {
    losses.push_back(s.loss);
    EXPECT_GT(s.pairs_per_second, 0.0);
  });
  ASSERT_EQ(losses.size(), 10u);
  EXPECT_LT(losses.back(), losses.front());

  auto group_of = [](int i) { return i / kPerGroup; };
  int top_within = 0;
  for (int a = 0; a < kItems; ++a) {
    double within = 0.0, across = 0.0;
    std::vector<std::pair<double, int>> scored;
    for (int x = 0; x < kItems; ++x) {
      if (x == a) continue;
      const double s = dot(e.input_row(a), e.output_row(x), c.dim);
      (group_of(x) == group_of(a) ? within : across) += s;
      scored.emplace_back(s, x);
    }
    within /= kPerGroup - 1;
    across /= kItems - kPerGroup;
    EXPECT_GT(within, across + 1.0) << "item " << a;
    std::partial_sort(scored.begin(), scored.begin() + kPerGroup - 1, scored.end(), std::greater<>());
    for (int r = 0; r < kPerGroup - 1; ++r) top_within += group_of(scored[static_cast<std::size_t>(r)].second) == group_of(a);
  }
  // The 9 best complements of each item are its own group's 9 other items.
  EXPECT_GE(top_within, kItems * (kPerGroup - 1) * 95 / 100);

  // Input-input cosine: same group closer than other groups on average.
  double cos_within = 0.0, cos_across = 0.0;
  for (int a = 0; a < kItems; ++a) {
    for (int x = 0; x < kItems; ++x) {
      if (x == a) continue;
      const double cs = dot(e.input_row(a), e.input_row(x), c.dim) /
                        std::sqrt(dot(e.input_row(a), e.input_row(a), c.dim) * dot(e.input_row(x), e.input_row(x), c.dim));
      (group_of(x) == group_of(a) ? cos_within : cos_across) += cs;
    }
  }
  cos_within /= kItems * (kPerGroup - 1);
  cos_across /= kItems * (kItems - kPerGroup);
  EXPECT_GT(cos_within, cos_across + 0.3);
}

/// word2vec's pair updates for n_in inputs against n_out outputs in double precision, every one
/// from the rows as they were on entry (the minibatch update sgns_batch_step documents):
/// F = X Y^T, G = (labels - sigmoid(F)) * lr, X += G Y, Y += G^T X. Repeated output pointers
/// each add their own update. Returns the summed negative log-likelihood.
double reference_batch_step(std::vector<std::vector<double>>& x, std::vector<std::vector<double>>& y,
                            const std::vector<int>& out_row, const std::vector<int>& labels, double lr) {
  const std::size_t dim = x.empty() ? 0 : x[0].size();
  const auto x0 = x;
  const auto y0 = y;
  double loss = 0.0;
  for (std::size_t b = 0; b < x.size(); ++b) {
    for (std::size_t t = 0; t < out_row.size(); ++t) {
      const auto& yt = y0[static_cast<std::size_t>(out_row[t])];
      double f = 0.0;
      for (std::size_t d = 0; d < dim; ++d) f += x0[b][d] * yt[d];
      const double s = 1.0 / (1.0 + std::exp(-f));
      loss += labels[t] != 0 ? -std::log(s) : -std::log(1.0 - s);
      const double g = ((labels[t] != 0 ? 1.0 : 0.0) - s) * lr;
      for (std::size_t d = 0; d < dim; ++d) {
        x[b][d] += g * yt[d];
        y[static_cast<std::size_t>(out_row[t])][d] += g * x0[b][d];
      }
    }
  }
  return loss;
}

/// Runs sgns_batch_step on random rows and compares with reference_batch_step. `out_row[t]` is
/// the distinct output row output t points at (a repeat is a negative drawn twice).
void expect_batch_step_matches(int dim, int n_in, const std::vector<int>& out_row, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.4f, 0.4f);
  const auto udim = static_cast<std::size_t>(dim);
  const int n_rows = *std::max_element(out_row.begin(), out_row.end()) + 1;
  std::vector<std::vector<float>> x(static_cast<std::size_t>(n_in), std::vector<float>(udim));
  std::vector<std::vector<float>> y(static_cast<std::size_t>(n_rows), std::vector<float>(udim));
  for (auto& row : x) {
    for (auto& v : row) v = u(rng);
  }
  for (auto& row : y) {
    for (auto& v : row) v = u(rng);
  }
  std::vector<int> labels(out_row.size(), 0);
  labels[0] = 1;
  std::vector<std::vector<double>> rx, ry;
  for (const auto& row : x) rx.emplace_back(row.begin(), row.end());
  for (const auto& row : y) ry.emplace_back(row.begin(), row.end());
  const double lr = 0.2;
  const double rloss = reference_batch_step(rx, ry, out_row, labels, lr);

  std::vector<float*> in_ptrs, out_ptrs;
  for (auto& row : x) in_ptrs.push_back(row.data());
  for (int r : out_row) out_ptrs.push_back(y[static_cast<std::size_t>(r)].data());
  std::vector<float> scratch(sgns_batch_scratch_size(n_in, dim));
  const float loss = sgns_batch_step(in_ptrs.data(), n_in, out_ptrs.data(), labels.data(),
                                     static_cast<int>(out_row.size()), dim, static_cast<float>(lr), scratch.data());
  const std::string where = "dim " + std::to_string(dim) + " n_in " + std::to_string(n_in) + " n_out " +
                            std::to_string(out_row.size());
  EXPECT_NEAR(loss, rloss, 1e-5 * std::max(1.0, std::abs(rloss))) << where;
  for (std::size_t b = 0; b < x.size(); ++b) {
    for (std::size_t d = 0; d < udim; ++d) ASSERT_NEAR(x[b][d], rx[b][d], 1e-5) << where << " input " << b << " d " << d;
  }
  for (std::size_t r = 0; r < y.size(); ++r) {
    for (std::size_t d = 0; d < udim; ++d) ASSERT_NEAR(y[r][d], ry[r][d], 1e-5) << where << " output " << r << " d " << d;
  }
}

TEST(SgnsBatchStep, MatchesADoublePrecisionReference) {
  // Dims with and without a scalar tail; one input (word2vec's step) to a long bulk-order batch;
  // 1..6 outputs (one pass) and 7, 12, 13 (passes of 6 carrying the input gradient).
  for (int dim : {3, 8, 16, 19, 64, 67}) {
    for (int n_in : {1, 2, 5, 20, 33}) {
      for (int n_out : {1, 2, 3, 4, 5, 6, 7, 12, 13}) {
        std::vector<int> rows(static_cast<std::size_t>(n_out));
        std::iota(rows.begin(), rows.end(), 0);
        expect_batch_step_matches(dim, n_in, rows, static_cast<std::uint32_t>(dim * 10000 + n_in * 100 + n_out));
      }
    }
  }
}

TEST(SgnsBatchStep, ARepeatedNegativeGetsEveryUpdate) {
  // Output rows 0 (positive), 1, 2, 1, 1, 3: row 1 drawn three times within one pass takes all
  // three updates (a lost write would leave it one or two short).
  expect_batch_step_matches(16, 7, {0, 1, 2, 1, 1, 3}, 77);
  expect_batch_step_matches(19, 4, {0, 2, 2}, 78);
}

TEST(SgnsBatchStep, SharesNegativesAcrossInputs) {
  // Two inputs against one positive and one negative output: the negative's update is the sum
  // of both inputs' pulls, and each input's update uses the same (entry) negative row.
  float x0[2] = {0.3f, -0.2f}, x1[2] = {-0.1f, 0.4f};
  float pos[2] = {0.2f, 0.1f}, neg[2] = {0.5f, -0.3f};
  float* in[2] = {x0, x1};
  float* out[2] = {pos, neg};
  const int labels[2] = {1, 0};
  std::vector<float> scratch(sgns_batch_scratch_size(2, 2));
  const float lr = 0.5f;
  auto sig = [](double f) { return 1.0 / (1.0 + std::exp(-f)); };
  const double f00 = 0.3 * 0.2 - 0.2 * 0.1, f01 = 0.3 * 0.5 + 0.2 * 0.3;
  const double f10 = -0.1 * 0.2 + 0.4 * 0.1, f11 = -0.1 * 0.5 - 0.4 * 0.3;
  const double g00 = (1 - sig(f00)) * lr, g01 = -sig(f01) * lr, g10 = (1 - sig(f10)) * lr, g11 = -sig(f11) * lr;
  sgns_batch_step(in, 2, out, labels, 2, 2, lr, scratch.data());
  EXPECT_NEAR(neg[0], 0.5 + g01 * 0.3 + g11 * -0.1, 1e-6);
  EXPECT_NEAR(neg[1], -0.3 + g01 * -0.2 + g11 * 0.4, 1e-6);
  EXPECT_NEAR(pos[0], 0.2 + g00 * 0.3 + g10 * -0.1, 1e-6);
  EXPECT_NEAR(x0[0], 0.3 + g00 * 0.2 + g01 * 0.5, 1e-6);
  EXPECT_NEAR(x1[1], 0.4 + g10 * 0.1 + g11 * -0.3, 1e-6);
}

TEST(TrainSgns, DrawsNegativesOncePerBatchOfContexts) {
  // One basket of 10 items, no subsampling, 5 negatives: every item's 9 contexts form groups of
  // at most `batch`, each drawing 5 negatives; the pairs do not depend on the batch.
  Baskets b;
  b.n_items = 10;
  std::vector<ItemIndex> basket(10);
  std::iota(basket.begin(), basket.end(), 0);
  b.add(basket);
  SgnsConfig c;
  c.dim = 8;
  c.epochs = 1;
  c.subsample = 0;
  c.deterministic = true;
  auto stats = [&](int batch) {
    c.batch = batch;
    SgnsEpochStats out;
    train_sgns(b, c, [&](const SgnsEpochStats& s) { out = s; });
    return out;
  };
  for (const auto& [batch, groups] : std::vector<std::pair<int, std::uint64_t>>{{1, 90}, {4, 30}, {9, 10}, {32, 10}}) {
    const SgnsEpochStats s = stats(batch);
    EXPECT_EQ(s.pairs, 90u) << "batch " << batch;
    EXPECT_EQ(s.negative_draws, groups * 5) << "batch " << batch;
  }
  c.window = 2;  // contexts of 2, 3, 4, 4, ..., 4, 3, 2: one group each with batch 32
  EXPECT_EQ(stats(32).negative_draws, 10u * 5);
  EXPECT_EQ(stats(32).pairs, 2u * (1 + 2 + 7 * 2));
  EXPECT_EQ(stats(3).negative_draws, (2u + 6 * 2 + 2) * 5);  // 4 contexts need two groups of <= 3
}

TEST(TrainSgns, WordToVecBatchOfOneLearnsTheSameGroups) {
  // batch = 1 (fresh negatives for every pair) and the default shared-negative batch both find
  // planted groups; each is deterministic, and they differ (the negatives are drawn differently).
  constexpr int kGroups = 4, kPerGroup = 8, kItems = kGroups * kPerGroup;
  const Baskets b = planted_groups(kGroups, kPerGroup, 3000, 6, 99);
  SgnsConfig c;
  c.dim = 16;
  c.epochs = 8;
  c.subsample = 0;
  c.deterministic = true;
  std::vector<std::vector<float>> inputs;
  for (int batch : {1, 32}) {
    c.batch = batch;
    const SgnsEmbeddings e = train_sgns(b, c);
    EXPECT_TRUE(e.input == train_sgns(b, c).input) << "batch " << batch;
    int wins = 0;
    for (int a = 0; a < kItems; ++a) {
      double within = 0.0, across = 0.0;
      for (int x = 0; x < kItems; ++x) {
        if (x == a) continue;
        (x / kPerGroup == a / kPerGroup ? within : across) += dot(e.input_row(a), e.output_row(x), c.dim);
      }
      wins += within / (kPerGroup - 1) > across / (kItems - kPerGroup) + 1.0;
    }
    EXPECT_EQ(wins, kItems) << "batch " << batch;
    inputs.push_back(e.input);
  }
  EXPECT_FALSE(inputs[0] == inputs[1]);
}

void expect_invalid(const SgnsConfig& c, const std::string& field) {
  try {
    validate(c);
    ADD_FAILURE() << "no error for " << field;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request) << field;
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(SgnsConfig, ValidateNamesTheBadField) {
  EXPECT_NO_THROW(validate(SgnsConfig{}));
  auto with = [](auto edit) {
    SgnsConfig c;
    edit(c);
    return c;
  };
  expect_invalid(with([](SgnsConfig& c) { c.dim = 0; }), "sgns.dim");
  expect_invalid(with([](SgnsConfig& c) { c.epochs = 0; }), "sgns.epochs");
  expect_invalid(with([](SgnsConfig& c) { c.negatives = 0; }), "sgns.negatives");
  expect_invalid(with([](SgnsConfig& c) { c.ns_exponent = std::nan(""); }), "sgns.ns_exponent");
  expect_invalid(with([](SgnsConfig& c) { c.learning_rate = 0; }), "sgns.learning_rate");
  expect_invalid(with([](SgnsConfig& c) { c.min_learning_rate = 0.5; }), "sgns.min_learning_rate");
  expect_invalid(with([](SgnsConfig& c) { c.subsample = -1e-3; }), "sgns.subsample");
  expect_invalid(with([](SgnsConfig& c) { c.min_count = 0; }), "sgns.min_count");
  expect_invalid(with([](SgnsConfig& c) { c.window = -1; }), "sgns.window");
  expect_invalid(with([](SgnsConfig& c) { c.max_contexts = 1; }), "sgns.max_contexts");
  expect_invalid(with([](SgnsConfig& c) { c.batch = 0; }), "sgns.batch");
  // train_sgns validates before doing anything.
  Baskets b;
  b.n_items = 3;
  EXPECT_THROW(train_sgns(b, with([](SgnsConfig& c) { c.dim = -3; })), Error);
}

TEST(TrainSgns, NoPairsStillReportsEveryEpoch) {
  Baskets b;
  b.n_items = 5;
  b.add(std::vector<ItemIndex>{2});
  SgnsConfig c;
  c.dim = 4;
  c.epochs = 2;
  int calls = 0;
  const SgnsEmbeddings e = train_sgns(b, c, [&](const SgnsEpochStats& s) {
    ++calls;
    EXPECT_EQ(s.pairs, 0u);
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(e.input.size(), 20u);
  EXPECT_EQ(e.trained[2], 1);
  EXPECT_EQ(e.trained[0], 0);
}

}  // namespace
}  // namespace cobuy
