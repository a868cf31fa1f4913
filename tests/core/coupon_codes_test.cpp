// Single-use coupon codes in core: the policy's files read relative to the policy file and
// checked when it loads (comments, blanks, duplicates, empty and missing files, a code in two
// pools), which pool a discount takes, and what an offer shows with a code, with a preview's
// placeholder and without a code (no discount at all).
#include "core/coupon_codes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "support/expect_in.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

class CouponFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cobuy-coupons-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
  /// load_offer_policy's message for a policy `json`, or "" when it loads.
  std::string load_error(const std::string& json, ErrorCode* code = nullptr) const {
    write("policy.json", json);
    try {
      load_offer_policy((dir_ / "policy.json").string());
    } catch (const Error& e) {
      if (code) *code = e.code();
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

using testing::expect_in;

TEST_F(CouponFiles, AreReadRelativeToThePolicyFileSkippingCommentsAndBlankLines) {
  write("save10.txt", "# codes of the spring campaign\n\n  A1 \r\nA2\t\n   # indented comment\nB 3\n");
  write("policy.json", R"({"coupon_codes": {"10": "save10.txt"}, "coupon_template": "T{percent}"})");
  const OfferPolicy p = load_offer_policy((dir_ / "policy.json").string());
  ASSERT_EQ(p.coupon_codes.size(), 1u);
  EXPECT_EQ(p.coupon_codes[0].path, (dir_ / "save10.txt").string());
  EXPECT_EQ(read_coupon_codes(p.coupon_codes[0]), (std::vector<std::string>{"A1", "A2", "B 3"}));
  EXPECT_EQ(p.coupon_template, "T{percent}") << "both may be given";
}

TEST_F(CouponFiles, BadFilesAreRefusedNamingTheKeyTheFileAndTheLine) {
  ErrorCode code = ErrorCode::internal;
  std::string e = load_error(R"({"coupon_codes": {"15": "missing.txt"}})", &code);
  expect_in(e, "coupon_codes.\"15\"");
  expect_in(e, (dir_ / "missing.txt").string());
  EXPECT_EQ(code, ErrorCode::io);

  write("empty.txt", "# nothing yet\n\n");
  e = load_error(R"({"coupon_codes": {"15": "empty.txt"}})", &code);
  expect_in(e, "coupon_codes.\"15\": the file " + (dir_ / "empty.txt").string() + " holds no codes");
  EXPECT_EQ(code, ErrorCode::bad_request);

  write("twice.txt", "A1\nA2\n\nA1\n");
  e = load_error(R"({"coupon_codes": "twice.txt"})");
  expect_in(e, "twice.txt:4: code 'A1' is already on line 1");
  expect_in(e, "policy.json");

  write("bell.txt", "A1\nA\a2\n");
  expect_in(load_error(R"({"coupon_codes": {"10": "bell.txt"}})"), "bell.txt:2: the code holds a control character");

  write("a.txt", "X1\nX2\n");
  write("b.txt", "Y1\nX2\n");
  expect_in(load_error(R"({"coupon_codes": {"10": "a.txt", "15": "b.txt"}})"), "code 'X2' of ");
  EXPECT_EQ(load_error(R"({"coupon_codes": {"10": "a.txt"}})"), "");
}

TEST(CouponPools, ADiscountTakesThePoolOfItsPercentElseTheTemplate) {
  OfferPolicy policy;
  policy.coupon_codes = {{10.0, "a.txt"}, {12.5, "b.txt"}};
  policy.coupon_template = "SAVE{percent}-{item_id}";
  EXPECT_EQ(coupon_pool_name(policy.coupon_codes[1]), "12.5");
  EXPECT_EQ(coupon_pool_for(policy.coupon_codes, 12.5), &policy.coupon_codes[1]);
  EXPECT_EQ(coupon_pool_for(policy.coupon_codes, 15), nullptr);

  Offer pooled;
  pooled.discount_percent = 10;
  pooled.offer_id = "of1";
  assign_coupon(pooled, policy, "mug", "c1");
  EXPECT_EQ(pooled.coupon_pool, "10");
  EXPECT_EQ(pooled.coupon_code, "") << "claimed later, from the order log";
  Offer templated;
  templated.discount_percent = 15;
  assign_coupon(templated, policy, "mug", "c1");
  EXPECT_EQ(templated.coupon_pool, "");
  EXPECT_EQ(templated.coupon_code, "SAVE15-mug");

  const std::vector<CouponPool> every = {{std::nullopt, "codes.txt"}};
  ASSERT_NE(coupon_pool_for(every, 15), nullptr);
  EXPECT_EQ(coupon_pool_name(*coupon_pool_for(every, 15)), "any");
}

TEST(CouponPools, AnOfferWhosePoolRanDryLosesItsDiscountAndAPreviewShowsAPlaceholder) {
  std::vector<Offer> offers(3);
  for (auto& o : offers) {
    o.discount_percent = 10;
    o.valid_until = 5000;
    o.discounted_price = 9;
    o.coupon_pool = "10";
  }
  offers[1].coupon_pool.clear();  // no pool: keeps what it has
  auto preview = offers;
  preview_coupon_codes(preview);
  EXPECT_EQ(preview[0].coupon_code, kPreviewCouponCode);
  EXPECT_EQ(preview[1].coupon_code, "");
  EXPECT_EQ(preview[2].coupon_code, kPreviewCouponCode);

  const auto waiting = offers_awaiting_codes(offers);
  ASSERT_EQ(waiting, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(settle_coupon_codes(offers, waiting, {std::string("A1"), std::nullopt}), 1u);
  EXPECT_EQ(offers[0].coupon_code, "A1");
  EXPECT_EQ(offers[0].discount_percent, 10);
  EXPECT_EQ(offers[2].coupon_code, "");
  EXPECT_EQ(offers[2].discount_percent, 0) << "no discount promised without a code";
  EXPECT_EQ(offers[2].valid_until, kNoTime);
  EXPECT_TRUE(std::isnan(offers[2].discounted_price));
  EXPECT_TRUE(offers_awaiting_codes(offers).empty());
}

}  // namespace
}  // namespace cobuy
