#include "core/replenishment.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/quantile.h"
#include "core/time_util.h"

namespace cobuy {
ReplenishmentTable::ReplenishmentTable(const CustomerHistory& h, std::size_t n_items, const ReplenishmentConfig& config)
    : config_(config), intervals_(n_items) {
  std::vector<std::vector<double>> gaps(n_items);
  std::vector<std::uint32_t> customers(n_items, 0);
  std::unordered_map<ItemIndex, Timestamp> last;  // per customer: item -> time of its latest purchase
  std::unordered_map<ItemIndex, bool> repeated;
  const double min_gap = config.min_gap_days * kSecondsPerDay;
  for (std::size_t c = 0; c < h.customers(); ++c) {
    last.clear();
    repeated.clear();
    for (auto o = h.order_offsets[c]; o < h.order_offsets[c + 1]; ++o) {
      const Timestamp t = h.order_times[o];
      if (t == kNoTime) continue;
      for (auto k = h.item_offsets[o]; k < h.item_offsets[o + 1]; ++k) {
        const ItemIndex i = h.items[k];
        if (i >= n_items) continue;
        auto [it, fresh] = last.try_emplace(i, t);
        if (fresh) continue;
        const auto gap = static_cast<double>(t - it->second);
        // A gap below min_gap is a top-up of the same purchase: keep the earlier time.
        if (gap < min_gap) continue;
        gaps[i].push_back(gap / kSecondsPerDay);
        it->second = t;
        repeated[i] = true;
      }
    }
    for (const auto& [i, r] : repeated) ++customers[i];
  }
  for (std::size_t i = 0; i < n_items; ++i) {
    auto& g = gaps[i];
    if (g.size() < config.min_observations || g.empty()) continue;
    std::sort(g.begin(), g.end());
    RepurchaseInterval r;
    r.median_days = sorted_quantile(g, 0.5);
    r.q1_days = sorted_quantile(g, 0.25);
    r.q3_days = sorted_quantile(g, 0.75);
    r.observations = static_cast<std::uint32_t>(g.size());
    r.customers = customers[i];
    intervals_[i] = r;
  }
}

const std::optional<RepurchaseInterval>& ReplenishmentTable::interval(ItemIndex item) const {
  static const std::optional<RepurchaseInterval> none;
  return item < intervals_.size() ? intervals_[item] : none;
}

std::size_t ReplenishmentTable::repeatable_items() const {
  return static_cast<std::size_t>(std::count_if(intervals_.begin(), intervals_.end(), [](const auto& r) { return r.has_value(); }));
}

std::optional<double> ReplenishmentTable::due_ratio(ItemIndex item, Timestamp last, Timestamp at) const {
  const auto& r = interval(item);
  if (!r || last == kNoTime || at == kNoTime || r->median_days <= 0) return std::nullopt;
  const double ratio = static_cast<double>(at - last) / kSecondsPerDay / r->median_days;
  if (ratio < config_.due_ratio || ratio > config_.overdue_ratio) return std::nullopt;
  return ratio;
}

}  // namespace cobuy
