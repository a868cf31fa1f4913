#include "training/sgns.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/error.h"
#include "training/sgns_kernels.h"

namespace cobuy {
namespace {

using namespace sgns_kernels;  // the trainer is the kernels' only user

inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// splitmix64: one add and two multiplies per draw, good enough for sampling.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() { return mix64(state += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, n) from the high 32 bits (bias below 2^-32 * n, irrelevant here).
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32); }
};

// Walker/Vose alias table: O(1) draws from P(i) ~ weight_i touching one 12-byte entry, where a
// word2vec-style 1e7-entry table would take 40 MB and miss the cache on every draw.
class AliasSampler {
 public:
  AliasSampler(const std::vector<ItemIndex>& items, const std::vector<double>& weights) {
    const std::size_t n = items.size();
    table_.resize(n);
    if (n == 0) return;
    double total = 0.0;
    for (double w : weights) total += w;
    std::vector<double> q(n);
    std::vector<std::size_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      q[i] = weights[i] * static_cast<double>(n) / total;
      (q[i] < 1.0 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      const std::size_t s = small.back(), l = large.back();
      small.pop_back();
      table_[s] = {threshold(q[s]), items[s], items[l]};
      q[l] -= 1.0 - q[s];
      if (q[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // Leftovers have q == 1 up to rounding: always themselves.
    for (std::size_t i : small) table_[i] = {0xffffffffU, items[i], items[i]};
    for (std::size_t i : large) table_[i] = {0xffffffffU, items[i], items[i]};
  }

  ItemIndex sample(std::uint64_t r) const {
    const auto& e = table_[((r >> 32) * table_.size()) >> 32];
    return static_cast<std::uint32_t>(r) < e.threshold ? e.item : e.alias;
  }

 private:
  struct Entry {
    std::uint32_t threshold;  // keep `item` when the low 32 random bits are below this
    ItemIndex item;
    ItemIndex alias;
  };
  static std::uint32_t threshold(double p) {
    return static_cast<std::uint32_t>(std::clamp(p * 4294967296.0, 0.0, 4294967295.0));
  }
  std::vector<Entry> table_;
};

// Per item: 0 = not in the vocabulary, kKeepAlways = never subsampled, else an occurrence is kept
// when the low 32 random bits are below the value.
constexpr std::uint64_t kKeepAlways = std::uint64_t{1} << 32;

// (centre, context) pairs a basket of k vocabulary items plans, before subsampling; drives the
// learning-rate schedule, which must be known in advance.
std::uint64_t planned_pairs(std::uint64_t k, const SgnsConfig& c) {
  if (k < 2) return 0;
  if (c.window > 0) {
    const auto w = static_cast<std::uint64_t>(c.window);
    if (k - 1 <= w) return k * (k - 1);
    // Each side of position i sees min(i, w) items; summed over i and doubled for both sides.
    const std::uint64_t side = w * (w + 1) / 2 + (k - 1 - w) * w;
    return 2 * side;
  }
  if (c.max_contexts > 0 && k - 1 > c.max_contexts) return k * (c.max_contexts / 2) * 2;
  return k * (k - 1);
}

struct TrainContext {
  const Baskets& baskets;
  const SgnsConfig& config;
  int stride = 0;
  float* input = nullptr;
  float* output = nullptr;
  const std::uint64_t* keep = nullptr;
  const AliasSampler* sampler = nullptr;
  const std::uint64_t* planned = nullptr;
  const std::uint32_t* order = nullptr;  // this epoch's visiting order of baskets
  double total_planned = 1.0;
  std::atomic<std::uint64_t>* progress = nullptr;
};

struct Worker {
  std::vector<ItemIndex> basket;  // the basket being trained, shuffled
  std::vector<float*> inputs;     // the input rows of one item's contexts
  std::vector<float*> outs;       // two slots of 1 + negatives output rows
  std::vector<int> labels;        // 1, then 0 for each negative
  std::vector<float> scratch;     // sgns_batch_scratch_size(batch, stride)
  double loss = 0.0;
  std::uint64_t pairs = 0;
  std::uint64_t groups = 0;  // draws of negatives

  Worker(std::size_t max_basket, int stride, const SgnsConfig& c)
      : basket(max_basket),
        inputs(max_basket),
        outs(2 * (static_cast<std::size_t>(c.negatives) + 1)),
        labels(static_cast<std::size_t>(c.negatives) + 1, 0),
        scratch(sgns_batch_scratch_size(static_cast<int>(std::min<std::size_t>(
                                            std::max<std::size_t>(max_basket, 1), static_cast<std::size_t>(c.batch))),
                                        stride)) {
    labels[0] = 1;
  }
};

// Trains the baskets at positions [begin, end) of this epoch's order. Hogwild: rows are read and
// written without locks while other workers do the same (as word2vec, fastText and gensim do);
// an update lost to a concurrent write only adds noise to SGD, and locking would cost more than
// the update itself. Every basket draws from its own generator, seeded by (seed, epoch, basket),
// so a single-threaded run is reproducible whatever the chunking.
COBUY_SGNS_CLONES COBUY_SGNS_FLATTEN void train_baskets(const TrainContext& ctx, std::size_t begin,
                                                        std::size_t end, int epoch, Worker& w) {
  const SgnsConfig& c = ctx.config;
  const int stride = ctx.stride;
  const int negatives = c.negatives;
  const auto batch = static_cast<std::uint32_t>(c.batch);
  const auto lr0 = static_cast<float>(c.learning_rate);
  const auto lr_min = static_cast<float>(c.min_learning_rate);
  const std::uint64_t epoch_seed = mix64(c.seed ^ mix64(static_cast<std::uint64_t>(epoch) + 0x632be59bd9b4e019ULL));
  const auto ustride = static_cast<std::size_t>(stride);
  ItemIndex* buf = w.basket.data();
  float** inputs = w.inputs.data();
  float** outs = w.outs.data();
  const int* labels = w.labels.data();
  float* scratch = w.scratch.data();

  for (std::size_t pos = begin; pos < end; ++pos) {
    const std::size_t b = ctx.order[pos];
    const std::uint64_t done = ctx.progress->fetch_add(ctx.planned[b], std::memory_order_relaxed);
    if (ctx.planned[b] == 0) continue;
    const float lr = std::max(
        lr_min, lr0 - (lr0 - lr_min) * static_cast<float>(static_cast<double>(done) / ctx.total_planned));
    Rng rng{mix64(epoch_seed ^ (static_cast<std::uint64_t>(b) * 0xd1b54a32d192ed03ULL))};

    std::uint32_t k = 0;
    for (ItemIndex item : ctx.baskets.basket(b)) {
      const std::uint64_t keep = ctx.keep[item];
      if (keep == 0) continue;
      if (keep != kKeepAlways && (rng.next() & 0xffffffffULL) >= keep) continue;
      buf[k++] = item;
    }
    if (k < 2) continue;
    for (std::uint32_t i = k - 1; i > 0; --i) std::swap(buf[i], buf[rng.below(i + 1)]);

    // Context of position i: all others; or +-window (clipped at the ends); or, for long
    // baskets, +-max_contexts/2 around the circle of the shuffled order. Each rule is
    // symmetric (j is in i's context exactly when i is in j's), so training output row i
    // against the input rows of i's context covers the same (centre, context) pairs as the
    // other way round.
    std::uint32_t half = 0;
    bool circular = false;
    if (c.window > 0) {
      half = static_cast<std::uint32_t>(c.window);
    } else if (c.max_contexts > 0 && k - 1 > c.max_contexts) {
      half = c.max_contexts / 2;
      circular = true;
    }
    auto input_row = [&](std::uint32_t j) { return ctx.input + static_cast<std::size_t>(buf[j]) * ustride; };

    // Fills slot `slot` with the output row of `item` and fresh negatives (a negative equal to
    // the item is skipped, as in word2vec) and prefetches them; returns how many rows.
    auto draw = [&](int slot, ItemIndex item) {
      float** o = outs + slot * (negatives + 1);
      o[0] = ctx.output + static_cast<std::size_t>(item) * ustride;
      int n = 1;
      for (int t = 0; t < negatives; ++t) {
        const ItemIndex neg = ctx.sampler->sample(rng.next());
        if (neg == item) continue;
        o[n++] = ctx.output + static_cast<std::size_t>(neg) * ustride;
      }
      for (int t = 0; t < n; ++t) prefetch_row(o[t], stride);
      return n;
    };
    // Groups: position i's contexts in batches of at most `batch`, each sharing one draw of
    // negatives. One group of lookahead: the next group's output rows (random items, often not
    // in L1/L2) are requested before this group computes.
    int slot = 0;
    int n_next = draw(0, buf[0]);
    for (std::uint32_t i = 0; i < k; ++i) {
      std::uint32_t n_ctx = 0;
      if (half == 0) {
        for (std::uint32_t j = 0; j < k; ++j) {
          if (j != i) inputs[n_ctx++] = input_row(j);
        }
      } else if (circular) {
        for (std::uint32_t o = 1; o <= half; ++o) {
          inputs[n_ctx++] = input_row((i + o) % k);
          inputs[n_ctx++] = input_row((i + k - o) % k);
        }
      } else {
        const std::uint32_t lo = i > half ? i - half : 0;
        const std::uint32_t hi = std::min(k - 1, i + half);
        for (std::uint32_t j = lo; j <= hi; ++j) {
          if (j != i) inputs[n_ctx++] = input_row(j);
        }
      }
      for (std::uint32_t c0 = 0; c0 < n_ctx; c0 += batch) {
        const std::uint32_t nb = std::min(batch, n_ctx - c0);
        const int n = n_next;
        float* const* group = outs + slot * (negatives + 1);
        slot ^= 1;
        if (c0 + nb < n_ctx) {
          n_next = draw(slot, buf[i]);
        } else if (i + 1 < k) {
          n_next = draw(slot, buf[i + 1]);
        }
        w.loss += batch_step(inputs + c0, static_cast<int>(nb), group, labels, n, stride, lr, scratch);
        ++w.groups;
      }
      w.pairs += n_ctx;
    }
  }
}

}  // namespace

void validate(const SgnsConfig& c) {
  COBUY_CHECK(c.dim >= 1 && c.dim <= 4096, ErrorCode::bad_request, "sgns.dim must be in [1, 4096], got " << c.dim);
  COBUY_CHECK(c.epochs >= 1 && c.epochs <= 100000, ErrorCode::bad_request,
              "sgns.epochs must be in [1, 100000], got " << c.epochs);
  COBUY_CHECK(c.negatives >= 1 && c.negatives <= 1000, ErrorCode::bad_request,
              "sgns.negatives must be in [1, 1000], got " << c.negatives);
  COBUY_CHECK(std::isfinite(c.ns_exponent) && std::abs(c.ns_exponent) <= 10, ErrorCode::bad_request,
              "sgns.ns_exponent must be a finite number in [-10, 10], got " << c.ns_exponent);
  COBUY_CHECK(std::isfinite(c.learning_rate) && c.learning_rate > 0 && c.learning_rate <= 10, ErrorCode::bad_request,
              "sgns.learning_rate must be in (0, 10], got " << c.learning_rate);
  COBUY_CHECK(std::isfinite(c.min_learning_rate) && c.min_learning_rate >= 0 &&
                  c.min_learning_rate <= c.learning_rate,
              ErrorCode::bad_request,
              "sgns.min_learning_rate must be in [0, learning_rate], got " << c.min_learning_rate);
  COBUY_CHECK(std::isfinite(c.subsample) && c.subsample >= 0, ErrorCode::bad_request,
              "sgns.subsample must be >= 0 (0 = off), got " << c.subsample);
  COBUY_CHECK(c.min_count >= 1, ErrorCode::bad_request, "sgns.min_count must be >= 1, got " << c.min_count);
  COBUY_CHECK(c.window >= 0, ErrorCode::bad_request, "sgns.window must be >= 0 (0 = whole basket), got " << c.window);
  COBUY_CHECK(c.max_contexts == 0 || c.max_contexts >= 2, ErrorCode::bad_request,
              "sgns.max_contexts must be 0 (whole basket) or >= 2, got " << c.max_contexts);
  COBUY_CHECK(c.batch >= 1 && c.batch <= 4096, ErrorCode::bad_request,
              "sgns.batch must be in [1, 4096], got " << c.batch);
}

float sgns_sigmoid(float x) {
  float f[kLanes] = {x}, sig[kLanes], sp[kLanes];
  sigmoid_softplus8(f, sig, sp);
  return sig[0];
}

std::size_t sgns_batch_scratch_size(int n_inputs, int dim) {
  return static_cast<std::size_t>(std::max(n_inputs, 0)) * (kPass * kLanes + static_cast<std::size_t>(std::max(dim, 0)));
}

COBUY_SGNS_CLONES COBUY_SGNS_FLATTEN float sgns_batch_step(float* const inputs[], int n_inputs,
                                                           float* const outputs[], const int labels[], int n_outputs,
                                                           int dim, float lr, float* scratch) {
  return batch_step(inputs, n_inputs, outputs, labels, n_outputs, dim, lr, scratch);
}

float sgns_step(float* in, float* const out_vectors[], const int labels[], int n, int dim, float lr,
                float* grad_scratch) {
  // Targets go in groups of up to kGroup. First all dot products of a group (independent, so the
  // CPU overlaps them), then one pass over the dimensions that, per block of lanes, loads the
  // input block once, accumulates the input's gradient in registers and updates every output
  // row of the group. Equal to word2vec's one-target-at-a-time loop, because word2vec also
  // updates the input only at the end and uses each output row before its own update; only an
  // output row repeated within a group sees the earlier update in its dot product there but not
  // here. Groups after the first keep the pending input gradient in grad_scratch.
  constexpr int kGroup = 8;
  float loss = 0.0f;
  for (int t0 = 0; t0 < n; t0 += kGroup) {
    const int m = std::min(kGroup, n - t0);
    const bool first = t0 == 0;
    const bool last = t0 + m == n;
    float* const* outs = out_vectors + t0;
    float g[kGroup] = {}, sig[kGroup], sp[kGroup];
    for (int t = 0; t < m; ++t) g[t] = dot(in, outs[t], dim);
    sigmoid_softplus8(g, sig, sp);
    for (int t = 0; t < m; ++t) {
      const float f = g[t];
      const float label = labels[t0 + t] != 0 ? 1.0f : 0.0f;
      loss += sp[t] - label * f;  // -log sigmoid(f) if label else -log(1 - sigmoid(f))
      g[t] = (label - sig[t]) * lr;
    }
    // Broadcast once per target, not per block: without AVX, GCC builds a broadcast from eight
    // scalar stores, and reading them back at once stalls store forwarding.
    Float8 gv[kGroup];
    for (int t = 0; t < m; ++t) gv[t] = Float8{} + g[t];
    int d = 0;
    for (; d + kLanes <= dim; d += kLanes) {
      Float8 x, acc = {};
      COBUY_LOAD8(x, in + d);
      if (!first) COBUY_LOAD8(acc, grad_scratch + d);
      for (int t = 0; t < m; ++t) {
        Float8 o;
        COBUY_LOAD8(o, outs[t] + d);
        acc += gv[t] * o;
        o += gv[t] * x;
        COBUY_STORE8(outs[t] + d, o);
      }
      if (last) {
        x += acc;
        COBUY_STORE8(in + d, x);
      } else {
        COBUY_STORE8(grad_scratch + d, acc);
      }
    }
    for (; d < dim; ++d) {
      const float x = in[d];
      float acc = first ? 0.0f : grad_scratch[d];
      for (int t = 0; t < m; ++t) {
        const float v = outs[t][d];
        acc += g[t] * v;
        outs[t][d] = v + g[t] * x;
      }
      if (last) {
        in[d] = x + acc;
      } else {
        grad_scratch[d] = acc;
      }
    }
  }
  return loss;
}

SgnsEmbeddings train_sgns(const Baskets& baskets, const SgnsConfig& config, const SgnsCallback& callback,
                          const SgnsAveraging* averaging) {
  validate(config);
  if (averaging) {
    COBUY_CHECK(averaging->item_counts.size() == baskets.n_items && averaging->rounds_per_epoch >= 1 &&
                    averaging->average,
                ErrorCode::internal,
                "sgns averaging: item_counts must have one count per item, rounds_per_epoch must be >= 1");
  }
  COBUY_CHECK(baskets.size() <= std::numeric_limits<std::uint32_t>::max(), ErrorCode::too_large,
              "sgns: at most 2^32 - 1 baskets, got " << baskets.size());
  const std::size_t n_items = baskets.n_items;
  const int stride = (config.dim + kLanes - 1) / kLanes * kLanes;
  const auto ustride = static_cast<std::size_t>(stride);

  // Vocabulary, subsampling and the negative distribution, all from basket counts.
  const std::vector<std::uint32_t> counts = averaging ? averaging->item_counts : item_order_counts(baskets);
  std::vector<std::uint64_t> keep(n_items, 0);
  std::vector<ItemIndex> vocab;
  std::vector<double> weights;
  double total = 0.0;
  for (std::size_t i = 0; i < n_items; ++i) {
    if (counts[i] >= config.min_count) {
      vocab.push_back(static_cast<ItemIndex>(i));
      weights.push_back(std::pow(static_cast<double>(counts[i]), config.ns_exponent));
      total += counts[i];
    }
  }
  const double threshold_count = config.subsample * total;
  for (ItemIndex i : vocab) {
    double p = 1.0;
    if (config.subsample > 0) {
      const double c = counts[i];
      p = (std::sqrt(c / threshold_count) + 1.0) * threshold_count / c;
    }
    keep[i] = p >= 1.0 ? kKeepAlways : std::max<std::uint64_t>(1, static_cast<std::uint64_t>(p * 4294967296.0));
  }
  const AliasSampler sampler(vocab, weights);

  std::vector<std::uint64_t> planned(baskets.size());
  double total_planned = 0.0;
  std::size_t max_basket = 0;
  for (std::size_t b = 0; b < baskets.size(); ++b) {
    std::uint64_t k = 0;
    for (ItemIndex item : baskets.basket(b)) k += keep[item] != 0 ? 1 : 0;
    planned[b] = planned_pairs(k, config);
    total_planned += static_cast<double>(planned[b]);
    max_basket = std::max<std::size_t>(max_basket, baskets.basket(b).size());
  }
  total_planned *= config.epochs;

  // word2vec's initialisation: inputs uniform in [-0.5/dim, 0.5/dim], outputs zero.
  std::vector<float> input(n_items * ustride, 0.0f), output(n_items * ustride, 0.0f);
  Rng init{mix64(config.seed ^ 0x5851f42d4c957f2dULL)};
  for (ItemIndex i : vocab) {
    for (int d = 0; d < config.dim; ++d) {
      const float u = static_cast<float>(init.next() >> 40) / 16777216.0f;
      input[i * ustride + static_cast<std::size_t>(d)] = (u - 0.5f) / static_cast<float>(config.dim);
    }
  }

  std::atomic<std::uint64_t> progress{0};
  TrainContext ctx{baskets, config};
  ctx.stride = stride;
  ctx.input = input.data();
  ctx.output = output.data();
  ctx.keep = keep.data();
  ctx.sampler = &sampler;
  ctx.planned = planned.data();
  std::vector<std::uint32_t> order(baskets.size());
  std::iota(order.begin(), order.end(), 0u);
  ctx.order = order.data();
  ctx.total_planned = std::max(1.0, total_planned);
  ctx.progress = &progress;

  const bool single = config.deterministic || config.threads == 1;
  const int threads = config.threads == 0 ? tbb::this_task_arena::max_concurrency() : static_cast<int>(config.threads);
  tbb::task_arena arena(single ? 1 : threads);
  tbb::enumerable_thread_specific<Worker> workers(max_basket, stride, config);
  Worker main_worker(max_basket, stride, config);
  // Grain: enough baskets per task to amortise scheduling, small enough to balance bulk orders.
  constexpr std::size_t kGrain = 32;

  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    if (config.shuffle_baskets) {
      Rng shuffle{mix64(config.seed ^ mix64(static_cast<std::uint64_t>(epoch) ^ 0x2545f4914f6cdd1dULL))};
      for (std::size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[shuffle.below(static_cast<std::uint32_t>(i))]);
      }
    }
    // Without averaging one round is the whole epoch; with it, the processes average their
    // vectors after each round.
    const int rounds = averaging ? averaging->rounds_per_epoch : 1;
    for (int round = 0; round < rounds; ++round) {
      const std::size_t begin = baskets.size() * static_cast<std::size_t>(round) / static_cast<std::size_t>(rounds);
      const std::size_t end = baskets.size() * static_cast<std::size_t>(round + 1) / static_cast<std::size_t>(rounds);
      if (single) {
        train_baskets(ctx, begin, end, epoch, main_worker);
      } else {
        // Ranges of the visiting order; with shuffle_baskets each is a random sample of baskets,
        // so concurrent workers rarely train near-identical (consecutive bulk) orders at once.
        arena.execute([&] {
          tbb::parallel_for(tbb::blocked_range<std::size_t>(begin, end, kGrain),
                            [&](const tbb::blocked_range<std::size_t>& r) {
                              train_baskets(ctx, r.begin(), r.end(), epoch, workers.local());
                            });
        });
      }
      if (averaging) {
        averaging->average(input);
        averaging->average(output);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    SgnsEpochStats stats;
    stats.epoch = epoch;
    double loss = main_worker.loss;
    stats.pairs = main_worker.pairs;
    std::uint64_t groups = main_worker.groups;
    main_worker.loss = 0.0;
    main_worker.pairs = 0;
    main_worker.groups = 0;
    for (Worker& w : workers) {
      loss += w.loss;
      stats.pairs += w.pairs;
      groups += w.groups;
      w.loss = 0.0;
      w.pairs = 0;
      w.groups = 0;
    }
    stats.negative_draws = groups * static_cast<std::uint64_t>(config.negatives);
    stats.loss = stats.pairs > 0 ? loss / static_cast<double>(stats.pairs) : 0.0;
    stats.pairs_per_second = seconds > 0 ? static_cast<double>(stats.pairs) / seconds : 0.0;
    if (callback) callback(stats);
  }

  SgnsEmbeddings e;
  e.dim = config.dim;
  e.n_items = n_items;
  e.trained.assign(n_items, 0);
  for (ItemIndex i : vocab) e.trained[i] = 1;
  if (stride == config.dim) {
    e.input = std::move(input);
    e.output = std::move(output);
  } else {
    const auto udim = static_cast<std::size_t>(config.dim);
    e.input.resize(n_items * udim);
    e.output.resize(n_items * udim);
    for (std::size_t i = 0; i < n_items; ++i) {
      std::copy_n(input.begin() + static_cast<std::ptrdiff_t>(i * ustride), udim,
                  e.input.begin() + static_cast<std::ptrdiff_t>(i * udim));
      std::copy_n(output.begin() + static_cast<std::ptrdiff_t>(i * ustride), udim,
                  e.output.begin() + static_cast<std::ptrdiff_t>(i * udim));
    }
  }
  return e;
}

}  // namespace cobuy

#undef COBUY_LOAD8
#undef COBUY_STORE8
#undef COBUY_SHUFFLE8
#undef COBUY_UNROLL
#undef COBUY_SELECT8
