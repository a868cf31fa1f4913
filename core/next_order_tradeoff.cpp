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

/// The curve at mean new-item recall `target`: its first point when that reaches it, else the
/// case-by-case mix of the first two neighbouring points around it; none when no point reaches it.
std::optional<TradeoffPoint> curve_at(const std::vector<TradeoffPoint>& curve, double target) {
  if (mean_of(curve.front().recall_new) >= target) return curve.front();
  for (std::size_t b = 1; b < curve.size(); ++b) {
    const double low = mean_of(curve[b - 1].recall_new), high = mean_of(curve[b].recall_new);
    if (high < target || low > target) continue;
    const double share = high > low ? (target - low) / (high - low) : 1.0;
    auto mix = [share](const std::vector<double>& a, const std::vector<double>& c) {
      std::vector<double> out(a.size());
      for (std::size_t i = 0; i < a.size(); ++i) out[i] = (1 - share) * a[i] + share * c[i];
      return out;
    };
    return TradeoffPoint{(1 - share) * curve[b - 1].parameter + share * curve[b].parameter,
                         mix(curve[b - 1].recall, curve[b].recall), mix(curve[b - 1].recall_new, curve[b].recall_new)};
  }
  return std::nullopt;
}

/// The engine's candidates of each case's customer, computed once for all weights.
std::unordered_map<std::string, std::vector<NextOrderCandidate>> candidates_of(const Model& model,
                                                                              const std::vector<NextOrderCase>& cases,
                                                                              const ComplementSearch& complements) {
  std::vector<std::vector<NextOrderCandidate>> found(cases.size());
  tbb::parallel_for(std::size_t{0}, cases.size(), [&](std::size_t i) {
    const auto profile = build_profile(model, cases[i].customer, {}, cases[i].at, SegmentThresholds{});
    found[i] = next_order_candidates(model, profile, cases[i].at, complements);
  });
  std::unordered_map<std::string, std::vector<NextOrderCandidate>> out;
  for (std::size_t i = 0; i < cases.size(); ++i) out.emplace(cases[i].customer, std::move(found[i]));
  return out;
}

using CandidateMap = std::unordered_map<std::string, std::vector<NextOrderCandidate>>;

/// The query's customer's cached candidates, or null.
const std::vector<NextOrderCandidate>* candidates_for(const CandidateMap& candidates, const Query& q) {
  const auto it = q.customer_id ? candidates.find(*q.customer_id) : candidates.end();
  return it == candidates.end() ? nullptr : &it->second;
}

}  // namespace

NextOrderTradeoff next_order_tradeoff(const Model& model, const Model& ease_model,
                                      const std::vector<std::uint32_t>& item_orders,
                                      const std::vector<NextOrderCase>& cases, std::size_t k,
                                      std::span<const double> weights, std::size_t max_new_places,
                                      const ComplementSearch& complements) {
  COBUY_CHECK(k > 0, ErrorCode::bad_request, "the trade-off curve needs a cut-off above 0");
  COBUY_CHECK(!weights.empty(), ErrorCode::bad_request, "the trade-off curve needs at least one new-item weight");
  COBUY_CHECK(weights.front() >= 0 && std::is_sorted(weights.begin(), weights.end()), ErrorCode::bad_request,
              "new-item weights must be 0 or more, in ascending order");
  COBUY_CHECK(max_new_places <= k, ErrorCode::bad_request,
              "new places (" << max_new_places << ") cannot exceed the cut-off (" << k << ")");
  NextOrderTradeoff t;
  t.k = k;
  const auto candidates = candidates_of(model, cases, complements);
  for (double w : weights) {
    const Ranker weighted = [&candidates, w](const Query& q) {
      std::vector<ItemIndex> out;
      const auto* found = candidates_for(candidates, q);
      if (found == nullptr) return out;
      double expected = 0, expected_new = 0;
      for (const auto& c : *found) {
        expected += c.chance;
        if (!c.repeat) expected_new += c.chance;
      }
      const double boost = 1 + (expected_new > 0 ? w * expected / expected_new : 0.0);
      std::vector<std::pair<double, ItemIndex>> v;
      for (const auto& c : *found) v.emplace_back(c.chance * (c.repeat ? 1.0 : boost), c.item);
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      for (std::size_t p = 0; p < v.size() && p < q.limit; ++p) out.push_back(v[p].second);
      return out;
    };
    t.cobuy.push_back(point(model, cases, weighted, k, w));
  }
  for (std::size_t n = 0; n <= max_new_places; ++n) {
    // The engine's list with its last n places given to its best new items (a fixed split).
    const Ranker split = [&candidates, n](const Query& q) {
      std::vector<ItemIndex> out;
      const auto* found = candidates_for(candidates, q);
      if (found == nullptr) return out;
      const std::size_t keep = q.limit > n ? q.limit - n : 0;
      std::unordered_set<ItemIndex> taken;
      for (const auto& c : *found) {
        if (out.size() < keep) { out.push_back(c.item); taken.insert(c.item); }
      }
      for (const auto& c : *found) {
        if (out.size() < q.limit && !c.repeat && taken.insert(c.item).second) out.push_back(c.item);
      }
      for (const auto& c : *found) {
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
    t.comparisons.push_back({r, curve_at(t.cobuy, mean_of(t.rule[r].recall_new))});
  }
  return t;
}

}  // namespace cobuy
