// The offer policy file: the shipped file equals the defaults, and bad policies are refused
// with the field named.

#include "core/offer_policy.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  try {
    offer_policy_from_json(j);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OfferPolicy, ShippedFileEqualsTheDefaults) {
  const std::string path = std::string(COBUY_BUNDLED_DATASETS) + "/../config/offer_policy.json";
  json shipped, defaults;
  to_json(shipped, load_offer_policy(path));
  to_json(defaults, OfferPolicy{});
  EXPECT_EQ(shipped, defaults) << "edit config/offer_policy.json to match the defaults in core/offer_policy.cpp";
}

TEST(OfferPolicy, RoundTripsThroughJson) {
  OfferPolicy p;
  p.limit = 7;
  p.segments.lapsed_days = 200;
  p.rules.include_categories = {"a", "b"};
  p.discount_kinds = {OfferKind::win_back};
  json j, back;
  to_json(j, p);
  to_json(back, offer_policy_from_json(j));
  EXPECT_EQ(j, back);
  EXPECT_EQ(offer_policy_from_json(j).segments.lapsed_days, 200.0);
}

TEST(OfferPolicy, BadPoliciesAreRefusedNamingTheField) {
  EXPECT_NE(error_of({{"limitt", 5}}).find("limitt"), std::string::npos);
  EXPECT_NE(error_of({{"rules", {{"max_per_category", -1}}}}).find("rules.max_per_category"), std::string::npos);
  EXPECT_NE(error_of({{"contexts", {{"shipping", {{"sources", {{"dew", 1}}}}}}}}).find("dew"), std::string::npos);
  EXPECT_NE(error_of({{"contexts", {{"nope", {}}}}}).find("nope"), std::string::npos);
  EXPECT_NE(error_of({{"discounts", {{"loyal", {{"percent", 150}}}}}}).find("discounts.loyal.percent"), std::string::npos);
  EXPECT_NE(error_of({{"discount_kinds", {"coupon"}}}).find("coupon"), std::string::npos);
  EXPECT_NE(error_of({{"segments", {{"at_risk_days", 100}, {"lapsed_days", 50}}}}).find("lapsed_days"),
            std::string::npos);
  EXPECT_NE(error_of({{"limit", 0}}).find("limit"), std::string::npos);
  const json all_zero = {{"contexts", {{"win_back", {{"sources", {{"history_complements", 0}, {"due", 0}, {"favourites", 0}, {"popular", 0}}}}}}}};
  EXPECT_NE(error_of(all_zero).find("contexts.win_back"), std::string::npos);
  EXPECT_THROW(load_offer_policy("/no/such/policy.json"), Error);
  EXPECT_NE(error_of({{"coupon_template", "SAVE{pct}"}}).find("unknown placeholder {pct}"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_template", "SAVE{percent"}}).find("'{' without a '}'"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_template", "SAVE}"}}).find("'}' without a '{'"), std::string::npos);
  EXPECT_NE(error_of({{"currency", 5}}).find("currency"), std::string::npos);
  EXPECT_NE(error_of({{"currency", std::string(17, 'X')}}).find("currency"), std::string::npos);
}

TEST(OfferPolicy, CouponTemplatesFillEveryPlaceholder) {
  const auto filled = expand_coupon_template("A{percent}-{offer_id}-{item_id}-{customer_id}{percent}",
                                             [](std::string_view name) { return "<" + std::string(name) + ">"; });
  EXPECT_EQ(filled, "A<percent>-<offer_id>-<item_id>-<customer_id><percent>");
  EXPECT_EQ(expand_coupon_template("", [](std::string_view) { return std::string("x"); }), "");
  EXPECT_EQ(format_percent(10), "10");
  EXPECT_EQ(format_percent(12.5), "12.5");
  EXPECT_EQ(offer_policy_from_json({{"coupon_template", "SAVE{percent}-{offer_id}"}, {"currency", "GBP"}}).currency, "GBP");
}

TEST(OfferPolicy, ContextNamesParseAndUnknownOnesAreListed) {
  EXPECT_EQ(parse_offer_context("review_request"), OfferContext::review_request);
  try {
    parse_offer_context("birthday");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("order_confirmation"), std::string::npos);
  }
}

}  // namespace
}  // namespace cobuy
