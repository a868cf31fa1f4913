#include "training/next_order_fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <memory>
#include <unordered_set>

#include <Eigen/Dense>
#include <tbb/parallel_for.h>

#include "core/customer_profile.h"
#include "core/log.h"
#include "core/next_order.h"
#include "core/offline_eval.h"
#include "index/complement_search.h"
#include "training/logistic_fit.h"

namespace cobuy {
namespace {

constexpr std::size_t kDims = kNextOrderFeatures + 1;  // the features and a constant 1 for the bias
using Vec = Eigen::Matrix<double, kDims, 1>;

constexpr double kL2 = 1e-3;  // on standardised weights
constexpr int kNewtonSteps = 30;
constexpr std::size_t kMinCustomers = 20;
constexpr std::uint64_t kSampleSeed = 1;
constexpr std::size_t kCutoff = 10;

/// One validation customer: their candidates' features (best first by the default rule) and
/// the items of the order they placed.
struct FitCase {
  std::vector<LabelledFeatures> rows;
  std::size_t truth = 0;  ///< distinct items of the order, found among the candidates or not
};

/// Recall at kCutoff of `c` when its candidates are ranked by `s` (ties keep the default order).
double recall_of(const FitCase& c, const NextOrderScorer& s) {
  if (c.truth == 0) return 0;
  std::vector<std::pair<double, std::size_t>> v;
  v.reserve(c.rows.size());
  for (std::size_t r = 0; r < c.rows.size(); ++r) v.emplace_back(s.logit(c.rows[r].x), r);
  const auto k = std::min(kCutoff, v.size());
  std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  double hits = 0;
  for (std::size_t r = 0; r < k; ++r) hits += c.rows[v[r].second].positive ? 1 : 0;
  return hits / static_cast<double>(c.truth);
}

std::vector<LabelledFeatures> rows_of(const std::vector<FitCase>& cases, std::size_t fold, bool in_fold) {
  std::vector<LabelledFeatures> out;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    if ((k % 2 == fold) == in_fold) out.insert(out.end(), cases[k].rows.begin(), cases[k].rows.end());
  }
  return out;
}

}  // namespace

NextOrderScorer fit_logistic(const std::vector<LabelledFeatures>& rows) {
  NextOrderScorer out;
  out.weights.assign(kNextOrderFeatures, 0.0);
  if (rows.empty()) return out;
  auto row = [](const LabelledFeatures& r) {
    Vec x;
    for (std::size_t k = 0; k < kNextOrderFeatures; ++k) x[static_cast<Eigen::Index>(k)] = r.x[k];
    x[kNextOrderFeatures] = 1.0;
    return x;
  };
  // Standardise every feature (not the constant), so the penalty treats them alike.
  Vec mean = Vec::Zero(), sq = Vec::Zero();
  for (const auto& r : rows) {
    const Vec x = row(r);
    mean += x;
    sq += x.cwiseProduct(x);
  }
  const double n = static_cast<double>(rows.size());
  mean /= n;
  Vec sd = (sq / n - mean.cwiseProduct(mean)).cwiseMax(0.0).cwiseSqrt();
  Vec used = Vec::Ones();
  for (std::size_t k = 0; k < kNextOrderFeatures; ++k) {
    if (sd[static_cast<Eigen::Index>(k)] < 1e-12) {
      sd[static_cast<Eigen::Index>(k)] = 1.0;
      used[static_cast<Eigen::Index>(k)] = 0.0;
    }
  }
  mean[kNextOrderFeatures] = 0.0;
  sd[kNextOrderFeatures] = 1.0;
  Eigen::MatrixXd xs(static_cast<Eigen::Index>(rows.size()), kDims);
  Eigen::VectorXd ys(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto e = static_cast<Eigen::Index>(i);
    xs.row(e) = (row(rows[i]) - mean).cwiseQuotient(sd).cwiseProduct(used).transpose();
    ys[e] = rows[i].positive ? 1.0 : -1.0;
  }
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(kDims, kL2);
  penalty[kNextOrderFeatures] = 0.0;  // the bias is not shrunk
  const Eigen::VectorXd w = fit_penalised_logistic(xs, ys, penalty, kNewtonSteps, 1e-10);
  // Back to raw units: w.((x - mean) / sd) = sum (w_k / sd_k) x_k - sum w_k mean_k / sd_k.
  double bias = w[kNextOrderFeatures];
  for (std::size_t k = 0; k < kNextOrderFeatures; ++k) {
    const auto e = static_cast<Eigen::Index>(k);
    out.weights[k] = used[e] * w[e] / sd[e];
    bias -= out.weights[k] * mean[e];
  }
  out.bias = bias;
  return out;
}

