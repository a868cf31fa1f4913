#pragma once
/// The durable order log that POST /v1/orders writes and `cobuy train
/// --orders-db` reads. It also logs which offers were shown to whom, so an item is not offered
/// to the same customer again too soon, and each email's answer under its send id, so a retry
/// gets the very same offers.
///
/// One interface, two implementations with the same contract (tests/api/order_store_test.cpp
/// runs one suite against both):
/// - an embedded SQLite file (the default; api/store/sqlite_order_store), for one machine;
/// - a PostgreSQL database (`postgresql://...`; api/store/postgres_order_store), which several
///   `cobuy serve` replicas share, so an order posted to one is known to all.
///
/// The contract: an order is durable when record_order returns; record_order is idempotent on
/// order_id and refuses the same id with other contents; the offers log; a schema version that a
/// newer build's schema makes this build refuse.
///
/// Thread safety: every method may be called from any thread; each store serialises its calls on
/// its one connection. Several processes may open the same log.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/placed_order.h"

namespace cobuy {

/// What record_order did with an order.
enum class RecordResult {
  recorded,   ///< the order is new and is now stored durably
  duplicate,  ///< an identical order with this order_id was already stored;
              ///< nothing changed
};

/// The order log.
class OrderStore {
 public:
  using RecordResult = cobuy::RecordResult;

  /// Schema version this build writes and reads. 2 added the sends (an older log is upgraded
  /// when opened).
  static constexpr int kSchemaVersion = 2;

  /// One email's offers as they were answered (POST /v1/offers with a send_id).
  struct Send {
    std::string send_id;
    std::string customer_id;  ///< "" for an anonymous customer
    std::string context;      ///< e.g. "shipping"
    Timestamp at = kNoTime;   ///< the offers' time
    std::string answer;       ///< the answer as sent (JSON text)
  };

  /// Opens the log at `location`: a PostgreSQL connection URI (`postgresql://` or `postgres://`,
  /// libpq's syntax) or else the path of a SQLite file, created with its schema when absent.
  /// Throws Error(io) naming the location (without its password) and the database's message when
  /// it cannot be opened or set up, Error(bad_data) when its schema version is newer than this
  /// build's.
  static std::unique_ptr<OrderStore> open(const std::string& location);

  /// True when `location` names a PostgreSQL database rather than a SQLite file.
  static bool is_postgres(std::string_view location);

  /// `location` as messages and logs may show it: a URI's password replaced by "***".
  static std::string redacted(std::string_view location);

  virtual ~OrderStore() = default;
  OrderStore(const OrderStore&) = delete;
  OrderStore& operator=(const OrderStore&) = delete;

  /// Validates `order` (customer and time required) and stores it with its lines in one
  /// transaction; when record_order returns, the order survives a crash of the process. Idempotent
  /// on order_id: the same contents again -> duplicate. Throws Error(bad_request) for an invalid
  /// order or an order_id already recorded with other contents (customer, time or lines),
  /// Error(io) when the database fails; nothing is written then.
  RecordResult record_order(const PlacedOrder& order);

  /// Says which orders to read: true for an order (id, time) to be read with its lines.
  using OrderFilter = std::function<bool(std::string_view order_id, Timestamp time)>;

  /// Orders of `customer_id` that `wanted` accepts (all when null), by time then order_id, each
  /// with its lines in the order they were recorded. Only the accepted orders' lines are read.
  virtual std::vector<PlacedOrder> customer_orders(std::string_view customer_id,
                                                   const OrderFilter& wanted = nullptr) const = 0;

  /// Every stored order, by time then order_id.
  virtual std::vector<PlacedOrder> all_orders() const = 0;

  /// How many orders are stored.
  virtual std::uint64_t order_count() const = 0;

  /// Logs, in one transaction, that the items of `item_and_offer_ids` (item id, offer id) were
  /// offered to `customer_id` in `context` (e.g. "shipping") at `at` (Unix seconds UTC). Throws
  /// Error(bad_request) for an empty customer or item id or a missing time.
  void record_offers(std::string_view customer_id,
                     const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                     std::string_view context, Timestamp at);

  /// Records `send` and logs its offers (item id, offer id) as record_offers does (none for an
  /// anonymous customer), in one transaction, unless send.send_id is taken. Returns nullopt when
  /// recorded, else the send already stored under the id (and writes nothing): of two requests
  /// with one send id, whether on one server or two replicas, exactly one is recorded and both
  /// answer what it answered. Throws Error(bad_request) for an empty send id, a missing time or an
  /// empty item id.
  std::optional<Send> record_send(const Send& send,
                                  const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids);

  /// The send stored under `send_id`, or nullopt.
  virtual std::optional<Send> find_send(std::string_view send_id) const = 0;

  /// The most (item id, offered at) pairs offered_since() returns: far more than a customer gets
  /// in any re-offer window (offer_policy reoffer_after_days, 14 by default).
  static constexpr std::size_t kMaxOfferedRows = 1000;

  /// (item id, offered at) of the offers to `customer_id` at or after `since` (Unix seconds),
  /// oldest first; only the latest kMaxOfferedRows of them, so what one request reads stays
  /// bounded however many offers were logged for the customer (an index scan, no sort).
  virtual std::vector<std::pair<std::string, Timestamp>> offered_since(std::string_view customer_id,
                                                                       Timestamp since) const = 0;

 protected:
  OrderStore() = default;

  /// record_order after validation: store `order` unless its id is taken. For a taken id, returns
  /// duplicate when same_contents(stored, order), else throws as record_order says.
  virtual RecordResult insert_order(const PlacedOrder& order) = 0;
  /// record_offers after validation, with at least one offer.
  virtual void insert_offers(std::string_view customer_id,
                             const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                             std::string_view context, Timestamp at) = 0;

  /// record_send after validation.
  virtual std::optional<Send> insert_send(const Send& send,
                                          const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids) = 0;

  /// Whether two orders with one id have the same customer, time and lines (in any order).
  static bool same_contents(const PlacedOrder& a, const PlacedOrder& b);
  /// `stored` (the order already recorded under `order`'s id) against `order`: duplicate, or
  /// Error(bad_request) when the contents differ.
  static RecordResult duplicate_of(const PlacedOrder& stored, const PlacedOrder& order);
};

}  // namespace cobuy
