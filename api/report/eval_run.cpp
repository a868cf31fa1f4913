#include "api/report/eval_run.h"

#include <algorithm>
#include <optional>
#include <chrono>
#include <numeric>
#include <cstdlib>
#include <memory>

#include "api/report/eval_sweep.h"
#include "core/bootstrap.h"
#include "core/error.h"
#include "core/evaluation.h"
#include "core/next_order_tradeoff.h"
#include "core/offline_eval.h"
#include "core/tifu_knn.h"
#include "core/time_util.h"
#include "index/complement_search.h"
#include "training/train.h"

namespace cobuy::cli {
namespace {
using nlohmann::json;
using Clock = std::chrono::steady_clock;

/// One model of the comparison: how it ranks, and what training it took.
struct Contender {
  std::string name;
  std::string description;
  double train_seconds = 0;
  std::shared_ptr<const Model> model;  // the model it ranks with (the reference one for list baselines)
  Ranker rank;
};

json interval_json(const std::vector<double>& values, const EvalRun& run) {
  const auto ci = bootstrap_mean(values, run.bootstrap_resamples, run.seed);
  return {{"mean", ci.mean}, {"low", ci.low}, {"high", ci.high}, {"n", values.size()}};
}

json task_json(const TaskScores& s, const EvalRun& run) {
  json metrics = json::object(), coverage = json::object(), popularity = json::object();
  for (const auto& [name, per_k] : s.metrics) {
    json by_k = json::object();
    for (std::size_t j = 0; j < s.ks.size(); ++j) by_k[std::to_string(s.ks[j])] = interval_json(per_k[j], run);
    metrics[name] = by_k;
  }
  for (std::size_t j = 0; j < s.ks.size(); ++j) {
    coverage[std::to_string(s.ks[j])] = s.coverage[j];
    popularity[std::to_string(s.ks[j])] = s.popularity_percentile[j];
  }
  return {{"metrics", metrics}, {"coverage", coverage}, {"popularity_percentile", popularity}};
}

/// The cut-off the paired tables use: 10 when present, else the middle one.
std::size_t paired_k_index(const EvalRun& run) {
  const auto it = std::find(run.ks.begin(), run.ks.end(), std::size_t{10});
  return it != run.ks.end() ? static_cast<std::size_t>(it - run.ks.begin()) : run.ks.size() / 2;
}

/// a minus b, case by case, for each metric at the paired cut-off.
json paired_metrics(const TaskScores& a, const TaskScores& b, const EvalRun& run) {
  const std::size_t j = paired_k_index(run);
  json metrics = json::object();
  for (const auto& [name, per_k] : a.metrics) {
    const auto d = bootstrap_mean_difference(per_k[j], b.metrics.at(name)[j], run.bootstrap_resamples, run.seed);
    metrics[name] = {{"mean", d.mean}, {"low", d.low}, {"high", d.high}};
  }
  return metrics;
}

/// cobuy's model (the last) minus each other model, case by case, at the middle cut-off (10 when
/// present): the comparison that says whether a gap is real when separate intervals overlap.
json paired_json(const std::vector<TaskScores>& scores, const std::vector<Contender>& models, const EvalRun& run) {
  json rows = json::array();
  for (std::size_t i = 0; i + 1 < scores.size(); ++i) {
    rows.push_back({{"model", models[i].name}, {"metrics", paired_metrics(scores.back(), scores[i], run)}});
  }
  return {{"reference", models.back().name}, {"k", run.ks[paired_k_index(run)]}, {"rows", rows}};
}

/// What the embeddings add, when the config trains them: each list of cobuy minus the same list
/// of cobuy without embeddings, case by case.
json ablation_json(const std::vector<TaskScores>& scores, const std::vector<Contender>& models, const EvalRun& run) {
  auto at = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < models.size(); ++i) {
      if (models[i].name == name) return i;
    }
    return std::nullopt;
  };
  json rows = json::array();
  const std::pair<std::string_view, std::string_view> pairs[] = {
      {"cobuy", "cobuy without embeddings"}, {"cobuy new items", "cobuy new items without embeddings"}};
  for (const auto& [with, without] : pairs) {
    const auto a = at(with), b = at(without);
    if (!a || !b) continue;
    rows.push_back({{"model", std::string(with) + " minus " + std::string(without)},
                    {"metrics", paired_metrics(scores[*a], scores[*b], run)}});
  }
  return {{"k", run.ks[paired_k_index(run)]}, {"rows", rows}};
}

