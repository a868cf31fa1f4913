#pragma once
/// The handlers of POST /v1/offers and POST /v1/orders, apart from HTTP: a parsed JSON body in,
/// a status and JSON body out. The business rules are core's (OfferEngine); this file joins the
/// engine with the order log.

#include <cstdint>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/offers.h"
#include "core/time_util.h"

namespace cobuy {

class OrderStore;

/// What an offers request needs from the order log (`store` may be null: no log): the
/// customer's logged orders the model does not hold (model_holds_order: by order id, whatever
/// their time), and their earlier offers; for an erased customer only `erased`.
CustomerLog customer_log(const OrderStore* store, const Model& model, const std::string& customer_id);

/// Checks the times of an offers request seen at `now`: order.timestamp must lie in
/// order_time_range (1990 up to `max_clock_skew` seconds ahead of the clock), `at` in
/// moment_time_range (the same plus a year ahead, for planned campaigns). Throws
/// Error(bad_request) naming the field.
void check_offer_times(const OfferRequest& request, Timestamp now, Timestamp max_clock_skew);

/// What answer_offers did beside its answer, for the server's metrics.
struct OffersAnswerCounts {
  /// Discounted offers that went out without their discount: the single-use pool of their
  /// percent had no code left.
  std::uint64_t offers_without_code = 0;
};

/// POST /v1/offers: the offers for `body` (an offers request, see api/http/offer_codec.h). With a
/// store, the offers shown are logged for the re-offer rule, unless the body says "preview": true.
/// With a "send_id" (the email's id) the answer is stored under it, and every later request with
/// that id gets the stored answer, preview or not, without logging anything again; a preview
/// with a new send id stores nothing. Single-use coupon codes (the policy's coupon_codes): an
/// answer that is logged claims a code from the store for each discounted offer whose percent has
/// a pool (an offer whose pool has run dry loses its discount, counted in `counts`); the stored
/// answer of a send keeps its codes, and a request that loses a race on its send id puts the codes
/// it claimed back. A preview claims nothing and shows kPreviewCouponCode instead. Throws
/// Error(bad_request) naming the field for a bad request (times: check_offer_times), for "record"
/// (replaced by "preview"), and for a send id answered for another customer or context;
/// Error(unavailable) for a send id without a store, and for an answer that would need single-use
/// codes without a store. An erased customer is answered as one the model does not know, and
/// nothing is logged or stored for them (codes they get are claimed naming nobody).
nlohmann::json answer_offers(const OfferEngine& engine, OrderStore* store, const nlohmann::json& body,
                             Timestamp max_clock_skew = kDefaultMaxClockSkew, OffersAnswerCounts* counts = nullptr);

/// Readies the policy's single-use coupon codes (coupon_codes) for a server: checks that there is
/// an order log (Error(bad_request) saying that --orders-db is needed) and imports the policy's
/// files into it (import_coupon_pools; codes appended to a file since the last import join its
/// pool), logging what each pool gained and has left. Does nothing for a policy without them.
/// `cobuy serve` calls it at start and on every reload.
void import_policy_coupons(OrderStore* store, const OfferPolicy& policy);

/// POST /v1/orders: records the order of `body` durably; 201 with {"order_id", "status":
/// "recorded"}, or 200 with status "duplicate" for an identical order already recorded. Throws
/// Error(unavailable) without a store, Error(bad_request) for a malformed or conflicting order,
/// or one whose timestamp is before 1990 or more than `max_clock_skew` seconds ahead of the clock.
std::pair<int, nlohmann::json> answer_order(OrderStore* store, const nlohmann::json& body,
                                            Timestamp max_clock_skew = kDefaultMaxClockSkew);

}  // namespace cobuy
