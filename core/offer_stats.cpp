#include "core/offer_stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr double kZ95 = 1.959963984540054;

/// What one send adds to a group: its figures over the offers the group holds.
struct SendFigures {
  std::uint64_t offers = 0, clicks = 0, conversions = 0;
  bool opened = false;
  double revenue = 0;
};

/// One arm of one group, summed send by send, with per-customer sums for the intervals (a
/// customer's sends are not independent of each other: customers are the clusters).
class Accumulator {
 public:
  void add(const std::string& customer, const SendFigures& f) {
    ++s_.sends;
    s_.offers += f.offers;
    s_.opens += f.opened ? 1 : 0;
    s_.clicks += f.clicks;
    s_.conversions += f.conversions;
    s_.converted_sends += f.conversions > 0 ? 1 : 0;
    s_.revenue += f.revenue;
    // An anonymous send is a cluster of its own.
    Cluster& c = customer.empty() ? clusters_["\x01" + std::to_string(s_.sends)] : clusters_[customer];
    c.sends += 1;
    c.converted += f.conversions > 0 ? 1 : 0;
    c.revenue += f.revenue;
  }

  /// The figures with their intervals; `conversion_var` and `revenue_var` get the variances of
  /// the two ratios (for the uplift).
  ArmStats finish(double& conversion_var, double& revenue_var) const {
    ArmStats s = s_;
    s.conversion_rate = wilson_interval(s.converted_sends, s.sends);
    const double n = static_cast<double>(s.sends);
    const double rate = n > 0 ? static_cast<double>(s.converted_sends) / n : 0;
    const double per_send = n > 0 ? s.revenue / n : 0;
    conversion_var = cluster_variance([](const Cluster& c) { return c.converted; }, rate);
    revenue_var = cluster_variance([](const Cluster& c) { return c.revenue; }, per_send);
    const double half = kZ95 * std::sqrt(revenue_var);
    s.revenue_per_send = {per_send, per_send - half, per_send + half};
    return s;
  }

 private:
  struct Cluster {
    double sends = 0, converted = 0, revenue = 0;
  };

  /// The variance of the ratio sum(y) / sum(sends) at `ratio`, by the delta method over clusters
  /// (with the small-sample factor C / (C - 1)).
  template <class Y>
  double cluster_variance(Y y, double ratio) const {
    const double n = static_cast<double>(s_.sends);
    const double clusters = static_cast<double>(clusters_.size());
    if (clusters < 2) return 0;
    double sum = 0;
    for (const auto& [id, c] : clusters_) {
      const double r = y(c) - ratio * c.sends;
      sum += r * r;
    }
    return sum / (n * n) * clusters / (clusters - 1);
  }

  ArmStats s_;
  std::unordered_map<std::string, Cluster> clusters_;
};

/// Both arms of a group.
struct GroupAccumulator {
  Accumulator arms[kArms];
};

ArmStats finish(const Accumulator& a) {
  double v1 = 0, v2 = 0;
  return a.finish(v1, v2);
}

std::vector<GroupStats> finish(const std::map<std::string, GroupAccumulator>& groups) {
  std::vector<GroupStats> out;
  for (const auto& [name, g] : groups) {
    out.push_back({name, finish(g.arms[static_cast<std::size_t>(Arm::cobuy)]),
                   finish(g.arms[static_cast<std::size_t>(Arm::holdout)])});
  }
  return out;
}

}  // namespace

