#pragma once
/// The durable order log: an embedded SQLite database (WAL mode, synchronous=FULL) that
/// POST /v1/orders writes and `cobuy train --orders-db` reads. It also logs which offers were
/// shown to whom, so an item is not offered to the same customer again too soon.
///
/// Thread safety: one OrderStore holds one SQLite connection guarded by a std::mutex; every
/// method may be called from any thread, calls are serialised. Several processes may open the
/// same file (SQLite's file locks and a 5 s busy timeout arbitrate).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/placed_order.h"

namespace cobuy {

/// What record_order did with an order.
enum class RecordResult {
  recorded,   ///< the order is new and is now stored durably
  duplicate,  ///< an identical order with this order_id was already stored; nothing changed
};

/// The order log over one SQLite file.
class OrderStore {
 public:
  using RecordResult = cobuy::RecordResult;

  /// Schema version this build writes and reads (stored in PRAGMA user_version).
  static constexpr int kSchemaVersion = 1;

  /// Opens the store at `path`, creating the file and its schema when absent. The caller owns
  /// the result. Throws Error(io) naming the path and SQLite's message when the file cannot be
  /// opened or set up, Error(bad_data) when it has a newer schema version than this build.
  static std::unique_ptr<OrderStore> open(const std::string& path);

 private:
  struct Impl;
  struct Key {
    explicit Key() = default;
  };

 public:
  /// For open() only (Key is private): use open().
  OrderStore(Key, std::unique_ptr<Impl> impl);
  ~OrderStore();
  OrderStore(const OrderStore&) = delete;
  OrderStore& operator=(const OrderStore&) = delete;

  /// Validates `order` (customer and time required) and stores it with its lines in one
  /// transaction; when record_order returns, the order survives a crash of the process.
  /// Idempotent on order_id: the same contents again -> duplicate. Throws Error(bad_request) for
  /// an invalid order or an order_id already recorded with other contents (customer, time or
  /// lines), Error(io) when the database fails; nothing is written then.
  RecordResult record_order(const PlacedOrder& order);

  /// Says which orders to read: true for an order (id, time) to be read with its lines.
  using OrderFilter = std::function<bool(std::string_view order_id, Timestamp time)>;

  /// Orders of `customer_id` that `wanted` accepts (all when null), by time then order_id, each
  /// with its lines in the order they were recorded. Only the accepted orders' lines are read.
  std::vector<PlacedOrder> customer_orders(std::string_view customer_id, const OrderFilter& wanted = nullptr) const;

  /// Every stored order, by time then order_id.
  std::vector<PlacedOrder> all_orders() const;

  /// How many orders are stored.
  std::uint64_t order_count() const;

  /// Logs, in one transaction, that the items of `item_and_offer_ids` (item id, offer id) were
  /// offered to `customer_id` in `context` (e.g. "shipping") at `at` (Unix seconds UTC).
  /// Throws Error(bad_request) for an empty customer or item id or a missing time.
  void record_offers(std::string_view customer_id,
                     const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                     std::string_view context, Timestamp at);

  /// The most (item id, offered at) pairs offered_since() returns: far more than a customer gets
  /// in any re-offer window (offer_policy reoffer_after_days, 14 by default).
  static constexpr std::size_t kMaxOfferedRows = 1000;

  /// (item id, offered at) of the offers to `customer_id` at or after `since` (Unix seconds),
  /// oldest first; only the latest kMaxOfferedRows of them, so what one request reads stays
  /// bounded however many offers were logged for the customer (an index scan, no sort).
  std::vector<std::pair<std::string, Timestamp>> offered_since(std::string_view customer_id, Timestamp since) const;

  /// The database file this store writes.
  const std::string& path() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cobuy
