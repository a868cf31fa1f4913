#pragma once
/// The order log in an embedded SQLite file (WAL mode, synchronous=FULL): the default, for one
/// machine. The schema version is in PRAGMA user_version. One connection, guarded by a mutex;
/// several processes may open the same file (SQLite's file locks and a 5 s busy timeout
/// arbitrate).

#include <memory>
#include <string>

#include "api/store/order_store.h"

namespace cobuy {

class SqliteOrderStore final : public OrderStore {
 public:
  /// Opens the file at `path`, creating it and its schema when absent; throws as OrderStore::open says.
  static std::unique_ptr<OrderStore> open(const std::string& path);

  struct Impl;
  explicit SqliteOrderStore(std::unique_ptr<Impl> impl);
  ~SqliteOrderStore() override;

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
