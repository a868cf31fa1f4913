#include "core/offline_eval.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include <tbb/parallel_for.h>

#include "core/metrics.h"
#include "core/next_order.h"

namespace cobuy {
namespace {

/// Item -> popularity percentile in (0, 100]: 100 for the most ordered item.
std::vector<double> popularity_percentiles(const Model& m) {
  const std::size_t n = m.catalog.size();
  std::vector<ItemIndex> order(n);
  std::iota(order.begin(), order.end(), ItemIndex{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](ItemIndex a, ItemIndex b) { return m.item_orders[a] > m.item_orders[b]; });
  std::vector<double> pct(n, 0.0);
  for (std::size_t r = 0; r < n; ++r) pct[order[r]] = 100.0 * static_cast<double>(n - r) / static_cast<double>(n);
  return pct;
}

/// Ranked lists of every query (in parallel), at most max_k each.
std::vector<std::vector<ItemIndex>> rank_all(const std::vector<Query>& queries, const Ranker& rank) {
  std::vector<std::vector<ItemIndex>> out(queries.size());
  tbb::parallel_for(std::size_t{0}, queries.size(), [&](std::size_t i) { out[i] = rank(queries[i]); });
  return out;
}

void list_measures(const Model& m, const std::vector<std::vector<ItemIndex>>& ranked, TaskScores& s) {
  const auto pct = popularity_percentiles(m);
  for (std::size_t k : s.ks) {
    std::vector<char> seen(m.catalog.size(), 0);
    double sum = 0;
    std::size_t count = 0;
    for (const auto& r : ranked) {
      for (std::size_t p = 0; p < r.size() && p < k; ++p) {
        if (r[p] >= seen.size()) continue;
        seen[r[p]] = 1;
        sum += pct[r[p]];
        ++count;
      }
    }
    const auto distinct = static_cast<double>(std::count(seen.begin(), seen.end(), 1));
    s.coverage.push_back(m.catalog.size() == 0 ? 0.0 : distinct / static_cast<double>(m.catalog.size()));
    s.popularity_percentile.push_back(count == 0 ? 0.0 : sum / static_cast<double>(count));
  }
}

std::vector<std::vector<double>>& metric(TaskScores& s, const std::string& name) {
  auto& v = s.metrics[name];
  v.resize(s.ks.size());
  return v;
}

std::size_t max_k(const std::vector<std::size_t>& ks) { return ks.empty() ? 0 : *std::max_element(ks.begin(), ks.end()); }

/// The customer's items bought before `at`.
std::unordered_set<ItemIndex> history_before(const Model& m, const std::string& customer, Timestamp at) {
  std::unordered_set<ItemIndex> out;
  auto c = m.customers.index.find(customer);
  if (c == m.customers.index.end()) return out;
  const auto& h = m.customers;
  for (auto o = h.order_offsets[c->second]; o < h.order_offsets[c->second + 1]; ++o) {
    if (at != kNoTime && h.order_times[o] != kNoTime && h.order_times[o] >= at) continue;
    for (auto p = h.item_offsets[o]; p < h.item_offsets[o + 1]; ++p) out.insert(h.items[p]);
  }
  return out;
}

}  // namespace

std::vector<NextOrderCase> next_order_cases(const OrderData& train, const OrderData& test) {
  std::vector<char> has_history(train.customer_ids.size(), 0);
  for (const auto& o : train.orders) {
    if (o.customer != kNoCustomer) has_history[static_cast<std::size_t>(o.customer)] = 1;
  }
  std::unordered_map<CustomerIndex, const Order*> first;
  for (const auto& o : test.orders) {
    if (o.customer == kNoCustomer || static_cast<std::size_t>(o.customer) >= has_history.size() ||
        !has_history[static_cast<std::size_t>(o.customer)]) {
      continue;
    }
    auto [it, fresh] = first.try_emplace(o.customer, &o);
    if (!fresh && o.time < it->second->time) it->second = &o;
  }
  std::vector<NextOrderCase> cases;
  for (const auto& [c, o] : first) {
    NextOrderCase k;
    k.customer = test.customer_ids[static_cast<std::size_t>(c)];
    k.at = o->time;
    for (const auto& l : o->lines) {
      const auto& id = test.catalog.ids[l.item];
      if (std::find(k.truth.begin(), k.truth.end(), id) == k.truth.end()) k.truth.push_back(id);
    }
    cases.push_back(std::move(k));
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.customer < b.customer; });
  return cases;
}

