#include "api/http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cobuy {
namespace {

constexpr std::uint64_t kNanosPerSecond = 1'000'000'000;

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

/// A sample value: integers without a fraction, others with enough digits to round-trip.
std::string number(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", v);
  }
  return buf;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, const std::string& value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

}  // namespace

void Metrics::record_request(RouteId route, int status, double seconds) {
  const auto r = static_cast<std::size_t>(route);
  const auto s = static_cast<std::size_t>(std::find(kStatuses.begin(), kStatuses.end(), status) - kStatuses.begin());
  requests_[r][s].fetch_add(1, std::memory_order_relaxed);
  const auto b = static_cast<std::size_t>(std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
  buckets_[r][b].fetch_add(1, std::memory_order_relaxed);
  const double nanos = std::max(0.0, seconds) * static_cast<double>(kNanosPerSecond);
  duration_nanos_[r].fetch_add(static_cast<std::uint64_t>(nanos), std::memory_order_relaxed);
}

std::string Metrics::exposition(const ModelGauges* model,
                                const std::vector<std::pair<std::string, std::uint64_t>>* coupon_codes_left) const {
  std::string out;
  out.reserve(16 * 1024);
  const auto load = [](const Counter& c) { return c.load(std::memory_order_relaxed); };

  header(out, "cobuy_requests_total", "counter", "HTTP requests answered, by route and status.");
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    const std::string route = "route=\"" + escape_label(route_label(static_cast<RouteId>(r))) + "\"";
    for (std::size_t s = 0; s < kStatusSlots; ++s) {
      const auto n = load(requests_[r][s]);
      if (n == 0) continue;
      const std::string status = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      sample(out, "cobuy_requests_total", route + ",status=\"" + status + "\"", std::to_string(n));
    }
  }

  header(out, "cobuy_request_duration_seconds", "histogram", "Time from routing to answer, by route.");
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    const std::string route = "route=\"" + escape_label(route_label(static_cast<RouteId>(r))) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBucketSlots; ++b) {
      cumulative += load(buckets_[r][b]);
      const std::string le = b < kBuckets.size() ? number(kBuckets[b]) : "+Inf";
      sample(out, "cobuy_request_duration_seconds_bucket", route + ",le=\"" + le + "\"", std::to_string(cumulative));
    }
    const double sum = static_cast<double>(load(duration_nanos_[r])) / static_cast<double>(kNanosPerSecond);
    sample(out, "cobuy_request_duration_seconds_sum", route, number(sum));
    // The count is the +Inf bucket, so the two always agree within one scrape.
    sample(out, "cobuy_request_duration_seconds_count", route, std::to_string(cumulative));
  }

  if (model) {
    header(out, "cobuy_model_info", "gauge", "The live model; its version is the label.");
    sample(out, "cobuy_model_info", "version=\"" + escape_label(model->version) + "\"", "1");
    if (model->age_seconds) {
      header(out, "cobuy_model_age_seconds", "gauge", "Seconds since the live model was created (trained).");
      sample(out, "cobuy_model_age_seconds", "", number(*model->age_seconds));
    }
  }
  header(out, "cobuy_orders_recorded_total", "counter", "Orders newly recorded through POST /v1/orders.");
  sample(out, "cobuy_orders_recorded_total", "", std::to_string(load(orders_recorded_)));
  header(out, "cobuy_offers_without_coupon_total", "counter",
         "Discounted offers sent without their discount: the single-use coupon pool of their percent was empty.");
  sample(out, "cobuy_offers_without_coupon_total", "", std::to_string(load(offers_without_code_)));
  if (coupon_codes_left) {
    header(out, "cobuy_coupon_codes_left", "gauge", "Single-use coupon codes not yet handed out, by pool (percent).");
    for (const auto& [pool, left] : *coupon_codes_left) {
      sample(out, "cobuy_coupon_codes_left", "pool=\"" + escape_label(pool) + "\"", std::to_string(left));
    }
  }
  header(out, "cobuy_fallbacks_total", "counter", "Recommendation and offer answers that fell back to popular items.");
  sample(out, "cobuy_fallbacks_total", "", std::to_string(load(fallbacks_)));
  header(out, "cobuy_reloads_total", "counter", "Model reloads (POST /v1/admin/reload, SIGHUP), by result.");
  sample(out, "cobuy_reloads_total", "result=\"ok\"", std::to_string(load(reloads_ok_)));
  sample(out, "cobuy_reloads_total", "result=\"failed\"", std::to_string(load(reloads_failed_)));
  header(out, "cobuy_http_rejected_total", "counter",
         "Connections the server answered or closed before any worker ran them, by reason.");
  for (std::size_t r = 0; r < http::kRejectionCount; ++r) {
    const auto why = static_cast<http::Rejection>(r);
    sample(out, "cobuy_http_rejected_total", std::string("reason=\"") + http::rejection_name(why) + "\"",
           std::to_string(load(rejections_[r])));
  }
  return out;
}

}  // namespace cobuy