NextOrderScorer fit_next_order(const ValidationCarve& carve, const TrainConfig& config, const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  auto report = [&](std::uint64_t done) {
    if (progress) progress("next order", done, 2);
  };
  report(0);
  NextOrderScorer off;
  auto skip = [&](const std::string& why) {
    log::info("next-order weights not fitted", {{"reason", why}});
    off.fit = {{"skipped", why}};
    return off;
  };
  if (!carve.usable()) return skip("too few orders to carve a validation part");
  auto cases = next_order_cases(carve.fit_train, carve.validation);
  if (cases.size() > config.next_order.max_customers) {
    std::mt19937_64 rng(kSampleSeed);
    std::shuffle(cases.begin(), cases.end(), rng);
    cases.resize(config.next_order.max_customers);
  }
  if (cases.size() < kMinCustomers) {
    return skip("only " + std::to_string(cases.size()) + " customers have orders on both sides of the validation cut; " +
                std::to_string(kMinCustomers) + " are needed");
  }
  const Model& first = carve.first;
  // The first stage's embedding search, as the engine is served with it (a view: `first`
  // outlives the search).
  const ComplementSearch search = make_complement_search(std::shared_ptr<const Model>(&first, [](const Model*) {}));
  std::vector<FitCase> fit(cases.size());
  tbb::parallel_for(std::size_t{0}, cases.size(), [&](std::size_t k) {
    const auto& nc = cases[k];
    std::unordered_set<ItemIndex> truth;
    for (const auto& id : nc.truth) {
      if (auto i = first.catalog.find(id)) truth.insert(*i);
    }
    fit[k].truth = nc.truth.size();
    const CustomerProfile profile = build_profile(first, nc.customer, {}, nc.at, SegmentThresholds{});
    for (const auto& c : next_order_candidates(first, profile, nc.at, search)) {
      fit[k].rows.push_back({c.features, truth.count(c.item) > 0});
    }
  });
  report(1);

  // Two-fold: weights fitted on one half rank the other half's candidates.
  const NextOrderScorer rule;  // the default rule: GP-TopFreq's order
  double fitted = 0, baseline = 0;
  for (std::size_t fold = 0; fold < 2; ++fold) {
    const NextOrderScorer half = fit_logistic(rows_of(fit, fold, false));
    for (std::size_t k = fold; k < fit.size(); k += 2) {
      fitted += recall_of(fit[k], half);
      baseline += recall_of(fit[k], rule);
    }
  }
  fitted /= static_cast<double>(fit.size());
  baseline /= static_cast<double>(fit.size());
  std::vector<LabelledFeatures> all;
  for (const auto& c : fit) all.insert(all.end(), c.rows.begin(), c.rows.end());
  NextOrderScorer s = fit_logistic(all);
  s.fit = {{"validation", carve.description},
           {"validation_customers", fit.size()},
           {"recall_at_10_gp_topfreq", baseline},
           {"recall_at_10_fitted_2fold", fitted},
           {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};
  report(2);
  if (fitted <= baseline) {
    off.fit = s.fit;
    off.fit["skipped"] = "the fitted weights did not beat GP-TopFreq's order on the validation customers (2-fold)";
    log::info("next-order weights not used", {{"recall_at_10_gp_topfreq", baseline}, {"recall_at_10_fitted_2fold", fitted}});
    return off;
  }
  log::info("next-order weights fitted", {{"customers", fit.size()},
                                          {"recall_at_10_gp_topfreq", baseline},
                                          {"recall_at_10_fitted_2fold", fitted}});
  return s;
}

}  // namespace cobuy
