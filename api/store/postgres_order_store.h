#pragma once
/// The order log in a PostgreSQL database, through libpq: the log that several `cobuy serve`
/// replicas share, so an order posted to one replica is known to the others' next answer.
///
/// Same contract as the SQLite log (api/store/order_store.h). An order is durable when the
/// server has committed it (PostgreSQL's own durability: synchronous_commit, fsync). Idempotency
/// is `INSERT ... ON CONFLICT (order_id) DO NOTHING`; when two replicas record one order at
/// once, the second waits for the first's commit and then finds it. The schema version is the
/// row of table cobuy_schema; setting up the schema takes a transaction-scoped advisory lock, so
/// replicas starting together do not race. A coupon code is claimed with `FOR UPDATE SKIP
/// LOCKED` (api/store/postgres_coupon_codes.cpp), so replicas never get the same one. One
/// connection, guarded by a mutex; a broken connection is re-established on the next call.

#include <memory>
#include <string>
#include <string_view>

#include "api/store/order_store.h"

namespace cobuy {

class PostgresOrderStore final : public OrderStore {
 public:
  /// Connects to `uri` (libpq's connection URI; connect_timeout 10 s unless it says otherwise) and
  /// sets up the schema when absent; throws as OrderStore::open says.
  static std::unique_ptr<OrderStore> open(const std::string& uri);

  /// `uri` with its password, if any, replaced by "***": for messages and logs.
  static std::string redacted(std::string_view uri);

  struct Impl;
  explicit PostgresOrderStore(std::unique_ptr<Impl> impl);
  ~PostgresOrderStore() override;

  std::vector<PlacedOrder> customer_orders(std::string_view customer_id,
                                           const OrderFilter& wanted = nullptr) const override;
  std::vector<PlacedOrder> all_orders() const override;
  std::uint64_t order_count() const override;
  std::vector<std::pair<std::string, Timestamp>> offered_since(std::string_view customer_id,
                                                               Timestamp since) const override;
  std::optional<Send> find_send(std::string_view send_id) const override;
  std::vector<Send> sends_between(Timestamp from, Timestamp until) const override;
  std::vector<OfferEvent> events_between(Timestamp from, Timestamp until) const override;
  HistoryChanges history_changes() const override;
  std::vector<std::pair<std::string, std::uint64_t>> coupon_codes_left() const override;

 private:
  RecordResult insert_order(const PlacedOrder& order) override;
  void insert_offers(std::string_view customer_id,
                     const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                     std::string_view context, Timestamp at) override;
  std::optional<Send> insert_send(const Send& send,
                                  const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids) override;

  RecordResult insert_event(const OfferEvent& event, Timestamp now) override;
  std::uint64_t insert_coupon_codes(std::string_view pool, const std::vector<std::string>& codes,
                                    Timestamp now) override;
  std::vector<std::optional<std::string>> take_coupon_codes(const std::vector<CouponClaim>& claims,
                                                            std::string_view send_id, Timestamp now) override;
  std::uint64_t return_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id) override;
  CancelResult mark_cancelled(std::string_view order_id) override;
  RecordResult insert_return(const OrderReturn& r) override;
  Erasure delete_customer(std::string_view customer_id, std::string_view key) override;
  bool erased_key_known(std::string_view key) const override;

  std::unique_ptr<Impl> impl_;
};

}  // namespace cobuy