Interval wilson_interval(std::uint64_t k, std::uint64_t n) {
  if (n == 0) return {};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = kZ95 * kZ95;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

OfferStats compute_offer_stats(const std::vector<SendRecord>& sends, const std::vector<OfferEvent>& events,
                               const std::vector<PlacedOrder>& orders, double attribution_days, Timestamp from,
                               Timestamp until) {
  COBUY_CHECK(std::isfinite(attribution_days) && attribution_days > 0, ErrorCode::bad_request,
              "attribution_days must be above 0");
  const auto window = static_cast<Timestamp>(attribution_days * kSecondsPerDay);
  // Each customer's sends by time.
  std::unordered_map<std::string, std::vector<std::size_t>> by_customer;
  std::unordered_map<std::string, std::size_t> by_id;
  for (std::size_t s = 0; s < sends.size(); ++s) {
    by_id.emplace(sends[s].send_id, s);
    if (!sends[s].customer_id.empty()) by_customer[sends[s].customer_id].push_back(s);
  }
  for (auto& [customer, list] : by_customer) {
    std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return sends[a].at != sends[b].at ? sends[a].at < sends[b].at : sends[a].send_id < sends[b].send_id;
    });
  }
  // Attribution: per send, per offer of its cobuy list, the revenue of the lines attributed to it
  // (negative = none).
  std::vector<std::vector<double>> revenue(sends.size());
  for (std::size_t s = 0; s < sends.size(); ++s) revenue[s].assign(sends[s].offers.size(), -1);
  for (const auto& o : orders) {
    const auto it = by_customer.find(o.customer_id);
    if (it == by_customer.end()) continue;
    const auto& list = it->second;
    for (const auto& line : o.lines) {
      // The latest send before the order whose list holds the item, within the window.
      for (auto k = list.rbegin(); k != list.rend(); ++k) {
        const SendRecord& send = sends[*k];
        if (send.at >= o.time) continue;
        if (o.time - send.at > window) break;
        const auto offer = std::find_if(send.offers.begin(), send.offers.end(),
                                        [&](const OfferedItem& x) { return x.item_id == line.item_id; });
        if (offer == send.offers.end()) continue;
        double& r = revenue[*k][static_cast<std::size_t>(offer - send.offers.begin())];
        r = std::max(r, 0.0) + (line.price ? *line.price * line.quantity : 0.0);
        break;
      }
    }
  }
  std::vector<bool> opened(sends.size(), false);
  std::vector<std::set<std::string>> clicked(sends.size());
  for (const auto& e : events) {
    const auto it = by_id.find(e.send_id);
    if (it == by_id.end()) continue;
    if (e.type == OfferEventType::opened) opened[it->second] = true;
    if (e.type == OfferEventType::clicked) clicked[it->second].insert(e.offer_id);
  }

  OfferStats out;
  out.attribution_days = attribution_days;
  out.from = from;
  out.until = until;
  GroupAccumulator all;
  std::map<std::string, GroupAccumulator> contexts, kinds, segments;
  for (std::size_t s = 0; s < sends.size(); ++s) {
    const SendRecord& send = sends[s];
    const auto arm = static_cast<std::size_t>(send.arm);
    // The send's figures over the offers `in` accepts.
    auto figures = [&](auto in, bool every_click) {
      SendFigures f;
      f.opened = opened[s];
      for (std::size_t k = 0; k < send.offers.size(); ++k) {
        if (!in(send.offers[k])) continue;
        ++f.offers;
        if (!every_click && clicked[s].count(send.offers[k].offer_id)) ++f.clicks;
        if (revenue[s][k] >= 0) {
          ++f.conversions;
          f.revenue += revenue[s][k];
        }
      }
      // Clicks of the whole email are of what it showed, which a holdout's cobuy list was not.
      if (every_click) f.clicks = clicked[s].size();
      return f;
    };
    const SendFigures whole = figures([](const OfferedItem&) { return true; }, true);
    all.arms[arm].add(send.customer_id, whole);
    contexts[send.context].arms[arm].add(send.customer_id, whole);
    segments[send.segment].arms[arm].add(send.customer_id, whole);
    std::set<std::string> send_kinds;
    for (const auto& o : send.offers) send_kinds.insert(o.kind);
    for (const auto& kind : send_kinds) {
      kinds[kind].arms[arm].add(send.customer_id, figures([&](const OfferedItem& o) { return o.kind == kind; }, false));
    }
  }
  double cv[kArms] = {}, rv[kArms] = {};
  out.cobuy = all.arms[0].finish(cv[0], rv[0]);
  out.holdout = all.arms[1].finish(cv[1], rv[1]);
  const double dc = out.cobuy.conversion_rate.mean - out.holdout.conversion_rate.mean;
  const double hc = kZ95 * std::sqrt(cv[0] + cv[1]);
  out.uplift_conversion_rate = {dc, dc - hc, dc + hc};
  const double dr = out.cobuy.revenue_per_send.mean - out.holdout.revenue_per_send.mean;
  const double hr = kZ95 * std::sqrt(rv[0] + rv[1]);
  out.uplift_revenue_per_send = {dr, dr - hr, dr + hr};
  out.by_context = finish(contexts);
  out.by_kind = finish(kinds);
  out.by_segment = finish(segments);
  return out;
}

namespace {

json interval_json(const Interval& i) { return {{"mean", i.mean}, {"low", i.low}, {"high", i.high}}; }

}  // namespace

void to_json(json& j, const ArmStats& s) {
  j = {{"sends", s.sends},
       {"offers", s.offers},
       {"opens", s.opens},
       {"clicks", s.clicks},
       {"conversions", s.conversions},
       {"converted_sends", s.converted_sends},
       {"conversion_rate", interval_json(s.conversion_rate)},
       {"revenue", s.revenue},
       {"revenue_per_send", interval_json(s.revenue_per_send)}};
}

void to_json(json& j, const OfferStats& s) {
  auto groups = [](const std::vector<GroupStats>& list, const char* key) {
    json out = json::array();
    for (const auto& g : list) out.push_back({{key, g.name}, {"cobuy", g.cobuy}, {"holdout", g.holdout}});
    return out;
  };
  auto time = [](Timestamp t) { return t == kNoTime ? json() : json(format_timestamp(t)); };
  j = {{"attribution_days", s.attribution_days},
       {"from", time(s.from)},
       {"until", time(s.until)},
       {"arms", {{"cobuy", s.cobuy}, {"holdout", s.holdout}}},
       {"uplift",
        {{"conversion_rate", interval_json(s.uplift_conversion_rate)},
         {"revenue_per_send", interval_json(s.uplift_revenue_per_send)}}},
       {"by_context", groups(s.by_context, "context")},
       {"by_kind", groups(s.by_kind, "kind")},
       {"by_segment", groups(s.by_segment, "segment")}};
}

}  // namespace cobuy
