// Events of sends in the order log (schema 4), against both stores (the SQLite file, and
// PostgreSQL on a server this test starts on loopback): recorded once, idempotent, a conflicting
// event refused, unknown sends and offers refused by name, erased with their customer, and read
// back for the report with the sends and the holdout's counterfactual offers.
#include <gtest/gtest.h>

#include "api/store/offer_stats_reader.h"
#include "api/store/order_store.h"
#include "core/error.h"
#include "support/order_store_fixture.h"
#include "support/expect_in.h"

namespace cobuy {
namespace {

using testing::Backend;
using testing::error_of;

class OrderEventsStoreTest : public testing::OrderStoreTest {
 protected:
  /// A cobuy send s1 to c1 at 1000 (offers of1: mug, of2: tea) and a holdout send s2 to c2 at
  /// 2000 showing of3: bowl, where cobuy would have offered of4: mug.
  std::unique_ptr<OrderStore> open_with_sends() {
    auto store = open();
    const std::string a = R"({"arm":"cobuy","segment":"loyal","offers":[{"item_id":"mug","offer_id":"of1",)"
                          R"("kind":"cross_sell"},{"item_id":"tea","offer_id":"of2","kind":"replenish"}]})";
    const std::string b = R"({"arm":"holdout","segment":"new","offers":[{"item_id":"bowl","offer_id":"of3",)"
                          R"("kind":"popular"}]})";
    EXPECT_FALSE(store->record_send({"s1", "c1", "delivered", 1000, a, ""}, {{"mug", "of1"}, {"tea", "of2"}}));
    EXPECT_FALSE(store->record_send({"s2", "c2", "shipping", 2000, b, R"([{"offer_id":"of4","item_id":"mug",)"
                                                                   R"("kind":"cross_sell"}])"},
                                    {{"bowl", "of3"}}));
    return store;
  }
};
INSTANTIATE_TEST_SUITE_P(Stores, OrderEventsStoreTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         testing::backend_name);

using testing::expect_in;

TEST_P(OrderEventsStoreTest, AnEventIsRecordedOnceAndReadBackWithItsCustomer) {
  auto store = open_with_sends();
  EXPECT_EQ(store->record_event({"s1", "", OfferEventType::opened, 1100, ""}), RecordResult::recorded);
  EXPECT_EQ(store->record_event({"s1", "of2", OfferEventType::clicked, 1200, ""}), RecordResult::recorded);
  EXPECT_EQ(store->record_event({"s1", "of2", OfferEventType::clicked, 1200, ""}), RecordResult::duplicate);
  EXPECT_EQ(store->record_event({"s1", "of2", OfferEventType::clicked, kNoTime, ""}), RecordResult::duplicate)
      << "an event without a time matches the stored one";
  EXPECT_EQ(store->record_event({"s2", "", OfferEventType::sent, kNoTime, ""}), RecordResult::recorded);
  const auto events = store->events_between(0, 5000);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].send_id, "s1");
  EXPECT_EQ(events[0].offer_id, "");
  EXPECT_EQ(events[0].type, OfferEventType::opened);
  EXPECT_EQ(events[0].at, 1100);
  EXPECT_EQ(events[0].customer_id, "c1");
  EXPECT_EQ(events[1].offer_id, "of2");
  EXPECT_EQ(events[1].type, OfferEventType::clicked);
  EXPECT_EQ(events[2].customer_id, "c2");
  EXPECT_GT(events[2].at, 1700000000) << "no time given: the time it was recorded";
  // Only events of sends in the range.
  EXPECT_EQ(store->events_between(1500, 5000).size(), 1u);
  // Durable: a reopened log has them.
  EXPECT_EQ(open()->events_between(0, 5000).size(), 3u);
}

TEST_P(OrderEventsStoreTest, TheSameEventAtAnotherTimeIsRefused) {
  auto store = open_with_sends();
  ASSERT_EQ(store->record_event({"s1", "of1", OfferEventType::clicked, 1200, ""}), RecordResult::recorded);
  const auto e = error_of([&] { store->record_event({"s1", "of1", OfferEventType::clicked, 1300, ""}); });
  EXPECT_EQ(e.code(), ErrorCode::bad_request);
  expect_in(e.what(), "already recorded");
  expect_in(e.what(), "of1");
  EXPECT_EQ(store->events_between(0, 5000).at(0).at, 1200);
}