Ranker model_ranker(const Model& model, ComplementSearch complements) {
  return [&model, complements = std::move(complements)](const Query& q) {
    std::vector<ItemIndex> out;
    for (const auto& r : recommend(model, q, complements).items) out.push_back(r.item);
    return out;
  };
}

namespace {

/// The query's known items: never to be recommended back.
std::unordered_set<ItemIndex> query_items(const Model& model, const Query& q) {
  std::unordered_set<ItemIndex> out;
  for (const auto& id : q.items) {
    if (auto i = model.catalog.find(id)) out.insert(*i);
  }
  return out;
}

/// Pads `out` with popular items not in `skip`, up to `limit`.
void append_popular(const Model& model, std::size_t limit, const std::unordered_set<ItemIndex>& skip,
                    std::vector<ItemIndex>& out) {
  for (ItemIndex i : model.popular) {
    if (out.size() >= limit) break;
    if (!skip.count(i)) out.push_back(i);
  }
}

}  // namespace

Ranker popular_ranker(const Model& model) {
  return [&model](const Query& q) {
    std::vector<ItemIndex> out;
    append_popular(model, q.limit, query_items(model, q), out);
    return out;
  };
}

std::vector<std::uint32_t> orders_holding(const OrderData& data) {
  std::vector<std::uint32_t> count(data.catalog.size(), 0);
  std::vector<std::size_t> last_order(data.catalog.size(), SIZE_MAX);
  for (std::size_t o = 0; o < data.orders.size(); ++o) {
    for (const auto& line : data.orders[o].lines) {
      if (last_order[line.item] == o) continue;  // an item on two lines of one order counts once
      last_order[line.item] = o;
      ++count[line.item];
    }
  }
  return count;
}

namespace {

/// Items by how many orders hold them, most first (ties: the lower index), without the items no
/// order holds.
std::vector<ItemIndex> most_ordered(const std::vector<std::uint32_t>& item_orders) {
  std::vector<ItemIndex> out;
  for (ItemIndex i = 0; i < item_orders.size(); ++i) {
    if (item_orders[i] > 0) out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(), [&](ItemIndex a, ItemIndex b) { return item_orders[a] > item_orders[b]; });
  return out;
}

/// The query's customer's items before query.at, with how many of their orders hold each.
std::unordered_map<ItemIndex, std::uint32_t> orders_holding_before(const Model& model, const Query& q) {
  std::unordered_map<ItemIndex, std::uint32_t> own;
  if (!q.customer_id) return own;
  const auto c = model.customers.index.find(*q.customer_id);
  if (c == model.customers.index.end()) return own;
  const auto& h = model.customers;
  for (auto o = h.order_offsets[c->second]; o < h.order_offsets[c->second + 1]; ++o) {
    const Timestamp t = h.order_times[o];
    if (q.at && t != kNoTime && t >= *q.at) continue;
    std::unordered_set<ItemIndex> in_order;
    for (auto p = h.item_offsets[o]; p < h.item_offsets[o + 1]; ++p) {
      if (in_order.insert(h.items[p]).second) ++own[h.items[p]];
    }
  }
  return own;
}

/// Appends `ranked` then `fill` to `out`, skipping `skip` and repeats, up to `limit`.
void take(const std::vector<ItemIndex>& ranked, const std::vector<ItemIndex>& fill, std::size_t limit,
          std::unordered_set<ItemIndex>& skip, std::vector<ItemIndex>& out) {
  for (const auto* list : {&ranked, &fill}) {
    for (const ItemIndex i : *list) {
      if (out.size() >= limit) return;
      if (skip.insert(i).second) out.push_back(i);
    }
  }
}

}  // namespace

