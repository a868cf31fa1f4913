#pragma once
/// The order store suites' fixture (tests/api/order_store*_test.cpp): a fresh log of the test's
/// backend, a SQLite file in a temporary directory or a database on a PostgreSQL server started
/// for the test on loopback (skipped when PostgreSQL is missing, failed instead when
/// COBUY_REQUIRE_POSTGRES=1, as in CI); sample orders and the checks the suites share.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "api/store/order_store.h"
#include "core/error.h"
#include "support/placed_orders.h"
#include "support/postgres_server.h"

namespace cobuy::testing {

inline void expect_same(const PlacedOrder& got, const PlacedOrder& want) {
  EXPECT_EQ(got.order_id, want.order_id);
  EXPECT_EQ(got.customer_id, want.customer_id);
  EXPECT_EQ(got.time, want.time);
  ASSERT_EQ(got.lines.size(), want.lines.size()) << want.order_id;
  for (std::size_t k = 0; k < want.lines.size(); ++k) {
    EXPECT_EQ(got.lines[k].item_id, want.lines[k].item_id) << want.order_id << " line " << k;
    EXPECT_EQ(got.lines[k].quantity, want.lines[k].quantity) << want.order_id << " line " << k;
    EXPECT_EQ(got.lines[k].price, want.lines[k].price) << want.order_id << " line " << k;
  }
}

inline std::vector<std::string> ids_of(const std::vector<PlacedOrder>& orders) {
  std::vector<std::string> ids;
  for (const auto& o : orders) ids.push_back(o.order_id);
  return ids;
}

/// The Error `f` throws, or an Error(internal, "no error").
inline Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::internal, "no error");
}

enum class Backend { sqlite, postgres };

/// How gtest prints a backend (in ctest's test names, for one).
inline void PrintTo(Backend b, std::ostream* os) { *os << (b == Backend::sqlite ? "sqlite" : "postgres"); }

/// A test name's suffix for its backend, for INSTANTIATE_TEST_SUITE_P.
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgres";
}

/// The store suite's fixture: a fresh log of the test's backend, at location_.
class OrderStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path() / ("cobuy-order-store-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == Backend::sqlite) {
      location_ = (dir_ / "orders.db").string();
      return;
    }
    if (const auto why = PostgresServer::unavailable_reason(); !why.empty()) {
      if (PostgresServer::required()) FAIL() << why;
      GTEST_SKIP() << why;
    }
    server_ = std::make_unique<PostgresServer>();
    location_ = server_->create_database("orders");
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<OrderStore> open() const { return OrderStore::open(location_); }

  std::filesystem::path dir_;
  std::unique_ptr<PostgresServer> server_;
  std::string location_;
};

// Lines are given out of item-id order so reading them back in insertion order is checked.
inline const PlacedOrder kLate = placed_order("o3", "c1", 3000, {{"zebra", 1, 2.5}, {"apple", 2, std::nullopt}});
inline const PlacedOrder kEarly = placed_order("o1", "c1", 1000, {{"mug", 1, 4.0}});
inline const PlacedOrder kSameTime = placed_order("o0", "c1", 3000, {{"tea", 0.5, 0.0}});
inline const PlacedOrder kOther =
    placed_order("o2", "c2", 2000, {{"mug", 3, 3.5}, {"saucer", 1, 1.25}, {"bowl", 1, 9.0}});

}  // namespace cobuy::testing
