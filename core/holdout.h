#pragma once
/// The A/B holdout of the offers: a fixed share of customers, picked by a stable hash of their id
/// and a salt, gets a baseline list (the shop's popular items, or nothing) instead of cobuy's, so
/// that the attribution report (core/offer_stats.h) can compare the two arms.

#include <string>
#include <string_view>

namespace cobuy {

/// Which list a customer's emails carry.
enum class Arm { cobuy, holdout };
inline constexpr std::size_t kArms = 2;
/// "cobuy" or "holdout".
std::string_view arm_name(Arm a);
/// Throws Error(bad_request) naming `field` for another name.
Arm parse_arm(std::string_view field, std::string_view name);

/// What the holdout's emails show.
enum class HoldoutBaseline {
  popular,  ///< the shop's popular items, under the same rules as every list (kind popular)
  none,     ///< no offers block at all (the send is still logged, for the comparison)
};
std::string_view holdout_baseline_name(HoldoutBaseline b);

/// The policy's "holdout" object.
struct HoldoutPolicy {
  double share = 0;          ///< share of customers held out, in [0, 1); 0 = no holdout
  std::string salt;          ///< changing it reshuffles the arms (a new experiment)
  HoldoutBaseline baseline = HoldoutBaseline::popular;
};

/// A number in [0, 1) from the FNV-1a 64-bit hash of salt, a NUL byte and `customer_id`: the
/// same for the same pair on every build and machine, uniform over customers.
double holdout_draw(std::string_view salt, std::string_view customer_id);

/// The arm of `customer_id`: holdout when holdout_draw(salt, id) < share. An anonymous customer
/// ("") is always in the cobuy arm: there is no id to keep them in one arm across emails.
Arm assign_arm(const HoldoutPolicy& policy, std::string_view customer_id);

}  // namespace cobuy
