#include "core/recommender.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/deadline.h"
#include "core/error.h"
#include "core/next_order.h"
#include "core/reranker.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

// Extra hits asked of the embedding search beyond what the fill needs (the anchor itself, its
// substitutes, excluded or filtered items).
constexpr std::size_t kEmbeddingSearchSlack = 16;

struct Candidate {
  double score = 0.0;       // the first stage's score
  double blend = 0.0;       // the part of it from the basket's neighbour rows
  double best_part = -1.0;  // largest single contribution, to name the anchor
  ItemIndex anchor = 0;
  bool repeat = false;
  double history = 0.0;       // the customer's recency weight of the item / their top item's
  double days_since = -1.0;   // days since the customer last bought it; < 0 = never
};

/// Everything that decides whether an item may be shown for this query.
class Eligibility {
 public:
  Eligibility(const Model& m, const Filters& f) : model_(m), filters_(f), in_stock_only_(only_in_stock(f)) {}
  Eligibility(const Model& m, const Query& q) : Eligibility(m, q.filters) {
    for (const auto& id : q.exclude) {
      if (auto i = m.catalog.find(id)) excluded_.insert(*i);
    }
  }
  void exclude(ItemIndex i) { excluded_.insert(i); }
  bool allows(ItemIndex i) const {
    if (excluded_.count(i)) return false;
    if (in_stock_only_ && model_.catalog.out_of_stock(i)) return false;
    const auto& cat = model_.catalog.categories[i];
    if (!filters_.categories.empty() &&
        std::find(filters_.categories.begin(), filters_.categories.end(), cat) == filters_.categories.end()) {
      return false;
    }
    if (std::find(filters_.exclude_categories.begin(), filters_.exclude_categories.end(), cat) !=
        filters_.exclude_categories.end()) {
      return false;
    }
    if (filters_.min_price || filters_.max_price) {
      const float p = model_.catalog.prices[i];
      if (std::isnan(p)) return false;  // a price filter cannot vouch for an unpriced item
      if (filters_.min_price && p < *filters_.min_price) return false;
      if (filters_.max_price && p > *filters_.max_price) return false;
    }
    return true;
  }

 private:
  const Model& model_;
  const Filters& filters_;
  bool in_stock_only_;
  std::unordered_set<ItemIndex> excluded_;
};

void add_part(Candidate& c, double part, ItemIndex anchor) {
  c.score += part;
  c.blend += part;
  if (part > c.best_part) {
    c.best_part = part;
    c.anchor = anchor;
  }
}

using RankedCandidate = std::pair<ItemIndex, const Candidate*>;

/// The eligible candidates with a positive score, best first (ties by index), at most n.
std::vector<RankedCandidate> best_candidates(const std::unordered_map<ItemIndex, Candidate>& cands,
                                             const Eligibility& ok, std::size_t n) {
  std::vector<RankedCandidate> v;
  v.reserve(cands.size());
  for (const auto& [i, c] : cands) {
    if (c.score > 0 && ok.allows(i)) v.emplace_back(i, &c);
  }
  const auto k = std::min(n, v.size());
  std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), [](const auto& a, const auto& b) {
    return a.second->score != b.second->score ? a.second->score > b.second->score : a.first < b.first;
  });
  v.resize(k);
  return v;
}

Recommendation recommendation(const Model& m, ItemIndex i, const Candidate& c, double score) {
  Recommendation rec;
  rec.item = i;
  rec.score = static_cast<float>(score);
  rec.relation = c.repeat ? Relation::repeat : Relation::complement;
  rec.reason = c.repeat ? "history" : m.catalog.ids[c.anchor];
  return rec;
}

/// Ranks candidates into `out` by their first-stage score, keeping only eligible ones.
void rank_into(const Model& m, const std::unordered_map<ItemIndex, Candidate>& cands, const Eligibility& ok,
               std::size_t limit, std::vector<Recommendation>& out) {
  for (const auto& [i, c] : best_candidates(cands, ok, limit)) out.push_back(recommendation(m, i, *c, c->score));
}

