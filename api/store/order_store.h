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
/// newer build's schema makes this build refuse. Changes to history (schema 3): an order may be
/// cancelled or have items returned, and a customer may be erased; the reads (customer_orders,
/// all_orders) then answer what is left: no cancelled order, returned quantities taken off their
/// lines, nothing of an erased customer. Single-use coupon codes (schema 5): pools of codes
/// imported from the policy's files, each code claimed once, whichever store or process asks.
///
/// Thread safety: every method may be called from any thread; each store serialises its calls on
/// its one connection. Several processes may open the same log.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/offer_events.h"
#include "core/placed_order.h"

namespace cobuy {

/// What record_order did with an order.
enum class RecordResult {
  recorded,   ///< the order is new and is now stored durably
  duplicate,  ///< an identical order with this order_id was already stored;
              ///< nothing changed
};

/// What cancel_order did with an order.
enum class CancelResult {
  cancelled,          ///< the order was live and is now cancelled, durably
  already_cancelled,  ///< it was cancelled before; nothing changed
};

/// Items of a logged order that came back: each line's quantity is reduced by what was returned.
struct OrderReturn {
  std::string order_id;
  std::string return_id;               ///< the shop's id of the return (its RMA number, say)
  std::vector<PlacedOrderLine> items;  ///< item ids of the order and quantities > 0; prices unused
};

/// What erase_customer deleted.
struct Erasure {
  bool already_erased = false;  ///< the customer had been erased before
  std::uint64_t orders = 0;     ///< orders deleted now, with their lines and returns
  std::uint64_t offers = 0;     ///< rows of the offers log deleted now
  std::uint64_t sends = 0;      ///< stored answers of sends deleted now
  std::uint64_t events = 0;     ///< events of their sends deleted now
  /// Coupon codes claimed for them that no longer name them now (the codes stay used).
  std::uint64_t coupon_codes = 0;
};

/// One single-use coupon code wanted: from which pool, for which offer to which customer.
struct CouponClaim {
  std::string pool;         ///< the pool's name (core/coupon_codes.h, coupon_pool_name), e.g. "10"
  std::string offer_id;     ///< the offer that shows the code
  std::string customer_id;  ///< "" = anonymous (or erased: nobody is named)
};

/// What a training run must also leave out of the shop's order files: all_orders() has left it out
/// of the log already.
struct HistoryChanges {
  std::unordered_set<std::string> erased_customers;  ///< customer_key() of each erased customer
  std::unordered_set<std::string> cancelled_orders;  ///< order ids
  std::unordered_set<std::string> returned_orders;   ///< ids of live orders with returns
};

/// The order log.
class OrderStore {
 public:
  using RecordResult = cobuy::RecordResult;

  /// Schema version this build writes and reads. 2 added the sends, 3 cancellations, returns and
  /// erased customers, 4 the events of sends and the holdout's counterfactual offers, 5 the
  /// single-use coupon codes (an older log is upgraded when opened).
  static constexpr int kSchemaVersion = 5;

  /// One email's offers as they were answered (POST /v1/offers with a send_id).
  struct Send {
    std::string send_id;
    std::string customer_id;  ///< "" for an anonymous customer
    std::string context;      ///< e.g. "shipping"
    Timestamp at = kNoTime;   ///< the offers' time
    std::string answer;       ///< the answer as sent (JSON text)
    /// A holdout send: what cobuy would have offered, never shown (a JSON array of
    /// {"offer_id", "item_id", "kind"}); "" for a cobuy send.
    std::string counterfactual;
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
  /// on order_id: the same contents again -> duplicate (a cancelled order stays cancelled). Throws
  /// Error(bad_request) for an invalid order, an order_id already recorded with other contents
  /// (customer, time or lines) or an erased customer, Error(io) when the database fails; nothing
  /// is written then.
  RecordResult record_order(const PlacedOrder& order);

  /// Marks the logged order `order_id` cancelled, durably: the reads leave it out from then on
  /// (its rows stay, so that the same order posted again stays cancelled). Idempotent. Throws
  /// Error(not_found) naming the id when the log has no such order.
  CancelResult cancel_order(std::string_view order_id);

  /// Records that `r.items` of the logged order `r.order_id` came back, in one transaction; the
  /// reads then give each line its quantity less everything returned of it, and leave out a line
  /// returned in full (and an order returned in full). Idempotent on (order_id, return_id): the
  /// same items again -> duplicate. Throws Error(not_found) for an unknown order, Error(bad_request)
  /// naming the field for an invalid return, an item not on the order, more returned than ordered,
  /// a cancelled order, or a return_id already recorded with other items.
  RecordResult record_return(const OrderReturn& r);

  /// Erases `customer_id` on request, in one transaction: deletes their orders (with lines,
  /// returns and cancellations), their offers log and their sends, takes their customer, send and
  /// offer ids off the coupon codes claimed for them (which stay claimed: a code goes out once),
  /// and remembers the customer by customer_key() alone, so that record_order refuses them from
  /// then on and is_erased() knows them. Idempotent (already_erased the second time). Throws
  /// Error(bad_request) for an empty id.
  Erasure erase_customer(std::string_view customer_id);

  /// Whether `customer_id` was erased.
  bool is_erased(std::string_view customer_id) const;

  /// Erased customers, cancelled orders and orders with returns, for a training run.
  virtual HistoryChanges history_changes() const = 0;

  /// How an erased customer is remembered: the lowercase hex SHA-256 of their id (64 characters),
  /// so the log keeps no readable id of someone who asked to be forgotten.
  static std::string customer_key(std::string_view customer_id);

  /// Says which orders to read: true for an order (id, time) to be read with its lines.
  using OrderFilter = std::function<bool(std::string_view order_id, Timestamp time)>;

