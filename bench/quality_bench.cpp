// Basket-completion quality of the co-occurrence scores on the reference split (train before
// 2011-09-01, test on later orders whose items all occur in training, one hidden item per order,
// seed 42). Not a timing benchmark: it prints a markdown table used to choose the defaults.
//   build/bench/cobuy_quality_bench [ORDERS_FILE [online-retail|instacart]]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_data.h"
#include "core/evaluation.h"
#include "core/log.h"
#include "core/time_util.h"
#include "training/train.h"

int main(int argc, char** argv) {
  using namespace cobuy;
  log::set_level(log::Level::error);
  const std::string path = argc > 1 ? argv[1] : bench::online_retail_path();
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
  auto row = [&](const std::string& name, const TrainConfig& config) {
    const Model model = train_model(train, config);
    const auto r = evaluate_basket_completion(model, cases, 10);
    std::printf("| %s | %.4f | %.4f | %.4f |\n", name.c_str(), r.hit_rate, r.ndcg, r.mrr);
    std::fflush(stdout);
  };
  const bool sweep_pairs = argc > 3 && std::string(argv[3]) == "pairs";
  std::printf("| model | HR@10 | NDCG@10 | MRR@10 |\n|---|---|---|---|\n");
  // COBUY_CONFIG=FILE scores one config file instead of the whole table.
  if (const char* file = std::getenv("COBUY_CONFIG")) {
    row(file, load_train_config(file));
    return 0;
  }
  row("default config", TrainConfig{});
  for (double lambda : {20.0, 50.0, 200.0}) {
    TrainConfig c;
    c.blend = {0.0, 1.0};
    c.ease.lambda = lambda;
    row("EASE lambda " + std::to_string(static_cast<int>(lambda)), c);
  }
  for (double w : {0.1, 0.25, 0.5, 1.0}) {
    TrainConfig c;
    c.blend = {w, 1.0};
    row("blend co-occurrence " + std::to_string(w).substr(0, 4) + " + EASE 1", c);
  }
  for (double w : {0.25, 0.5, 1.0}) {
    TrainConfig c;
    c.blend = {0.25, 1.0, w};
    c.embedding.epochs = 5;
    row("blend co-occurrence 0.25 + EASE 1 + embeddings " + std::to_string(w).substr(0, 4), c);
  }
  {
    TrainConfig c;
    c.blend = {0.0, 0.0, 1.0};
    c.embedding.epochs = 5;
    row("embeddings only (5 epochs)", c);
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
