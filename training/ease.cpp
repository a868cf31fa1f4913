#include "training/ease.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <Eigen/Dense>
#include <tbb/parallel_for.h>

#include "core/error.h"

extern "C" {
// LAPACK (OpenBLAS): Cholesky factorisation and inverse of a symmetric positive definite matrix,
// in single precision.
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info);
void spotri_(const char* uplo, const int* n, float* a, const int* lda, int* info);
}

namespace cobuy {
namespace {

void check(const EaseConfig& config) {
  COBUY_CHECK(config.lambda > 0, ErrorCode::bad_request, "ease.lambda must be > 0, got " << config.lambda);
  COBUY_CHECK(config.max_items >= 2, ErrorCode::bad_request, "ease.max_items must be >= 2");
}

}  // namespace

std::vector<ItemIndex> ease_items(std::span<const std::uint32_t> counts, std::uint32_t max_items) {
  std::vector<ItemIndex> order(counts.size());
  std::iota(order.begin(), order.end(), ItemIndex{0});
  std::stable_sort(order.begin(), order.end(), [&](ItemIndex a, ItemIndex b) { return counts[a] > counts[b]; });
  while (!order.empty() && counts[order.back()] == 0) order.pop_back();
  if (order.size() > max_items) order.resize(max_items);
  return order;
}

std::vector<float> ease_gram(const Baskets& baskets, std::span<const ItemIndex> items, const EaseConfig& config,
                             std::uint32_t max_basket) {
  const auto n = static_cast<Eigen::Index>(items.size());
  std::vector<int> dense(baskets.n_items, -1);
  for (Eigen::Index d = 0; d < n; ++d) dense[items[static_cast<std::size_t>(d)]] = static_cast<int>(d);
  // Gram matrix G = X'WX over the kept items, W = diag(|b|^-basket_weight), in single precision:
  // summed and inverted in float, EASE needs half the memory of double and 1.5x less time, and its
  // weights agree with a double-precision solution to within 1e-5 of the largest (test
  // Ease.SinglePrecisionAgreesWithDoubleOnOnlineRetail; bench/RESULTS.md, "cobuy eval").
  // Only the lower triangle is filled: LAPACK reads no other.
  std::vector<float> gram(static_cast<std::size_t>(n * n), 0.0f);
  Eigen::Map<Eigen::MatrixXf> p(gram.data(), n, n);
  std::vector<int> kept;
  for (std::size_t b = 0; b < baskets.size(); ++b) {
    const auto basket = baskets.basket(b);
    if (basket.size() > max_basket) continue;
    const auto w = static_cast<float>(std::pow(static_cast<double>(basket.size()), -config.basket_weight));
    kept.clear();
    for (ItemIndex i : basket) {
      if (dense[i] >= 0) kept.push_back(dense[i]);
    }
    for (int d : kept) {
      for (int e : kept) {
        if (e >= d) p(e, d) += w;
      }
    }
  }
  return gram;
}

EaseTables train_ease(const Baskets& baskets, const PairCounts& pairs, const EaseConfig& config,
                      std::uint32_t top_k, std::uint32_t max_basket) {
  check(config);
  const auto items = ease_items(item_order_counts(baskets), config.max_items);
  return solve_ease(ease_gram(baskets, items, config, max_basket), items, pairs, config, top_k);
}

EaseTables solve_ease(std::vector<float> gram, std::span<const ItemIndex> order, const PairCounts& pairs,
                      const EaseConfig& config, std::uint32_t top_k) {
  check(config);
  const int n = static_cast<int>(order.size());
  COBUY_CHECK(gram.size() == order.size() * order.size(), ErrorCode::internal,
              "EASE: a Gram matrix of " << gram.size() << " values for " << n << " items");
  const std::size_t n_items = pairs.n_items();
  Eigen::Map<Eigen::MatrixXf> p(gram.data(), n, n);
  p.diagonal().array() += static_cast<float>(config.lambda);
  int info = 0;
  const char uplo = 'L';
  spotrf_(&uplo, &n, p.data(), &n, &info);
  COBUY_CHECK(info == 0, ErrorCode::bad_data, "EASE: the Gram matrix is not positive definite (info " << info << ")");
  spotri_(&uplo, &n, p.data(), &n, &info);
  COBUY_CHECK(info == 0, ErrorCode::bad_data, "EASE: cannot invert the Gram matrix (info " << info << ")");
  // spotri fills the lower triangle of P = G^-1; mirror it.
  p.triangularView<Eigen::StrictlyUpper>() = p.transpose();

  // B[i][j] = -P[i][j] / P[j][j] for j != i. Keep each row's largest positive and most negative weights.
  const Eigen::VectorXd diagonal = p.diagonal().cast<double>();
  std::vector<std::vector<Neighbor>> positive(n_items), negative(n_items);
  tbb::parallel_for(0, n, [&](int d) {
    const ItemIndex i = order[static_cast<std::size_t>(d)];
    std::vector<Neighbor> pos, neg;
    for (int e = 0; e < n; ++e) {
      if (e == d) continue;
      const double w = -static_cast<double>(p(e, d)) / diagonal(e);  // P is symmetric: read column d, which is contiguous
      if (w != 0) (w > 0 ? pos : neg).push_back({order[static_cast<std::size_t>(e)], static_cast<float>(w), 0});
    }
    auto keep = [&](std::vector<Neighbor>& row, std::size_t k, auto before) {
      k = std::min(k, row.size());
      std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k), row.end(), before);
      row.resize(k);
      row.shrink_to_fit();  // else each kept row holds the capacity of all n weights (1.2 GB on Instacart)
      // Record co-occurrence counts for the kept neighbours (binary search in the sorted pair row).
      const auto first = pairs.items.begin() + static_cast<std::ptrdiff_t>(pairs.offsets[i]);
      const auto last = pairs.items.begin() + static_cast<std::ptrdiff_t>(pairs.offsets[i + 1]);
      for (auto& nb : row) {
        auto it = std::lower_bound(first, last, nb.item);
        if (it != last && *it == nb.item) nb.count = pairs.counts[static_cast<std::size_t>(it - pairs.items.begin())];
      }
    };
    keep(pos, top_k, [](const Neighbor& a, const Neighbor& b) { return a.score != b.score ? a.score > b.score : a.item < b.item; });
    keep(neg, config.negative_top_k,
         [](const Neighbor& a, const Neighbor& b) { return a.score != b.score ? a.score < b.score : a.item < b.item; });
    positive[i] = std::move(pos);
    negative[i] = std::move(neg);
  });
  return {NeighborTable::from_rows(positive), NeighborTable::from_rows(negative)};
}

}  // namespace cobuy
