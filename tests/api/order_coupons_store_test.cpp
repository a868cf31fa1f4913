// Single-use coupon codes in the order log (schema 5), against both stores (the SQLite file, and
// PostgreSQL on a server this test starts on loopback): importing is idempotent and appended
// codes join their pool; codes are claimed in file order, once, across reopening and across two
// stores claiming at once; a released code goes out first again; erasing a customer unlinks the
// codes they got, which stay used.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "api/store/order_store.h"
#include "core/error.h"
#include "support/order_store_fixture.h"

namespace cobuy {
namespace {

using testing::Backend;
using testing::error_of;

using Codes = std::vector<std::optional<std::string>>;
using Left = std::vector<std::pair<std::string, std::uint64_t>>;

class OrderCouponsStoreTest : public testing::OrderStoreTest {
 protected:
  /// The first column of the first row of `sql` on the log, read past the store ("" = none).
  std::string scalar(const std::string& sql) const {
    if (GetParam() == Backend::postgres) return server_->scalar("orders", sql);
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(location_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    std::string out;
    auto first = [](void* o, int, char** values, char**) {
      *static_cast<std::string*>(o) = values[0] ? values[0] : "";
      return 1;  // one row is enough
    };
    sqlite3_exec(db.get(), sql.c_str(), first, &out, nullptr);
    return out;
  }
};
INSTANTIATE_TEST_SUITE_P(Stores, OrderCouponsStoreTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         testing::backend_name);

/// `n` claims on `pool` for offers of `customer`.
std::vector<CouponClaim> claims(const std::string& pool, int n, const std::string& customer = "c1") {
  std::vector<CouponClaim> out;
  for (int k = 0; k < n; ++k) out.push_back({pool, "of" + std::to_string(k), customer});
  return out;
}

TEST_P(OrderCouponsStoreTest, ImportingIsIdempotentAndAppendedCodesJoinThePool) {
  auto store = open();
  EXPECT_TRUE(store->coupon_codes_left().empty());
  EXPECT_EQ(store->import_coupon_codes("10", {"A1", "A2", "A3"}), 3u);
  EXPECT_EQ(store->import_coupon_codes("10", {"A1", "A2", "A3"}), 0u) << "the same file again";
  EXPECT_EQ(store->import_coupon_codes("10", {"A1", "A2", "A3", "A4"}), 1u) << "a code appended to the file";
  EXPECT_EQ(store->import_coupon_codes("15", {"B1", "A2"}), 1u) << "A2 is known: it stays in its pool";
  EXPECT_EQ(store->coupon_codes_left(), (Left{{"10", 4}, {"15", 1}}));
  EXPECT_EQ(store->import_coupon_codes("10", {}), 0u);
  EXPECT_EQ(error_of([&] { store->import_coupon_codes("", {"X"}); }).code(), ErrorCode::bad_request);
  EXPECT_EQ(error_of([&] { store->import_coupon_codes("10", {"X", ""}); }).code(), ErrorCode::bad_request);
  EXPECT_EQ(store->coupon_codes_left(), (Left{{"10", 4}, {"15", 1}})) << "a refused import writes nothing";
}

TEST_P(OrderCouponsStoreTest, CodesAreClaimedOnceInFileOrderAcrossReopening) {
  {
    auto store = open();
    store->import_coupon_codes("10", {"Z9", "A1", "M5"});
    EXPECT_EQ(store->claim_coupon_codes(claims("10", 2), "s1"), (Codes{"Z9", "A1"})) << "file order, not sorted";
    EXPECT_EQ(store->claim_coupon_codes(claims("15", 1), "s1"), (Codes{std::nullopt})) << "no such pool";
  }
  auto store = open();
  store->import_coupon_codes("10", {"Z9", "A1", "M5", "Q2"});  // as a restarted server does
  EXPECT_EQ(store->coupon_codes_left(), (Left{{"10", 2}}));
  EXPECT_EQ(store->claim_coupon_codes(claims("10", 3), "s2"), (Codes{"M5", "Q2", std::nullopt}));
  EXPECT_TRUE(store->coupon_codes_left().empty()) << "a pool used up is not listed";
  EXPECT_TRUE(store->claim_coupon_codes({}, "s3").empty());
  EXPECT_EQ(error_of([&] { store->claim_coupon_codes({{"", "of", "c1"}}, "s3"); }).code(), ErrorCode::bad_request);
  EXPECT_EQ(scalar("SELECT send_id || '/' || offer_id || '/' || customer_id FROM coupon_codes WHERE code = 'M5'"),
            "s2/of0/c1");
  EXPECT_NE(scalar("SELECT claimed_at FROM coupon_codes WHERE code = 'M5'"), "");
}

TEST_P(OrderCouponsStoreTest, AReleasedCodeGoesOutFirstAgainButOnlyItsOwnSendReleasesIt) {
  auto store = open();
  store->import_coupon_codes("10", {"A1", "A2", "A3"});
  EXPECT_EQ(store->claim_coupon_codes(claims("10", 1), "s1"), (Codes{"A1"}));
  EXPECT_EQ(store->claim_coupon_codes(claims("10", 1), "s2"), (Codes{"A2"}));
  EXPECT_EQ(store->release_coupon_codes({"A1"}, "s2"), 0u) << "claimed under another send";
  EXPECT_EQ(store->release_coupon_codes({"A3"}, ""), 0u) << "never claimed";
  EXPECT_EQ(store->release_coupon_codes({"A1"}, "s1"), 1u);
  EXPECT_EQ(store->release_coupon_codes({"A1"}, "s1"), 0u) << "already back";
  EXPECT_EQ(store->coupon_codes_left(), (Left{{"10", 2}}));
  EXPECT_EQ(store->claim_coupon_codes(claims("10", 2), ""), (Codes{"A1", "A3"})) << "in file order again";
}

TEST_P(OrderCouponsStoreTest, ErasingACustomerUnlinksTheirCodesWhichStayUsed) {
  auto store = open();
  store->import_coupon_codes("10", {"A1", "A2", "A3"});
  EXPECT_EQ(store->claim_coupon_codes(claims("10", 2, "c1"), "s1"), (Codes{"A1", "A2"}));
  const Erasure e = store->erase_customer("c1");
  EXPECT_EQ(e.coupon_codes, 2u);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM coupon_codes WHERE customer_id = 'c1' OR send_id = 's1'"), "0");
  EXPECT_EQ(store->release_coupon_codes({"A1"}, "s1"), 0u) << "the send is forgotten, the code stays used";
  EXPECT_EQ(store->claim_coupon_codes(claims("10", 2, "c2"), ""), (Codes{"A3", std::nullopt}));
  EXPECT_EQ(store->erase_customer("c1").coupon_codes, 0u);
}

// Two replicas (two stores on one log) and several threads each claiming at once: every code is
// handed out exactly once.
TEST_P(OrderCouponsStoreTest, TwoStoresClaimingAtOnceGetDisjointCodes) {
  auto a = open(), b = open();
  std::vector<std::string> all;
  for (int k = 0; k < 120; ++k) all.push_back("C" + std::to_string(1000 + k));
  a->import_coupon_codes("10", all);
  EXPECT_EQ(b->import_coupon_codes("10", all), 0u);
  std::mutex mutex;
  std::vector<std::string> got;
  std::atomic<int> dry{0};
  auto claim_all = [&](OrderStore& store, const std::string& send) {
    for (;;) {
      const auto codes = store.claim_coupon_codes(claims("10", 3), send);
      std::lock_guard lock(mutex);
      for (const auto& c : codes) {
        if (c) got.push_back(*c);
      }
      if (!codes.back()) {
        ++dry;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(claim_all, std::ref(t % 2 == 0 ? *a : *b), "t" + std::to_string(t));
  for (auto& t : threads) t.join();
  EXPECT_EQ(dry.load(), 4);
  EXPECT_EQ(got.size(), all.size()) << "no code twice, none lost";
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), std::set<std::string>(all.begin(), all.end()));
  EXPECT_TRUE(a->coupon_codes_left().empty());
}

}  // namespace
}  // namespace cobuy
