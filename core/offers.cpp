#include "core/offers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/coupon_codes.h"
#include "core/deadline.h"
#include "core/error.h"
#include "core/fnv.h"
#include "core/next_order.h"
#include "core/offer_rules.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

// Candidates read beyond the list's length before anything else is sorted (caps and rules skip some).
constexpr std::size_t kPopularSlack = 64;

struct Part {
  double score = 0;
  double best = -1;
  OfferSource source = OfferSource::popular;
  ItemIndex anchor = 0;
};


std::string offer_id(const Model& m, const OfferRequest& q, const PlacedOrder& order, Timestamp at, ItemIndex item) {
  // FNV-1a over everything that decides the offer: the same inputs always give the same id.
  std::uint64_t h = kFnvOffsetBasis;
  constexpr unsigned char kSeparator = 0xff;  // so that ("ab", "c") and ("a", "bc") differ
  auto mix = [&](std::string_view s) { h = fnv1a(fnv1a(h, s.data(), s.size()), &kSeparator, 1); };
  mix(m.version);
  mix(q.customer_id);
  mix(order.order_id);
  mix(offer_context_name(q.context));
  mix(std::to_string(at));
  mix(m.catalog.ids[item]);
  // Finish with a 64-bit avalanche so ids of similar inputs do not share digits.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/// The customer's latest order, from the log's orders the model does not hold and the model's
/// history (the log's on a tie), as a PlacedOrder.
std::optional<PlacedOrder> latest_order(const Model& m, const std::string& customer, const CustomerLog& log) {
  const PlacedOrder* newest = nullptr;
  for (const auto& o : log.orders) {
    if (model_holds_order(m, customer, o.order_id, o.time)) continue;
    if (!newest || o.time >= newest->time) newest = &o;
  }
  const auto& h = m.customers;
  auto c = h.index.find(customer);
  if (c == h.index.end() || h.order_offsets[c->second] == h.order_offsets[c->second + 1]) {
    return newest ? std::optional<PlacedOrder>(*newest) : std::nullopt;
  }
  const auto o = h.order_offsets[c->second + 1] - 1;
  if (newest && newest->time >= h.order_times[o]) return *newest;
  PlacedOrder p;
  p.order_id = "latest";
  p.customer_id = customer;
  p.time = h.order_times[o];
  for (auto k = h.item_offsets[o]; k < h.item_offsets[o + 1]; ++k) {
    const ItemIndex i = h.items[k];
    PlacedOrderLine line{m.catalog.ids[i], 1.0, std::nullopt};
    if (!std::isnan(m.catalog.prices[i])) line.price = m.catalog.prices[i];
    p.lines.push_back(std::move(line));
  }
  return p;
}

/// Each source's estimate, per item, of the chance the customer buys it now: in [0, 1], with the
/// anchor item that contributed most.
struct Estimate {
  double p = 0;
  double best = 0;
  ItemIndex anchor = 0;
};

/// A per-item map for one offers call that remembers the items it touched, in order. Sized by
/// what the call touches, not by the catalogue (open addressing with linear probing): a call
/// costs what it touches, and a pooled scratch keeps only its largest call's memory. (A dense
/// array per source cost about 150 bytes an item: 150 MiB per concurrent call at 1M items.)
template <typename T>
class ItemMap {
 public:
  std::vector<ItemIndex> touched;  ///< the items, in the order they were first touched

  T& at(ItemIndex i) {
    if (2 * (touched.size() + 1) > slots_.size()) grow();
    std::size_t s = home(i);
    while (slots_[s] != 0) {
      if (touched[slots_[s] - 1] == i) return values_[slots_[s] - 1];
      s = (s + 1) & (slots_.size() - 1);
    }
    touched.push_back(i);
    values_.emplace_back();
    slot_of_.push_back(static_cast<std::uint32_t>(s));
    slots_[s] = static_cast<std::uint32_t>(touched.size());
    return values_.back();
  }
  bool has(ItemIndex i) const { return find(i) != nullptr; }
  /// The value of an item that has() it.
  const T& get(ItemIndex i) const { return *find(i); }
  void clear() {
    for (const auto s : slot_of_) slots_[s] = 0;
    touched.clear();
    values_.clear();
    slot_of_.clear();
  }

 private:
  std::size_t home(ItemIndex i) const { return (i * 2654435761u) & (slots_.size() - 1); }
  const T* find(ItemIndex i) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t s = home(i); slots_[s] != 0; s = (s + 1) & (slots_.size() - 1)) {
      if (touched[slots_[s] - 1] == i) return &values_[slots_[s] - 1];
    }
    return nullptr;
  }
  void grow() {
    slots_.assign(std::max<std::size_t>(64, 2 * slots_.size()), 0);
    for (std::size_t k = 0; k < touched.size(); ++k) {
      std::size_t s = home(touched[k]);
      while (slots_[s] != 0) s = (s + 1) & (slots_.size() - 1);
      slots_[s] = static_cast<std::uint32_t>(k + 1);
      slot_of_[k] = static_cast<std::uint32_t>(s);
    }
  }

  std::vector<T> values_;             // by touched position
  std::vector<std::uint32_t> slot_of_;  // by touched position: its slot
  std::vector<std::uint32_t> slots_;  // touched position + 1, 0 = empty; a power of two long
};

