#pragma once
/// The offer policy: which offer sources each email context favours, the discount tier of each
/// customer segment, and the rules every offer list obeys. Loaded from a JSON file a shop can
/// edit (config/offer_policy.json holds the defaults, with comments).

#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/customer_profile.h"
#include "core/holdout.h"
#include "core/replenishment.h"
#include "core/time_util.h"

namespace cobuy {

/// The email an offer list is for.
enum class OfferContext { order_confirmation, shipping, delivered, review_request, replenishment, win_back };
inline constexpr std::size_t kOfferContexts = 6;
std::string_view offer_context_name(OfferContext c);
/// Throws Error(bad_request) listing the known names.
OfferContext parse_offer_context(std::string_view name);

/// What an offer is, as the email presents it.
enum class OfferKind { cross_sell, replenish, win_back, loyalty, popular, new_arrival };
std::string_view offer_kind_name(OfferKind k);

/// Where candidates come from; each context weighs them.
enum class OfferSource {
  order_complements,    ///< bought together with the items of this order (kind cross_sell)
  history_complements,  ///< bought together with the customer's past items (kind cross_sell)
  due,                  ///< the customer's items whose repurchase interval has passed (kind replenish)
  favourites,           ///< the customer's own frequent, recent items (kind loyalty)
  popular,              ///< the shop's popular items (kind popular)
};
inline constexpr std::size_t kOfferSources = 5;
std::string_view offer_source_name(OfferSource s);

/// How one context builds its list.
struct ContextPolicy {
  std::array<double, kOfferSources> weights{};  ///< by OfferSource; 0 = source not used
  /// When true, every offer not from `popular` has kind win_back (the win-back email).
  bool win_back = false;
  /// At least this many offers are items the customer never bought, when there are such candidates.
  std::uint32_t min_new = 0;
};

/// A segment's discount: `percent` off, valid for `valid_days` from the offer time (0 = none).
struct DiscountTier {
  double percent = 0;
  double valid_days = 0;
};

/// Rules every offer list obeys.
struct OfferRules {
  double substitute_cooling_off_days = 30;  ///< no substitute of an item bought this recently
  /// A request without an order follows the customer's latest order; its items are "just bought"
  /// (not offered unless due) when it is at most this many days before the email.
  double just_placed_days = 7;
  double reoffer_after_days = 14;           ///< an item offered to a customer is not offered again sooner
  std::uint32_t max_per_category = 2;       ///< offers of one category per list (0 = no cap); "" counts as none
  double min_price_ratio = 0;               ///< offers cost at least this x the order's mean unit price (0 = off)
  double max_price_ratio = 0;               ///< ... and at most this x (0 = off)
  std::vector<std::string> include_categories;  ///< only these categories (empty = all)
  std::vector<std::string> exclude_categories;  ///< never these
  bool in_stock_only = true;                ///< skip items the catalogue marks out of stock (unless
                                            ///< a request's filters.in_stock says otherwise)
};

/// Catalogue items with few orders of their own (new arrivals), offered by title and category
/// (core/new_arrivals.h) in a share of each list.
struct NewArrivalPolicy {
  /// At most floor(share x limit) places of a list are new arrivals (0 = none).
  double share = 0.2;
  /// An item is a new arrival while the training data holds fewer than this many orders of it.
  std::uint32_t min_orders = 5;
  std::vector<OfferContext> contexts;  ///< the emails that hold them (empty = all)
};

/// A merchandising rule: what a shop does to the ranked list on purpose (a campaign, a launch,
/// clearing stock), on top of the engine's ranking and never past the other rules.
enum class MerchAction {
  boost,  ///< multiplies the matching candidates' scores by `factor`
  pin,    ///< puts a matching item at `position` (1-based): each listed item, or the best
          ///< candidate (else the most popular item) of each listed category
  bury,   ///< ranks the matching candidates after every other offer, popular fill included
};

struct MerchRule {
  MerchAction action = MerchAction::boost;
  std::vector<std::string> items;       ///< item ids it applies to ...
  std::vector<std::string> categories;  ///< ... and categories (at least one of the two)
  std::vector<OfferContext> contexts;   ///< the emails it applies to (empty = all)
  Timestamp from = kNoTime;             ///< applies to emails sent at or after (kNoTime = always) ...
  Timestamp until = kNoTime;            ///< ... and before this time
  double factor = 2;                    ///< boost: score multiplier, in (0, 1000]
  std::uint32_t position = 1;           ///< pin: the place, 1 = first