RerankFeatures features_of(const Model& m, ItemIndex i, const Candidate& c) {
  CandidateSignals s;
  s.blend_sum = c.blend;
  s.blend_max = std::max(0.0, c.best_part);
  s.item_orders = i < m.item_orders.size() ? m.item_orders[i] : 0;
  s.history = c.history;
  s.days_since_last = c.days_since;
  return rerank_features(s);
}

/// Like rank_into, but the first model.reranker.candidates are re-ordered by the re-ranker.
/// Their scores are exp(rerank score - the best one's), in (0, 1]; the first-stage candidates
/// after them keep their order with scores scaled below the last re-ranked one.
void rerank_into(const Model& m, const std::unordered_map<ItemIndex, Candidate>& cands, const Eligibility& ok,
                 std::size_t limit, std::vector<Recommendation>& out) {
  const auto& reranker = m.reranker;
  auto ranked = best_candidates(cands, ok, std::max<std::size_t>(limit, reranker.candidates));
  const std::size_t head = std::min<std::size_t>(ranked.size(), reranker.candidates);
  std::vector<std::pair<double, std::size_t>> scored(head);  // (re-ranker score, first-stage rank)
  for (std::size_t r = 0; r < head; ++r) {
    scored[r] = {reranker.score(features_of(m, ranked[r].first, *ranked[r].second)), r};
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double last = 1.0;
  for (std::size_t r = 0; r < head && out.size() < limit; ++r) {
    const auto& [i, c] = ranked[scored[r].second];
    last = std::exp(scored[r].first - scored.front().first);
    out.push_back(recommendation(m, i, *c, last));
  }
  for (std::size_t r = head; r < ranked.size() && out.size() < limit; ++r) {
    const auto& [i, c] = ranked[r];
    out.push_back(recommendation(m, i, *c, last * 0.999 * c->score / ranked[head].second->score));
  }
}

/// Excludes `item` and its substitutes (model.similar row) from what may be shown.
void exclude_with_substitutes(const Model& m, ItemIndex item, Eligibility& ok) {
  ok.exclude(item);
  if (m.similar.items() > item) {
    for (const auto& s : m.similar.row(item)) ok.exclude(s.item);
  }
}

/// Pads `out` up to `limit` with the embedding search's complements of the anchors (each
/// candidate's best affinity over the anchors names its anchor). Scores are sigmoid(affinity),
/// SGNS's own estimate that the pair goes together, scaled below the last ranked score. Negative
/// affinities are kept, only the order counts: on small catalogues the negative samples often hit
/// true complements, so even an item's best pairs can score below 0.
void backfill_embedding(const Model& m, const ComplementSearch& search, const std::vector<ItemIndex>& anchors,
                        const Eligibility& ok, std::size_t limit, std::vector<Recommendation>& out) {
  if (!search || anchors.empty() || out.size() >= limit) return;
  std::unordered_set<ItemIndex> present;
  for (const auto& r : out) present.insert(r.item);
  const std::size_t want = limit - out.size();
  // The search knows nothing of exclusions, filters or what is already chosen: ask for more.
  const std::size_t k = 2 * want + out.size() + kEmbeddingSearchSlack;
  std::unordered_map<ItemIndex, std::pair<float, ItemIndex>> best;  // item -> (affinity, anchor)
  for (ItemIndex a : anchors) {
    deadline::check();
    if (!m.embeddings.has_vector(a)) continue;
    for (const auto& [i, affinity] : search(m.embeddings.input_row(a), k + 1)) {
      if (i >= m.catalog.size() || i == a || present.count(i) || !ok.allows(i)) continue;
      auto [it, added] = best.try_emplace(i, affinity, a);
      if (!added && affinity > it->second.first) it->second = {affinity, a};
    }
  }
  std::vector<std::pair<ItemIndex, std::pair<float, ItemIndex>>> v(best.begin(), best.end());
  const auto take = std::min(want, v.size());
  std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(take), v.end(), [](const auto& a, const auto& b) {
    return a.second.first != b.second.first ? a.second.first > b.second.first : a.first < b.first;
  });
  const double ceiling = out.empty() ? 1.0 : out.back().score * 0.999;
  for (std::size_t r = 0; r < take; ++r) {
    const auto& [i, hit] = v[r];
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(hit.first)));
    out.push_back({i, static_cast<float>(ceiling * p), Relation::complement, m.catalog.ids[hit.second],
                   Source::embedding});
  }
}

