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
#include "training/train.h"

namespace {

using namespace cobuy;

/// Per-case Recall@10 of the GP-TopFreq baseline, for paired differences.
std::vector<double> g_gp_topfreq;

void row(const std::string& name, const Model& model, const std::vector<NextOrderCase>& cases, const Ranker& rank) {
  const auto s = score_next_order(model, cases, rank, {10});
  const auto& recall = s.metrics.at("recall")[0];
  std::string paired = "";
  if (g_gp_topfreq.empty()) {
    if (name == "GP-TopFreq") g_gp_topfreq = recall;
  } else {
    const auto d = bootstrap_mean_difference(recall, g_gp_topfreq);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%+.4f [%+.4f, %+.4f]", d.mean, d.low, d.high);
    paired = buf;
  }
  auto mean_ci = [&](const char* metric) {
    const auto& v = s.metrics.at(metric)[0];
    const auto ci = bootstrap_mean(v);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f [%.4f, %.4f]", ci.mean, ci.low, ci.high);
    return std::string(buf);
  };
  std::printf("| %s | %s | %s | %s | %s | %.1f%% |\n", name.c_str(), mean_ci("recall").c_str(), paired.c_str(),
              mean_ci("recall_repeat").c_str(), mean_ci("recall_new").c_str(), 100 * s.coverage[0]);
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
  // COBUY_CUSTOMER_TABLE=1: history complements from items bought by the same customers (one
  // "basket" per customer: every item they ever bought) instead of the same orders.
  std::printf("%zu next-order cases\n\n| model | Recall@10 | minus GP-TopFreq (paired) | Recall@10 repeat | Recall@10 new | coverage |\n|---|---|---|---|---|---|\n",
              cases.size());
  row("popular", *model, cases, popular_ranker(*model));
  row("GP-TopFreq", *model, cases, gp_topfreq_ranker(*model, orders_holding(train)));
  row("cobuy next order", *model, cases, model_ranker(*model));
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
      const OfferEngine engine(model, p);
      row("delivered o,h,d,f,p,n=" + one, *model, cases, offers_ranker(engine, OfferContext::delivered));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return 0;
  }
  std::vector<std::pair<std::string, OfferPolicy>> policies = {{"default", OfferPolicy{}}};
  for (int a = 1; a < argc; ++a) policies.emplace_back(argv[a], load_offer_policy(argv[a]));
  for (const auto& [name, policy] : policies) {
    const OfferEngine engine(model, policy);
    for (std::size_t c = 0; c < kOfferContexts; ++c) {
      const auto context = static_cast<OfferContext>(c);
      row("offers " + name + " " + std::string(offer_context_name(context)), *model, cases, offers_ranker(engine, context));
    }
  }
}