/// The repeat-against-new-items curves (core/next_order_tradeoff.h) as the report's
/// tasks.next_order.tradeoff: each point's Recall@k and new-item Recall@k with intervals, and each
/// rule point's matched cobuy point with the paired differences.
json tradeoff_json(const NextOrderTradeoff& t, const EvalRun& run) {
  auto points = [&](const std::vector<TradeoffPoint>& curve, const char* parameter) {
    json out = json::array();
    for (const auto& p : curve) {
      // Places are counts; weights are real numbers.
      const json value = std::string(parameter) == "new_places" ? json(static_cast<std::size_t>(p.parameter)) : json(p.parameter);
      out.push_back({{parameter, value}, {"recall", interval_json(p.recall, run)},
                     {"recall_new", interval_json(p.recall_new, run)}});
    }
    return out;
  };
  auto difference = [&](const std::vector<double>& a, const std::vector<double>& b) {
    const auto d = bootstrap_mean_difference(a, b, run.bootstrap_resamples, run.seed);
    return json{{"mean", d.mean}, {"low", d.low}, {"high", d.high}};
  };
  json comparisons = json::array();
  for (const auto& c : t.comparisons) {
    const auto& rule = t.rule[c.rule];
    json row = {{"new_places", static_cast<std::size_t>(rule.parameter)}, {"new_item_weight", nullptr}};
    if (c.cobuy) {
      const auto& ours = *c.cobuy;
      row["new_item_weight"] = ours.parameter;
      row["recall_minus_rule"] = difference(ours.recall, rule.recall);
      row["recall_new_minus_rule"] = difference(ours.recall_new, rule.recall_new);
    }
    // The engine's fixed split with the same places: its lists against the rule's, same allocation.
    row["split_recall_minus_rule"] = difference(t.split[c.rule].recall, rule.recall);
    row["split_recall_new_minus_rule"] = difference(t.split[c.rule].recall_new, rule.recall_new);
    comparisons.push_back(std::move(row));
  }
  const std::string k = std::to_string(t.k);
  return {{"description", "Recall@" + k + " against new-item Recall@" + k + " as places go to new items. cobuy: the " +
                              "engine's chances, a new item's times 1 + w x (the customer's expected items / expected new "
                              "items), which maximises each customer's expected Recall@" + k + " + w x new-item Recall@" + k +
                              ", so the engine decides per customer how many places new items get. The rule: GP-TopFreq "
                              "with its last n places given to EASE on history's best new items. The split: the engine's "
                              "list with its last n places given to its best new items. Each rule point is paired with the "
                              "cobuy curve at its new-item recall (the case-by-case mix of the two points around it) and "
                              "with the split of the same n"},
          {"k", t.k},
          {"cobuy", points(t.cobuy, "new_item_weight")},
          {"rule", points(t.rule, "new_places")},
          {"split", points(t.split, "new_places")},
          {"comparisons", comparisons}};
}

std::shared_ptr<const Model> timed_train(const OrderData& train, const TrainConfig& c, SourceCache& cache,
                                         double& seconds) {
  const auto t = Clock::now();
  auto m = std::make_shared<const Model>(train_model(train, c, nlohmann::json::object(), nullptr, &cache));
  seconds = std::chrono::duration<double>(Clock::now() - t).count();
  return m;
}

}  // namespace

SplitSpec parse_split(const std::string& text) {
  SplitSpec s;
  s.text = text;
  if (text == "last-basket") {
    s.kind = SplitSpec::Kind::last_basket;
  } else if (text.rfind("time:", 0) == 0) {
    s.kind = SplitSpec::Kind::time;
    auto t = parse_timestamp(text.substr(5));
    COBUY_CHECK(t.has_value(), ErrorCode::bad_request,
                "--split time:DATE needs an ISO-8601 date such as 2011-09-01, got '" << text.substr(5) << "'");
    s.cut = *t;
  } else if (text.rfind("random:", 0) == 0) {
    s.kind = SplitSpec::Kind::random;
    const std::string f = text.substr(7);
    char* end = nullptr;
    s.fraction = std::strtod(f.c_str(), &end);
    COBUY_CHECK(!f.empty() && end && *end == '\0' && s.fraction > 0 && s.fraction < 1, ErrorCode::bad_request,
                "--split random:FRACTION needs a test share between 0 and 1 such as 0.2, got '" << f << "'");
  } else {
    COBUY_FAIL(ErrorCode::bad_request,
               "--split must be time:DATE, last-basket or random:FRACTION, got '" << text << "'");
  }
  return s;
}

