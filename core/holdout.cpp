#include "core/holdout.h"

#include "core/error.h"
#include "core/fnv.h"

namespace cobuy {

std::string_view arm_name(Arm a) { return a == Arm::cobuy ? "cobuy" : "holdout"; }

Arm parse_arm(std::string_view field, std::string_view name) {
  if (name == "cobuy") return Arm::cobuy;
  if (name == "holdout") return Arm::holdout;
  COBUY_FAIL(ErrorCode::bad_request, field << " must be \"cobuy\" or \"holdout\", got '" << name << "'");
}

std::string_view holdout_baseline_name(HoldoutBaseline b) { return b == HoldoutBaseline::popular ? "popular" : "none"; }

double holdout_draw(std::string_view salt, std::string_view customer_id) {
  const char nul = '\0';
  std::uint64_t h = fnv1a(kFnvOffsetBasis, salt.data(), salt.size());
  h = fnv1a(h, &nul, 1);
  h = fnv1a(h, customer_id.data(), customer_id.size());
  // FNV-1a's low bits mix poorly for short inputs: finish with a 64-bit avalanche (splitmix64's)
  // before taking the top 53 bits.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

Arm assign_arm(const HoldoutPolicy& policy, std::string_view customer_id) {
  if (policy.share <= 0 || customer_id.empty()) return Arm::cobuy;
  return holdout_draw(policy.salt, customer_id) < policy.share ? Arm::holdout : Arm::cobuy;
}

}  // namespace cobuy