/// Pads `out` with popular items up to `limit`; scores stay below the last ranked one.
bool backfill_popular(const Model& m, const Eligibility& ok, std::size_t limit, std::vector<Recommendation>& out) {
  if (out.size() >= limit) return false;
  std::unordered_set<ItemIndex> present;
  for (const auto& r : out) present.insert(r.item);
  const float ceiling = out.empty() ? 1.0f : out.back().score * 0.999f;
  bool used = false;
  for (std::size_t p = 0; p < m.popular.size() && out.size() < limit; ++p) {
    const ItemIndex i = m.popular[p];
    if (present.count(i) || !ok.allows(i)) continue;
    out.push_back({i, ceiling * m.popular_scores[p], Relation::popular, "popular"});
    used = true;
  }
  return used;
}

/// One item of a customer's history.
struct PastItem {
  double weight = 0.0;  // sum over the orders holding it of their recency weight
  Timestamp last = kNoTime;
};

/// A customer's past items before `at`, the largest weight (0 when there is none) and the time
/// they are seen from (`at`, else the customer's last order).
struct History {
  std::unordered_map<ItemIndex, PastItem> items;
  double max_weight = 0.0;
  Timestamp reference = kNoTime;
};

/// The customer's past items weighted by the recency of the orders holding them (orders from
/// `at` on are ignored).
History history_of(const Model& m, std::uint32_t customer, std::optional<Timestamp> at) {
  const auto& h = m.customers;
  const double half_life = m.config.next_order.half_life_days;
  History out;
  for (auto o = h.order_offsets[customer]; o < h.order_offsets[customer + 1]; ++o) {
    if (at && h.order_times[o] != kNoTime && h.order_times[o] >= *at) continue;
    out.reference = std::max(out.reference, h.order_times[o]);
  }
  if (at) out.reference = *at;
  for (auto o = h.order_offsets[customer]; o < h.order_offsets[customer + 1]; ++o) {
    const Timestamp t = h.order_times[o];
    if (at && t != kNoTime && t >= *at) continue;
    double w = 1.0;
    if (half_life > 0 && t != kNoTime && out.reference != kNoTime) {
      w = std::exp2(-static_cast<double>(std::max<Timestamp>(0, out.reference - t)) / kSecondsPerDay / half_life);
    }
    for (auto p = h.item_offsets[o]; p < h.item_offsets[o + 1]; ++p) {
      auto& item = out.items[h.items[p]];
      item.weight += w;
      item.last = std::max(item.last, t);
    }
  }
  for (const auto& [i, item] : out.items) out.max_weight = std::max(out.max_weight, item.weight);
  return out;
}

