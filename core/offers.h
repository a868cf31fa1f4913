#pragma once
/// Tailored post-purchase offers: for one customer after one order, in one email context, a short
/// ranked list that obeys the offer policy's rules. Shared by POST /v1/offers and `cobuy offers`.

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/customer_profile.h"
#include "core/model.h"
#include "core/new_arrivals.h"
#include "core/offer_policy.h"
#include "core/placed_order.h"
#include "core/recommender.h"
#include "core/replenishment.h"

namespace cobuy {

/// One offers request (the DESIGN "Offers" contract).
struct OfferRequest {
  std::string customer_id;           ///< "" = anonymous: no history, segment new
  std::optional<PlacedOrder> order;  ///< the order just placed; none = the customer's latest order
  OfferContext context = OfferContext::order_confirmation;
  std::optional<Timestamp> at;       ///< when the email is sent; default: see OfferEngine::offers
  std::uint32_t limit = 0;           ///< 0 = the policy's limit
  Filters filters;                   ///< the request's own filters, on top of the policy's rules
  std::vector<std::string> exclude;  ///< item ids never to offer
};

/// What the order log knows of a customer beyond the model.
struct CustomerLog {
  std::vector<PlacedOrder> orders;                               ///< orders recorded since training
  std::vector<std::pair<std::string, Timestamp>> offered;        ///< (item id, offered at) of earlier offers
  /// The customer was erased on request: the model's history of them (kept until it is retrained)
  /// is not used, and they are answered as a customer the model does not know.
  bool erased = false;
};

/// One offer.
struct Offer {
  ItemIndex item = 0;
  float score = 0;
  OfferKind kind = OfferKind::popular;
  Relation relation = Relation::popular;
  /// anchor item id (cross_sell; new_arrival: the closest item bought), "due" (replenish),
  /// "history", or "popular"
  std::string reason;
  double interval_days = 0;  ///< replenish: the item's usual repurchase interval
  double days_since = 0;     ///< replenish: days since the customer last bought it
  double discount_percent = 0;
  Timestamp valid_until = kNoTime;  ///< kNoTime = no discount, no expiry
  /// With a discount and a known price: the price after it, rounded to cents; NaN otherwise.
  double discounted_price = std::numeric_limits<double>::quiet_NaN();
  std::string currency;      ///< the item's "currency" field, else the policy's; "" = unknown
  /// With a discount: its code, from the percent's single-use pool or the policy's coupon
  /// template (core/coupon_codes.h); "" = none.
  std::string coupon_code;
  /// With a discount whose percent has a single-use pool: the pool's name (coupon_pool_name),
  /// from which the code is claimed after the list is made; "" = none.
  std::string coupon_pool;
  std::string offer_id;      ///< stable id for attribution (same inputs, same id)
};

/// The answer to one OfferRequest.
struct OfferResult {
  std::string customer_id;
  OfferContext context = OfferContext::order_confirmation;
  Timestamp at = kNoTime;
  Segment segment = Segment::new_customer;
  bool unknown_customer = false;           ///< a customer id was given that neither model nor log knows
  std::vector<std::string> unknown_items;  ///< order items the model does not know
  bool fallback = false;                   ///< the list holds popular items (kind popular)
  Arm arm = Arm::cobuy;                    ///< the customer's arm of the policy's holdout
  std::vector<Offer> offers;               ///< what the email shows (the holdout: the baseline)
  /// Holdout only: what cobuy would have offered, for the attribution report; never shown.
  std::vector<Offer> counterfactual;
};

/// Offer logic over one model snapshot and one policy: the shop's segment thresholds and
/// replenishment intervals are derived once here. Immutable after construction, so one engine
/// serves many threads.
class OfferEngine {
 public:
  /// Throws Error(bad_request) if the policy is invalid. `complements` is the model's embedding
  /// search (index/complement_search.h), which the next-order engine asks for a customer's new
  /// items; empty = without it.
  OfferEngine(std::shared_ptr<const Model> model, OfferPolicy policy, ComplementSearch complements = {});

  /// The offers for `request`, given what the log knows of the customer. `at` defaults to the
  /// order's timestamp, else the latest of the model's last order and the customer's. A customer
  /// the policy's holdout takes gets its baseline (popular items under the same rules, or none),
  /// with cobuy's own list in `counterfactual`. Throws Error(bad_request) for a bad request (limit
  /// out of range, malformed order).
  OfferResult offers(const OfferRequest& request, const CustomerLog& log) const;

  const Model& model() const { return *model_; }
  const OfferPolicy& policy() const { return policy_; }
  const SegmentThresholds& thresholds() const { return thresholds_; }
  const ReplenishmentTable& replenishment() const { return replenishment_; }
  const ComplementSearch& complements() const { return complements_; }
  /// The model's new arrivals under the policy's new_arrivals.min_orders.
  const NewArrivals& new_arrivals() const { return new_arrivals_; }

 private:
  /// The ranked list for `request` with the sources and weights of `ctx`.
  OfferResult ranked_offers(const OfferRequest& request, const CustomerLog& log, const ContextPolicy& ctx) const;

  std::shared_ptr<const Model> model_;
  OfferPolicy policy_;
  SegmentThresholds thresholds_;
  ReplenishmentTable replenishment_;
  ComplementSearch complements_;
  NewArrivals new_arrivals_;
};

/// How many offers scratch buffers exist (a pool shared by every engine): at most as many as
/// offers() calls ever ran at once, whichever threads made them.
std::size_t offer_scratch_buffers();

}  // namespace cobuy
