#include "core/next_order.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "core/deadline.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

// New items kept per customer (by complement score), new items from the customer-vector search
// beyond them, and popular items added beyond both.
constexpr std::size_t kNewCandidates = 100;
constexpr std::size_t kEmbeddingCandidates = 50;
constexpr std::size_t kPopularCandidates = 30;
// The return rate is shrunk towards the shop's as if kReturnPrior more trials had the shop's rate.
constexpr double kReturnPrior = 5.0;
// Gaps shorter than a day are split orders, not repurchases; three gaps make a median.
constexpr double kMinGapDays = 1.0;
constexpr std::size_t kMinGaps = 3;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double days_between(Timestamp from, Timestamp to) {
  if (from == kNoTime || to == kNoTime) return 0.0;
  return static_cast<double>(std::max<Timestamp>(0, to - from)) / kSecondsPerDay;
}

}  // namespace

RepurchaseStats repurchase_stats(const CustomerHistory& h, std::size_t n_items) {
  std::vector<double> trials(n_items, 0), hits(n_items, 0), next_hits(n_items, 0);
  std::vector<std::vector<float>> gaps(n_items);
  std::vector<std::uint64_t> latest(n_items, UINT64_MAX);  // item -> the latest order (index) holding it
  std::vector<ItemIndex> distinct;
  for (std::size_t c = 0; c < h.customers(); ++c) {
    const auto first = h.order_offsets[c], last = h.order_offsets[c + 1];
    for (auto o = first; o < last; ++o) {
      distinct.clear();
      for (auto p = h.item_offsets[o]; p < h.item_offsets[o + 1]; ++p) {
        const ItemIndex i = h.items[p];
        if (i >= n_items || latest[i] == o) continue;  // an item on two lines of one order counts once
        const auto prev = latest[i];
        if (prev != UINT64_MAX && prev >= first) {  // this customer bought it before: that order's trial hit
          hits[i] += 1;
          if (prev + 1 == o) next_hits[i] += 1;
          const double g = days_between(h.order_times[prev], h.order_times[o]);
          if (g >= kMinGapDays) gaps[i].push_back(static_cast<float>(g));
        }
        latest[i] = o;
        distinct.push_back(i);
      }
      if (o + 1 < last) {
        for (ItemIndex i : distinct) trials[i] += 1;
      }
    }
  }
  double all_trials = 0, all_hits = 0, all_next = 0;
  for (std::size_t i = 0; i < n_items; ++i) {
    all_trials += trials[i];
    all_hits += hits[i];
    all_next += next_hits[i];
  }
  const double shop = all_trials > 0 ? all_hits / all_trials : 0.0;
  const double shop_next = all_trials > 0 ? all_next / all_trials : 0.0;
  RepurchaseStats s;
  s.return_rate.resize(n_items);
  s.next_rate.resize(n_items);
  s.gap_days.assign(n_items, NAN);
  for (std::size_t i = 0; i < n_items; ++i) {
    s.return_rate[i] = static_cast<float>((hits[i] + kReturnPrior * shop) / (trials[i] + kReturnPrior));
    s.next_rate[i] = static_cast<float>((next_hits[i] + kReturnPrior * shop_next) / (trials[i] + kReturnPrior));
    if (gaps[i].size() >= kMinGaps) {
      std::sort(gaps[i].begin(), gaps[i].end());
      s.gap_days[i] = gaps[i][gaps[i].size() / 2];
    }
  }
  return s;
}

std::vector<float> customer_vector(const Model& m, const CustomerProfile& profile) {
  const auto& e = m.embeddings;
  std::vector<float> v;
  if (e.empty()) return v;
  double total = 0;
  std::vector<double> sum(e.dim, 0.0);
  for (const auto& s : profile.items) {
    if (s.item >= m.catalog.size() || !e.has_vector(s.item)) continue;
    const auto row = e.input_row(s.item);
    for (std::size_t d = 0; d < e.dim; ++d) sum[d] += s.orders * static_cast<double>(row[d]);
    total += s.orders;
  }
  if (total <= 0) return v;
  v.resize(e.dim);
  for (std::size_t d = 0; d < e.dim; ++d) v[d] = static_cast<float>(sum[d] / total);
  return v;
}

namespace {

/// The customer's item whose input vector is most like `item`'s (cosine), to name as the reason
/// for an item the customer-vector search found; `item` itself when none has a vector.
ItemIndex most_alike(const Model& m, const CustomerProfile& profile, ItemIndex item) {
  const auto& e = m.embeddings;
  const auto target = e.input_row(item);
  auto norm = [](std::span<const float> r) {
    double n = 0;
    for (float x : r) n += static_cast<double>(x) * x;
    return std::sqrt(n);
  };
  const double tn = norm(target);
  ItemIndex best = item;
  double best_cos = -2;
  for (const auto& s : profile.items) {
    if (s.item >= m.catalog.size() || !e.has_vector(s.item)) continue;
    const auto row = e.input_row(s.item);
    double dot = 0;
    for (std::size_t d = 0; d < e.dim; ++d) dot += static_cast<double>(row[d]) * target[d];
    const double cos = dot / (norm(row) * tn + 1e-12);
    if (cos > best_cos) {
      best_cos = cos;
      best = s.item;
    }
  }
  return best;
}

}  // namespace

