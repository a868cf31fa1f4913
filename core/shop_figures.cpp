#include "core/shop_figures.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <unordered_map>

#include "core/quantile.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr std::array<Segment, 5> kSegments = {Segment::new_customer, Segment::active, Segment::loyal,
                                              Segment::at_risk, Segment::lapsed};

/// Months since year 0 of a Unix time (UTC): year * 12 + month - 1.
int month_number(Timestamp t) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_seconds{seconds{t}})};
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

std::string month_label(int number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", number / 12, number % 12 + 1);
  return buf;
}

/// The first second of the month after `number`.
Timestamp month_end(int number) {
  using namespace std::chrono;
  const int next = number + 1;
  const year_month_day first{year{next / 12}, month{static_cast<unsigned>(next % 12 + 1)}, day{1}};
  return sys_days{first}.time_since_epoch() / seconds{1};
}

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(); }

/// A customer's running totals, for segments at a point in time.
struct Running {
  std::uint32_t orders = 0;
  double spend = 0;
  Timestamp last = kNoTime;
};

Segment segment_at(const Running& r, Timestamp at, const SegmentThresholds& thresholds) {
  CustomerProfile p;
  p.orders = r.orders;
  p.spend = r.spend;
  p.last_order = r.last;
  return segment_of(p, at, thresholds);
}

std::size_t segment_slot(Segment s) { return static_cast<std::size_t>(s); }

}  // namespace

std::vector<ShopOrder> shop_orders(std::span<const PlacedOrder> orders) {
  std::vector<ShopOrder> out;
  out.reserve(orders.size());
  for (const auto& o : orders) out.push_back({o.customer_id, o.time, o.value()});
  return out;
}

std::vector<ShopOrder> shop_orders(const OrderData& data) {
  std::vector<ShopOrder> out;
  out.reserve(data.orders.size());
  for (const auto& o : data.orders) {
    double value = 0;
    for (const auto& line : o.lines) {
      if (!std::isnan(line.price)) value += static_cast<double>(line.quantity) * static_cast<double>(line.price);
    }
    out.push_back({o.customer == kNoCustomer ? std::string() : data.customer_ids[static_cast<std::size_t>(o.customer)],
                   o.time, value});
  }
  return out;
}

std::vector<ShopOrder> shop_orders(const Model& model) {
  const auto& h = model.customers;
  std::vector<ShopOrder> out;
  out.reserve(h.order_times.size());
  for (std::size_t c = 0; c < h.customers(); ++c) {
    for (auto o = h.order_offsets[c]; o < h.order_offsets[c + 1]; ++o) {
      out.push_back({h.ids[c], h.order_times[o], o < h.order_values.size() ? h.order_values[o] : 0.0});
    }
  }
  return out;
}

std::vector<ShopOrder> shop_orders(const Model& model, std::span<const PlacedOrder> logged) {
  auto out = shop_orders(model);
  for (const auto& o : logged) {
    if (!model_holds_order(model, o.customer_id, o.order_id, o.time)) out.push_back({o.customer_id, o.time, o.value()});
  }
  return out;
}

SegmentThresholds shop_thresholds(std::span<const ShopOrder> orders, const SegmentConfig& config) {
  std::vector<const ShopOrder*> kept;
  for (const auto& o : orders)
    if (!o.customer_id.empty() && o.time != kNoTime) kept.push_back(&o);
  std::sort(kept.begin(), kept.end(), [](const ShopOrder* a, const ShopOrder* b) {
    return a->customer_id != b->customer_id ? a->customer_id < b->customer_id : a->time < b->time;
  });
  std::vector<double> gaps, counts, spend;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i == 0 || kept[i]->customer_id != kept[i - 1]->customer_id) {
      counts.push_back(0);
      spend.push_back(0);
    } else {
      gaps.push_back(static_cast<double>(kept[i]->time - kept[i - 1]->time) / kSecondsPerDay);
    }
    counts.back() += 1;
    spend.back() += kept[i]->value;
  }
  return segment_thresholds(std::move(gaps), std::move(counts), std::move(spend), config);
}

