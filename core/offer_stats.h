#pragma once
/// The attribution report: did the offers work? From the logged sends (with the arm of the A/B
/// holdout and, for holdout sends, what cobuy would have offered), their events and the orders
/// that followed, per arm and by context, kind and segment: sends, offers, opens, clicks,
/// conversions, conversion rate and attributed revenue with 95% intervals, and cobuy's uplift
/// over the holdout. Shared by GET /v1/stats/offers and `cobuy report`.
///
/// Attribution (last touch): an order line of item I by customer C at time T is attributed to the
/// latest send to C before T (send time < T <= send time + attribution_days) whose cobuy list
/// holds I; that offer converts, with the line's price x quantity as its revenue. The cobuy list
/// is what the email showed in the cobuy arm and what cobuy would have shown (never shown) in the
/// holdout, so both arms are measured on the same kind of items: the uplift is what showing
/// cobuy's offers changed. Cancelled orders and returned quantities are not counted (the order
/// log's live orders). Each order line counts once.

#include <cstdint>
#include <string>
#include <vector>

#include "core/bootstrap.h"
#include "core/holdout.h"
#include "core/offer_events.h"
#include "core/placed_order.h"
#include "core/time_util.h"

#include <nlohmann/json_fwd.hpp>

namespace cobuy {

/// One offer of a send's cobuy list.
struct OfferedItem {
  std::string offer_id;
  std::string item_id;
  std::string kind;  ///< "cross_sell", "replenish", ...
};

/// One logged send.
struct SendRecord {
  std::string send_id;
  std::string customer_id;  ///< "" = anonymous: nothing can be attributed
  std::string context;      ///< e.g. "delivered"
  std::string segment;      ///< the customer's segment at the send
  Timestamp at = kNoTime;
  Arm arm = Arm::cobuy;
  std::vector<OfferedItem> offers;  ///< cobuy's list: shown (cobuy arm) or counterfactual (holdout)
};

/// (Interval, from core/bootstrap.h: a mean and its 95% interval.)
/// The figures of one arm (or of one group of its sends).
struct ArmStats {
  std::uint64_t sends = 0;
  std::uint64_t offers = 0;       ///< offers of the cobuy lists
  std::uint64_t opens = 0;        ///< sends with an `opened` event
  std::uint64_t clicks = 0;       ///< offers with a `clicked` event
  std::uint64_t conversions = 0;  ///< offers with an attributed order line
  std::uint64_t converted_sends = 0;  ///< sends with at least one conversion
  Interval conversion_rate;       ///< converted_sends / sends, Wilson interval
  double revenue = 0;             ///< attributed revenue, in the catalogue's currency
  Interval revenue_per_send;      ///< revenue / sends; normal interval, customers as clusters
};

/// Both arms of one group.
struct GroupStats {
  std::string name;  ///< the context, kind or segment
  ArmStats cobuy, holdout;
};

/// The whole report.
struct OfferStats {
  double attribution_days = 7;
  Timestamp from = kNoTime, until = kNoTime;  ///< the sends' time range, [from, until)
  ArmStats cobuy, holdout;
  Interval uplift_conversion_rate;   ///< cobuy - holdout, in conversion rate (a share)
  Interval uplift_revenue_per_send;  ///< cobuy - holdout, in revenue per send
  std::vector<GroupStats> by_context, by_kind, by_segment;  ///< by name
};

/// Wilson's 95% interval for `k` successes out of `n` (n = 0: all zero).
Interval wilson_interval(std::uint64_t k, std::uint64_t n);

/// The report over `sends` (times within [from, until)), their `events` and the customers'
/// live `orders`. Throws Error(bad_request) for attribution_days <= 0.
OfferStats compute_offer_stats(const std::vector<SendRecord>& sends, const std::vector<OfferEvent>& events,
                               const std::vector<PlacedOrder>& orders, double attribution_days, Timestamp from,
                               Timestamp until);

/// The JSON shape of GET /v1/stats/offers (docs/API.md): {"attribution_days", "from", "until",
/// "arms": {"cobuy", "holdout"}, "uplift": {"conversion_rate", "revenue_per_send"}, "by_context",
/// "by_kind", "by_segment"}.
void to_json(nlohmann::json& j, const OfferStats& s);
void to_json(nlohmann::json& j, const ArmStats& s);

}  // namespace cobuy
