// Changes to history in the order log, against both stores (the SQLite file, and PostgreSQL on a
// server this test starts on loopback): cancelling, returning items, erasing a customer. Each is
// durable (a reopened log knows it) and idempotent, and the reads answer what is left.
#include <gtest/gtest.h>

#include "api/store/order_store.h"
#include "core/error.h"
#include "support/order_store_fixture.h"
#include "support/expect_in.h"

namespace cobuy {
namespace {

using testing::Backend;
using testing::error_of;
using testing::expect_same;
using testing::ids_of;
using testing::kEarly;
using testing::kLate;
using testing::kOther;

class OrderHistoryStoreTest : public testing::OrderStoreTest {
 protected:
  /// kEarly (o1) and kLate (o3) of c1, kOther (o2) of c2.
  std::unique_ptr<OrderStore> open_with_orders() {
    auto store = open();
    for (const auto& o : {kEarly, kLate, kOther}) EXPECT_EQ(store->record_order(o), RecordResult::recorded);
    return store;
  }
};
INSTANTIATE_TEST_SUITE_P(Stores, OrderHistoryStoreTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         testing::backend_name);

using testing::expect_in;

TEST_P(OrderHistoryStoreTest, ACancelledOrderIsLeftOutDurablyAndCancellingAgainIsFine) {
  {
    auto store = open_with_orders();
    EXPECT_EQ(store->cancel_order("o3"), CancelResult::cancelled);
    EXPECT_EQ(store->cancel_order("o3"), CancelResult::already_cancelled);
    EXPECT_EQ(ids_of(store->customer_orders("c1")), (std::vector<std::string>{"o1"}));
    EXPECT_EQ(ids_of(store->all_orders()), (std::vector<std::string>{"o1", "o2"}));
  }
  auto store = open();
  EXPECT_EQ(store->cancel_order("o3"), CancelResult::already_cancelled) << "the cancellation survived reopening";
  EXPECT_EQ(ids_of(store->all_orders()), (std::vector<std::string>{"o1", "o2"}));
  EXPECT_EQ(store->record_order(kLate), RecordResult::duplicate) << "the order posted again stays cancelled";
  EXPECT_EQ(ids_of(store->customer_orders("c1")), (std::vector<std::string>{"o1"}));
  EXPECT_EQ(store->order_count(), 3u);
  EXPECT_EQ(store->history_changes().cancelled_orders, (std::unordered_set<std::string>{"o3"}));

  const Error unknown = error_of([&] { store->cancel_order("nope"); });
  EXPECT_EQ(unknown.code(), ErrorCode::not_found);
  expect_in(unknown.what(), "'nope'");
  EXPECT_EQ(error_of([&] { store->cancel_order(""); }).code(), ErrorCode::bad_request);
}

TEST_P(OrderHistoryStoreTest, ReturnsTakeQuantitiesOffAndAFullReturnLeavesTheOrderOut) {
  auto store = open_with_orders();
  // o2: mug 3, saucer 1, bowl 1.
  const OrderReturn r1{"o2", "r1", {{"mug", 1, std::nullopt}, {"saucer", 1, std::nullopt}}};
  EXPECT_EQ(store->record_return(r1), RecordResult::recorded);
  EXPECT_EQ(store->record_return(r1), RecordResult::duplicate);
  const auto after = store->customer_orders("c2");
  ASSERT_EQ(after.size(), 1u);
  expect_same(after[0], testing::placed_order("o2", "c2", 2000, {{"mug", 2, 3.5}, {"bowl", 1, 9.0}}));
  expect_same(store->all_orders().at(1), after[0]);
  EXPECT_EQ(store->history_changes().returned_orders, (std::unordered_set<std::string>{"o2"}));

  const auto refused = [&](const OrderReturn& r, ErrorCode code, const std::string& part) {
    const Error e = error_of([&] { store->record_return(r); });
    EXPECT_EQ(e.code(), code) << e.what();
    expect_in(e.what(), part);
  };
  refused({"o2", "r1", {{"mug", 2, std::nullopt}}}, ErrorCode::bad_request, "already recorded with other items");
  refused({"o2", "r2", {{"mug", 3, std::nullopt}}}, ErrorCode::bad_request, "makes 4 returned, but order 'o2' has 3");
  refused({"o2", "r2", {{"spoon", 1, std::nullopt}}}, ErrorCode::bad_request, "item 'spoon' is not on order 'o2'");
  refused({"o2", "r2", {{"mug", 0, std::nullopt}}}, ErrorCode::bad_request, "items[0].quantity");
  refused({"o2", "", {{"mug", 1, std::nullopt}}}, ErrorCode::bad_request, "return_id");
  refused({"o2", "r2", {}}, ErrorCode::bad_request, "no items");
  refused({"nope", "r2", {{"mug", 1, std::nullopt}}}, ErrorCode::not_found, "'nope'");
  store->cancel_order("o1");
  refused({"o1", "r1", {{"mug", 1, std::nullopt}}}, ErrorCode::bad_request, "cancelled");

  // The rest of o2 comes back: the order is left out, also after reopening.
  EXPECT_EQ(store->record_return({"o2", "r2", {{"mug", 2, std::nullopt}, {"bowl", 1, std::nullopt}}}),
            RecordResult::recorded);
  store.reset();
  store = open();
  EXPECT_TRUE(store->customer_orders("c2").empty());
  EXPECT_EQ(ids_of(store->all_orders()), (std::vector<std::string>{"o3"}));
  EXPECT_EQ(store->record_return(r1), RecordResult::duplicate);
}

TEST_P(OrderHistoryStoreTest, ErasingACustomerDeletesEverythingOfTheirsAndIsRemembered) {
  {
    auto store = open_with_orders();
    store->record_offers("c1", {{"mug", "x1"}, {"tea", "x2"}}, "shipping", 1500);
    store->record_offers("c2", {{"mug", "x3"}}, "shipping", 2500);
    EXPECT_FALSE(store->record_send({"s1", "c1", "delivered", 1600, "{}", ""}, {{"bowl", "x4"}}));
    EXPECT_FALSE(store->record_send({"s2", "c2", "delivered", 2600, "{}", ""}, {}));
    store->cancel_order("o1");
    store->record_return({"o3", "r1", {{"apple", 1, std::nullopt}}});

    const Erasure e = store->erase_customer("c1");
    EXPECT_FALSE(e.already_erased);
    EXPECT_EQ(e.orders, 2u);
    EXPECT_EQ(e.offers, 3u) << "two offers and the send's one";
    EXPECT_EQ(e.sends, 1u);
    const Erasure again = store->erase_customer("c1");
    EXPECT_TRUE(again.already_erased);
    EXPECT_EQ(again.orders + again.offers + again.sends, 0u);
  }
  auto store = open();
  EXPECT_TRUE(store->is_erased("c1")) << "remembered after reopening";
  EXPECT_FALSE(store->is_erased("c2"));
  EXPECT_FALSE(store->is_erased(""));
  EXPECT_TRUE(store->customer_orders("c1").empty());
  EXPECT_TRUE(store->offered_since("c1", 0).empty());
  EXPECT_FALSE(store->find_send("s1"));
  EXPECT_EQ(ids_of(store->all_orders()), (std::vector<std::string>{"o2"}));
  EXPECT_EQ(store->order_count(), 1u);
  EXPECT_EQ(store->offered_since("c2", 0).size(), 1u) << "other customers keep theirs";
  EXPECT_TRUE(store->find_send("s2"));

  const HistoryChanges changes = store->history_changes();
  EXPECT_EQ(changes.erased_customers, (std::unordered_set<std::string>{OrderStore::customer_key("c1")}));
  EXPECT_TRUE(changes.cancelled_orders.empty()) << "the erased customer's cancellation went with the order";
  EXPECT_TRUE(changes.returned_orders.empty());
  EXPECT_EQ(OrderStore::customer_key("c1").size(), 64u);
  EXPECT_EQ(OrderStore::customer_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  const Error refused = error_of([&] { store->record_order(kEarly); });
  EXPECT_EQ(refused.code(), ErrorCode::bad_request);
  expect_in(refused.what(), "customer 'c1' was erased");
  EXPECT_EQ(store->order_count(), 1u);
  EXPECT_EQ(error_of([&] { store->erase_customer(""); }).code(), ErrorCode::bad_request);
}

}  // namespace
}  // namespace cobuy