/// The working memory of one OfferEngine::offers call; cleared when the call ends.
struct Scratch {
  std::array<ItemMap<Estimate>, kOfferSources> sources;
  ItemMap<double> repeat;  ///< the customer's items: their repeat chance (> 0)
  ItemMap<Part> cands;

  void clear() {
    for (auto& d : sources) d.clear();
    repeat.clear();
    cands.clear();
  }
};

/// A Scratch lent to one offers() call and returned, cleared, when the lease ends. The pool holds
/// as many as calls ever ran at once. One per thread instead grew with every server worker that
/// served its first offers request: a model-sized scratch each, and the load test showed RSS
/// stepping up by about 20 MiB when its connections were recycled onto workers not used before.
class ScratchLease {
 public:
  ScratchLease() {
    std::lock_guard lock(mutex());
    auto& free = pool();
    if (free.empty()) {
      scratch_ = std::make_unique<Scratch>();
      ++created_count();
    } else {
      scratch_ = std::move(free.back());
      free.pop_back();
    }
  }
  ~ScratchLease() {
    scratch_->clear();
    std::lock_guard lock(mutex());
    pool().push_back(std::move(scratch_));
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  Scratch& operator*() { return *scratch_; }

  static std::size_t created() {
    std::lock_guard lock(mutex());
    return created_count();
  }

 private:
  static std::size_t& created_count() {
    static std::size_t n = 0;
    return n;
  }
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::vector<std::unique_ptr<Scratch>>& pool() {
    static std::vector<std::unique_ptr<Scratch>> p;
    return p;
  }
  std::unique_ptr<Scratch> scratch_;
};

/// Adds `p` for `item` from `anchor`, combining anchors as independent chances (noisy-or).
void add_chance(ItemMap<Estimate>& out, ItemIndex item, double p, ItemIndex anchor) {
  p = std::clamp(p, 0.0, 1.0);
  if (p <= 0) return;
  auto& e = out.at(item);
  e.p = 1.0 - (1.0 - e.p) * (1.0 - p);
  if (p > e.best) {
    e.best = p;
    e.anchor = anchor;
  }
}

/// Complements of `anchor` (its "bought together" row, scores read as chances), scaled by `weight`.
void add_complements(const Model& m, ItemIndex anchor, double weight, ItemMap<Estimate>& out) {
  deadline::check();
  for (const auto& n : m.bought_together.row(anchor)) add_chance(out, n.item, weight * n.score, anchor);
}

/// Puts `o` at `place` in `offers` (moving it there when it is already in the list). When its
/// category would pass the cap, the offer of that category ranked last makes room; when the list
/// would pass `limit`, the last offer goes. Its score is set between its neighbours', so scores
/// still read best first.
void place_pinned(std::vector<Offer>& offers, Offer o, std::size_t place, std::size_t limit,
                  std::uint32_t max_per_category, const Catalog& catalog) {
  std::erase_if(offers, [&](const Offer& x) { return x.item == o.item; });
  const std::string& category = catalog.categories[o.item];
  const auto same = [&](const Offer& x) { return catalog.categories[x.item] == category; };
  if (max_per_category > 0 && !category.empty() &&
      static_cast<std::size_t>(std::count_if(offers.begin(), offers.end(), same)) >= max_per_category) {
    offers.erase(std::find_if(offers.rbegin(), offers.rend(), same).base() - 1);
  }
  place = std::min(place, offers.size());
  const float above = place > 0 ? offers[place - 1].score : INFINITY;
  const float below = place < offers.size() ? offers[place].score : -INFINITY;
  o.score = std::clamp(o.score, below, above);
  offers.insert(offers.begin() + static_cast<std::ptrdiff_t>(place), std::move(o));
  if (offers.size() > limit) offers.pop_back();
}

OfferKind kind_of(OfferSource s, bool win_back) {
  if (s == OfferSource::popular) return OfferKind::popular;
  if (win_back) return OfferKind::win_back;
  switch (s) {
    case OfferSource::order_complements:
    case OfferSource::history_complements: return OfferKind::cross_sell;
    case OfferSource::due: return OfferKind::replenish;
    case OfferSource::favourites: return OfferKind::loyalty;
    case OfferSource::popular: break;
  }
  return OfferKind::popular;
}

}  // namespace