  /// Whether the rule applies to an email of `context` sent at `at`.
  bool active(OfferContext context, Timestamp at) const;
  /// Whether it names `item` (by id or category).
  bool matches(const std::string& item_id, const std::string& category) const;
};

/// A file of single-use coupon codes (core/coupon_codes.h): the codes of the discounts of one
/// percent, or of every percent.
struct CouponPool {
  std::optional<double> percent;  ///< the discount its codes give; none = every percent
  /// The file, one code a line; load_offer_policy resolves a relative path against the policy
  /// file's directory.
  std::string path;
};

/// The whole policy.
struct OfferPolicy {
  std::uint32_t limit = 5;        ///< offers per list when the request gives no limit
  std::uint32_t max_limit = 50;   ///< the largest limit a request may ask
  std::array<ContextPolicy, kOfferContexts> contexts;  ///< by OfferContext
  std::array<DiscountTier, 5> discounts;               ///< by Segment
  std::vector<OfferKind> discount_kinds;               ///< kinds that carry the segment's discount
  double max_discount_percent = 30;                    ///< cap on any discount
  SegmentConfig segments;
  ReplenishmentConfig replenishment;
  OfferRules rules;
  NewArrivalPolicy new_arrivals;
  /// Currency of the catalogue's prices when an item has no "currency" field ("" = unknown).
  std::string currency;
  /// Coupon code of each discounted offer: a template of kCouponPlaceholders in braces, e.g.
  /// "SAVE{percent}-{offer_id}" ("" = no codes).
  std::string coupon_template;
  /// Single-use coupon codes: the pools of `"coupon_codes": {"10": "save10.txt", ...}` by percent
  /// (at most one a percent), or the one pool of `"coupon_codes": "codes.txt"` (every percent).
  /// A discounted offer whose percent has a pool gets the next code of it instead of the
  /// template's (see core/coupon_codes.h); empty = none.
  std::vector<CouponPool> coupon_codes;
  /// Boost, pin and bury rules, applied in this order of kind (every boost, then bury, then pins
  /// in the order given).
  std::vector<MerchRule> merchandising;
  /// The A/B holdout (share 0 = none): which customers get a baseline list instead of cobuy's.
  HoldoutPolicy holdout;
  /// An offer converts when its customer orders its item within this many days after the email
  /// (the attribution report, core/offer_stats.h).
  double attribution_days = 7;

  /// The defaults (config/offer_policy.json holds the same values).
  OfferPolicy();
};

/// The names a coupon template may hold in braces.
inline constexpr std::array<std::string_view, 4> kCouponPlaceholders = {"percent", "offer_id", "item_id", "customer_id"};

/// `tmpl` with each {name} replaced by value(name). Throws Error(bad_request) naming an unknown
/// placeholder or an unmatched brace.
std::string expand_coupon_template(std::string_view tmpl, const std::function<std::string(std::string_view)>& value);

/// A discount percent as a coupon shows it: "10", "12.5".
std::string format_percent(double percent);

/// JSON mapping; unknown keys and wrong types throw Error(bad_request) naming the key.
void to_json(nlohmann::json& j, const OfferPolicy& p);
OfferPolicy offer_policy_from_json(const nlohmann::json& j);
/// Reads a policy file (JSON; lines starting with // are comments), resolves its coupon_codes
/// paths against the file's directory and checks those files (check_coupon_files); throws Error
/// naming the file.
OfferPolicy load_offer_policy(const std::string& path);
/// Checks ranges; throws Error(bad_request) naming the field.
void validate(const OfferPolicy& p);

}  // namespace cobuy
