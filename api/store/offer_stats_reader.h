#pragma once
/// The attribution report (core/offer_stats.h) over an order log: its sends, their events and
/// the live orders that followed. Shared by GET /v1/stats/offers and `cobuy report`.

#include "api/store/order_store.h"
#include "core/offer_stats.h"

namespace cobuy {

/// A logged send as the report reads it: customer, context, segment and arm from its stored
/// answer, and its cobuy list (the answer's offers, or a holdout send's counterfactual offers).
/// Sends logged before the holdout existed read as the cobuy arm. Throws Error(bad_data) naming
/// the send for an answer that is not an offers answer.
SendRecord send_record(const OrderStore::Send& send);

/// The report over the sends of `store` whose time is in [from, until) (Unix seconds), with
/// orders up to `attribution_days` after `until`.
OfferStats read_offer_stats(const OrderStore& store, double attribution_days, Timestamp from, Timestamp until);
/// The same with the store's orders already read (`store.all_orders()`), for a caller that needs
/// them for more than this report.
OfferStats read_offer_stats(const OrderStore& store, std::vector<PlacedOrder> orders, double attribution_days,
                            Timestamp from, Timestamp until);

}  // namespace cobuy