std::vector<NextOrderCandidate> next_order_candidates(const Model& m, const CustomerProfile& profile, Timestamp at,
                                                      const ComplementSearch& search) {
  std::vector<NextOrderCandidate> out;
  if (profile.items.empty()) return out;
  if (at == kNoTime) at = profile.last_order;
  const std::size_t n = m.catalog.size();

  // The history's complement score of every item its rows reach: orders holding each bought item
  // times its "bought together" (and penalty) weights, as EASE applied to the history.
  struct Reach {
    double score = 0;
    double best = 0;
    ItemIndex anchor = 0;
  };
  std::unordered_map<ItemIndex, Reach> reach;
  reach.reserve(profile.items.size() * 32);
  for (const auto& s : profile.items) {
    deadline::check();
    if (s.item >= m.bought_together.items()) continue;
    for (const auto& nb : m.bought_together.row(s.item)) {
      auto& r = reach[nb.item];
      const double part = s.orders * static_cast<double>(nb.score);
      r.score += part;
      if (part > r.best) {
        r.best = part;
        r.anchor = s.item;
      }
    }
  }
  for (const auto& s : profile.items) {
    if (s.item >= m.penalties.items()) continue;
    for (const auto& nb : m.penalties.row(s.item)) {
      if (auto it = reach.find(nb.item); it != reach.end()) it->second.score += s.orders * static_cast<double>(nb.score);
    }
  }
  double top = 0;
  for (const auto& [i, r] : reach) top = std::max(top, r.score);

  // The customer vector's nearest items in the embedding space, enough of them to leave
  // kEmbeddingCandidates new ones after the customer's own items; their affinity is a feature of
  // every candidate it reaches.
  std::unordered_map<ItemIndex, double> affinity;
  std::vector<std::pair<ItemIndex, float>> hits;
  if (search) {
    deadline::check();
    const auto query = customer_vector(m, profile);
    if (!query.empty()) hits = search(query, profile.items.size() + kEmbeddingCandidates);
    affinity.reserve(hits.size());
    for (const auto& [i, a] : hits) affinity.emplace(i, static_cast<double>(a));
  }

  NextOrderSignals base;
  base.customer_orders = profile.orders;
  base.explore = profile.explore;
  auto add = [&](ItemIndex i, const ItemPurchases* bought) {
    NextOrderSignals s = base;
    NextOrderCandidate c;
    c.item = i;
    if (bought) {
      c.repeat = true;
      s.item_orders = bought->orders;
      s.in_last_order = bought->last != kNoTime && bought->last == profile.last_order;
      s.days_since = c.days_since = days_between(bought->last, at);
      s.item_return = i < m.repurchase.return_rate.size() ? m.repurchase.return_rate[i] : 0.0;
      s.item_next_return = i < m.repurchase.next_rate.size() ? m.repurchase.next_rate[i] : 0.0;
      const double gap = i < m.repurchase.gap_days.size() ? m.repurchase.gap_days[i] : NAN;
      if (!std::isnan(gap)) s.due = std::exp(-std::abs(std::log((s.days_since + 1.0) / (gap + 1.0))));
    }
    s.popularity = i < m.item_orders.size() ? m.item_orders[i] : 0;
    if (auto it = affinity.find(i); it != affinity.end()) s.embedding = sigmoid(it->second);
    if (auto it = reach.find(i); it != reach.end() && it->second.score > 0 && top > 0) {
      s.history_complement = it->second.score / top;
      c.complement = !bought;
      c.anchor = it->second.anchor;
    }
    c.features = next_order_features(s);
    c.logit = m.next_order.logit(c.features);
    c.chance = sigmoid(c.logit);
    out.push_back(c);
  };

  // The candidates so far, as a set sized by the customer, not by the catalogue: this runs on
  // every offers and next-order request.
  std::unordered_set<ItemIndex> present;
  present.reserve(profile.items.size() + kNewCandidates + kEmbeddingCandidates + kPopularCandidates);
  for (const auto& s : profile.items) {
    if (s.item >= n || !present.insert(s.item).second) continue;
    add(s.item, &s);
  }
  std::vector<std::pair<double, ItemIndex>> fresh;
  for (const auto& [i, r] : reach) {
    if (i < n && !present.count(i) && r.score > 0) fresh.emplace_back(r.score, i);
  }
  const auto keep = std::min(kNewCandidates, fresh.size());
  std::partial_sort(fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(keep), fresh.end(),
                    [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (std::size_t k = 0; k < keep; ++k) {
    present.insert(fresh[k].second);
    add(fresh[k].second, nullptr);
  }
  std::size_t embedded = 0;
  for (const auto& [i, a] : hits) {
    if (embedded >= kEmbeddingCandidates) break;
    if (i >= n || !present.insert(i).second) continue;
    ++embedded;
    add(i, nullptr);
    out.back().complement = out.back().from_embedding = true;
    out.back().anchor = most_alike(m, profile, i);
  }
  std::size_t popular = 0;
  for (std::size_t p = 0; p < m.popular.size() && popular < kPopularCandidates; ++p) {
    const ItemIndex i = m.popular[p];
    if (i >= n || !present.insert(i).second) continue;
    ++popular;
    add(i, nullptr);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.item < b.item;
  });
  return out;
}

}  // namespace cobuy
