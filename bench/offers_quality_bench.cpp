// Next-order quality of offer lists on the reference split (train before 2011-09-01; each
// customer with history, their first order after it): Recall@10 overall, on repeat items and on
// new items, for the baselines and for each offer context of the policy. Not a timing benchmark.
//   build/bench/cobuy_offers_quality_bench [POLICY_FILE...]
// Each policy file given is scored too (all its contexts).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "core/bootstrap.h"
#include "core/evaluation.h"
#include "core/log.h"
#include "core/offline_eval.h"
#include "core/time_util.h"
#include "index/complement_search.h"
#include "training/train.h"

namespace {

using namespace cobuy;

/// Per-case scores of the reference lists, for paired differences: Recall@10 of GP-TopFreq and
/// of the engine's list, new-item Recall@10 of the engine's new-items list.
std::vector<double> g_gp_topfreq, g_engine, g_new_items;

std::string interval(const Interval& ci, const char* format) {
  char buf[80];
  std::snprintf(buf, sizeof buf, format, ci.mean, ci.low, ci.high);
  return buf;
}

/// A minus the reference, blank on the reference's own row and before it is known.
std::string paired(const std::vector<double>& a, const std::vector<double>& reference, const std::vector<double>* self) {
  if (reference.empty() || self == &reference) return "";
  return interval(bootstrap_mean_difference(a, reference), "%+.4f [%+.4f, %+.4f]");
}

void row(const std::string& name, const Model& model, const std::vector<NextOrderCase>& cases, const Ranker& rank,
         std::vector<double>* keep_recall = nullptr, std::vector<double>* keep_new = nullptr) {
  const auto s = score_next_order(model, cases, rank, {10});
  const auto& recall = s.metrics.at("recall")[0];
  const auto& recall_new = s.metrics.at("recall_new")[0];
  if (keep_recall) *keep_recall = recall;
  if (keep_new) *keep_new = recall_new;
  auto mean_ci = [&](const char* metric) { return interval(bootstrap_mean(s.metrics.at(metric)[0]), "%.4f [%.4f, %.4f]"); };
  std::printf("| %s | %s | %s | %s | %s | %s | %s | %.1f%% |\n", name.c_str(), mean_ci("recall").c_str(),
              paired(recall, g_gp_topfreq, keep_recall).c_str(), paired(recall, g_engine, keep_recall).c_str(), mean_ci("recall_repeat").c_str(),
              mean_ci("recall_new").c_str(), paired(recall_new, g_new_items, keep_new).c_str(), 100 * s.coverage[0]);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  log::set_level(log::Level::error);
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  const OrderData data = load_orders({bench::online_retail_path()}, options);
  // COBUY_VALIDATION=1: score on the training part only (train before 2011-06-01, cases after
  // it and before 2011-09-01), to choose weights without looking at the test part.
  auto [train_all, test_all] = split_by_time(data, *parse_timestamp("2011-09-01"));
  OrderData train = std::move(train_all), test = std::move(test_all);
  if (std::getenv("COBUY_VALIDATION")) {
    auto [t, v] = split_by_time(train, *parse_timestamp("2011-06-01"));
    train = std::move(t);
    test = std::move(v);
  }
  const auto cases = next_order_cases(train, test);
  auto model = std::make_shared<const Model>(train_model(train, TrainConfig{}));
  const ComplementSearch search = make_complement_search(model);  // as served
  std::printf("%zu next-order cases\n\n| model | Recall@10 | minus GP-TopFreq (paired) | minus cobuy next order (paired) "
              "| Recall@10 repeat | Recall@10 new | new minus cobuy new items (paired) | coverage |\n"
              "|---|---|---|---|---|---|---|---|\n",
              cases.size());
  row("popular", *model, cases, popular_ranker(*model));
  row("GP-TopFreq", *model, cases, gp_topfreq_ranker(*model, orders_holding(train)), &g_gp_topfreq);
  row("cobuy next order", *model, cases, model_ranker(*model, search), &g_engine);
  row("cobuy new items", *model, cases, new_items_ranker(*model, search), nullptr, &g_new_items);
  // COBUY_GRID="o,h,d,f,p,n;..." scores the delivered context with these source weights
  // (order complements, history complements, due, favourites, popular) and min_new n instead of the policies.
  if (const char* grid = std::getenv("COBUY_GRID")) {
    std::string g = grid;
    std::size_t start = 0;
    while (start < g.size()) {
      const auto end = g.find(';', start);
      const std::string one = g.substr(start, end == std::string::npos ? std::string::npos : end - start);
      OfferPolicy p;
      auto& w = p.contexts[static_cast<std::size_t>(OfferContext::delivered)].weights;
      auto& min_new = p.contexts[static_cast<std::size_t>(OfferContext::delivered)].min_new;
      std::sscanf(one.c_str(), "%lf,%lf,%lf,%lf,%lf,%u", &w[0], &w[1], &w[2], &w[3], &w[4], &min_new);
      const OfferEngine engine(model, p, search);
      row("delivered o,h,d,f,p,n=" + one, *model, cases, offers_ranker(engine, OfferContext::delivered));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return 0;
  }
  std::vector<std::pair<std::string, OfferPolicy>> policies = {{"default", OfferPolicy{}}};
  for (int a = 1; a < argc; ++a) policies.emplace_back(argv[a], load_offer_policy(argv[a]));
  for (const auto& [name, policy] : policies) {
    const OfferEngine engine(model, policy, search);
    for (std::size_t c = 0; c < kOfferContexts; ++c) {
      const auto context = static_cast<OfferContext>(c);
      row("offers " + name + " " + std::string(offer_context_name(context)), *model, cases, offers_ranker(engine, context));
    }
  }
}