ShopFigures shop_figures(std::span<const ShopOrder> orders, const SegmentThresholds& thresholds, Timestamp at) {
  ShopFigures f;
  // Counted orders in time order (customer id as tie-break, so the result does not depend on the
  // input order).
  std::vector<const ShopOrder*> kept;
  kept.reserve(orders.size());
  for (const auto& o : orders) {
    if (o.customer_id.empty() || o.time == kNoTime) {
      ++f.left_out;
    } else {
      kept.push_back(&o);
    }
  }
  std::sort(kept.begin(), kept.end(), [](const ShopOrder* a, const ShopOrder* b) {
    return a->time != b->time ? a->time < b->time : a->customer_id < b->customer_id;
  });
  f.orders = kept.size();
  if (kept.empty()) return f;
  f.first_order = kept.front()->time;
  f.last_order = kept.back()->time;
  f.segments_at = at == kNoTime ? f.last_order : at;

  // Per customer: running totals (final after the loop) and the gaps between consecutive orders.
  std::unordered_map<std::string_view, std::uint32_t> customer_of;
  std::vector<Running> running;
  std::vector<double> values, gaps;
  values.reserve(kept.size());
  for (const ShopOrder* o : kept) {
    const auto [it, added] = customer_of.try_emplace(o->customer_id, static_cast<std::uint32_t>(running.size()));
    if (added) running.emplace_back();
    Running& r = running[it->second];
    if (r.orders > 0) gaps.push_back(static_cast<double>(o->time - r.last) / kSecondsPerDay);
    ++r.orders;
    r.spend += o->value;
    r.last = o->time;
    values.push_back(o->value);
    f.revenue += o->value;
  }
  f.customers = running.size();
  f.repeat_customers = static_cast<std::uint64_t>(
      std::count_if(running.begin(), running.end(), [](const Running& r) { return r.orders >= 2; }));
  f.repeat_purchase_rate = static_cast<double>(f.repeat_customers) / static_cast<double>(f.customers);
  f.clv = f.revenue / static_cast<double>(f.customers);

  const double n = static_cast<double>(values.size());
  const double mean = f.revenue / n;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double half = values.size() < 2 ? 0.0 : 1.96 * std::sqrt(squares / (n - 1.0)) / std::sqrt(n);
  f.average_order_value = Interval{mean, mean - half, mean + half};

  f.gaps = gaps.size();
  if (!gaps.empty()) {
    std::sort(gaps.begin(), gaps.end());
    f.gap_days_median = sorted_quantile(gaps, 0.5);
    f.gap_days_p25 = sorted_quantile(gaps, 0.25);
    f.gap_days_p75 = sorted_quantile(gaps, 0.75);
    f.gap_days_mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / static_cast<double>(gaps.size());
  }

  for (const Segment s : kSegments) f.by_segment[segment_slot(s)].segment = s;
  for (const Running& r : running) {
    SegmentValue& v = f.by_segment[segment_slot(segment_at(r, f.segments_at, thresholds))];
    ++v.customers;
    v.orders += r.orders;
    v.revenue += r.spend;
  }
  for (SegmentValue& v : f.by_segment) {
    if (v.customers > 0) v.clv = v.revenue / static_cast<double>(v.customers);
  }

  // Months: replay the orders month by month, with every customer's totals as of each month's end.
  std::vector<Running> so_far(running.size());
  std::vector<int> seen_in_month(running.size(), -1);
  std::size_t next = 0;
  double revenue_to_date = 0;
  std::uint64_t customers_to_date = 0;
  const int first_month = month_number(f.first_order), last_month = month_number(f.last_order);
  for (int m = first_month; m <= last_month; ++m) {
    MonthFigures month;
    month.month = month_label(m);
    const Timestamp end = month_end(m);
    for (; next < kept.size() && kept[next]->time < end; ++next) {
      const ShopOrder& o = *kept[next];
      const std::uint32_t c = customer_of.at(o.customer_id);
      Running& r = so_far[c];
      if (seen_in_month[c] != m) {
        seen_in_month[c] = m;
        ++month.customers;
        if (r.orders == 0) {
          ++month.new_customers;
          ++customers_to_date;
        } else {
          ++month.returning_customers;
        }
      }
      ++r.orders;
      r.spend += o.value;
      r.last = o.time;
      ++month.orders;
      month.revenue += o.value;
      revenue_to_date += o.value;
    }
    if (month.orders > 0) month.average_order_value = month.revenue / static_cast<double>(month.orders);
    if (month.customers > 0) {
      month.repeat_rate = static_cast<double>(month.returning_customers) / static_cast<double>(month.customers);
    }
    if (customers_to_date > 0) month.clv_to_date = revenue_to_date / static_cast<double>(customers_to_date);
    // Segments as of the month's last second.
    std::array<double, 5> revenue{};
    std::array<std::uint64_t, 5> count{};
    for (const Running& r : so_far) {
      if (r.orders == 0) continue;
      const auto slot = segment_slot(segment_at(r, end - 1, thresholds));
      revenue[slot] += r.spend;
      ++count[slot];
    }
    for (std::size_t s = 0; s < kSegments.size(); ++s) {
      if (count[s] > 0) month.clv_by_segment[s] = revenue[s] / static_cast<double>(count[s]);
    }
    f.months.push_back(std::move(month));
  }
  return f;
}

