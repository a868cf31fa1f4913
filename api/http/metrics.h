#pragma once
/// The server's Prometheus metrics: request counters and latency histograms per route, business
/// counters (orders recorded, fallback answers, reloads, offers whose coupon pool ran dry) and the
/// single-use coupon codes left, rendered as text exposition 0.0.4.
/// Counters are relaxed atomics in fixed arrays indexed by route and status: no lock and no map
/// lookup on the request path.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/request_head.h"
#include "api/http/routes.h"

namespace cobuy {

/// What the metrics say about the live model; absent when none is loaded.
struct ModelGauges {
  std::string version;
  std::optional<double> age_seconds;  ///< now - the model's created_at; absent if unparsable
};

/// Thread-safe counters of one server; every method may be called from any thread.
class Metrics {
 public:
  /// Upper bounds of the latency histogram buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 11> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0};

  /// Counts one answered request: its route, HTTP status and duration in seconds.
  void record_request(RouteId route, int status, double seconds);
  /// An answer with "fallback": true (recommendations or offers).
  void add_fallback() { fallbacks_.fetch_add(1, std::memory_order_relaxed); }
  /// An order newly recorded in the order log (not a duplicate).
  void add_order_recorded() { orders_recorded_.fetch_add(1, std::memory_order_relaxed); }
  /// Discounted offers sent without their discount: their single-use coupon pool had run dry.
  void add_offers_without_code(std::uint64_t n) { offers_without_code_.fetch_add(n, std::memory_order_relaxed); }
  /// A model reload, successful or not.
  void add_reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }

  /// A connection the connection loop answered or closed itself (503 busy, 408, 413, 414, 431).
  void add_rejection(http::Rejection why) {
    rejections_[static_cast<std::size_t>(why)].fetch_add(1, std::memory_order_relaxed);
  }

  /// The whole exposition (text/plain; version=0.0.4); `model` null = no model loaded.
  /// `coupon_codes_left`: (pool name, codes never claimed) of each single-use coupon pool of the
  /// policy; null = no pools (or the order log could not say).
  std::string exposition(const ModelGauges* model,
                         const std::vector<std::pair<std::string, std::uint64_t>>* coupon_codes_left = nullptr) const;

 private:
  /// Statuses with their own label value; any other is counted under status="other".
  static constexpr std::array<int, 16> kStatuses = {200, 201, 204, 400, 401, 403, 404, 405,
                                                    413, 414, 415, 422, 429, 500, 503, 504};
  static constexpr std::size_t kStatusSlots = kStatuses.size() + 1;
  static constexpr std::size_t kBucketSlots = kBuckets.size() + 1;

  using Counter = std::atomic<std::uint64_t>;
  std::array<std::array<Counter, kStatusSlots>, kRouteCount> requests_{};
  std::array<std::array<Counter, kBucketSlots>, kRouteCount> buckets_{};  ///< not cumulative
  std::array<Counter, kRouteCount> duration_nanos_{};
  Counter fallbacks_{0};
  Counter orders_recorded_{0};
  Counter offers_without_code_{0};
  Counter reloads_ok_{0};
  Counter reloads_failed_{0};
  std::array<Counter, http::kRejectionCount> rejections_{};
};

}  // namespace cobuy
