#include "training/reranker_fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <random>

#include <Eigen/Dense>
#include <tbb/parallel_for.h>

#include "core/evaluation.h"
#include "core/log.h"
#include "core/recommender.h"
#include "core/time_util.h"
#include "training/logistic_fit.h"
#include "training/train.h"
#include "training/validation_carve.h"

namespace cobuy {
namespace {

using Vec = Eigen::Matrix<double, kRerankFeatures, 1>;

constexpr double kL2 = 1e-2;               // on standardised weights
constexpr int kNewtonSteps = 50;
constexpr std::size_t kMinQueries = 20;    // fitting queries (hidden item among the candidates) needed
constexpr std::uint64_t kCarveSeed = 1;
constexpr std::size_t kNdcgCutoff = 10;

Vec to_vec(const RerankFeatures& f) { return Eigen::Map<const Vec>(f.data()); }

/// NDCG at kNdcgCutoff of one hidden item at 0-based rank r.
double ndcg_at(std::size_t r) { return r < kNdcgCutoff ? 1.0 / std::log2(static_cast<double>(r) + 2.0) : 0.0; }

/// Rank of the hidden item once candidates are ordered by `r` (ties keep the first stage's order).
std::size_t reranked_position(const RerankQuery& q, const Reranker& r) {
  const double mine = r.score(q.candidates[q.positive]);
  std::size_t above = 0;
  for (std::size_t j = 0; j < q.candidates.size(); ++j) {
    const double s = r.score(q.candidates[j]);
    if (s > mine || (s == mine && j < q.positive)) ++above;
  }
  return above;
}

}  // namespace

std::vector<double> fit_pairwise_logistic(const std::vector<RerankQuery>& queries) {
  // Standardise over every candidate, so the penalty treats features alike.
  Vec mean = Vec::Zero(), sq = Vec::Zero();
  double rows = 0;
  for (const auto& q : queries) {
    for (const auto& f : q.candidates) {
      const Vec x = to_vec(f);
      mean += x;
      sq += x.cwiseProduct(x);
      rows += 1;
    }
  }
  std::vector<double> out(kRerankFeatures, 0.0);
  if (rows == 0) return out;
  mean /= rows;
  Vec sd = (sq / rows - mean.cwiseProduct(mean)).cwiseMax(0.0).cwiseSqrt();
  Vec used = Vec::Ones();
  for (std::size_t k = 0; k < kRerankFeatures; ++k) {
    if (sd[k] < 1e-12) {
      sd[k] = 1.0;
      used[k] = 0.0;
    }
  }
  // Differences (hidden item - other candidate) in standardised units: the mean cancels. Each
  // is a positive example of a logistic model without bias.
  std::size_t pairs = 0;
  for (const auto& q : queries) pairs += q.candidates.empty() ? 0 : q.candidates.size() - 1;
  if (pairs == 0) return out;
  Eigen::MatrixXd diffs(static_cast<Eigen::Index>(pairs), kRerankFeatures);
  Eigen::Index row = 0;
  for (const auto& q : queries) {
    const Vec pos = to_vec(q.candidates[q.positive]);
    for (std::size_t j = 0; j < q.candidates.size(); ++j) {
      if (j != q.positive) diffs.row(row++) = (pos - to_vec(q.candidates[j])).cwiseQuotient(sd).cwiseProduct(used).transpose();
    }
  }
  const Eigen::VectorXd w = fit_penalised_logistic(diffs, Eigen::VectorXd::Ones(row), Eigen::VectorXd::Constant(kRerankFeatures, kL2),
                                                   kNewtonSteps, 1e-12);
  for (std::size_t k = 0; k < kRerankFeatures; ++k) out[k] = used[k] * w[k] / sd[k];
  return out;
}

Reranker fit_reranker(const OrderData& data, const TrainConfig& config, const ProgressFn& progress) {
  return fit_reranker(carve_validation(data, config), config, progress);
}

Reranker fit_reranker(const ValidationCarve& carve, const TrainConfig& config, const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  const auto& rc = config.rerank;
  auto report = [&](std::uint64_t done) {
    if (progress) progress("rerank", done, 3);
  };
  report(0);
  const auto& fit_train = carve.fit_train;
  const auto& validation = carve.validation;
  const std::string& carve_name = carve.description;

  Reranker off;
  auto skip = [&](const std::string& why) {
    log::info("re-ranker not fitted", {{"reason", why}});
    off.fit = {{"skipped", why}};
    return off;
  };
  if (!carve.usable()) return skip("too few orders to carve a validation part");
  const Model& first = carve.first;
  report(1);

  auto cases = basket_completion_cases(fit_train, validation, kCarveSeed);
  if (cases.size() > rc.max_queries) {
    std::mt19937_64 rng(kCarveSeed);
    std::shuffle(cases.begin(), cases.end(), rng);
    cases.resize(rc.max_queries);
  }
  std::vector<std::optional<RerankQuery>> found(cases.size());
  std::vector<double> first_ndcg(cases.size(), 0.0);
  tbb::parallel_for(std::size_t{0}, cases.size(), [&](std::size_t c) {
    const auto& bc = cases[c];
    Query q;
    q.items = bc.given;
    q.customer_id = bc.customer;
    if (bc.at != kNoTime) q.at = bc.at;
    q.filters.in_stock = false;  // a held-out item the catalogue now marks out of stock is still a positive
    const auto hidden = first.catalog.find(bc.hidden);
    const auto cands = basket_candidates(first, q, rc.candidates);
    RerankQuery rq;
    bool hit = false;
    for (const auto& cand : cands) {
      if (hidden && cand.item == *hidden) {
        hit = true;
        rq.positive = rq.candidates.size();
        first_ndcg[c] = ndcg_at(rq.positive);
      }
      rq.candidates.push_back(cand.features);
    }
    if (hit && rq.candidates.size() >= 2) found[c] = std::move(rq);
  });
  std::vector<RerankQuery> queries;
  for (auto& f : found) {
    if (f) queries.push_back(std::move(*f));
  }
  report(2);
  if (queries.size() < kMinQueries) {
    return skip("only " + std::to_string(queries.size()) + " validation baskets have their hidden item among the first " +
                std::to_string(rc.candidates) + " candidates; " + std::to_string(kMinQueries) + " are needed");
  }

  // Two-fold cross-validation over the validation baskets: weights fitted on one half place the
  // hidden items of the other. The re-ranker is switched on only if that beats the first stage.
  const double cases_n = static_cast<double>(cases.size());
  double first_stage = 0, cross_validated = 0;
  for (double v : first_ndcg) first_stage += v;
  for (std::size_t fold = 0; fold < 2; ++fold) {
    std::vector<RerankQuery> fit_part;
    for (std::size_t k = 0; k < queries.size(); ++k) {
      if (k % 2 != fold) fit_part.push_back(queries[k]);
    }
    Reranker half;
    half.weights = fit_pairwise_logistic(fit_part);
    for (std::size_t k = fold; k < queries.size(); k += 2) cross_validated += ndcg_at(reranked_position(queries[k], half));
  }
  first_stage /= cases_n;
  cross_validated /= cases_n;
  Reranker r;
  r.weights = fit_pairwise_logistic(queries);
  r.candidates = rc.candidates;
  r.fit = {{"validation", carve_name},
           {"validation_orders", validation.orders.size()},
           {"validation_baskets", cases.size()},
           {"baskets_with_hidden_item_in_candidates", queries.size()},
           {"ndcg_at_10_first_stage", first_stage},
           {"ndcg_at_10_reranked_2fold", cross_validated},
           {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};
  report(3);
  if (cross_validated <= first_stage) {
    Reranker kept_off;
    kept_off.fit = r.fit;
    kept_off.fit["skipped"] = "re-ranking did not beat the first stage on the validation baskets (2-fold)";
    log::info("re-ranker not used", {{"ndcg_at_10_first_stage", first_stage}, {"ndcg_at_10_reranked_2fold", cross_validated}});
    return kept_off;
  }
  log::info("re-ranker fitted", {{"baskets", queries.size()},
                                 {"ndcg_at_10_first_stage", first_stage},
                                 {"ndcg_at_10_reranked_2fold", cross_validated}});
  return r;
}

}  // namespace cobuy
