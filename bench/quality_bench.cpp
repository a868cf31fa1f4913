// Basket-completion quality of the co-occurrence scores on the reference split (train before
// 2011-09-01, test on later orders whose items all occur in training, one hidden item per order,
// seed 42). Not a timing benchmark: it prints a markdown table used to choose the defaults.
//   build/bench/cobuy_quality_bench [ORDERS_FILE|- [online-retail|instacart [pairs]]]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_data.h"
#include "core/evaluation.h"
#include "core/bootstrap.h"
#include "core/log.h"
#include "core/time_util.h"
#include "training/train.h"

int main(int argc, char** argv) {
  using namespace cobuy;
  log::set_level(log::Level::error);
  // "-" (or no argument) = the Online Retail file.
  const std::string path = argc > 1 && std::string(argv[1]) != "-" ? argv[1] : bench::online_retail_path();
  const std::string format = argc > 2 ? argv[2] : "online-retail";
  IngestOptions options;
  options.format = parse_order_format(format);
  const OrderData data = load_orders({path}, options);
  auto [train, test] = options.format == OrderFormat::instacart
                           ? split_random(data, 0.2, 42)
                           : split_by_time(data, *parse_timestamp("2011-09-01"));
  const auto cases = basket_completion_cases(train, test, 42);
  std::printf("data %s: %zu train orders, %zu test orders, %zu cases\n\n", path.c_str(), train.orders.size(),
              test.orders.size(), cases.size());
  const bool sweep_pairs = argc > 3 && std::string(argv[3]) == "pairs";
  std::printf("| model | HR@10 | NDCG@10 [95%% bootstrap] | MRR@10 |\n|---|---|---|---|\n");
  // COBUY_CONFIG=FILE scores one config file instead of the whole table, with a 95% bootstrap
  // interval; COBUY_BASELINE=FILE adds the paired difference to that config's model on the same
  // cases; COBUY_WITH_CUSTOMER=1 names each test order's customer in the query.
  if (const char* file = std::getenv("COBUY_CONFIG")) {
    const bool with_customer = std::getenv("COBUY_WITH_CUSTOMER") != nullptr;
    auto scores = [&](const char* config_file) {
      const Model model = train_model(train, load_train_config(config_file));
      return basket_completion_metrics(model, cases, 10, with_customer);
    };
    auto column = [](const std::vector<CaseMetrics>& m, double CaseMetrics::*field) {
      std::vector<double> v;
      for (const auto& c : m) v.push_back(c.*field);
      return v;
    };
    const auto ours = scores(file);
    const auto s = summarize(ours);
    const auto ci = bootstrap_mean(column(ours, &CaseMetrics::ndcg));
    std::printf("| %s | %.4f | %.4f [%.4f, %.4f] | %.4f |\n", file, s.hit_rate, s.ndcg, ci.low, ci.high, s.mrr);
    if (const char* base = std::getenv("COBUY_BASELINE")) {
      const auto theirs = scores(base);
      for (auto [name, field] : {std::pair{"NDCG@10", &CaseMetrics::ndcg}, std::pair{"HR@10", &CaseMetrics::hit},
                                 std::pair{"MRR@10", &CaseMetrics::rr}}) {
        const auto d = bootstrap_mean_difference(column(ours, field), column(theirs, field));
        std::printf("%s minus %s: %s %+.4f [%+.4f, %+.4f]\n", file, base, name, d.mean, d.low, d.high);
      }
    }
    return 0;
  }
  // The models of the RESULTS table; the default config comes first and is compared case by case
  // (paired bootstrap) with every other row.
  auto config = [](auto&& edit) {
    TrainConfig c;
    edit(c);
    return c;
  };
  auto tuned_embeddings = [](TrainConfig& c) {
    c.embedding.epochs = 20;
    c.embedding.subsample = 0;
  };
  struct Row {
    std::string name;
    TrainConfig config;
    bool with_customer = false;  // the query names the test order's customer (known customers' history counts)
  };
  const auto ease20 = config([](TrainConfig& c) {
    c.blend = {0.0, 1.0};
    c.ease.basket_weight = 0;
    c.ease.lambda = 20;
  });
  const std::vector<Row> models = {
      {"default blend (jaccard 0.25 + EASE weighted)", TrainConfig{}},
      {"co-occurrence alone (jaccard)", config([](TrainConfig& c) { c.blend = {1.0, 0.0}; })},
      {"EASE lambda 20 (plain counts)", ease20},
      {"EASE lambda 50 (plain counts, the reference)", config([](TrainConfig& c) {
         c.blend = {0.0, 1.0};
         c.ease.basket_weight = 0;
         c.ease.lambda = 50;
       })},
      {"EASE weighted (basket_weight 0.5, lambda 5)", config([](TrainConfig& c) { c.blend = {0.0, 1.0}; })},
      {"blend jaccard 0.25 + plain EASE lambda 50 (previous default)", config([](TrainConfig& c) {
         c.ease.basket_weight = 0;
         c.ease.lambda = 50;
       })},
      {"embeddings alone (20 epochs, subsample 0)", config([&](TrainConfig& c) {
         c.blend = {0.0, 0.0, 1.0};
         tuned_embeddings(c);
       })},
      {"default blend + embeddings 0.1 (20 epochs, subsample 0)", config([&](TrainConfig& c) {
         c.blend.embedding = 0.1;
         tuned_embeddings(c);
       })},
      {"with the customer: default blend + their history (blend.history 0.4)", TrainConfig{}, true},
      {"with the customer: EASE lambda 20 + their history (0.4)", ease20, true},
  };
  std::vector<std::vector<double>> ndcg;
  for (const auto& [name, c, with_customer] : models) {
    const auto m = basket_completion_metrics(train_model(train, c), cases, 10, with_customer);
    const auto s = summarize(m);
    std::vector<double> v;
    for (const auto& x : m) v.push_back(x.ndcg);
    const auto ci = bootstrap_mean(v);
    std::printf("| %s | %.4f | %.4f [%.4f, %.4f] | %.4f |\n", name.c_str(), s.hit_rate, s.ndcg, ci.low, ci.high, s.mrr);
    std::fflush(stdout);
    ndcg.push_back(std::move(v));
  }
  std::printf("\n| NDCG@10 of the default blend minus | difference [95%% paired bootstrap] |\n|---|---|\n");
  for (std::size_t r = 1; r < models.size(); ++r) {
    // Rows with the customer are compared with the default blend with the customer.
    const std::size_t base = models[r].with_customer ? models.size() - 2 : 0;
    if (r == base) continue;
    const auto d = bootstrap_mean_difference(ndcg[base], ndcg[r]);
    std::printf("| %s%s | %+.4f [%+.4f, %+.4f] |\n", models[r].with_customer ? "(with the customer) " : "",
                models[r].name.c_str(), d.mean, d.low, d.high);
  }
  if (!sweep_pairs) return 0;
  std::printf("\n| score | min_support | shrinkage | HR@10 | NDCG@10 | MRR@10 |\n|---|---|---|---|---|---|\n");
  for (auto score : {PairScore::cosine, PairScore::jaccard, PairScore::shrunk_confidence, PairScore::lift}) {
    for (std::uint32_t support : {1u, 2u}) {
      for (double shrink : {0.0, 2.0, 10.0, 30.0}) {
        TrainConfig config;
        config.cooccurrence.score = score;
        config.cooccurrence.min_support = support;
        config.cooccurrence.shrinkage = shrink;
        const Model model = train_model(train, config);
        const auto r = evaluate_basket_completion(model, cases, 10);
        std::printf("| %s | %u | %g | %.4f | %.4f | %.4f |\n", pair_score_name(score).c_str(), support, shrink,
                    r.hit_rate, r.ndcg, r.mrr);
        std::fflush(stdout);
      }
    }
  }
}