constexpr std::size_t kBaselineBasketPasses = 500000;

json run_evaluation(const OrderData& data, const EvalRun& run, const ProgressFn& progress,
                    std::vector<json>* basket_queries) {
  COBUY_CHECK(!run.ks.empty(), ErrorCode::bad_request, "at least one cut-off K is needed");
  for (auto k : run.ks) COBUY_CHECK(k >= 1 && k <= 1000, ErrorCode::bad_request, "K must be in [1, 1000], got " << k);
  validate(run.config);
  auto [train, test] = run.split.kind == SplitSpec::Kind::time     ? split_by_time(data, run.split.cut)
                       : run.split.kind == SplitSpec::Kind::random ? split_random(data, run.split.fraction, run.seed)
                                                                   : split_last_basket(data);
  COBUY_CHECK(!train.orders.empty(), ErrorCode::bad_data, "the split " << run.split.text << " leaves no training orders");
  COBUY_CHECK(!test.orders.empty(), ErrorCode::bad_data, "the split " << run.split.text << " leaves no test orders");

  TrainConfig config = run.config;
  json sweep;
  if (!run.sweep_grid.is_null()) sweep = run_sweep(train, run.split, run.config, run.sweep_grid, run.seed, config, progress);

  // The models. The item-item baselines are cobuy's own sources alone, trained by the same code
  // with the same settings; they ignore the customer (blend.history 0).
  const std::size_t train_orders = train.orders.size();  // clang 14 cannot capture a structured binding
  auto only = [&](double cooccurrence, double ease, double embedding) {
    TrainConfig c = config;
    c.blend = {cooccurrence, ease, embedding, 0.0};
    c.rerank.enabled = false;  // the sources alone, in their own order
    c.next_order.fit = false;  // next order: GP-TopFreq's rule over their candidates
    if (embedding > 0 && c.embedding.epochs == 0) {
      // The tuned setting of bench/RESULTS.md is 20 epochs; on large data the baseline gets at
      // most kBaselineBasketPasses passes over baskets (at least 5 epochs), so an evaluation of
      // the Instacart file stays near a minute.
      const auto baskets = std::max<std::size_t>(1, train_orders);
      c.embedding.epochs = static_cast<std::uint32_t>(std::clamp<std::size_t>(kBaselineBasketPasses / baskets, 5, 20));
      c.embedding.subsample = 0;
    } else if (embedding == 0) {
      c.embedding.epochs = 0;
    }
    return c;
  };
  struct Spec {
    std::string name, description;
    TrainConfig config;
  };
  std::vector<Spec> trained = {
      {"co-occurrence", "jaccard co-occurrence alone", only(1, 0, 0)},
      {"EASE", "EASE alone (lambda " + std::to_string(config.ease.lambda).substr(0, 5) + ", basket weight " +
                   std::to_string(config.ease.basket_weight).substr(0, 4) + ")",
       only(0, 1, 0)},
      {"embeddings",
       "co-purchase embeddings alone (input-output affinity, " + std::to_string(only(0, 0, 1).embedding.epochs) +
           " epochs)",
       only(0, 0, 1)},
      {"cobuy",
       "cobuy's blend as configured, with the customer's history, then its re-ranker (fitted on a validation "
       "carve of the training part, whose tables it trains; the blend reuses the tables trained above)",
       config},
  };
  if (config.embedding.epochs > 0) {
    // The same model without its embeddings, so the paired rows say what they add on the same cases.
    TrainConfig without = config;
    without.embedding.epochs = 0;
    without.blend.embedding = 0;
    trained.insert(trained.end() - 1, {"cobuy without embeddings",
                                       "cobuy as configured but with embedding.epochs 0 (no embeddings, no Faiss "
                                       "index): what the embeddings add",
                                       without});
  }
  const std::size_t steps = trained.size() + 2;
  std::size_t step = 0;
  auto report = [&](std::string_view stage) {
    if (progress) progress(stage, step, steps);
  };
  std::vector<Contender> models;
  SourceCache cache;  // the blend reuses the EASE and co-occurrence tables of the baselines
  report("eval: train");
  for (const auto& s : trained) {
    Contender c;
    c.name = s.name;
    c.description = s.description;
    c.model = timed_train(train, s.config, cache, c.train_seconds);
    c.rank = model_ranker(*c.model, make_complement_search(c.model));  // as served
    if (s.config.rerank.enabled) c.description += "; re-ranker " + reranker_summary(c.model->reranker);
    c.description += s.config.next_order.fit ? "; next order " + next_order_summary(c.model->next_order)
                                             : "; next order: GP-TopFreq's rule over its candidates";
    models.push_back(std::move(c));
    ++step;
    report("eval: train");
  }
  const auto reference = models.back().model;
  const ComplementSearch reference_search = make_complement_search(reference);
  std::vector<std::uint32_t> item_orders;  // orders holding each item in training: the baselines and the curves
  {
    // The list baselines need only the training part's counts and the reference model's
    // customer histories (the training part's).
    const auto t = Clock::now();
    item_orders = orders_holding(train);
    const double seconds = std::chrono::duration<double>(Clock::now() - t).count();
    // EASE on history: the EASE-alone model's weights applied to the customer's item counts
    // (before cobuy, which stays last: the paired differences are cobuy's).
    const auto& ease = *std::find_if(models.begin(), models.end(), [](const Contender& c) { return c.name == "EASE"; });
    Contender on_history{"EASE on history",
                         "the customer's item counts (orders holding each) times EASE's stored weights, then the "
                         "most ordered items",
                         ease.train_seconds, ease.model, ease_history_ranker(*ease.model, item_orders)};
    models.insert(models.end() - 1, std::move(on_history));
    Contender fresh{"cobuy new items",
                    "the next-order engine's candidates the customer never bought, best first (what cross-sell "
                    "lists lead with)",
                    models.back().train_seconds, models.back().model,
                    new_items_ranker(*models.back().model, reference_search)};
    models.insert(models.end() - 1, std::move(fresh));
    const auto without = std::find_if(models.begin(), models.end(),
                                      [](const Contender& c) { return c.name == "cobuy without embeddings"; });
    if (without != models.end()) {
      Contender fresh_without{"cobuy new items without embeddings",
                              "the new-items list of cobuy without embeddings (the list the row above is paired with)",
                              without->train_seconds, without->model, new_items_ranker(*without->model, nullptr)};
      models.insert(models.end() - 1, std::move(fresh_without));
    }
    const auto tifu_started = Clock::now();
    Ranker tifu = tifu_knn_ranker(*reference, item_orders);
    models.insert(models.begin(),
                  Contender{"TIFU-KNN",
                            "0.7 x the customer's time-decayed basket vector + 0.3 x the mean of the vectors of their "
                            "300 nearest other customers with training orders (7 groups, decays 0.9 within and 0.7 "
                            "across; Hu et al., SIGIR 2020, the authors' code), then the most ordered items",
                            seconds + std::chrono::duration<double>(Clock::now() - tifu_started).count(), reference,
                            std::move(tifu)});
    models.insert(models.begin(),
                  Contender{"GP-TopFreq",
                            "the customer's items by how many of their orders hold them, ties by orders holding the "
                            "item in training, then the most ordered items (Li et al., TOIS 2023)",
                            seconds, reference, gp_topfreq_ranker(*reference, item_orders)});
    models.insert(models.begin(), Contender{"popular", "most popular items (time-decayed)", 0.0, reference,
                                            popular_ranker(*reference)});
  }

  const auto basket_cases = basket_completion_cases(train, test, run.seed);
  const auto next_cases = next_order_cases(train, test);
  if (basket_queries) {
    const auto limit = *std::max_element(run.ks.begin(), run.ks.end());
    for (std::size_t i = 0; i < basket_cases.size(); ++i) {
      const auto& c = basket_cases[i];
      json q = {{"id", std::to_string(i)}, {"items", c.given}, {"limit", limit}, {"hidden", c.hidden}};
      if (c.customer) q["customer_id"] = *c.customer;
      if (c.at != kNoTime) q["at"] = format_timestamp(c.at);
      basket_queries->push_back(std::move(q));
    }
  }
  std::vector<TaskScores> basket_scores, next_scores;
  json model_list = json::array();
  for (const auto& c : models) {
    report("eval: score");
    model_list.push_back({{"name", c.name}, {"description", c.description}, {"train_seconds", c.train_seconds}});
    basket_scores.push_back(score_basket_completion(*reference, basket_cases, c.rank, run.ks, true));
    next_scores.push_back(score_next_order(*reference, next_cases, c.rank, run.ks));
  }
  ++step;
  report("eval: score");
  json basket_results = json::array(), next_results = json::array();
  for (std::size_t i = 0; i < models.size(); ++i) {
    auto b = task_json(basket_scores[i], run);
    b["model"] = models[i].name;
    basket_results.push_back(std::move(b));
    auto n = task_json(next_scores[i], run);
    n["model"] = models[i].name;
    next_results.push_back(std::move(n));
  }
  json ks = json::array();
  for (auto k : run.ks) ks.push_back(k);
  json train_config;
  to_json(train_config, config);
  const auto now = std::chrono::system_clock::now();
  json out = {
      {"title", "cobuy offline evaluation"},
      {"created_at", format_timestamp(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count())},
      {"data",
       {{"orders", run.order_paths},
        {"format", run.format},
        {"split", run.split.text},
        {"seed", run.seed},
        {"train_orders", train.orders.size()},
        {"test_orders", test.orders.size()},
        {"items", data.catalog.size()},
        {"customers", data.customer_ids.size()}}},
      {"config", train_config},
      {"k", ks},
      {"models", model_list},
      {"tasks",
       {{"basket_completion",
         {{"description", "hide one item of each test order with 2+ items all seen in training (seeded); predict it "
                          "from the rest (queries name the order's customer)"},
          {"cases", basket_cases.size()},
          {"results", basket_results},
          {"paired", paired_json(basket_scores, models, run)},}},
        {"next_order",
         {{"description", "for customers with orders in training, predict the items of their first order after the "
                          "split; repeat = items they bought before, new = the rest"},
          {"cases", next_cases.size()},
          {"results", next_results},
          {"paired", paired_json(next_scores, models, run)},}}}},
  };
  if (config.embedding.epochs > 0) {
    out["tasks"]["basket_completion"]["embeddings_added"] = ablation_json(basket_scores, models, run);
    out["tasks"]["next_order"]["embeddings_added"] = ablation_json(next_scores, models, run);
  }
  if (!next_cases.empty()) {
    report("eval: trade-off");
    const auto& ease = *std::find_if(models.begin(), models.end(), [](const Contender& c) { return c.name == "EASE"; });
    static constexpr double kWeights[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 5, 10};
    const auto ten = std::find(run.ks.begin(), run.ks.end(), std::size_t{10});
    const std::size_t k = ten != run.ks.end() ? 10 : run.ks[run.ks.size() / 2];  // as the paired table
    out["tasks"]["next_order"]["tradeoff"] = tradeoff_json(
        next_order_tradeoff(*reference, *ease.model, item_orders, next_cases, k, kWeights, std::min<std::size_t>(5, k),
                            reference_search),
        run);
  }
  if (!sweep.is_null()) out["sweep"] = sweep;
  return out;
}

