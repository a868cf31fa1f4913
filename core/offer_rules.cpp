#include "core/offer_rules.h"

#include <algorithm>
#include <cmath>

namespace cobuy {

OfferListRules::OfferListRules(const Model& m, const OfferPolicy& policy, const OfferRequest& q, const PlacedOrder* order, bool just_placed,
                               const CustomerProfile& profile, const CustomerLog& log, Timestamp at)
    : m_(m), rules_(policy.rules), filters_(q.filters) {
  for (const auto& id : q.exclude) {
    if (auto i = m.catalog.find(id)) excluded_.insert(*i);
  }
  const Timestamp cooling = at - static_cast<Timestamp>(rules_.substitute_cooling_off_days * kSecondsPerDay);
  auto cool = [&](ItemIndex i) {
    if (m.similar.items() > i) {
      for (const auto& s : m.similar.row(i)) excluded_.insert(s.item);
    }
  };
  for (const auto& s : profile.items) {
    if (s.last == kNoTime || s.last >= cooling) cool(s.item);
  }
  double price_sum = 0;
  std::size_t priced = 0;
  if (order) {
    for (const auto& l : order->lines) {
      auto i = m.catalog.find(l.item_id);
      if (i && just_placed) {
        in_order_.insert(*i);
        cool(*i);
      }
      const double p = l.price ? *l.price : (i ? static_cast<double>(m.catalog.prices[*i]) : NAN);
      if (!std::isnan(p)) {
        price_sum += p;
        ++priced;
      }
    }
  }
  if (priced > 0) {
    const double mean = price_sum / static_cast<double>(priced);
    if (rules_.min_price_ratio > 0) min_price_ = rules_.min_price_ratio * mean;
    if (rules_.max_price_ratio > 0) max_price_ = rules_.max_price_ratio * mean;
  }
  const Timestamp reoffer = at - static_cast<Timestamp>(rules_.reoffer_after_days * kSecondsPerDay);
  for (const auto& [id, t] : log.offered) {
    if (t >= reoffer && t <= at) {
      if (auto i = m.catalog.find(id)) excluded_.insert(*i);
    }
  }
}

bool OfferListRules::allows(ItemIndex i, bool due) const {
  if (excluded_.count(i) || (in_order_.count(i) && !due)) return false;
  if (only_in_stock(filters_, rules_.in_stock_only) && m_.catalog.out_of_stock(i)) return false;
  const auto& cat = m_.catalog.categories[i];
  auto listed = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), cat) != v.end(); };
  if (!rules_.include_categories.empty() && !listed(rules_.include_categories)) return false;
  if (!filters_.categories.empty() && !listed(filters_.categories)) return false;
  if (listed(rules_.exclude_categories) || listed(filters_.exclude_categories)) return false;
  const double lo = std::max(min_price_.value_or(-INFINITY), filters_.min_price.value_or(-INFINITY));
  const double hi = std::min(max_price_.value_or(INFINITY), filters_.max_price.value_or(INFINITY));
  if (std::isfinite(lo) || std::isfinite(hi)) {
    const float p = m_.catalog.prices[i];
    if (std::isnan(p) || p < lo || p > hi) return false;  // a price rule cannot vouch for an unpriced item
  }
  return true;
}

}  // namespace cobuy