Ranker gp_topfreq_ranker(const Model& model, std::vector<std::uint32_t> item_orders) {
  item_orders.resize(model.catalog.size(), 0);
  auto global = most_ordered(item_orders);
  return [&model, item_orders = std::move(item_orders), global = std::move(global)](const Query& q) {
    auto skip = query_items(model, q);
    const auto own = orders_holding_before(model, q);
    std::vector<std::pair<ItemIndex, std::uint32_t>> v(own.begin(), own.end());
    std::sort(v.begin(), v.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      if (item_orders[a.first] != item_orders[b.first]) return item_orders[a.first] > item_orders[b.first];
      return a.first < b.first;
    });
    std::vector<ItemIndex> ranked;
    for (const auto& [i, n] : v) ranked.push_back(i);
    std::vector<ItemIndex> out;
    take(ranked, global, q.limit, skip, out);
    return out;
  };
}

Ranker ease_history_ranker(const Model& ease_model, std::vector<std::uint32_t> item_orders) {
  item_orders.resize(ease_model.catalog.size(), 0);
  auto global = most_ordered(item_orders);
  return [&ease_model, global = std::move(global)](const Query& q) {
    auto skip = query_items(ease_model, q);
    std::unordered_map<ItemIndex, double> score;
    for (const auto& [i, n] : orders_holding_before(ease_model, q)) {
      for (const auto& nb : ease_model.bought_together.row(i)) score[nb.item] += n * static_cast<double>(nb.score);
      if (ease_model.penalties.items() > i) {
        for (const auto& nb : ease_model.penalties.row(i)) score[nb.item] += n * static_cast<double>(nb.score);
      }
    }
    std::vector<std::pair<ItemIndex, double>> v;
    for (const auto& [j, x] : score) {
      if (x > 0) v.emplace_back(j, x);
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<ItemIndex> ranked;
    for (const auto& [j, x] : v) ranked.push_back(j);
    std::vector<ItemIndex> out;
    take(ranked, global, q.limit, skip, out);
    return out;
  };
}

Ranker gp_topfreq_with_new_ranker(const Model& model, const Model& ease_model, std::vector<std::uint32_t> item_orders,
                                  std::size_t new_places) {
  Ranker gp = gp_topfreq_ranker(model, item_orders);
  Ranker ease = ease_history_ranker(ease_model, std::move(item_orders));
  return [&model, gp = std::move(gp), ease = std::move(ease), new_places](const Query& q) {
    const auto head = gp(q);
    const auto own = orders_holding_before(model, q);
    Query wide = q;
    wide.limit = q.limit + own.size();  // at most own.size() of EASE's list are the customer's items
    std::vector<ItemIndex> fresh;
    for (ItemIndex i : ease(wide)) {
      if (fresh.size() >= new_places) break;
      if (!own.count(i)) fresh.push_back(i);
    }
    const std::size_t keep = q.limit > new_places ? q.limit - new_places : 0;
    const std::vector<ItemIndex> first(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(std::min(keep, head.size())));
    auto skip = query_items(model, q);
    std::vector<ItemIndex> out;
    take(first, fresh, q.limit, skip, out);
    take(head, {}, q.limit, skip, out);
    return out;
  };
}

Ranker new_items_ranker(const Model& model, ComplementSearch complements) {
  return [&model, complements = std::move(complements)](const Query& q) {
    std::vector<ItemIndex> out;
    if (!q.customer_id) return out;
    auto skip = query_items(model, q);
    const Timestamp at = q.at.value_or(kNoTime);
    const auto profile = build_profile(model, *q.customer_id, {}, at, SegmentThresholds{});
    for (const auto& c : next_order_candidates(model, profile, at, complements)) {
      if (out.size() >= q.limit) break;
      if (!c.repeat && skip.insert(c.item).second) out.push_back(c.item);
    }
    return out;
  };
}

Ranker offers_ranker(const OfferEngine& engine, OfferContext context) {
  return [&engine, context](const Query& q) {
    OfferRequest r;
    r.customer_id = q.customer_id.value_or("");
    r.context = context;
    r.at = q.at;
    r.limit = static_cast<std::uint32_t>(q.limit);
    std::vector<ItemIndex> out;
    for (const auto& o : engine.offers(r, {}).offers) out.push_back(o.item);
    return out;
  };
}

TaskScores score_basket_completion(const Model& reference, const std::vector<BasketCase>& cases, const Ranker& rank,
                                   const std::vector<std::size_t>& ks, bool with_customer) {
  TaskScores s;
  s.ks = ks;
  s.cases = cases.size();
  std::vector<Query> queries(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    queries[i].items = cases[i].given;
    queries[i].limit = max_k(ks);
    queries[i].filters.in_stock = false;  // today's stock says nothing of what the held-out orders bought
    if (with_customer && cases[i].customer) {
      queries[i].customer_id = cases[i].customer;
      if (cases[i].at != kNoTime) queries[i].at = cases[i].at;
    }
  }
  const auto ranked = rank_all(queries, rank);
  auto& hit = metric(s, "hit_rate");
  auto& ndcg = metric(s, "ndcg");
  auto& mrr = metric(s, "mrr");
  auto& precision = metric(s, "precision");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::vector<ItemIndex> truth;
    if (auto h = reference.catalog.find(cases[i].hidden)) truth.push_back(*h);
    for (std::size_t j = 0; j < ks.size(); ++j) {
      const std::span<const ItemIndex> top(ranked[i].data(), std::min(ks[j], ranked[i].size()));
      hit[j].push_back(hit_rate_at_k(top, truth, ks[j]));
      ndcg[j].push_back(ndcg_at_k(top, truth, ks[j]));
      mrr[j].push_back(reciprocal_rank(top, truth));
      precision[j].push_back(precision_at_k(top, truth, ks[j]));
    }
  }
  list_measures(reference, ranked, s);
  return s;
}