OfferEngine::OfferEngine(std::shared_ptr<const Model> model, OfferPolicy policy, ComplementSearch complements)
    : model_(std::move(model)), policy_(std::move(policy)), complements_(std::move(complements)) {
  COBUY_ASSERT(model_ != nullptr);
  validate(policy_);
  thresholds_ = shop_thresholds(*model_, policy_.segments);
  replenishment_ = ReplenishmentTable(model_->customers, model_->catalog.size(), policy_.replenishment);
  if (policy_.new_arrivals.share > 0) new_arrivals_ = NewArrivals(*model_, policy_.new_arrivals.min_orders);
}

OfferResult OfferEngine::offers(const OfferRequest& q, const CustomerLog& log) const {
  OfferResult res = ranked_offers(q, log, policy_.contexts[static_cast<std::size_t>(q.context)]);
  res.arm = assign_arm(policy_.holdout, q.customer_id);
  if (res.arm == Arm::cobuy) return res;
  // The holdout sees the baseline; what cobuy would have offered is kept for the comparison.
  res.counterfactual = std::move(res.offers);
  res.offers.clear();
  res.fallback = false;
  if (policy_.holdout.baseline == HoldoutBaseline::popular) {
    ContextPolicy popular_only;
    popular_only.weights[static_cast<std::size_t>(OfferSource::popular)] = 1;
    OfferResult baseline = ranked_offers(q, log, popular_only);
    res.offers = std::move(baseline.offers);
    res.fallback = baseline.fallback;
  }
  return res;
}