/// Basket completion's first stage: complements of the basket's anchors. For a known customer
/// (customer >= 0), their own past items also score blend.history x their recency weight
/// (relative to the customer's top item) x the best basket score, so a wholesaler's usual items
/// rank among the basket's complements; an item reached only through history is a repeat.
std::unordered_map<ItemIndex, Candidate> basket_first_stage(const Model& m, const std::vector<ItemIndex>& anchors,
                                                            std::int64_t customer, std::optional<Timestamp> at) {
  std::unordered_map<ItemIndex, Candidate> cands;
  for (ItemIndex a : anchors) {
    deadline::check();
    for (const auto& n : m.bought_together.row(a)) add_part(cands[n.item], n.score, a);
  }
  // EASE's negative weights count against the candidates the complements reached (an item that
  // only penalties reach would rank below every complement anyway).
  for (ItemIndex a : anchors) {
    if (a >= m.penalties.items()) continue;
    for (const auto& n : m.penalties.row(a)) {
      if (auto it = cands.find(n.item); it != cands.end()) {
        it->second.score += n.score;
        it->second.blend += n.score;
      }
    }
  }
  // The history signals are kept for the re-ranker even when blend.history is 0; then past
  // items join only as the neighbour rows bring them.
  const double history = m.config.blend.history;
  if (customer >= 0) {
    const History past = history_of(m, static_cast<std::uint32_t>(customer), at);
    double top = 0;
    for (const auto& [i, c] : cands) top = std::max(top, c.score);
    if (top <= 0) top = 1.0;
    for (const auto& [i, item] : past.items) {
      if (history <= 0 && !cands.count(i)) continue;
      auto [it, fresh] = cands.try_emplace(i);
      auto& c = it->second;
      c.history = item.weight / past.max_weight;
      c.score += history * c.history * top;
      if (fresh) c.repeat = true;
      c.days_since = item.last == kNoTime || past.reference == kNoTime
                         ? 0.0
                         : static_cast<double>(std::max<Timestamp>(0, past.reference - item.last)) / kSecondsPerDay;
    }
  }
  return cands;
}

void complete_basket(const Model& m, const std::vector<ItemIndex>& anchors, std::int64_t customer,
                     std::optional<Timestamp> at, Eligibility& ok, std::size_t limit, std::vector<Recommendation>& out) {
  const auto cands = basket_first_stage(m, anchors, customer, at);
  if (m.reranker.enabled()) {
    rerank_into(m, cands, ok, limit, out);
  } else {
    rank_into(m, cands, ok, limit, out);
  }
}

/// The next-order engine's list for a known customer (core/next_order.h), eligible items only.
void next_order(const Model& m, const std::string& customer_id, std::optional<Timestamp> at, const Eligibility& ok,
                const ComplementSearch& complements, std::size_t limit, std::vector<Recommendation>& out) {
  const Timestamp when = at.value_or(kNoTime);
  const CustomerProfile profile = build_profile(m, customer_id, {}, when, SegmentThresholds{});
  for (const auto& c : next_order_candidates(m, profile, when, complements)) {
    if (out.size() >= limit) break;
    if (!ok.allows(c.item)) continue;
    Recommendation r;
    r.item = c.item;
    r.score = static_cast<float>(c.chance);
    r.relation = c.repeat ? Relation::repeat : c.complement ? Relation::complement : Relation::popular;
    r.reason = c.repeat ? "history" : c.complement ? m.catalog.ids[c.anchor] : "popular";
    if (c.from_embedding) r.source = Source::embedding;
    out.push_back(std::move(r));
  }
}

}  // namespace

std::string_view relation_name(Relation r) {
  switch (r) {
    case Relation::complement: return "complement";
    case Relation::substitute: return "substitute";
    case Relation::repeat: return "repeat";
    case Relation::popular: return "popular";
  }
  return "popular";
}

std::string_view source_name(Source s) { return s == Source::embedding ? "embedding" : "precomputed"; }

void validate(const Query& q, const ServeLimits& limits) {
  COBUY_CHECK(q.limit >= 1 && q.limit <= limits.max_limit, ErrorCode::bad_request,
              "field 'limit' must be between 1 and " << limits.max_limit << ", got " << q.limit);
  COBUY_CHECK(q.items.size() <= limits.max_items, ErrorCode::bad_request,
              "field 'items' has " << q.items.size() << " entries, at most " << limits.max_items << " are allowed");
  COBUY_CHECK(q.exclude.size() <= limits.max_items, ErrorCode::bad_request,
              "field 'exclude' has " << q.exclude.size() << " entries, at most " << limits.max_items
                                     << " are allowed");
  COBUY_CHECK(!q.items.empty() || (q.customer_id && !q.customer_id->empty()), ErrorCode::bad_request,
              "a query needs non-empty 'items' or a 'customer_id'");
  COBUY_CHECK(!q.filters.min_price || !q.filters.max_price || *q.filters.min_price <= *q.filters.max_price,
              ErrorCode::bad_request, "filters.min_price is above filters.max_price");
}

