#include "core/new_arrivals.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/time_util.h"

namespace cobuy {

NewArrivals::NewArrivals(const Model& model, std::uint32_t min_orders) : content_(model.catalog) {
  const std::size_t n = model.catalog.size();
  is_new_.assign(n, 0);
  postings_.resize(content_.tokens());
  for (ItemIndex i = 0; i < n; ++i) {
    const std::uint32_t orders = i < model.item_orders.size() ? model.item_orders[i] : 0;
    if (orders >= min_orders || content_.row(i).empty()) continue;
    is_new_[i] = 1;
    ++count_;
    for (const auto& [token, w] : content_.row(i)) postings_[token].emplace_back(i, w);
  }
}

std::vector<NewArrivalPick> NewArrivals::rank(std::span<const std::pair<ItemIndex, double>> history, std::size_t max,
                                              const std::function<bool(ItemIndex)>& keep) const {
  std::vector<NewArrivalPick> out;
  if (count_ == 0 || max == 0) return out;
  std::unordered_map<std::uint32_t, double> profile;
  for (const auto& [item, w] : history) {
    if (item >= content_.items()) continue;
    for (const auto& [token, x] : content_.row(item)) profile[token] += w * x;
  }
  double norm = 0;
  for (const auto& [token, x] : profile) norm += x * x;
  if (norm <= 0) return out;
  norm = std::sqrt(norm);
  std::unordered_map<ItemIndex, double> score;
  for (const auto& [token, x] : profile) {
    for (const auto& [item, w] : postings_[token]) score[item] += x * w;
  }
  for (const auto& [item, w] : history) score.erase(item);
  std::vector<std::pair<ItemIndex, double>> ranked(score.begin(), score.end());
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  for (const auto& [item, s] : ranked) {
    if (out.size() >= max) break;
    if (s <= 0 || (keep && !keep(item))) continue;
    NewArrivalPick p{item, s / norm, item};
    double best = -1;
    for (const auto& [h, w] : history) {
      if (h >= content_.items()) continue;
      const double d = content_dot(content_.row(h), content_.row(item));
      if (d > best) {
        best = d;
        p.anchor = h;
      }
    }
    out.push_back(p);
  }
  return out;
}

std::vector<std::pair<ItemIndex, double>> content_history(const CustomerProfile& profile, Timestamp at) {
  std::vector<std::pair<ItemIndex, double>> out;
  out.reserve(profile.items.size());
  for (const auto& s : profile.items) {
    double w = s.orders;
    if (s.last != kNoTime && at != kNoTime && at > s.last) {
      w *= std::exp2(-static_cast<double>(at - s.last) / kSecondsPerDay / 180.0);
    }
    if (w > 0) out.emplace_back(s.item, w);
  }
  return out;
}

std::size_t new_arrival_places(const NewArrivalPolicy& policy, OfferContext context, std::size_t limit) {
  const auto& cs = policy.contexts;
  if (!cs.empty() && std::find(cs.begin(), cs.end(), context) == cs.end()) return 0;
  return static_cast<std::size_t>(std::floor(policy.share * static_cast<double>(limit) + 1e-9));
}

}  // namespace cobuy
