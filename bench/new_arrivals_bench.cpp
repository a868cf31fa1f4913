// New arrivals on the reference split (issue 16, item 3). Train before 2011-09-01 with the whole
// file's catalogue, so the items first sold on or after that day are in the model without orders
// (titles from the full file). For each customer with history, their first order after the split:
// do K new-arrival places hit an item of that order that is such a hidden new item? The content
// fallback (core/new_arrivals.h, as offers use it) against random new items and new items sharing
// the customer's most bought title word (Online Retail has no categories). Not a timing benchmark.
//   build/bench/cobuy_new_arrivals_bench
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/bench_data.h"
#include "core/bootstrap.h"
#include "core/content_index.h"
#include "core/customer_profile.h"
#include "core/evaluation.h"
#include "core/log.h"
#include "core/new_arrivals.h"
#include "core/offline_eval.h"
#include "core/time_util.h"
#include "training/train.h"

namespace {

using namespace cobuy;

std::string ci(const Interval& i, const char* format = "%.4f [%.4f, %.4f]") {
  char buf[96];
  std::snprintf(buf, sizeof buf, format, i.mean, i.low, i.high);
  return buf;
}

}  // namespace

int main() {
  log::set_level(log::Level::error);
  IngestOptions options;
  options.format = OrderFormat::online_retail;
  const OrderData data = load_orders({bench::online_retail_path()}, options);
  const Timestamp split = *parse_timestamp("2011-09-01");
  auto [train, test] = split_by_time(data, split);
  const auto model = std::make_shared<const Model>(train_model(train, TrainConfig{}));
  const Model& m = *model;
  // The pool: catalogue items no training order holds (min_orders 1), i.e. first sold after the split.
  const NewArrivals arrivals(m, 1);
  std::vector<ItemIndex> pool;
  for (ItemIndex i = 0; i < m.catalog.size(); ++i) {
    if (arrivals.is_new(i)) pool.push_back(i);
  }
  // Reachability: each hidden new item's first buyer in the test part, with training history or not.
  std::unordered_map<ItemIndex, const Order*> first_sale;
  for (const auto& o : test.orders) {
    for (const auto& l : o.lines) {
      if (m.item_orders[l.item] == 0) first_sale.emplace(l.item, &o);
    }
  }
  std::size_t with_history = 0, with_customer = 0;
  for (const auto& [item, o] : first_sale) {
    if (o->customer == kNoCustomer) continue;
    ++with_customer;
    const auto c = m.customers.index.find(test.customer_ids[static_cast<std::size_t>(o->customer)]);
    if (c != m.customers.index.end() && m.customers.order_offsets[c->second + 1] > m.customers.order_offsets[c->second]) {
      ++with_history;
    }
  }
  const auto cases = next_order_cases(train, test);
  const SegmentThresholds thresholds = shop_thresholds(m, SegmentConfig{});
  const std::vector<std::size_t> ks = {1, 2, 5};
  const std::size_t kmax = ks.back();
  // Per method, per K: per-case hit (any place is a hidden new item of the order).
  std::map<std::string, std::vector<std::vector<double>>> hits, hits_on;  // all cases / cases with a hidden item
  const std::vector<std::string> methods = {"content (cobuy new_arrival)", "most bought title word", "random"};
  for (const auto& name : methods) {
    hits[name].assign(ks.size(), {});
    hits_on[name].assign(ks.size(), {});
  }
  std::mt19937_64 rng(7);
  std::size_t cases_with_new = 0;
  for (const auto& c : cases) {
    std::set<ItemIndex> targets;
    for (const auto& id : c.truth) {
      if (const auto i = m.catalog.find(id); i && arrivals.is_new(*i)) targets.insert(*i);
    }
    const bool has_new = !targets.empty();
    cases_with_new += has_new ? 1 : 0;
    const CustomerProfile profile = build_profile(m, c.customer, {}, c.at, thresholds);
    std::map<std::string, std::vector<ItemIndex>> lists;
    for (const auto& p : arrivals.rank(content_history(profile, c.at), kmax)) lists[methods[0]].push_back(p.item);
    // Baseline: new items whose title holds the customer's most bought title word (by orders).
    std::map<std::string, double> words;
    for (const auto& s : profile.items) {
      for (const auto& w : title_tokens(m.catalog.titles[s.item])) words[w] += s.orders;
    }
    std::string top;
    for (const auto& [w, n] : words) {
      if (top.empty() || n > words[top]) top = w;
    }
    std::vector<ItemIndex> shuffled = pool;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    auto& word_list = lists[methods[1]];
    for (ItemIndex i : shuffled) {
      const auto t = title_tokens(m.catalog.titles[i]);
      if (word_list.size() < kmax && std::find(t.begin(), t.end(), top) != t.end()) word_list.push_back(i);
    }
    for (ItemIndex i : shuffled) {
      if (word_list.size() >= kmax) break;
      if (std::find(word_list.begin(), word_list.end(), i) == word_list.end()) word_list.push_back(i);
    }
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    lists[methods[2]].assign(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(std::min(kmax, shuffled.size())));
    for (const auto& name : methods) {
      const auto& list = lists[name];
      for (std::size_t k = 0; k < ks.size(); ++k) {
        double hit = 0;
        for (std::size_t r = 0; r < std::min(ks[k], list.size()); ++r) hit = targets.count(list[r]) ? 1 : hit;
        hits[name][k].push_back(hit);
        if (has_new) hits_on[name][k].push_back(hit);
      }
    }
  }
  std::printf("train orders %zu, test orders %zu; catalogue %zu items, %zu without training orders (the pool)\n",
              train.orders.size(), test.orders.size(), m.catalog.size(), pool.size());
  std::printf("hidden new items sold in the test part: %zu; first buyer known: %zu; first buyer with training "
              "history (reachable): %zu (%.1f%% of known first buyers)\n",
              first_sale.size(), with_customer, with_history, 100.0 * with_history / std::max<std::size_t>(1, with_customer));
  std::printf("next-order cases: %zu customers; %zu (%.1f%%) of their first test orders hold a hidden new item\n\n",
              cases.size(), cases_with_new, 100.0 * cases_with_new / std::max<std::size_t>(1, cases.size()));
  for (int part = 0; part < 2; ++part) {
    const auto& h = part == 0 ? hits : hits_on;
    std::printf("%s\n\n| method | HR@1 | HR@2 | HR@5 | content minus it @2 (paired) | content minus it @5 (paired) |\n"
                "|---|---|---|---|---|---|\n",
                part == 0 ? "All cases: share whose places hit a hidden new item of the order"
                          : "Cases whose order holds a hidden new item");
    for (const auto& name : methods) {
      const auto& ref = h.at(methods[0]);
      std::printf("| %s | %s | %s | %s | %s | %s |\n", name.c_str(), ci(bootstrap_mean(h.at(name)[0])).c_str(),
                  ci(bootstrap_mean(h.at(name)[1])).c_str(), ci(bootstrap_mean(h.at(name)[2])).c_str(),
                  name == methods[0] ? "" : ci(bootstrap_mean_difference(ref[1], h.at(name)[1]), "%+.4f [%+.4f, %+.4f]").c_str(),
                  name == methods[0] ? "" : ci(bootstrap_mean_difference(ref[2], h.at(name)[2]), "%+.4f [%+.4f, %+.4f]").c_str());
    }
    std::printf("\n");
  }
  return 0;
}
