#include "core/customer_profile.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/fnv.h"
#include "core/quantile.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

/// The q-quantile (0..1) of `v`; 0 when empty. Sorts v.
double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return sorted_quantile(v, q);
}

/// CustomerProfile::explore from the items' first purchase times: an item first bought after the
/// customer's first order was new when bought; every later purchase of any item was a repeat.
double explore_share(const CustomerProfile& p) {
  constexpr double kPrior = 0.5, kPriorWeight = 2.0;
  if (p.first_order == kNoTime) return kPrior;
  double fresh = 0, later = 0;
  for (const auto& s : p.items) {
    const bool in_first = s.first == p.first_order;
    later += s.orders - (in_first ? 1.0 : 0.0);
    if (!in_first && s.first != kNoTime) fresh += 1;
  }
  return (fresh + kPrior * kPriorWeight) / (later + kPriorWeight);
}

}  // namespace

std::string_view segment_name(Segment s) {
  switch (s) {
    case Segment::new_customer: return "new";
    case Segment::active: return "active";
    case Segment::loyal: return "loyal";
    case Segment::at_risk: return "at_risk";
    case Segment::lapsed: return "lapsed";
  }
  return "new";
}

SegmentThresholds shop_thresholds(const Model& m, const SegmentConfig& config) {
  const auto& h = m.customers;
  std::vector<double> gaps, orders, spend;
  for (std::size_t c = 0; c < h.customers(); ++c) {
    const auto first = h.order_offsets[c], last = h.order_offsets[c + 1];
    if (first == last) continue;
    orders.push_back(static_cast<double>(last - first));
    double s = 0;
    for (auto o = first; o < last; ++o) {
      if (o < h.order_values.size()) s += h.order_values[o];
      if (o > first && h.order_times[o] != kNoTime && h.order_times[o - 1] != kNoTime) {
        gaps.push_back(static_cast<double>(h.order_times[o] - h.order_times[o - 1]) / kSecondsPerDay);
      }
    }
    spend.push_back(s);
  }
  return segment_thresholds(std::move(gaps), std::move(orders), std::move(spend), config);
}

SegmentThresholds segment_thresholds(std::vector<double> gaps, std::vector<double> orders, std::vector<double> spend,
                                     const SegmentConfig& config) {
  SegmentThresholds t;
  // Without repeat orders there is no shop rhythm to learn from: a quarter and a year.
  const double gap75 = gaps.empty() ? 90.0 : std::max(1.0, quantile(gaps, 0.75));
  const double gap95 = gaps.empty() ? 365.0 : std::max(gap75 + 1.0, quantile(gaps, 0.95));
  t.at_risk_days = config.at_risk_days.value_or(gap75);
  t.lapsed_days = config.lapsed_days.value_or(std::max(gap95, t.at_risk_days + 1.0));
  t.loyal_min_orders = config.loyal_min_orders.value_or(
      std::max<std::uint32_t>(2, static_cast<std::uint32_t>(std::ceil(quantile(orders, 0.75)))));
  t.loyal_min_spend = config.loyal_min_spend.value_or(quantile(spend, 0.5));
  COBUY_CHECK(t.lapsed_days > t.at_risk_days, ErrorCode::bad_request,
              "segments: lapsed_days (" << t.lapsed_days << ") must be above at_risk_days (" << t.at_risk_days << ")");
  return t;
}

Segment segment_of(const CustomerProfile& p, Timestamp at, const SegmentThresholds& t) {
  if (p.orders == 0) return Segment::new_customer;
  if (p.last_order != kNoTime && at != kNoTime) {
    const double days = static_cast<double>(at - p.last_order) / kSecondsPerDay;
    if (days > t.lapsed_days) return Segment::lapsed;
    if (days > t.at_risk_days) return Segment::at_risk;
  }
  if (p.orders <= 1) return Segment::new_customer;
  if (p.orders >= t.loyal_min_orders && p.spend >= t.loyal_min_spend) return Segment::loyal;
  return Segment::active;
}

bool model_holds_order(const Model& m, std::string_view customer_id, std::string_view order_id, Timestamp time) {
  const auto& h = m.customers;
  if (h.order_keys.size() != h.order_times.size()) {
    // No ids (format < 1.5): the old rule, by time.
    return time != kNoTime && m.stats.last_order != kNoTime && time <= m.stats.last_order;
  }
  const auto c = h.index.find(customer_id);
  if (c == h.index.end()) return false;
  const auto first = h.order_keys.begin() + static_cast<std::ptrdiff_t>(h.order_offsets[c->second]);
  const auto last = h.order_keys.begin() + static_cast<std::ptrdiff_t>(h.order_offsets[c->second + 1]);
  return std::find(first, last, fnv1a(order_id)) != last;
}

CustomerProfile build_profile(const Model& m, std::string_view customer_id, std::span<const PlacedOrder> recent,
                              Timestamp at, const SegmentThresholds& thresholds) {
  CustomerProfile p;
  p.customer_id = std::string(customer_id);
  std::map<ItemIndex, ItemPurchases> items;
  std::map<ItemIndex, std::uint32_t> counted_in;  // item -> the order (p.orders) it last counted in
  auto add_order = [&](Timestamp t, double value) {
    ++p.orders;
    p.spend += value;
    if (t != kNoTime) {
      if (p.first_order == kNoTime || t < p.first_order) p.first_order = t;
      if (p.last_order == kNoTime || t > p.last_order) p.last_order = t;
    }
  };
  auto add_item = [&](ItemIndex i, Timestamp t) {
    auto [seen, fresh] = counted_in.try_emplace(i, p.orders);
    if (!fresh && seen->second == p.orders) return;  // an item on two lines of one order counts once
    seen->second = p.orders;
    auto& s = items[i];
    s.item = i;
    ++s.orders;
    if (t != kNoTime && (s.last == kNoTime || t > s.last)) s.last = t;
    if (t != kNoTime && (s.first == kNoTime || t < s.first)) s.first = t;
  };
  auto included = [&](Timestamp t) { return at == kNoTime || t == kNoTime || t <= at; };

  const auto& h = m.customers;
  if (auto c = h.index.find(customer_id); c != h.index.end()) {
    for (auto o = h.order_offsets[c->second]; o < h.order_offsets[c->second + 1]; ++o) {
      const Timestamp t = h.order_times[o];
      if (!included(t)) continue;
      add_order(t, o < h.order_values.size() ? h.order_values[o] : 0.0);
      for (auto k = h.item_offsets[o]; k < h.item_offsets[o + 1]; ++k) add_item(h.items[k], t);
    }
  }
  for (const auto& order : recent) {
    if (model_holds_order(m, customer_id, order.order_id, order.time)) continue;
    if (!included(order.time)) continue;
    add_order(order.time, order.value());
    for (const auto& l : order.lines) {
      if (auto i = m.catalog.find(l.item_id)) add_item(*i, order.time);
    }
  }
  p.known = p.orders > 0;
  p.items.reserve(items.size());
  for (const auto& [i, s] : items) p.items.push_back(s);
  p.explore = explore_share(p);
  p.segment = segment_of(p, at, thresholds);
  return p;
}

}  // namespace cobuy