json holdout_summary(const OrderData& data, const TrainConfig& config, double tail, std::uint64_t seed) {
  COBUY_CHECK(tail > 0 && tail < 1, ErrorCode::bad_request, "--eval-tail must be between 0 and 1, got " << tail);
  std::vector<Timestamp> times;
  for (const auto& o : data.orders) {
    if (o.time != kNoTime) times.push_back(o.time);
  }
  COBUY_CHECK(!times.empty(), ErrorCode::bad_data, "--eval-tail needs order times, and these orders have none");
  std::sort(times.begin(), times.end());
  const Timestamp cut = times[std::min(times.size() - 1, static_cast<std::size_t>(static_cast<double>(times.size()) * (1 - tail)))];
  const auto [train, test] = split_by_time(data, cut);
  COBUY_CHECK(!train.orders.empty() && !test.orders.empty(), ErrorCode::bad_data,
              "--eval-tail " << tail << " leaves an empty part (all orders at one time?)");
  const Model model = train_model(train, config);
  const std::vector<std::size_t> k10{10};
  const auto basket = score_basket_completion(model, basket_completion_cases(train, test, seed), model_ranker(model), k10, true);
  const auto next = score_next_order(model, next_order_cases(train, test), model_ranker(model), k10);
  auto mean = [](const TaskScores& s, const std::string& name) {
    const auto& v = s.metrics.at(name)[0];
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  return {{"split", "time:" + format_timestamp(cut)},
          {"tail_share", tail},
          {"train_orders", train.orders.size()},
          {"test_orders", test.orders.size()},
          {"basket_completion",
           {{"cases", basket.cases},
            {"hit_rate@10", mean(basket, "hit_rate")},
            {"ndcg@10", mean(basket, "ndcg")},
            {"mrr@10", mean(basket, "mrr")}}},
          {"next_order", {{"cases", next.cases}, {"recall@10", mean(next, "recall")}, {"ndcg@10", mean(next, "ndcg")}}}};
}

}  // namespace cobuy::cli