json shop_figures_json(const ShopFigures& f) {
  const auto time_json = [](Timestamp t) { return t == kNoTime ? json() : json(format_timestamp(t)); };
  json aov;
  if (f.average_order_value) {
    aov = {{"mean", f.average_order_value->mean},
           {"low", f.average_order_value->low},
           {"high", f.average_order_value->high}};
  }
  json segments = json::array();
  for (const SegmentValue& v : f.by_segment) {
    segments.push_back({{"segment", segment_name(v.segment)},
                        {"customers", v.customers},
                        {"orders", v.orders},
                        {"revenue", v.revenue},
                        {"clv", optional_json(v.clv)}});
  }
  json months = json::array();
  for (const MonthFigures& m : f.months) {
    json by_segment = json::object();
    for (const Segment s : kSegments) by_segment[std::string(segment_name(s))] = optional_json(m.clv_by_segment[segment_slot(s)]);
    months.push_back({{"month", m.month},
                      {"orders", m.orders},
                      {"revenue", m.revenue},
                      {"average_order_value", optional_json(m.average_order_value)},
                      {"customers", m.customers},
                      {"new_customers", m.new_customers},
                      {"returning_customers", m.returning_customers},
                      {"repeat_rate", optional_json(m.repeat_rate)},
                      {"clv_to_date", optional_json(m.clv_to_date)},
                      {"clv_by_segment", std::move(by_segment)}});
  }
  return {{"orders", f.orders},
          {"orders_left_out", f.left_out},
          {"customers", f.customers},
          {"revenue", f.revenue},
          {"first_order", time_json(f.first_order)},
          {"last_order", time_json(f.last_order)},
          {"segments_at", time_json(f.segments_at)},
          {"repeat_customers", f.repeat_customers},
          {"repeat_purchase_rate", optional_json(f.repeat_purchase_rate)},
          {"average_order_value", aov},
          {"days_between_orders",
           {{"gaps", f.gaps},
            {"median", optional_json(f.gap_days_median)},
            {"p25", optional_json(f.gap_days_p25)},
            {"p75", optional_json(f.gap_days_p75)},
            {"mean", optional_json(f.gap_days_mean)}}},
          {"clv", optional_json(f.clv)},
          {"clv_by_segment", std::move(segments)},
          {"months", std::move(months)}};
}

}  // namespace cobuy