TEST_P(OrderEventsStoreTest, UnknownSendsAndOffersAreRefusedByName) {
  auto store = open_with_sends();
  auto e = error_of([&] { store->record_event({"nope", "", OfferEventType::opened, 1100, ""}); });
  EXPECT_EQ(e.code(), ErrorCode::not_found);
  expect_in(e.what(), "unknown send_id 'nope'");
  e = error_of([&] { store->record_event({"s1", "of9", OfferEventType::clicked, 1100, ""}); });
  EXPECT_EQ(e.code(), ErrorCode::not_found);
  expect_in(e.what(), "unknown offer_id 'of9'");
  // A holdout's counterfactual offers were never shown: nobody can click them.
  e = error_of([&] { store->record_event({"s2", "of4", OfferEventType::clicked, 2100, ""}); });
  EXPECT_EQ(e.code(), ErrorCode::not_found);
  e = error_of([&] { store->record_event({"s1", "", OfferEventType::clicked, 1100, ""}); });
  EXPECT_EQ(e.code(), ErrorCode::bad_request);
  expect_in(e.what(), "offer_id");
  e = error_of([&] { store->record_event({"", "", OfferEventType::opened, 1100, ""}); });
  EXPECT_EQ(e.code(), ErrorCode::bad_request);
  EXPECT_TRUE(store->events_between(0, 5000).empty());
}

TEST_P(OrderEventsStoreTest, ErasingACustomerDeletesTheirEvents) {
  auto store = open_with_sends();
  ASSERT_EQ(store->record_event({"s1", "of1", OfferEventType::clicked, 1200, ""}), RecordResult::recorded);
  ASSERT_EQ(store->record_event({"s1", "", OfferEventType::opened, 1100, ""}), RecordResult::recorded);
  ASSERT_EQ(store->record_event({"s2", "", OfferEventType::opened, 2100, ""}), RecordResult::recorded);
  const Erasure erased = store->erase_customer("c1");
  EXPECT_EQ(erased.events, 2u);
  EXPECT_EQ(erased.sends, 1u);
  const auto left = store->events_between(0, 5000);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].customer_id, "c2");
  EXPECT_EQ(store->sends_between(0, 5000).size(), 1u);
}

TEST_P(OrderEventsStoreTest, SendsAreReadBackForTheReportWithTheHoldoutsCounterfactual) {
  auto store = open_with_sends();
  const auto sends = store->sends_between(0, 5000);
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].send_id, "s1");
  EXPECT_EQ(sends[1].counterfactual, R"([{"offer_id":"of4","item_id":"mug","kind":"cross_sell"}])");
  EXPECT_EQ(store->sends_between(1000, 2000).size(), 1u) << "until is exclusive";
  const SendRecord a = send_record(sends[0]), b = send_record(sends[1]);
  EXPECT_EQ(a.arm, Arm::cobuy);
  EXPECT_EQ(a.segment, "loyal");
  ASSERT_EQ(a.offers.size(), 2u);
  EXPECT_EQ(a.offers[1].kind, "replenish");
  EXPECT_EQ(b.arm, Arm::holdout);
  ASSERT_EQ(b.offers.size(), 1u) << "the holdout is measured on what cobuy would have offered";
  EXPECT_EQ(b.offers[0].item_id, "mug");

  // c2 buys the mug cobuy would have offered, 1 day after the holdout email: a holdout conversion.
  ASSERT_EQ(store->record_order({"o1", "c2", 2000 + 86400, {{"mug", 2, 4.5}}}), RecordResult::recorded);
  const OfferStats stats = read_offer_stats(*store, 7, 0, 5000);
  EXPECT_EQ(stats.cobuy.sends, 1u);
  EXPECT_EQ(stats.cobuy.conversions, 0u);
  EXPECT_EQ(stats.holdout.conversions, 1u);
  EXPECT_DOUBLE_EQ(stats.holdout.revenue, 9.0);
  // A cancelled order converts nothing.
  ASSERT_EQ(store->cancel_order("o1"), CancelResult::cancelled);
  EXPECT_EQ(read_offer_stats(*store, 7, 0, 5000).holdout.conversions, 0u);
}

}  // namespace
}  // namespace cobuy
