// The A/B holdout's assignment: stable, at the policy's share, reshuffled by a new salt, never
// holding out an anonymous customer; and the policy's holdout fields, validated by name.
#include "core/holdout.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/offer_policy.h"

namespace cobuy {
namespace {

TEST(Holdout, AssignmentIsStableAndAtTheShare) {
  const HoldoutPolicy p{0.1, "2026-q4", HoldoutBaseline::popular};
  int held = 0;
  for (int k = 0; k < 10000; ++k) {
    const std::string id = "customer-" + std::to_string(k);
    const Arm arm = assign_arm(p, id);
    EXPECT_EQ(assign_arm(p, id), arm);
    if (arm == Arm::holdout) ++held;
  }
  // Binomial(10000, 0.1): sd 30; 4 sd either side.
  EXPECT_NEAR(held, 1000, 120);
  // The draw is a fixed function of salt and id (FNV-1a 64 and a finaliser), the same on every build.
  EXPECT_DOUBLE_EQ(holdout_draw("2026-q4", "customer-1"), holdout_draw("2026-q4", "customer-1"));
  EXPECT_NE(holdout_draw("2026-q4", "customer-1"), holdout_draw("2026-q5", "customer-1"));
  EXPECT_NE(holdout_draw("a", "bc"), holdout_draw("ab", "c")) << "salt and id are kept apart";
}

TEST(Holdout, ANewSaltReshufflesTheArms) {
  const HoldoutPolicy a{0.5, "one", HoldoutBaseline::none}, b{0.5, "two", HoldoutBaseline::none};
  int same = 0;
  for (int k = 0; k < 4000; ++k) {
    const std::string id = std::to_string(k);
    if (assign_arm(a, id) == assign_arm(b, id)) ++same;
  }
  EXPECT_NEAR(same, 2000, 160) << "independent arms agree half the time";
}

TEST(Holdout, NoShareOrNoIdMeansTheCobuyArm) {
  EXPECT_EQ(assign_arm(HoldoutPolicy{}, "c1"), Arm::cobuy);
  EXPECT_EQ(assign_arm(HoldoutPolicy{0.99, "s", HoldoutBaseline::popular}, ""), Arm::cobuy);
  EXPECT_EQ(arm_name(Arm::holdout), "holdout");
  EXPECT_EQ(parse_arm("arm", "cobuy"), Arm::cobuy);
  EXPECT_THROW(parse_arm("arm", "control"), Error);
}

/// The message of the error that parsing `policy` throws.
std::string policy_error(const std::string& policy) {
  try {
    offer_policy_from_json(nlohmann::json::parse(policy));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Holdout, ThePolicyReadsAndChecksTheHoldoutFields) {
  const OfferPolicy p = offer_policy_from_json(
      nlohmann::json::parse(R"({"holdout": {"share": 0.1, "salt": "q4", "baseline": "none"}, "attribution_days": 3})"));
  EXPECT_DOUBLE_EQ(p.holdout.share, 0.1);
  EXPECT_EQ(p.holdout.salt, "q4");
  EXPECT_EQ(p.holdout.baseline, HoldoutBaseline::none);
  EXPECT_DOUBLE_EQ(p.attribution_days, 3);
  EXPECT_EQ(OfferPolicy().holdout.share, 0) << "no holdout unless asked";
  EXPECT_DOUBLE_EQ(OfferPolicy().attribution_days, 7);
  EXPECT_NE(policy_error(R"({"holdout": {"share": 1}})").find("holdout.share"), std::string::npos);
  EXPECT_NE(policy_error(R"({"holdout": {"share": -0.1}})").find("holdout.share"), std::string::npos);
  EXPECT_NE(policy_error(R"({"holdout": {"baseline": "random"}})").find("holdout.baseline"), std::string::npos);
  EXPECT_NE(policy_error(R"({"holdout": {"shares": 0.1}})").find("shares"), std::string::npos);
  EXPECT_NE(policy_error(R"({"attribution_days": 0})").find("attribution_days"), std::string::npos);
  // The JSON round trip keeps the fields.
  nlohmann::json j;
  to_json(j, p);
  const OfferPolicy back = offer_policy_from_json(j);
  EXPECT_EQ(back.holdout.salt, "q4");
  EXPECT_EQ(back.holdout.baseline, HoldoutBaseline::none);
}

}  // namespace
}  // namespace cobuy