OfferResult OfferEngine::ranked_offers(const OfferRequest& q, const CustomerLog& log, const ContextPolicy& ctx) const {
  const Model& m = *model_;
  const std::uint32_t limit = q.limit == 0 ? policy_.limit : q.limit;
  COBUY_CHECK(limit <= policy_.max_limit, ErrorCode::bad_request,
              "field 'limit' must be between 1 and " << policy_.max_limit << ", got " << q.limit);
  COBUY_CHECK(q.customer_id.size() <= 256, ErrorCode::bad_request, "field 'customer_id' is over 256 bytes");
  if (q.order) {
    validate(*q.order, false, false);
    COBUY_CHECK(q.order->customer_id.empty() || q.order->customer_id == q.customer_id, ErrorCode::bad_request,
                "order.customer_id '" << q.order->customer_id << "' differs from customer_id '" << q.customer_id << "'");
  }
  // An erased customer's history stays in the model until it is retrained: look it up as no one's
  // (the empty id, which no customer has).
  static const std::string kNoOne;
  const std::string& history_id = log.erased ? kNoOne : q.customer_id;
  const std::optional<PlacedOrder> order = q.order ? q.order : latest_order(m, history_id, log);

  OfferResult res;
  res.customer_id = q.customer_id;
  res.context = q.context;
  // The profile sees the log and the order just placed (once, even if the log has it already).
  std::vector<PlacedOrder> recent = log.orders;
  if (q.order && std::none_of(recent.begin(), recent.end(), [&](const auto& o) { return o.order_id == q.order->order_id; })) {
    recent.push_back(*q.order);
    if (recent.back().time == kNoTime) recent.back().time = q.at.value_or(m.stats.last_order);
  }
  Timestamp at = q.at.value_or(order && order->time != kNoTime ? order->time : m.stats.last_order);
  if (!q.at && !(order && order->time != kNoTime)) {
    for (const auto& o : recent) at = std::max(at, o.time);
  }
  res.at = at;
  const CustomerProfile profile = q.customer_id.empty()
                                      ? CustomerProfile{}
                                      : build_profile(m, history_id, recent, at, thresholds_);
  res.segment = profile.segment;
  res.unknown_customer = !q.customer_id.empty() && log.orders.empty() && !m.customers.index.count(history_id);
  if (order) {
    for (const auto& l : order->lines) {
      if (!m.catalog.find(l.item_id)) res.unknown_items.push_back(l.item_id);
    }
  }

  ScratchLease lease;
  Scratch& scratch = *lease;
  auto& repeat = scratch.repeat;
  auto& sources = scratch.sources;
  // The next-order engine's chance for each item the customer bought (favourites) and for the
  // new items their history points to (history complements).
  auto want = [&](OfferSource s) { return ctx.weights[static_cast<std::size_t>(s)] > 0; };
  for (const auto& c : next_order_candidates(m, profile, at, complements_)) {
    if (c.repeat) {
      repeat.at(c.item) = std::max(1e-12, c.chance);
    } else if (c.complement) {
      if (want(OfferSource::history_complements)) add_chance(sources[1], c.item, c.chance, c.anchor);
    } else if (want(OfferSource::popular) && profile.orders > 0) {
      add_chance(sources[4], c.item, c.chance, c.item);  // a popular item, scored for this customer
    }
  }
  if (want(OfferSource::order_complements) && order) {
    for (const auto& l : order->lines) {
      if (auto i = m.catalog.find(l.item_id)) add_complements(m, *i, 1.0, sources[0]);
    }
  }
  std::unordered_map<ItemIndex, std::pair<double, double>> due;  // item -> (interval, days since)
  for (const auto& s : profile.items) {
    if (auto r = replenishment_.due_ratio(s.item, s.last, at)) {
      const double interval = replenishment_.interval(s.item)->median_days;
      due[s.item] = {interval, interval * *r};
      // Its time has come: the engine's chance that the next order holds it.
      add_chance(sources[2], s.item, repeat.has(s.item) ? repeat.get(s.item) : 0.0, s.item);
    }
  }
  if (want(OfferSource::favourites)) {
    // The customer's other items; a due item is offered as due where the context weighs that.
    const bool due_weighed = want(OfferSource::due);
    for (ItemIndex i : repeat.touched) {
      if (!(due_weighed && due.count(i))) add_chance(sources[3], i, repeat.get(i), i);
    }
  }
  auto& cands = scratch.cands;
  auto add_parts = [&](std::size_t s, ItemIndex i, const Estimate& e) {
    const double part = ctx.weights[s] * e.p;
    auto& c = cands.at(i);
    c.score += part;
    if (part > c.best) {
      c.best = part;
      c.source = static_cast<OfferSource>(s);
      c.anchor = e.anchor;
    }
  };
  for (std::size_t s = 0; s + 1 < kOfferSources; ++s) {
    if (ctx.weights[s] <= 0) continue;
    for (ItemIndex i : sources[s].touched) add_parts(s, i, sources[s].get(i));
  }
  if (want(OfferSource::popular) && m.stats.orders > 0) {
    // A known customer: the engine's chance of the popular items it scored for them (its other
    // candidates weigh popularity in their own chance). Anyone else: the shop-wide share of orders
    // holding each item found and each of the most popular others (an item with nothing but
    // popularity beyond these cannot outrank them).
    for (ItemIndex i : sources[4].touched) add_parts(4, i, sources[4].get(i));
    if (profile.orders == 0) {
      auto add_shop_share = [&](ItemIndex i) {
        const double p = i < m.item_orders.size() ? m.item_orders[i] / static_cast<double>(m.stats.orders) : 0.0;
        add_parts(4, i, Estimate{p, p, i});
      };
      const std::size_t found = cands.touched.size();
      for (std::size_t k = 0; k < found; ++k) add_shop_share(cands.touched[k]);
      const std::size_t head = std::min<std::size_t>(m.popular.size(), limit + kPopularSlack);
      for (std::size_t k = 0; k < head; ++k) {
        if (!cands.has(m.popular[k])) add_shop_share(m.popular[k]);
      }
    }
  }

  // Without an order in the request, the latest order is the one the email follows only if it
  // is recent; a replenishment email months later may offer its items again.
  const bool just_placed =
      q.order.has_value() ||
      (order && order->time != kNoTime &&
       static_cast<double>(at - order->time) <= policy_.rules.just_placed_days * kSecondsPerDay);
  const OfferListRules rules(m, policy_, q, order ? &*order : nullptr, just_placed, profile, log, at);
  // The shop's merchandising rules for this email: boosts scale scores before ranking, buried
  // items wait until everything else (popular fill included) is placed, pins come last.
  std::vector<const MerchRule*> merch;
  for (const auto& r : policy_.merchandising) {
    if (r.active(q.context, at)) merch.push_back(&r);
  }
  auto merchandised = [&](ItemIndex i, MerchAction action) {
    return std::any_of(merch.begin(), merch.end(), [&](const MerchRule* r) {
      return r->action == action && r->matches(m.catalog.ids[i], m.catalog.categories[i]);
    });
  };
  for (const MerchRule* r : merch) {
    if (r->action != MerchAction::boost) continue;
    for (ItemIndex i : cands.touched) {
      if (r->matches(m.catalog.ids[i], m.catalog.categories[i])) cands.at(i).score *= r->factor;
    }
  }
  std::vector<std::pair<ItemIndex, const Part*>> ranked, buried;
  ranked.reserve(cands.touched.size());
  for (ItemIndex i : cands.touched) {
    const Part& c = cands.get(i);
    if (c.score <= 0 || !rules.allows(i, due.count(i) > 0)) continue;
    (merchandised(i, MerchAction::bury) ? buried : ranked).emplace_back(i, &c);
  }
  const auto better = [](const auto& a, const auto& b) {
    return a.second->score != b.second->score ? a.second->score > b.second->score : a.first < b.first;
  };
  // Only the head is usually read: sort it first, and the rest only if caps skip too much.
  const auto head = std::min(ranked.size(), static_cast<std::size_t>(4 * limit + kPopularSlack));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(head), ranked.end(), better);

  std::unordered_map<std::string_view, std::uint32_t> per_category;
  std::unordered_set<ItemIndex> taken;
  auto make_offer = [&](ItemIndex i, double score, OfferSource source, ItemIndex anchor) {
    Offer o;
    o.item = i;
    o.score = static_cast<float>(score);
    o.kind = kind_of(source, ctx.win_back);
    const bool bought_before = source == OfferSource::due || source == OfferSource::favourites ||
                               (ctx.win_back && source != OfferSource::popular && repeat.has(i));
    o.relation = source == OfferSource::popular ? Relation::popular
                 : bought_before                ? Relation::repeat
                                                : Relation::complement;
    if (source == OfferSource::due) {
      o.reason = "due";
      o.interval_days = due.at(i).first;
      o.days_since = due.at(i).second;
    } else if (source == OfferSource::popular) {
      o.reason = "popular";
    } else if (bought_before) {
      o.reason = "history";
    } else {
      o.reason = m.catalog.ids[anchor];
    }
    return o;
  };
  auto take = [&](ItemIndex i, double score, OfferSource source, ItemIndex anchor) {
    if (res.offers.size() >= limit || taken.count(i)) return false;
    const std::string& cat = m.catalog.categories[i];
    if (policy_.rules.max_per_category > 0 && !cat.empty() && per_category[cat] >= policy_.rules.max_per_category) {
      return false;
    }
    ++per_category[cat];
    taken.insert(i);
    res.offers.push_back(make_offer(i, score, source, anchor));
    return true;
  };
  // Reserve room for new items: bought-before items may fill at most limit - min_new places
  // while enough new candidates remain eligible.
  const auto new_available = static_cast<std::size_t>(
      std::count_if(ranked.begin(), ranked.end(), [&](const auto& r) { return !repeat.has(r.first); }));
  const std::size_t new_quota = std::min<std::size_t>({ctx.min_new, limit, new_available});
  std::size_t repeats_taken = 0, r = 0;
  auto fill_ranked = [&](std::size_t cap) {
    for (; r < ranked.size() && res.offers.size() < cap; ++r) {
      if (r == head) std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(head), ranked.end(), better);
      const auto& [i, c] = ranked[r];
      const bool bought = repeat.has(i);
      if (bought && repeats_taken >= limit - new_quota) continue;
      if (take(i, c->score, c->source, c->anchor) && bought) ++repeats_taken;
    }
  };
  // New arrivals (core/new_arrivals.h) get up to the policy's share of the places, after the
  // ranked offers; in stock only, and every rule of the list holds for them too.
  std::vector<NewArrivalPick> arrivals;
  if (const auto places = new_arrival_places(policy_.new_arrivals, q.context, limit); places > 0 && profile.orders > 0) {
    arrivals = new_arrivals_.rank(content_history(profile, at), places + kPopularSlack, [&](ItemIndex i) {
      return !m.catalog.out_of_stock(i) && rules.allows(i, false) && !merchandised(i, MerchAction::bury);
    });
    fill_ranked(limit - std::min(places, arrivals.size()));
    std::size_t placed = 0;
    for (const auto& a : arrivals) {
      if (placed == places || res.offers.size() >= limit) break;
      if (!take(a.item, 0, OfferSource::popular, a.anchor)) continue;
      Offer& o = res.offers.back();
      o.kind = OfferKind::new_arrival;
      o.relation = Relation::substitute;
      o.reason = m.catalog.ids[a.anchor];
      o.score = static_cast<float>(a.score);
      ++placed;
    }
  }
  fill_ranked(limit);
  // New arrivals stay below the engine's offers (their cosine is not a chance), scores best first.
  std::stable_partition(res.offers.begin(), res.offers.end(), [](const Offer& o) { return o.kind != OfferKind::new_arrival; });
  for (std::size_t k = 1; k < res.offers.size(); ++k) {
    if (res.offers[k].kind == OfferKind::new_arrival) {
      res.offers[k].score = std::min(res.offers[k].score, res.offers[k - 1].score * 0.999f);
    }
  }
  // Fallback: popular items fill a short list, below every ranked offer.
  const double floor = res.offers.empty() ? 1.0 : res.offers.back().score * 0.999;
  for (std::size_t p = 0; p < m.popular.size() && res.offers.size() < limit; ++p) {
    const ItemIndex i = m.popular[p];
    if (!cands.has(i) && rules.allows(i, false) && !merchandised(i, MerchAction::bury)) {
      take(i, floor * m.popular_scores[p], OfferSource::popular, i);
    }
  }
  std::sort(buried.begin(), buried.end(), better);
  for (const auto& [i, c] : buried) {
    if (res.offers.size() >= limit) break;
    take(i, (res.offers.empty() ? 1.0 : res.offers.back().score) * 0.999, c->source, c->anchor);
  }
  for (const MerchRule* r : merch) {
    if (r->action != MerchAction::pin) continue;
    // The pinned items: those listed, then the best candidate (else the most popular item) of each
    // listed category; each only if the rules allow it.
    std::vector<std::pair<ItemIndex, const Part*>> pinned;
    for (const auto& id : r->items) {
      if (const auto i = m.catalog.find(id); i && rules.allows(*i, due.count(*i) > 0)) {
        pinned.emplace_back(*i, cands.has(*i) ? &cands.get(*i) : nullptr);
      }
    }
    for (const auto& category : r->categories) {
      const std::pair<ItemIndex, const Part*>* best = nullptr;
      for (const auto& c : ranked) {
        if (m.catalog.categories[c.first] == category && (!best || better(c, *best))) best = &c;
      }
      if (best) {
        pinned.push_back(*best);
        continue;
      }
      for (ItemIndex i : m.popular) {
        if (m.catalog.categories[i] == category && rules.allows(i, false)) {
          pinned.emplace_back(i, nullptr);
          break;
        }
      }
    }
    std::size_t place = std::min<std::size_t>(r->position - 1, limit - 1);
    for (const auto& [i, c] : pinned) {
      Offer o = c ? make_offer(i, c->score, c->source, c->anchor) : make_offer(i, 0, OfferSource::popular, i);
      if (!c) o.reason = "pinned";  // not a candidate: there only because the shop pinned it
      place_pinned(res.offers, std::move(o), place, limit, policy_.rules.max_per_category, m.catalog);
      place = std::min<std::size_t>(place + 1, limit - 1);
    }
  }
  res.fallback = std::any_of(res.offers.begin(), res.offers.end(), [](const Offer& o) { return o.kind == OfferKind::popular; });

  const DiscountTier& tier = policy_.discounts[static_cast<std::size_t>(res.segment)];
  const double percent = std::min(tier.percent, policy_.max_discount_percent);
  const PlacedOrder empty_order;
  for (auto& o : res.offers) {
    const bool discounted =
        std::find(policy_.discount_kinds.begin(), policy_.discount_kinds.end(), o.kind) != policy_.discount_kinds.end();
    if (discounted && percent > 0 && at != kNoTime) {
      o.discount_percent = percent;
      o.valid_until = at + static_cast<Timestamp>(tier.valid_days * kSecondsPerDay);
    }
    o.offer_id = offer_id(m, q, order ? *order : empty_order, at, o.item);
    const float price = m.catalog.prices[o.item];
    if (!std::isnan(price)) {
      const auto field = m.catalog.field(o.item, "currency");
      o.currency = field.empty() ? policy_.currency : std::string(field);
    }
    if (o.discount_percent > 0) {
      if (!std::isnan(price)) o.discounted_price = std::round(static_cast<double>(price) * (100 - o.discount_percent)) / 100;
      assign_coupon(o, policy_, m.catalog.ids[o.item], q.customer_id);
    }
  }
  return res;
}

std::size_t offer_scratch_buffers() { return ScratchLease::created(); }

}  // namespace cobuy
