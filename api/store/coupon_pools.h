#pragma once
/// The policy's single-use coupon codes in the order log: importing the policy's files into the
/// log's pools, and claiming the codes an offer list waits for. Shared by `cobuy serve`
/// (api/http) and `cobuy offers` (api/cli), so both hand out codes from one log the same way.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/store/order_store.h"
#include "core/offer_policy.h"
#include "core/offers.h"

namespace cobuy {

/// Why a policy with coupon_codes needs an order log, for the error of a command or server
/// started without one; `flag` is the option that names the log ("--orders-db").
std::string coupon_codes_need_a_log(const std::string& flag);

/// Reads each pool's file of `policy` (read_coupon_codes) and imports it into the log
/// (OrderStore::import_coupon_codes: codes already there are left as they are). Returns (pool
/// name, codes new to the log) per pool, in the policy's order. Throws as those two do; pools
/// imported before a failing one stay imported.
std::vector<std::pair<std::string, std::uint64_t>> import_coupon_pools(OrderStore& store, const OfferPolicy& policy);

/// What claim_coupons did.
struct CouponClaims {
  std::vector<std::string> codes;  ///< the codes claimed, to release them if the lists are not sent
  std::size_t without_code = 0;    ///< offers that lost their discount: their pool had run dry
};

/// One offer list whose codes are claimed: its offers (not owned) and the customer they go to
/// ("" = anonymous, or nobody to be named).
struct CouponList {
  std::vector<Offer>* offers = nullptr;
  std::string customer_id;
};

/// Claims, in one transaction under `send_id` ("" = none), a code for each offer of `lists` that
/// waits for one (offers_awaiting_codes), and gives it to the offer (settle_coupon_codes): an
/// offer whose pool has run dry goes out without its discount. Throws as
/// OrderStore::claim_coupon_codes, and then no offer has changed.
CouponClaims claim_coupons(OrderStore& store, const std::vector<CouponList>& lists, std::string_view send_id);

}  // namespace cobuy