  /// Live orders of `customer_id` that `wanted` accepts (all when null), by time then order_id,
  /// each with its lines in the order they were recorded (less returns). Only the accepted orders'
  /// lines are read.
  virtual std::vector<PlacedOrder> customer_orders(std::string_view customer_id,
                                                   const OrderFilter& wanted = nullptr) const = 0;

  /// Every live order (not cancelled, not returned in full), by time then order_id, its lines less
  /// returns.
  virtual std::vector<PlacedOrder> all_orders() const = 0;

  /// How many orders are stored, cancelled ones included.
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

  /// Sends whose time is in [from, until) (Unix seconds), by time then send_id.
  virtual std::vector<Send> sends_between(Timestamp from, Timestamp until) const = 0;

  /// Records `event` of a stored send, durably, with the send's customer. Idempotent on (send_id,
  /// offer_id, type): the same event again -> duplicate (an event without a time matches any
  /// stored time). Throws Error(not_found) naming the id for an unknown send_id or an offer_id
  /// that is not among the send's offers, Error(bad_request) for an empty send_id, a clicked event
  /// without an offer_id, or the same key already recorded at another time.
  RecordResult record_event(const OfferEvent& event);

  /// Events of the sends whose time is in [from, until), each with its customer and time, by
  /// send_id, offer_id, type.
  virtual std::vector<OfferEvent> events_between(Timestamp from, Timestamp until) const = 0;

  /// Adds `codes` (one pool's, in file order) to pool `pool`, in one transaction, each unless the
  /// log already holds it (in any pool: `INSERT ... ON CONFLICT DO NOTHING`), after the codes
  /// already there. Idempotent, so a file imported at every start adds only the codes appended to
  /// it since. Returns how many codes were new. Throws Error(bad_request) for an empty pool name
  /// or an empty code.
  std::uint64_t import_coupon_codes(std::string_view pool, const std::vector<std::string>& codes);

  /// Claims, in one transaction, a code for each of `claims`: the first code of its pool, in the
  /// order of import (file order), that was never claimed, marked claimed now for the claim's
  /// offer and customer under `send_id` ("" = none: no send id, or a batch). Returns one entry
  /// per claim, in order; nullopt where the pool had no code left. No code is ever claimed
  /// twice, by any store on the log (replicas sharing PostgreSQL, processes sharing the SQLite
  /// file), nor released by a later erasure. Throws Error(bad_request) for a claim without a pool.
  std::vector<std::optional<std::string>> claim_coupon_codes(const std::vector<CouponClaim>& claims,
                                                             std::string_view send_id);

  /// Puts `codes`, claimed by claim_coupon_codes under `send_id` and never shown, back in their
  /// pools, in one transaction, where they go out first again: for the loser of two requests
  /// racing on one send id (record_send answered the other's send), or a request that failed
  /// after claiming. Only codes whose claim names `send_id` are released; returns how many were.
  std::uint64_t release_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id);

  /// (pool name, codes never claimed) of each pool with codes left, ordered by pool name (a pool
  /// used up, or never imported, is not listed).
  virtual std::vector<std::pair<std::string, std::uint64_t>> coupon_codes_left() const = 0;

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

  /// record_event after validation: `event.customer_id` is the send's; `event.at` is kNoTime
  /// when the caller gave no time, and then `now` is stored and a stored event of the key matches
  /// whatever its time. For a taken key with another time, throws as record_event says.
  virtual RecordResult insert_event(const OfferEvent& event, Timestamp now) = 0;

  /// import_coupon_codes after validation, with at least one code.
  virtual std::uint64_t insert_coupon_codes(std::string_view pool, const std::vector<std::string>& codes,
                                            Timestamp now) = 0;
  /// claim_coupon_codes after validation, with at least one claim; `now` is the time of claiming.
  virtual std::vector<std::optional<std::string>> take_coupon_codes(const std::vector<CouponClaim>& claims,
                                                                    std::string_view send_id, Timestamp now) = 0;
  /// release_coupon_codes with at least one code.
  virtual std::uint64_t return_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id) = 0;

  /// cancel_order after its id is checked.
  virtual CancelResult mark_cancelled(std::string_view order_id) = 0;
  /// record_return after validation. Calls check_return with what the log holds of the order.
  virtual RecordResult insert_return(const OrderReturn& r) = 0;
  /// erase_customer after its id is checked; `key` is customer_key(customer_id).
  virtual Erasure delete_customer(std::string_view customer_id, std::string_view key) = 0;
  /// Whether customer_key `key` is among the erased.
  virtual bool erased_key_known(std::string_view key) const = 0;

  /// `r` against the order it returns items of (`stored`, as recorded; `cancelled`) and the returns
  /// recorded before (`earlier`): duplicate for the same return again, recorded when `r` may be
  /// inserted, else throws as record_return says.
  static RecordResult check_return(const PlacedOrder& stored, bool cancelled, const std::vector<OrderReturn>& earlier,
                                   const OrderReturn& r);
  /// Drops, in place, lines left with no quantity once returns are taken off (quantity <= 1e-9)
  /// and then orders left with no lines.
  static void drop_returned(std::vector<PlacedOrder>& orders);

  /// `event`'s key is already stored, at `stored_at`: duplicate when event.at is kNoTime or the
  /// same time, else Error(bad_request).
  static RecordResult event_duplicate_of(Timestamp stored_at, const OfferEvent& event);

  /// Whether two orders with one id have the same customer, time and lines (in any order).
  static bool same_contents(const PlacedOrder& a, const PlacedOrder& b);
  /// `stored` (the order already recorded under `order`'s id) against `order`: duplicate, or
  /// Error(bad_request) when the contents differ.
  static RecordResult duplicate_of(const PlacedOrder& stored, const PlacedOrder& order);
};

}  // namespace cobuy
