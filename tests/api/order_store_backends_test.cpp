// What each order store has of its own, beside the contract both keep (order_store_test.cpp):
// the SQLite file's WAL mode and schema version in PRAGMA user_version; the PostgreSQL
// database's schema table, connection errors that name the database but not its password, a
// connection that the server dropped coming back, and text libpq cannot carry refused.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <string>

#include "api/store/order_store.h"
#include "api/store/postgres_order_store.h"
#include "core/error.h"
#include "support/order_store_fixture.h"

namespace cobuy {
namespace {

using testing::Backend;
using testing::error_of;
using testing::expect_same;
using testing::kEarly;
using testing::kLate;
using testing::kOther;

class SqliteOrderStore : public testing::OrderStoreTest {};
class PostgresOrderStoreTest : public testing::OrderStoreTest {};
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteOrderStore, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, PostgresOrderStoreTest, ::testing::Values(Backend::postgres));

TEST_P(SqliteOrderStore, TheFileIsInWalMode) {
  auto store = open();
  store->record_order(kEarly);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(location_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  std::string mode;
  auto read_mode = [](void* out, int, char** values, char**) {
    *static_cast<std::string*>(out) = values[0] ? values[0] : "";
    return 0;
  };
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA journal_mode", read_mode, &mode, nullptr), SQLITE_OK);
  EXPECT_EQ(mode, "wal");
  std::string version;
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA user_version", read_mode, &version, nullptr), SQLITE_OK);
  EXPECT_EQ(version, std::to_string(OrderStore::kSchemaVersion));
}

TEST_P(SqliteOrderStore, RefusesANewerSchemaAndUnopenableFiles) {
  open().reset();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(location_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA user_version=7", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  Error e = error_of([&] { open(); });
  EXPECT_EQ(e.code(), ErrorCode::bad_data);
  EXPECT_NE(std::string(e.what()).find("schema version 7"), std::string::npos) << e.what();

  const std::string missing_dir = (dir_ / "no-such-dir" / "orders.db").string();
  e = error_of([&] { OrderStore::open(missing_dir); });
  EXPECT_EQ(e.code(), ErrorCode::io);
  EXPECT_NE(std::string(e.what()).find(missing_dir), std::string::npos) << e.what();

  const std::string garbage = (dir_ / "garbage.db").string();
  std::ofstream(garbage) << std::string(4096, 'x');
  e = error_of([&] { OrderStore::open(garbage); });
  EXPECT_EQ(e.code(), ErrorCode::io);
  EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
}

// A log written by a build of schema version 1 (before sends) is upgraded when opened.
TEST_P(SqliteOrderStore, AVersionOneLogIsUpgradedKeepingItsOrders) {
  open()->record_order(kEarly);
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(location_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    ASSERT_EQ(sqlite3_exec(db.get(), "DROP TABLE sends; PRAGMA user_version=1", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  auto store = open();
  EXPECT_EQ(store->order_count(), 1u);
  EXPECT_FALSE(store->record_send({"s1", "c1", "shipping", 100, "{}", ""}, {{"mug", "o"}}));
  EXPECT_TRUE(store->find_send("s1"));
}

TEST_P(PostgresOrderStoreTest, AVersionOneLogIsUpgradedKeepingItsOrders) {
  open()->record_order(kEarly);
  server_->exec("orders", "DROP TABLE sends; UPDATE cobuy_schema SET version = 1");
  auto store = open();
  EXPECT_EQ(store->order_count(), 1u);
  EXPECT_FALSE(store->record_send({"s1", "c1", "shipping", 100, "{}", ""}, {{"mug", "o"}}));
  EXPECT_TRUE(store->find_send("s1"));
}

/// `store`, a log of kEarly and kOther opened after it was written with schema version 2, keeps its
/// orders, and cancels, takes returns and erases customers.
void expect_upgraded_to_version_three(OrderStore& store) {
  EXPECT_EQ(store.order_count(), 2u);
  EXPECT_EQ(store.cancel_order("o1"), CancelResult::cancelled);
  EXPECT_EQ(store.record_return({"o2", "r1", {{"bowl", 1, std::nullopt}}}), RecordResult::recorded);
  EXPECT_FALSE(store.erase_customer("c9").already_erased);
  EXPECT_EQ(testing::ids_of(store.all_orders()), (std::vector<std::string>{"o2"}));
}

// A log of schema version 2 (before changes to history) is upgraded when opened: its orders stay,
// and cancelling, returning and erasing work.
TEST_P(SqliteOrderStore, AVersionTwoLogIsUpgradedKeepingItsOrders) {
  open()->record_order(kEarly);
  open()->record_order(kOther);
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(location_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    ASSERT_EQ(sqlite3_exec(db.get(),
                           "DROP TABLE cancelled_orders; DROP TABLE order_returns; DROP TABLE erased_customers; "
                           "DROP INDEX sends_by_customer; PRAGMA user_version=2",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  expect_upgraded_to_version_three(*open());
}

TEST_P(PostgresOrderStoreTest, AVersionTwoLogIsUpgradedKeepingItsOrders) {
  open()->record_order(kEarly);
  open()->record_order(kOther);
  server_->exec("orders",
                "DROP TABLE cancelled_orders; DROP TABLE order_returns; DROP TABLE erased_customers; "
                "DROP INDEX sends_by_customer; UPDATE cobuy_schema SET version = 2");
  expect_upgraded_to_version_three(*open());
}

/// `store`, a log with kEarly and send s1 opened after it was written with schema version 3, keeps
/// both, reads the old send with no counterfactual, and records events and holdout sends.
void expect_upgraded_to_version_four(OrderStore& store) {
  EXPECT_EQ(store.order_count(), 1u);
  const auto old = store.find_send("s1");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->answer, R"({"offers":[{"item_id":"mug","offer_id":"of1"}]})");
  EXPECT_EQ(old->counterfactual, "");
  EXPECT_EQ(store.record_event({"s1", "of1", OfferEventType::clicked, 150, ""}), RecordResult::recorded);
  EXPECT_FALSE(store.record_send({"s2", "c1", "shipping", 200, "{}", "[]"}, {}));
  EXPECT_EQ(store.find_send("s2")->counterfactual, "[]");
  EXPECT_EQ(store.events_between(0, 1000).size(), 1u);
}

// A log of schema version 3 (before events) is upgraded when opened: orders and sends stay.
TEST_P(SqliteOrderStore, AVersionThreeLogIsUpgradedKeepingItsOrdersAndSends) {
  {
    auto store = open();
    store->record_order(kEarly);
    store->record_send({"s1", "c1", "shipping", 100, R"({"offers":[{"item_id":"mug","offer_id":"of1"}]})", ""},
                       {{"mug", "of1"}});
  }
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(location_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    ASSERT_EQ(sqlite3_exec(db.get(),
                           "DROP TABLE events; DROP INDEX sends_by_time; ALTER TABLE sends DROP COLUMN counterfactual; "
                           "PRAGMA user_version=3",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  expect_upgraded_to_version_four(*open());
}

TEST_P(PostgresOrderStoreTest, AVersionThreeLogIsUpgradedKeepingItsOrdersAndSends) {
  {
    auto store = open();
    store->record_order(kEarly);
    store->record_send({"s1", "c1", "shipping", 100, R"({"offers":[{"item_id":"mug","offer_id":"of1"}]})", ""},
                       {{"mug", "of1"}});
  }
  server_->exec("orders",
                "DROP TABLE events; DROP INDEX sends_by_time; ALTER TABLE sends DROP COLUMN counterfactual; "
                "UPDATE cobuy_schema SET version = 3");
  expect_upgraded_to_version_four(*open());
}

/// `store`, a log with kEarly and an erased customer opened after it was written with schema
/// version 4, keeps both, and imports and claims coupon codes.
void expect_upgraded_to_version_five(OrderStore& store) {
  EXPECT_EQ(store.order_count(), 1u);
  EXPECT_TRUE(store.is_erased("c9"));
  EXPECT_EQ(store.import_coupon_codes("10", {"A1", "A2"}), 2u);
  EXPECT_EQ(store.claim_coupon_codes({{"10", "of1", "c1"}}, "s1"), (std::vector<std::optional<std::string>>{"A1"}));
}

// A log of schema version 4 (before coupon codes) is upgraded when opened.
TEST_P(SqliteOrderStore, AVersionFourLogIsUpgradedKeepingItsOrders) {
  {
    auto store = open();
    store->record_order(kEarly);
    store->erase_customer("c9");
  }
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(location_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    ASSERT_EQ(sqlite3_exec(db.get(), "DROP TABLE coupon_codes; PRAGMA user_version=4", nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  expect_upgraded_to_version_five(*open());
}

TEST_P(PostgresOrderStoreTest, AVersionFourLogIsUpgradedKeepingItsOrders) {
  {
    auto store = open();
    store->record_order(kEarly);
    store->erase_customer("c9");
  }
  server_->exec("orders", "DROP TABLE coupon_codes; UPDATE cobuy_schema SET version = 4");
  expect_upgraded_to_version_five(*open());
}

TEST_P(PostgresOrderStoreTest, RefusesANewerSchema) {
  open()->record_order(kEarly);
  server_->exec("orders", "UPDATE cobuy_schema SET version = 7");
  const Error e = error_of([&] { open(); });
  EXPECT_EQ(e.code(), ErrorCode::bad_data);
  EXPECT_NE(std::string(e.what()).find("schema version 7"), std::string::npos) << e.what();
  server_->exec("orders", "UPDATE cobuy_schema SET version = 1");
  EXPECT_EQ(open()->order_count(), 1u) << "the refusal changed nothing";
}

TEST_P(PostgresOrderStoreTest, ConnectionErrorsNameTheDatabaseButNotThePassword) {
  // Nothing listens on port 1; the message names the URI with its password hidden.
  Error e = error_of([&] { OrderStore::open("postgresql://cobuy:s3cret@127.0.0.1:1/orders"); });
  EXPECT_EQ(e.code(), ErrorCode::io);
  EXPECT_NE(std::string(e.what()).find("postgresql://cobuy:***@127.0.0.1:1/orders: cannot connect"), std::string::npos)
      << e.what();
  EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  e = error_of([&] { OrderStore::open(server_->uri("no_such_db")); });
  EXPECT_EQ(e.code(), ErrorCode::io);
  EXPECT_NE(std::string(e.what()).find("\"no_such_db\" does not exist"), std::string::npos) << e.what();
}

TEST_P(PostgresOrderStoreTest, ADroppedConnectionComesBack) {
  auto store = open();
  store->record_order(kEarly);
  // The server ends every cobuy session (as a restart or a failover would).
  server_->exec("postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                "application_name = 'cobuy'");
  EXPECT_EQ(store->record_order(kLate), RecordResult::recorded);
  EXPECT_EQ(store->order_count(), 2u);
  expect_same(store->customer_orders("c1").at(1), kLate);
}

TEST_P(PostgresOrderStoreTest, TextWithANulByteIsRefusedAndNothingIsWritten) {
  auto store = open();
  PlacedOrder o = kOther;
  o.lines[1].item_id = std::string("sau\0cer", 7);
  const Error e = error_of([&] { store->record_order(o); });
  EXPECT_EQ(e.code(), ErrorCode::bad_request);
  EXPECT_NE(std::string(e.what()).find("NUL byte"), std::string::npos) << e.what();
  EXPECT_EQ(store->order_count(), 0u);
  EXPECT_EQ(store->record_order(kOther), RecordResult::recorded);
}

TEST(PostgresOrderStoreUri, RedactsOnlyThePassword) {
  using P = cobuy::PostgresOrderStore;
  EXPECT_EQ(P::redacted("postgresql://shop:pa:ss@db.example:5432/orders"),
            "postgresql://shop:***@db.example:5432/orders");
  EXPECT_EQ(P::redacted("postgres://shop:x@10.0.0.1/orders?sslmode=require"),
            "postgres://shop:***@10.0.0.1/orders?sslmode=require");
  EXPECT_EQ(P::redacted("postgresql://shop@db/orders"), "postgresql://shop@db/orders");
  EXPECT_EQ(P::redacted("postgresql://db:5432/orders"), "postgresql://db:5432/orders");
  EXPECT_EQ(P::redacted("postgresql://db/orders?user=a@b"), "postgresql://db/orders?user=a@b");
  EXPECT_TRUE(OrderStore::is_postgres("postgresql://db/x"));
  EXPECT_TRUE(OrderStore::is_postgres("postgres://db/x"));
  EXPECT_FALSE(OrderStore::is_postgres("/var/lib/cobuy/orders.db"));
}

}  // namespace
}  // namespace cobuy
