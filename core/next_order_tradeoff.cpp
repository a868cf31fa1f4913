// The repeat-against-new-items curves of cobuy's next-order engine and of the fixed rule.
#include "core/next_order_tradeoff.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include <tbb/parallel_for.h>

#include "core/customer_profile.h"
#include "core/error.h"
#include "core/next_order.h"

namespace cobuy {
namespace {

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

TradeoffPoint point(const Model& model, const std::vector<NextOrderCase>& cases, const Ranker& rank, std::size_t k,
                    double parameter) {
  auto s = score_next_order(model, cases, rank, {k});
  return {parameter, std::move(s.metrics.at("recall")[0]), std::move(s.metrics.at("recall_new")[0])};
}

/// The engine's candidates of each case's customer, computed once for all biases.
std::unordered_map<std::string, std::vector<NextOrderCandidate>> candidates_of(const Model& model,
                                                                              const std::vector<NextOrderCase>& cases) {
  std::vector<std::vector<NextOrderCandidate>> found(cases.size());
  tbb::parallel_for(std::size_t{0}, cases.size(), [&](std::size_t i) {
    const auto profile = build_profile(model, cases[i].customer, {}, cases[i].at, SegmentThresholds{});
    found[i] = next_order_candidates(model, profile, cases[i].at);
  });
  std::unordered_map<std::string, std::vector<NextOrderCandidate>> out;
  for (std::size_t i = 0; i < cases.size(); ++i) out.emplace(cases[i].customer, std::move(found[i]));
  return out;
}

}  // namespace

NextOrderTradeoff next_order_tradeoff(const Model& model, const Model& ease_model,
                                      const std::vector<std::uint32_t>& item_orders,
                                      const std::vector<NextOrderCase>& cases, std::size_t k,
                                      std::span<const double> biases, std::size_t max_new_places) {
  COBUY_CHECK(k > 0, ErrorCode::bad_request, "the trade-off curve needs a cut-off above 0");
  COBUY_CHECK(!biases.empty(), ErrorCode::bad_request, "the trade-off curve needs at least one new-item bias");
  COBUY_CHECK(max_new_places <= k, ErrorCode::bad_request,
              "new places (" << max_new_places << ") cannot exceed the cut-off (" << k << ")");
  NextOrderTradeoff t;
  t.k = k;
  const auto candidates = candidates_of(model, cases);
  for (double bias : biases) {
    const Ranker biased = [&candidates, bias](const Query& q) {
      std::vector<ItemIndex> out;
      const auto it = q.customer_id ? candidates.find(*q.customer_id) : candidates.end();
      if (it == candidates.end()) return out;
      std::vector<std::pair<double, ItemIndex>> v;
      for (const auto& c : it->second) v.emplace_back(c.logit + (c.repeat ? 0.0 : bias), c.item);
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      for (std::size_t p = 0; p < v.size() && p < q.limit; ++p) out.push_back(v[p].second);
      return out;
    };
    t.cobuy.push_back(point(model, cases, biased, k, bias));
  }
  for (std::size_t n = 0; n <= max_new_places; ++n) {
    // The engine's list with its last n places given to its best new items (a fixed split).
    const Ranker split = [&candidates, n](const Query& q) {
      std::vector<ItemIndex> out;
      const auto it = q.customer_id ? candidates.find(*q.customer_id) : candidates.end();
      if (it == candidates.end()) return out;
      const std::size_t keep = q.limit > n ? q.limit - n : 0;
      std::unordered_set<ItemIndex> taken;
      for (const auto& c : it->second) {
        if (out.size() < keep) { out.push_back(c.item); taken.insert(c.item); }
      }
      for (const auto& c : it->second) {
        if (out.size() < q.limit && !c.repeat && taken.insert(c.item).second) out.push_back(c.item);
      }
      for (const auto& c : it->second) {
        if (out.size() < q.limit && taken.insert(c.item).second) out.push_back(c.item);
      }
      return out;
    };
    t.split.push_back(point(model, cases, split, k, static_cast<double>(n)));
    t.rule.push_back(point(model, cases, gp_topfreq_with_new_ranker(model, ease_model, item_orders, n), k,
                           static_cast<double>(n)));
  }
  for (std::size_t r = 0; r < t.rule.size(); ++r) {
    if (t.rule[r].parameter == 0) continue;  // GP-TopFreq itself: the next-order table pairs it
    TradeoffComparison c;
    c.rule = r;
    const double needed = mean_of(t.rule[r].recall_new);
    for (std::size_t b = 0; b < t.cobuy.size(); ++b) {
      if (mean_of(t.cobuy[b].recall_new) < needed) continue;
      if (!c.cobuy || mean_of(t.cobuy[b].recall) > mean_of(t.cobuy[*c.cobuy].recall)) c.cobuy = b;
    }
    t.comparisons.push_back(c);
  }
  return t;
}

}  // namespace cobuy