TaskScores score_next_order(const Model& reference, const std::vector<NextOrderCase>& cases, const Ranker& rank,
                            const std::vector<std::size_t>& ks) {
  TaskScores s;
  s.ks = ks;
  s.cases = cases.size();
  std::vector<Query> queries(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    queries[i].customer_id = cases[i].customer;
    if (cases[i].at != kNoTime) queries[i].at = cases[i].at;
    queries[i].limit = max_k(ks);
    queries[i].filters.in_stock = false;
  }
  const auto ranked = rank_all(queries, rank);
  auto& recall = metric(s, "recall");
  auto& ndcg = metric(s, "ndcg");
  auto& recall_repeat = metric(s, "recall_repeat");
  auto& ndcg_repeat = metric(s, "ndcg_repeat");
  auto& recall_new = metric(s, "recall_new");
  auto& ndcg_new = metric(s, "ndcg_new");
  const auto n = static_cast<ItemIndex>(reference.catalog.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto history = history_before(reference, cases[i].customer, cases[i].at);
    std::vector<ItemIndex> truth, repeat, fresh;
    ItemIndex unknown = n;  // items the model has never seen: indexes no ranking can return
    for (const auto& id : cases[i].truth) {
      const auto item = reference.catalog.find(id);
      const ItemIndex x = item ? *item : unknown++;
      truth.push_back(x);
      (item && history.count(*item) ? repeat : fresh).push_back(x);
    }
    for (std::size_t j = 0; j < ks.size(); ++j) {
      const std::span<const ItemIndex> top(ranked[i].data(), std::min(ks[j], ranked[i].size()));
      recall[j].push_back(recall_at_k(top, truth, ks[j]));
      ndcg[j].push_back(ndcg_at_k(top, truth, ks[j]));
      if (!repeat.empty()) {
        recall_repeat[j].push_back(recall_at_k(top, repeat, ks[j]));
        ndcg_repeat[j].push_back(ndcg_at_k(top, repeat, ks[j]));
      }
      if (!fresh.empty()) {
        recall_new[j].push_back(recall_at_k(top, fresh, ks[j]));
        ndcg_new[j].push_back(ndcg_at_k(top, fresh, ks[j]));
      }
    }
  }
  list_measures(reference, ranked, s);
  return s;
}

}  // namespace cobuy
