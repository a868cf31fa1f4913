#pragma once
/// The inner kernels of the skip-gram trainer, included by training/sgns.cpp alone: 8-lane float
/// vectors, the vectorised sigmoid and softplus, dot products and lane sums, and the
/// shared-negative minibatch update (batch_step) as register-blocked small matrix products. All
/// inline, so that the trainer's flattened per-architecture clones inline them whole.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

// The hot loop is compiled twice, for x86-64-v3 (AVX2 + FMA) and for the baseline, and picked at
// load time, so wide vectors are used without a global -march flag. Only under GCC on x86-64,
// where the resolver is known to work with static libraries.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define COBUY_SGNS_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define COBUY_SGNS_CLONES
#endif
#if defined(__GNUC__)
#define COBUY_SGNS_FLATTEN __attribute__((flatten))
#else
#define COBUY_SGNS_FLATTEN
#endif
// Loops over a template's handful of rows must be unrolled for their vectors to stay in
// registers; -O2 does not unroll them by itself.
#if defined(__clang__)
#define COBUY_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define COBUY_UNROLL _Pragma("GCC unroll 8")
#else
#define COBUY_UNROLL
#endif

namespace cobuy::sgns_kernels {

// Rows are padded to a multiple of kLanes floats so the kernels run whole blocks; padding lanes
// start at zero and every update keeps them zero.
constexpr int kLanes = 8;

// Eight floats as one GCC/Clang vector: native AVX registers in the x86-64-v3 clone, two SSE
// registers in the baseline one. Only used as local variables, never passed to or returned from
// functions, so the ABI of 32-byte vectors without AVX (-Wpsabi) never comes into play.
using Float8 = float __attribute__((vector_size(kLanes * sizeof(float))));

#define COBUY_LOAD8(v, p) std::memcpy(&(v), (p), sizeof(Float8))
#define COBUY_STORE8(p, v) std::memcpy((p), &(v), sizeof(Float8))
using Int8 = int __attribute__((vector_size(kLanes * sizeof(int))));

// Lanes of `if_set` where `mask` is all ones, else of `if_clear` (a macro: see Float8).
#define COBUY_SELECT8(mask, if_set, if_clear)                                  \
  reinterpret_cast<Float8>((reinterpret_cast<Int8>(if_set) & (mask)) |        \
                           (reinterpret_cast<Int8>(if_clear) & ~(mask)))

// Logits beyond +-kMaxExp are clamped, as in word2vec.
constexpr float kMaxExp = 8.0f;

// sigmoid(f) and softplus(f) = log(1 + e^f) = -log sigmoid(-f) of 8 logits at once. At or above
// kMaxExp (and for NaN) 1 and f, at or below -kMaxExp 0 and 0, as word2vec's clamped table.
// Inside, from e = exp(-|f|) (Cephes' expf: 2^n times a polynomial, relative error near 1e-7):
// sigmoid = 1 / (1 + e) for f >= 0 and e / (1 + e) below, softplus = max(f, 0) + log1p(e) with
// log1p(e) = 2 atanh(z), z = e / (2 + e) <= 1/3, summed to z^13 (truncation below 2e-8).
// Takes and gives memory, not vectors (see Float8).
inline void sigmoid_softplus8(const float* logits, float* sigmoid, float* softplus) {
  Float8 f;
  COBUY_LOAD8(f, logits);
  const Float8 zero = {};
  const Float8 one = zero + 1.0f;
  const Int8 inside = (f < kMaxExp) & (f > -kMaxExp);  // false for NaN
  Float8 y = reinterpret_cast<Float8>(reinterpret_cast<Int8>(f) | static_cast<int>(0x80000000U));  // -|f|
  y = COBUY_SELECT8(inside, y, zero - kMaxExp);
  // e^y = 2^n e^r, n = round(y / ln 2), r = y - n ln 2 in two parts (Cody-Waite).
  const Float8 n = (y * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  const Float8 r = (y - n * 0.693359375f) - n * -2.12194440e-4f;
  Float8 p = zero + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const Int8 exponent = (__builtin_convertvector(n, Int8) + 127) << 23;
  const Float8 e = p * reinterpret_cast<Float8>(exponent);
  const Float8 inv = one / (one + e);
  Float8 s = COBUY_SELECT8(f >= zero, inv, e * inv);
  const Float8 z = e / (e + 2.0f);
  const Float8 z2 = z * z;
  Float8 q = zero + 1.0f / 13;
  q = q * z2 + 1.0f / 11;
  q = q * z2 + 1.0f / 9;
  q = q * z2 + 1.0f / 7;
  q = q * z2 + 1.0f / 5;
  q = q * z2 + 1.0f / 3;
  q = q * z2 + 1.0f;
  Float8 sp = COBUY_SELECT8(f > zero, f, zero) + 2.0f * z * q;
  const Int8 high = ~(f < kMaxExp);  // also NaN
  s = COBUY_SELECT8(inside, s, COBUY_SELECT8(high, one, zero));
  sp = COBUY_SELECT8(inside, sp, COBUY_SELECT8(high, f, zero));
  COBUY_STORE8(sigmoid, s);
  COBUY_STORE8(softplus, sp);
}

inline float dot(const float* __restrict a, const float* __restrict b, int dim) {
  Float8 acc0 = {}, acc1 = {};
  int d = 0;
  for (; d + 2 * kLanes <= dim; d += 2 * kLanes) {
    Float8 a0, a1, b0, b1;
    COBUY_LOAD8(a0, a + d);
    COBUY_LOAD8(b0, b + d);
    COBUY_LOAD8(a1, a + d + kLanes);
    COBUY_LOAD8(b1, b + d + kLanes);
    acc0 += a0 * b0;
    acc1 += a1 * b1;
  }
  for (; d + kLanes <= dim; d += kLanes) {
    Float8 a0, b0;
    COBUY_LOAD8(a0, a + d);
    COBUY_LOAD8(b0, b + d);
    acc0 += a0 * b0;
  }
  acc0 += acc1;
  // Pairwise reduction: a sequential sum of the lanes is a long latency chain.
  float lanes[kLanes];
  COBUY_STORE8(lanes, acc0);
  float s = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
  for (; d < dim; ++d) s += a[d] * b[d];
  return s;
}


// sums[t] = the sum of the lanes of a[t]: a transposing reduction in three rounds of shuffles
// and adds (GCC and Clang pick unpack / shufps / permute instructions for them). Takes and
// gives memory, not vectors, for the same ABI reason as Float8's comment.
#if defined(__clang__)
#define COBUY_SHUFFLE8(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define COBUY_SHUFFLE8(a, b, ...) __builtin_shuffle(a, b, Int8{__VA_ARGS__})
#endif

inline void lane_sums(const Float8 (&a)[kLanes], float* sums) {
  Float8 s[4], q[2];
  COBUY_UNROLL for (int i = 0; i < 4; ++i) {  // [a0+a2, b0+b2, a1+a3, b1+b3 | a4+a6, b4+b6, a5+a7, b5+b7]
    s[i] = COBUY_SHUFFLE8(a[2 * i], a[2 * i + 1], 0, 8, 1, 9, 4, 12, 5, 13) +
           COBUY_SHUFFLE8(a[2 * i], a[2 * i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  COBUY_UNROLL for (int i = 0; i < 2; ++i) {  // [a0..3 of the four vectors | a4..7 of the four vectors]
    q[i] = COBUY_SHUFFLE8(s[2 * i], s[2 * i + 1], 0, 1, 8, 9, 4, 5, 12, 13) +
           COBUY_SHUFFLE8(s[2 * i], s[2 * i + 1], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  const Float8 r =
      COBUY_SHUFFLE8(q[0], q[1], 0, 1, 2, 3, 8, 9, 10, 11) + COBUY_SHUFFLE8(q[0], q[1], 4, 5, 6, 7, 12, 13, 14, 15);
  COBUY_STORE8(sums, r);
}

// Output rows per pass of the minibatch update: in the update loop M output blocks, their M
// gradient accumulators, an input block and its gradient fill 14 of AVX2's 16 vector registers.
constexpr int kPass = 6;
static_assert(kPass <= kLanes, "a pass's logits of one input fill one vector");

// One pass of sgns_batch_step over the output rows out[0..M): every logit of the pass first
// (inputs as on entry; outputs as on entry unless repeated from an earlier pass), then one sweep
// over the dimensions that loads each output block once, adds each input's gradient (G Y) and
// accumulates each output's (G^T X) in registers. `gv` holds n_in * kPass broadcast gradients;
// `dx` (n_in * dim) carries the inputs' gradients between passes: written when !last, read
// when !first; the inputs are written only in the last pass.
template <int M, bool kSingle>
inline float batch_pass(float* const* in, int n_in, float* const* out, const int* labels, int dim, float lr,
                        float* gv, float* dx, bool first_pass, bool last_pass) {
  const bool first = kSingle || first_pass;
  const bool last = kSingle || last_pass;
  const int blocked = dim / kLanes * kLanes;
  const auto udim = static_cast<std::size_t>(dim);
  Float8 label = {}, valid = {}, loss = {};
  COBUY_UNROLL for (int t = 0; t < M; ++t) {
    label[t] = labels[t] != 0 ? 1.0f : 0.0f;
    valid[t] = 1.0f;
  }
  for (int b = 0; b < n_in; ++b) {
    const float* x = in[b];
    Float8 acc[kLanes] = {};
    for (int d = 0; d < blocked; d += kLanes) {
      Float8 xv;
      COBUY_LOAD8(xv, x + d);
      COBUY_UNROLL for (int t = 0; t < M; ++t) {
        Float8 y;
        COBUY_LOAD8(y, out[t] + d);
        acc[t] += xv * y;
      }
    }
    float f[kLanes];
    lane_sums(acc, f);
    for (int d = blocked; d < dim; ++d) {
      COBUY_UNROLL for (int t = 0; t < M; ++t) f[t] += x[d] * out[t][d];
    }
    float sig[kLanes], sp[kLanes], grad[kLanes];
    sigmoid_softplus8(f, sig, sp);
    Float8 fv, sigv, spv;
    COBUY_LOAD8(fv, f);
    COBUY_LOAD8(sigv, sig);
    COBUY_LOAD8(spv, sp);
    loss += valid * (spv - label * fv);  // -log sigmoid(f) if label else -log(1 - sigmoid(f))
    const Float8 gradv = (label - sigv) * lr;
    COBUY_STORE8(grad, gradv);
    float* g = gv + static_cast<std::size_t>(b) * (kPass * kLanes);
    COBUY_UNROLL for (int t = 0; t < M; ++t) {
      const Float8 v = Float8{} + grad[t];
      COBUY_STORE8(g + t * kLanes, v);
    }
  }
  for (int d = 0; d < blocked; d += kLanes) {
    Float8 y[M], dy[M];
    COBUY_UNROLL for (int t = 0; t < M; ++t) {
      COBUY_LOAD8(y[t], out[t] + d);
      dy[t] = Float8{};
    }
    for (int b = 0; b < n_in; ++b) {
      float* x = in[b] + d;
      float* carry = dx + static_cast<std::size_t>(b) * udim + static_cast<std::size_t>(d);
      const float* g = gv + static_cast<std::size_t>(b) * (kPass * kLanes);
      Float8 xv, acc = {};
      COBUY_LOAD8(xv, x);
      if (!first) COBUY_LOAD8(acc, carry);
      COBUY_UNROLL for (int t = 0; t < M; ++t) {
        Float8 gt;
        COBUY_LOAD8(gt, g + t * kLanes);
        acc += gt * y[t];
        dy[t] += gt * xv;
      }
      if (last) {
        xv += acc;
        COBUY_STORE8(x, xv);
      } else {
        COBUY_STORE8(carry, acc);
      }
    }
    // Read-add-write, not y + dy: a negative drawn twice gets both updates.
    COBUY_UNROLL for (int t = 0; t < M; ++t) {
      Float8 o;
      COBUY_LOAD8(o, out[t] + d);
      o += dy[t];
      COBUY_STORE8(out[t] + d, o);
    }
  }
  for (int d = blocked; d < dim; ++d) {
    float y[M], dy[M] = {};
    COBUY_UNROLL for (int t = 0; t < M; ++t) y[t] = out[t][d];
    for (int b = 0; b < n_in; ++b) {
      const float* g = gv + static_cast<std::size_t>(b) * (kPass * kLanes);
      float* carry = dx + static_cast<std::size_t>(b) * udim + static_cast<std::size_t>(d);
      const float xv = in[b][d];
      float acc = first ? 0.0f : *carry;
      COBUY_UNROLL for (int t = 0; t < M; ++t) {
        acc += g[t * kLanes] * y[t];
        dy[t] += g[t * kLanes] * xv;
      }
      if (last) {
        in[b][d] = xv + acc;
      } else {
        *carry = acc;
      }
    }
    COBUY_UNROLL for (int t = 0; t < M; ++t) out[t][d] += dy[t];
  }
  float lanes[kLanes];
  COBUY_STORE8(lanes, loss);
  return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
}

inline float batch_step(float* const in[], int n_in, float* const out[], const int labels[], int n_out, int dim,
                        float lr, float* scratch) {
  float* gv = scratch;
  float* dx = scratch + static_cast<std::size_t>(n_in) * (kPass * kLanes);
  if (n_out <= kPass) {  // the common case (negatives <= 5): one pass, no carried gradient
    switch (n_out) {
      case 1: return batch_pass<1, true>(in, n_in, out, labels, dim, lr, gv, dx, true, true);
      case 2: return batch_pass<2, true>(in, n_in, out, labels, dim, lr, gv, dx, true, true);
      case 3: return batch_pass<3, true>(in, n_in, out, labels, dim, lr, gv, dx, true, true);
      case 4: return batch_pass<4, true>(in, n_in, out, labels, dim, lr, gv, dx, true, true);
      case 5: return batch_pass<5, true>(in, n_in, out, labels, dim, lr, gv, dx, true, true);
      case 6: return batch_pass<6, true>(in, n_in, out, labels, dim, lr, gv, dx, true, true);
      default: return 0.0f;
    }
  }
  float loss = 0.0f;
  for (int t0 = 0; t0 < n_out; t0 += kPass) {
    const int m = std::min(kPass, n_out - t0);
    const bool first = t0 == 0;
    const bool last = t0 + m == n_out;
    float* const* o = out + t0;
    const int* l = labels + t0;
    switch (m) {
      case 1: loss += batch_pass<1, false>(in, n_in, o, l, dim, lr, gv, dx, first, last); break;
      case 2: loss += batch_pass<2, false>(in, n_in, o, l, dim, lr, gv, dx, first, last); break;
      case 3: loss += batch_pass<3, false>(in, n_in, o, l, dim, lr, gv, dx, first, last); break;
      case 4: loss += batch_pass<4, false>(in, n_in, o, l, dim, lr, gv, dx, first, last); break;
      case 5: loss += batch_pass<5, false>(in, n_in, o, l, dim, lr, gv, dx, first, last); break;
      default: loss += batch_pass<kPass, false>(in, n_in, o, l, dim, lr, gv, dx, first, last); break;
    }
  }
  return loss;
}

inline void prefetch_row(const float* row, int stride) {
#if defined(__GNUC__)
  for (int d = 0; d < stride; d += 16) __builtin_prefetch(row + d, 1, 3);  // 64-byte lines
#else
  (void)row;
  (void)stride;
#endif
}

}  // namespace cobuy::sgns_kernels
