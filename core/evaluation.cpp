#include "core/evaluation.h"

#include <algorithm>
#include <random>
#include <unordered_set>

#include "core/offline_eval.h"

namespace cobuy {
namespace {

OrderData empty_like(const OrderData& data) {
  OrderData out;
  out.catalog = data.catalog;
  out.customer_ids = data.customer_ids;
  return out;
}

}  // namespace

std::pair<OrderData, OrderData> split_by_time(const OrderData& data, Timestamp cut) {
  auto train = empty_like(data);
  auto test = empty_like(data);
  for (const auto& o : data.orders) (o.time == kNoTime || o.time < cut ? train : test).orders.push_back(o);
  return {std::move(train), std::move(test)};
}

std::pair<OrderData, OrderData> split_random(const OrderData& data, double test_fraction, std::uint64_t seed) {
  auto train = empty_like(data);
  auto test = empty_like(data);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (const auto& o : data.orders) (u(rng) < test_fraction ? test : train).orders.push_back(o);
  return {std::move(train), std::move(test)};
}

std::pair<OrderData, OrderData> split_last_basket(const OrderData& data) {
  auto train = empty_like(data);
  auto test = empty_like(data);
  std::vector<std::int64_t> last(data.customer_ids.size(), -1);
  for (std::size_t o = 0; o < data.orders.size(); ++o) {
    const auto c = data.orders[o].customer;
    if (c == kNoCustomer) continue;
    auto& l = last[static_cast<std::size_t>(c)];
    if (l < 0 || data.orders[o].time >= data.orders[static_cast<std::size_t>(l)].time) l = static_cast<std::int64_t>(o);
  }
  for (std::size_t o = 0; o < data.orders.size(); ++o) {
    const auto c = data.orders[o].customer;
    const bool is_last = c != kNoCustomer && last[static_cast<std::size_t>(c)] == static_cast<std::int64_t>(o);
    (is_last ? test : train).orders.push_back(data.orders[o]);
  }
  return {std::move(train), std::move(test)};
}

std::vector<BasketCase> basket_completion_cases(const OrderData& train, const OrderData& test, std::uint64_t seed) {
  std::vector<char> in_train(train.catalog.size(), 0);
  for (const auto& o : train.orders) {
    for (const auto& l : o.lines) in_train[l.item] = 1;
  }
  std::mt19937_64 rng(seed);
  std::vector<BasketCase> cases;
  for (const auto& o : test.orders) {
    if (o.lines.size() < 2) continue;
    const bool known = std::all_of(o.lines.begin(), o.lines.end(), [&](const OrderLine& l) {
      return l.item < in_train.size() && in_train[l.item];
    });
    if (!known) continue;
    std::uniform_int_distribution<std::size_t> pick(0, o.lines.size() - 1);
    const std::size_t hidden = pick(rng);
    BasketCase c;
    if (o.customer != kNoCustomer) c.customer = test.customer_ids[static_cast<std::size_t>(o.customer)];
    c.at = o.time;
    for (std::size_t k = 0; k < o.lines.size(); ++k) {
      const auto& id = test.catalog.ids[o.lines[k].item];
      if (k == hidden) {
        c.hidden = id;
      } else {
        c.given.push_back(id);
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<CaseMetrics> basket_completion_metrics(const Model& model, const std::vector<BasketCase>& cases,
                                                   std::size_t k, bool with_customer) {
  const auto scores = score_basket_completion(model, cases, model_ranker(model), {k}, with_customer);
  std::vector<CaseMetrics> out(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out[i] = {scores.metrics.at("hit_rate")[0][i], scores.metrics.at("ndcg")[0][i], scores.metrics.at("mrr")[0][i],
              scores.metrics.at("precision")[0][i]};
  }
  return out;
}

RankingSummary summarize(const std::vector<CaseMetrics>& metrics) {
  RankingSummary total;
  for (const auto& m : metrics) {
    total.hit_rate += m.hit;
    total.ndcg += m.ndcg;
    total.mrr += m.rr;
    total.precision += m.precision;
  }
  total.cases = metrics.size();
  if (total.cases > 0) {
    const auto n = static_cast<double>(total.cases);
    total.hit_rate /= n;
    total.ndcg /= n;
    total.mrr /= n;
    total.precision /= n;
  }
  return total;
}

RankingSummary evaluate_basket_completion(const Model& model, const std::vector<BasketCase>& cases, std::size_t k) {
  return summarize(basket_completion_metrics(model, cases, k));
}

}  // namespace cobuy