namespace {
/// A query resolved against the model: what may be shown, the known basket items (anchors) and
/// the customer.
struct ResolvedQuery {
  Eligibility ok;
  std::vector<ItemIndex> anchors;
  std::int64_t customer = -1;
  std::vector<std::string> unknown_items;
  bool unknown_customer = false;

  ResolvedQuery(const Model& m, const Query& q) : ok(m, q) {
    for (const auto& id : q.items) {
      if (auto i = m.catalog.find(id)) {
        if (std::find(anchors.begin(), anchors.end(), *i) == anchors.end()) anchors.push_back(*i);
        // Never complete a basket with a substitute of something already in it.
        exclude_with_substitutes(m, *i, ok);
      } else {
        unknown_items.push_back(id);
      }
    }
    if (q.customer_id) {
      auto c = m.customers.index.find(*q.customer_id);
      if (q.erased_customer || c == m.customers.index.end()) {
        unknown_customer = true;
      } else {
        customer = c->second;
      }
    }
  }
};
}  // namespace

RecommendResult recommend(const Model& m, const Query& q, const ComplementSearch& complements) {
  RecommendResult res;
  res.id = q.id;
  ResolvedQuery r(m, q);
  res.unknown_items = std::move(r.unknown_items);
  res.unknown_customer = r.unknown_customer;
  if (!q.items.empty()) {
    complete_basket(m, r.anchors, r.customer, q.at, r.ok, q.limit, res.items);
    backfill_embedding(m, complements, r.anchors, r.ok, q.limit, res.items);
  } else if (r.customer >= 0) {
    next_order(m, *q.customer_id, q.at, r.ok, complements, q.limit, res.items);
  }
  res.fallback = backfill_popular(m, r.ok, q.limit, res.items);
  return res;
}

std::vector<BasketCandidate> basket_candidates(const Model& m, const Query& q, std::size_t n) {
  ResolvedQuery r(m, q);
  const auto cands = basket_first_stage(m, r.anchors, r.customer, q.at);
  std::vector<BasketCandidate> out;
  for (const auto& [i, c] : best_candidates(cands, r.ok, n)) out.push_back({i, features_of(m, i, *c)});
  return out;
}

namespace {
/// `item`'s row of `table`, best first, at most `limit` of the items `ok` allows.
std::vector<Recommendation> row_of(const Model& m, const NeighborTable& table, ItemIndex item, std::size_t limit,
                                   Relation relation, const Eligibility& ok) {
  COBUY_ASSERT(item < m.catalog.size() && (table.items() == 0 || item < table.items()));
  std::vector<Recommendation> out;
  if (table.items() == 0) return out;
  for (const auto& n : table.row(item)) {
    if (out.size() >= limit) break;
    if (ok.allows(n.item)) out.push_back({n.item, n.score, relation, m.catalog.ids[item]});
  }
  return out;
}
}  // namespace

std::vector<Recommendation> bought_together(const Model& m, ItemIndex item, std::size_t limit,
                                            const ComplementSearch& complements, const Filters& filters) {
  auto out = row_of(m, m.bought_together, item, limit, Relation::complement, Eligibility(m, filters));
  if (complements && out.size() < limit) {
    Eligibility ok(m, filters);
    exclude_with_substitutes(m, item, ok);
    backfill_embedding(m, complements, {item}, ok, limit, out);
  }
  return out;
}

std::vector<Recommendation> similar_items(const Model& m, ItemIndex item, std::size_t limit, const Filters& filters) {
  Eligibility ok(m, filters);
  ok.exclude(item);
  return row_of(m, m.similar, item, limit, Relation::substitute, ok);
}

}  // namespace cobuy
