#pragma once
/// Coupon codes of discounted offers: the policy's template (`coupon_template`) or its files of
/// single-use codes (`coupon_codes`, one pool per discount percent). A discounted offer whose
/// percent has a pool waits for the next code of that pool; the order log hands each code out
/// once (api/store/order_store.h, claim_coupon_codes), and an offer whose pool has run dry goes
/// out without its discount. Other discounted offers get the template's code, if any.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/offer_policy.h"
#include "core/offers.h"

namespace cobuy {

/// The code an offer shows in a preview (POST /v1/offers with "preview": true) where a real one
/// would come from a pool: plainly not a code, so that an email template can be tried with it
/// and no code is used up.
inline constexpr std::string_view kPreviewCouponCode = "PREVIEW";

/// The longest code a file may hold, in bytes.
inline constexpr std::size_t kMaxCouponCodeBytes = 256;

/// A pool's name in the order log: its percent as a coupon shows it ("10", "12.5"), or "any"
/// for the pool of every percent.
std::string coupon_pool_name(const CouponPool& pool);

/// The pool as the policy names it, for messages: `coupon_codes."10"`, or `coupon_codes`.
std::string coupon_pool_field(const CouponPool& pool);

/// The pool whose codes a discount of `percent` takes: the pool of that percent, else the pool
/// of every percent; null = none.
const CouponPool* coupon_pool_for(const std::vector<CouponPool>& pools, double percent);

/// Gives the discounted offer `o` (discount_percent > 0, offer_id set) its code: with a pool for
/// its percent, names the pool in `o.coupon_pool` (the code is claimed later, see
/// settle_coupon_codes); else the policy's coupon_template filled in ("" without one).
void assign_coupon(Offer& o, const OfferPolicy& policy, std::string_view item_id, std::string_view customer_id);

/// Positions in `offers` of the offers waiting for a single-use code (a pool named, no code yet),
/// in list order.
std::vector<std::size_t> offers_awaiting_codes(const std::vector<Offer>& offers);

/// Gives `offers[waiting[k]]` the code `codes[k]` (waiting.size() == codes.size()). An offer
/// whose pool had no code left (nullopt) goes out without its discount: no discount_percent,
/// valid_until, discounted_price or coupon code, rather than a discount nobody can redeem.
/// Returns how many offers lost their discount so.
std::size_t settle_coupon_codes(std::vector<Offer>& offers, const std::vector<std::size_t>& waiting,
                                const std::vector<std::optional<std::string>>& codes);

/// Gives every offer waiting for a single-use code kPreviewCouponCode (nothing is claimed).
void preview_coupon_codes(std::vector<Offer>& offers);

/// The codes of `pool`'s file in file order: one code a line, surrounding spaces, tabs and a CR
/// trimmed, blank lines and lines starting with '#' skipped. Throws Error(io) when the file
/// cannot be read; Error(bad_request) for a code listed twice (naming both lines), a code over
/// kMaxCouponCodeBytes or holding a control character (naming the line), and a file without
/// codes. Every message names the pool (coupon_pool_field) and the file.
std::vector<std::string> read_coupon_codes(const CouponPool& pool);

/// Reads every pool's file (read_coupon_codes) and refuses, with Error(bad_request) naming both
/// pools, a code listed in two of them (the order log hands a code out once, whichever pool).
void check_coupon_files(const std::vector<CouponPool>& pools);

/// Makes each relative path of `pools` relative to `dir` instead (the policy file's directory).
void resolve_coupon_paths(std::vector<CouponPool>& pools, const std::string& dir);

/// Parses the policy's "coupon_codes": an object of percent -> file (keys such as "10" or "12.5",
/// in (0, 100]) or one file for every percent. Throws Error(bad_request) naming the key.
std::vector<CouponPool> coupon_pools_from_json(const nlohmann::json& j);

/// "coupon_codes" as coupon_pools_from_json reads it: {} for none.
nlohmann::json coupon_pools_json(const std::vector<CouponPool>& pools);

/// Checks `pools`: each percent in (0, 100] and given once, the pool of every percent alone,
/// every path non-empty. Throws Error(bad_request) naming the pool.
void validate_coupon_pools(const std::vector<CouponPool>& pools);

}  // namespace cobuy
