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

TEST(OfferPolicy, MerchandisingRulesReadBackAndBadOnesAreRefusedNamingTheRule) {
  const json j = {{"merchandising",
                   {{{"action", "pin"}, {"items", {"22697"}}, {"contexts", {"shipping"}}, {"position", 2},
                     {"from", "2024-12-01"}, {"until", "2024-12-25T00:00:00Z"}},
                    {{"action", "boost"}, {"categories", {"tea"}}, {"factor", 1.5}},
                    {{"action", "bury"}, {"categories", {"clearance"}}}}}};
  const auto p = offer_policy_from_json(j);
  ASSERT_EQ(p.merchandising.size(), 3u);
  const auto& pin = p.merchandising[0];
  EXPECT_EQ(pin.action, MerchAction::pin);
  EXPECT_EQ(pin.position, 2u);
  EXPECT_EQ(pin.contexts, std::vector<OfferContext>{OfferContext::shipping});
  EXPECT_TRUE(pin.active(OfferContext::shipping, *parse_timestamp("2024-12-24")));
  EXPECT_FALSE(pin.active(OfferContext::shipping, *parse_timestamp("2024-12-25")));
  EXPECT_FALSE(pin.active(OfferContext::shipping, *parse_timestamp("2024-11-30")));
  EXPECT_FALSE(pin.active(OfferContext::delivered, *parse_timestamp("2024-12-10")));
  EXPECT_TRUE(pin.matches("22697", ""));
  EXPECT_TRUE(p.merchandising[1].matches("x", "tea"));
  EXPECT_FALSE(p.merchandising[1].matches("x", ""));
  json back;
  to_json(back, p);
  EXPECT_EQ(offer_policy_from_json(back).merchandising.size(), 3u);
  json again;
  to_json(again, offer_policy_from_json(back));
  EXPECT_EQ(back, again);

  auto refused = [](json rule) { return error_of({{"merchandising", json::array({std::move(rule)})}}); };
  EXPECT_NE(refused({{"action", "promote"}, {"items", {"a"}}}).find("merchandising[0].action: unknown action 'promote'"),
            std::string::npos);
  EXPECT_NE(refused({{"items", {"a"}}}).find("'action' is missing"), std::string::npos);
  EXPECT_NE(refused({{"action", "pin"}}).find("merchandising[0] names no items and no categories"), std::string::npos);
  EXPECT_NE(refused({{"action", "pin"}, {"items", {"a"}}, {"position", 0}}).find("merchandising[0].position"),
            std::string::npos);
  EXPECT_NE(refused({{"action", "boost"}, {"items", {"a"}}, {"factor", -1}}).find("merchandising[0].factor"),
            std::string::npos);
  EXPECT_NE(refused({{"action", "bury"}, {"items", {"a"}}, {"factor", 2}}).find("'factor' is for boost rules"),
            std::string::npos);
  EXPECT_NE(refused({{"action", "pin"}, {"items", {"a"}}, {"from", "soon"}}).find("merchandising[0].from: 'soon'"),
            std::string::npos);
  EXPECT_NE(refused({{"action", "pin"}, {"items", {"a"}}, {"from", "2024-02-01"}, {"until", "2024-01-01"}})
                .find("'until' must be after 'from'"),
            std::string::npos);
  EXPECT_NE(refused({{"action", "pin"}, {"items", {"a"}}, {"contexts", {"birthday"}}}).find("merchandising[0].contexts"),
            std::string::npos);
  EXPECT_NE(refused({{"action", "pin"}, {"items", {"a"}}, {"colour", "red"}}).find("merchandising[0].colour"),
            std::string::npos);
  EXPECT_NE(error_of({{"merchandising", {{"action", "pin"}}}}).find("merchandising"), std::string::npos);
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

TEST(OfferPolicy, CouponCodePoolsParseByPercentAndBadKeysAreRefusedByName) {
  const OfferPolicy p = offer_policy_from_json({{"coupon_codes", {{"10", "save10.txt"}, {"12.5", "/abs/save.txt"}}}});
  ASSERT_EQ(p.coupon_codes.size(), 2u);
  EXPECT_EQ(p.coupon_codes[0].percent, 10.0);
  EXPECT_EQ(p.coupon_codes[0].path, "save10.txt");
  EXPECT_EQ(p.coupon_codes[1].percent, 12.5);
  json j, back;
  to_json(j, p);
  EXPECT_EQ(j["coupon_codes"], json({{"10", "save10.txt"}, {"12.5", "/abs/save.txt"}}));
  to_json(back, offer_policy_from_json(j));
  EXPECT_EQ(j, back);
  // One file for every percent.
  const OfferPolicy every = offer_policy_from_json({{"coupon_codes", "codes.txt"}});
  ASSERT_EQ(every.coupon_codes.size(), 1u);
  EXPECT_FALSE(every.coupon_codes[0].percent);
  to_json(j, every);
  EXPECT_EQ(j["coupon_codes"], "codes.txt");
  to_json(j, OfferPolicy{});
  EXPECT_EQ(j["coupon_codes"], json::object()) << "none by default";

  EXPECT_NE(error_of({{"coupon_codes", {{"ten", "a.txt"}}}}).find("key 'ten' is not a percent"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", {{"10%", "a.txt"}}}}).find("key '10%' is not a percent"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", {{"0", "a.txt"}}}}).find("key '0' is not a percent"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", {{"150", "a.txt"}}}}).find("key '150' is not a percent"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", {{"10", 5}}}}).find("coupon_codes.\"10\" must be the path"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", {{"10", ""}}}}).find("coupon_codes.\"10\": the path"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", {{"10", "a.txt"}, {"10.0", "b.txt"}}}}).find("given twice"), std::string::npos);
  EXPECT_NE(error_of({{"coupon_codes", 5}}).find("'coupon_codes' must be an object"), std::string::npos);
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
