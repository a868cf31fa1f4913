#pragma once
/// The PostgreSQL order log's SQL (api/store/postgres_order_store.cpp): its schema, and every
/// statement it prepares on a connection, by name.

#include "api/store/order_store.h"

namespace cobuy::postgres_log {

/// A prepared statement: its name on the connection, and its SQL.
struct Statement {
  const char* name;
  const char* sql;
};

inline constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS orders(
  order_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  time BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders(customer_id, time);
CREATE TABLE IF NOT EXISTS order_lines(
  order_id TEXT NOT NULL REFERENCES orders(order_id),
  item_id TEXT NOT NULL,
  quantity DOUBLE PRECISION NOT NULL,
  price DOUBLE PRECISION,
  line INTEGER NOT NULL,
  PRIMARY KEY(order_id, item_id));
CREATE TABLE IF NOT EXISTS offers_log(
  id BIGSERIAL PRIMARY KEY,
  customer_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  offered_at BIGINT NOT NULL,
  offer_id TEXT NOT NULL,
  context TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS offers_by_customer ON offers_log(customer_id, offered_at);
CREATE TABLE IF NOT EXISTS sends(
  send_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  context TEXT NOT NULL,
  at BIGINT NOT NULL,
  answer TEXT NOT NULL,
  recorded_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS sends_by_customer ON sends(customer_id);
CREATE TABLE IF NOT EXISTS cancelled_orders(
  order_id TEXT PRIMARY KEY,
  cancelled_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS order_returns(
  order_id TEXT NOT NULL,
  return_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  quantity DOUBLE PRECISION NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY(order_id, return_id, item_id));
CREATE TABLE IF NOT EXISTS erased_customers(
  customer_key TEXT PRIMARY KEY,
  erased_at BIGINT NOT NULL);
ALTER TABLE sends ADD COLUMN IF NOT EXISTS counterfactual TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS sends_by_time ON sends(at);
CREATE TABLE IF NOT EXISTS events(
  send_id TEXT NOT NULL,
  offer_id TEXT NOT NULL,
  type TEXT NOT NULL,
  at BIGINT NOT NULL,
  customer_id TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY(send_id, offer_id, type));
CREATE INDEX IF NOT EXISTS events_by_customer ON events(customer_id);
CREATE TABLE IF NOT EXISTS coupon_codes(
  seq BIGSERIAL PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  pool TEXT NOT NULL,
  loaded_at BIGINT NOT NULL,
  send_id TEXT NOT NULL DEFAULT '',
  offer_id TEXT NOT NULL DEFAULT '',
  customer_id TEXT NOT NULL DEFAULT '',
  claimed_at BIGINT);
CREATE INDEX IF NOT EXISTS coupon_codes_free ON coupon_codes(pool, seq) WHERE claimed_at IS NULL;
CREATE INDEX IF NOT EXISTS coupon_codes_by_customer ON coupon_codes(customer_id);
)sql";

inline constexpr Statement kFindOrder{"find_order", "SELECT customer_id, time FROM orders WHERE order_id = $1"};
inline constexpr Statement kFindLines{"find_lines",
                               "SELECT item_id, quantity, price FROM "
                               "order_lines WHERE order_id = $1 ORDER BY line"};
// An order and its lines in one statement (one round trip, atomic on its own): the lines go in
// only when the order row did, so the count of lines inserted says which it was (an order has
// at least one line).
inline constexpr Statement kInsertOrder{"insert_order",
                                 "WITH o AS (INSERT INTO orders(order_id, customer_id, time, recorded_at) "
                                 "VALUES ($1, $2, $3, $4) ON CONFLICT (order_id) DO NOTHING RETURNING order_id) "
                                 "INSERT INTO order_lines(order_id, item_id, quantity, price, line) "
                                 "SELECT o.order_id, l.item_id, l.quantity, l.price, l.n - 1 FROM o, "
                                 "unnest($5::text[], $6::float8[], $7::float8[]) WITH ORDINALITY "
                                 "AS l(item_id, quantity, price, n)"};
inline constexpr Statement kCustomerOrders{"customer_orders",
                                    "SELECT order_id, time FROM orders WHERE customer_id = $1 "
                                    "AND order_id NOT IN (SELECT order_id FROM cancelled_orders) "
                                    "ORDER BY time, order_id"};
// A line's quantity less what was returned of it (drop_returned drops what is left at zero).
#define COBUY_LIVE_QUANTITY                                                                      \
  "l.quantity - COALESCE((SELECT SUM(r.quantity) FROM order_returns r WHERE r.order_id = l.order_id " \
  "AND r.item_id = l.item_id), 0)"
inline constexpr Statement kLinesOf{"lines_of",
                             "SELECT l.order_id, l.item_id, " COBUY_LIVE_QUANTITY ", l.price FROM order_lines l "
                             "WHERE l.order_id = ANY($1::text[]) ORDER BY l.order_id, l.line"};
inline constexpr Statement kAllOrders{"all_orders",
                               "SELECT o.order_id, o.customer_id, o.time, l.item_id, " COBUY_LIVE_QUANTITY ", l.price "
                               "FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
                               "WHERE o.order_id NOT IN (SELECT order_id FROM cancelled_orders) "
                               "ORDER BY o.time, o.order_id, l.line"};
#undef COBUY_LIVE_QUANTITY
inline constexpr Statement kCount{"count", "SELECT COUNT(*) FROM orders"};
// A batch of offers in one statement, logged (numbered by `id`) in the batch's order.
inline constexpr Statement kInsertOffer{"insert_offer",
                                 "INSERT INTO offers_log(customer_id, item_id, offered_at, offer_id, context) "
                                 "SELECT $1, t.item_id, $3, t.offer_id, $4 FROM unnest($2::text[], $5::text[]) "
                                 "WITH ORDINALITY AS t(item_id, offer_id, n) ORDER BY t.n"};
inline constexpr Statement kOfferedSince{"offered_since",
                                  "SELECT item_id, offered_at FROM offers_log WHERE "
                                  "customer_id = $1 AND offered_at >= $2 "
                                  "ORDER BY offered_at DESC, id DESC LIMIT 1000"};
static_assert(OrderStore::kMaxOfferedRows == 1000, "kOfferedSince's LIMIT");
inline constexpr Statement kFindSend{"find_send",
                                     "SELECT customer_id, context, at, answer, counterfactual FROM sends "
                                     "WHERE send_id = $1"};
inline constexpr Statement kSendsBetween{"sends_between",
                                         "SELECT send_id, customer_id, context, at, answer, counterfactual FROM sends "
                                         "WHERE at >= $1 AND at < $2 ORDER BY at, send_id"};
// Events: when the key is taken this inserts nothing, and the caller compares the stored time.
inline constexpr Statement kInsertEvent{"insert_event",
                                        "INSERT INTO events(send_id, offer_id, type, at, customer_id, recorded_at) "
                                        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (send_id, offer_id, type) DO NOTHING"};
inline constexpr Statement kFindEvent{"find_event",
                                      "SELECT at FROM events WHERE send_id = $1 AND offer_id = $2 AND type = $3"};
inline constexpr Statement kEventsBetween{"events_between",
                                          "SELECT e.send_id, e.offer_id, e.type, e.at, e.customer_id FROM events e "
                                          "JOIN sends s ON s.send_id = e.send_id WHERE s.at >= $1 AND s.at < $2 "
                                          "ORDER BY e.send_id, e.offer_id, e.type"};
inline constexpr Statement kEraseEvents{"erase_events", "DELETE FROM events WHERE customer_id = $1"};
// When the id is taken this inserts nothing (a concurrent insert of the same id waits for the
// other's commit first), and the caller rolls back instead of logging the offers.
inline constexpr Statement kInsertSend{"insert_send",
                                "INSERT INTO sends(send_id, customer_id, context, at, answer, recorded_at, "
                                "counterfactual) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (send_id) DO NOTHING"};
// Changes to history. A return locks its order's row, so two returns of one order are checked
// against each other's items one after the other.
inline constexpr Statement kLockOrder{"lock_order", "SELECT customer_id, time FROM orders WHERE order_id = $1 FOR UPDATE"};
inline constexpr Statement kIsCancelled{"is_cancelled", "SELECT 1 FROM cancelled_orders WHERE order_id = $1"};
inline constexpr Statement kCancel{"cancel",
                            "INSERT INTO cancelled_orders(order_id, cancelled_at) VALUES ($1, $2) "
                            "ON CONFLICT (order_id) DO NOTHING"};
inline constexpr Statement kReturnsOf{"returns_of",
                               "SELECT return_id, item_id, quantity FROM order_returns WHERE order_id = $1 "
                               "ORDER BY return_id"};
inline constexpr Statement kInsertReturn{"insert_return",
                                  "INSERT INTO order_returns(order_id, return_id, item_id, quantity, recorded_at) "
                                  "SELECT $1, $2, t.item_id, t.quantity, $5 FROM "
                                  "unnest($3::text[], $4::float8[]) AS t(item_id, quantity)"};
inline constexpr Statement kIsErased{"is_erased", "SELECT 1 FROM erased_customers WHERE customer_key = $1"};
// An erased customer's rows, in dependency order (order_lines refers to orders).
inline constexpr Statement kEraseLines{"erase_lines",
                                "DELETE FROM order_lines WHERE order_id IN "
                                "(SELECT order_id FROM orders WHERE customer_id = $1)"};
inline constexpr Statement kEraseReturns{"erase_returns",
                                  "DELETE FROM order_returns WHERE order_id IN "
                                  "(SELECT order_id FROM orders WHERE customer_id = $1)"};
inline constexpr Statement kEraseCancelled{"erase_cancelled",
                                    "DELETE FROM cancelled_orders WHERE order_id IN "
                                    "(SELECT order_id FROM orders WHERE customer_id = $1)"};
inline constexpr Statement kEraseOrders{"erase_orders", "DELETE FROM orders WHERE customer_id = $1"};
inline constexpr Statement kEraseOffers{"erase_offers", "DELETE FROM offers_log WHERE customer_id = $1"};
inline constexpr Statement kEraseSends{"erase_sends", "DELETE FROM sends WHERE customer_id = $1"};
inline constexpr Statement kEraseCustomer{"erase_customer",
                                   "INSERT INTO erased_customers(customer_key, erased_at) VALUES ($1, $2) "
                                   "ON CONFLICT (customer_key) DO NOTHING"};
// Single-use coupon codes (schema 5). `seq` numbers them in import order (file order: the rows
// of one import are inserted in the array's order); `claimed_at` NULL = free. A code already
// known, in any pool, is left as it is; a concurrent import of the same code waits for the
// other's commit and then skips it.
inline constexpr Statement kInsertCoupons{"insert_coupons",
                                          "INSERT INTO coupon_codes(code, pool, loaded_at) SELECT t.code, $1, $3 "
                                          "FROM unnest($2::text[]) WITH ORDINALITY AS t(code, n) ORDER BY t.n "
                                          "ON CONFLICT (code) DO NOTHING"};
// The next free code of a pool, locked and marked in one statement. SKIP LOCKED: a code another
// transaction is claiming is passed over (not waited for), so two replicas never get one code and
// neither waits for the other's commit.
inline constexpr Statement kClaimCoupon{"claim_coupon",
                                        "WITH next AS (SELECT seq FROM coupon_codes WHERE pool = $5 "
                                        "AND claimed_at IS NULL ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
                                        "UPDATE coupon_codes c SET send_id = $1, offer_id = $2, customer_id = $3, "
                                        "claimed_at = $4 FROM next WHERE c.seq = next.seq RETURNING c.code"};
inline constexpr Statement kReleaseCoupons{"release_coupons",
                                           "UPDATE coupon_codes SET send_id = '', offer_id = '', customer_id = '', "
                                           "claimed_at = NULL WHERE code = ANY($1::text[]) AND send_id = $2 "
                                           "AND claimed_at IS NOT NULL"};
inline constexpr Statement kCouponsLeft{"coupons_left",
                                        "SELECT pool, COUNT(*) FROM coupon_codes WHERE claimed_at IS NULL "
                                        "GROUP BY pool ORDER BY pool"};
inline constexpr Statement kUnlinkCoupons{"unlink_coupons",
                                          "UPDATE coupon_codes SET send_id = '', offer_id = '', customer_id = '' "
                                          "WHERE customer_id = $1"};
inline constexpr Statement kErased{"erased", "SELECT customer_key FROM erased_customers"};
inline constexpr Statement kCancelled{"cancelled", "SELECT order_id FROM cancelled_orders"};
inline constexpr Statement kReturned{"returned",
                              "SELECT DISTINCT order_id FROM order_returns "
                              "WHERE order_id NOT IN (SELECT order_id FROM cancelled_orders)"};
inline constexpr Statement kStatements[] = {
    kFindOrder,    kFindLines,    kInsertOrder,  kCustomerOrders, kLinesOf,        kAllOrders,   kCount,
    kInsertOffer,  kOfferedSince, kFindSend,     kInsertSend,     kLockOrder,      kIsCancelled, kCancel,
    kReturnsOf,    kInsertReturn, kIsErased,     kEraseLines,     kEraseReturns,   kEraseCancelled,
    kEraseOrders,  kEraseOffers,  kEraseSends,   kEraseCustomer,  kErased,         kCancelled,   kReturned,
    kSendsBetween, kInsertEvent,  kFindEvent,    kEventsBetween,  kEraseEvents,    kInsertCoupons, kClaimCoupon,
    kReleaseCoupons, kCouponsLeft, kUnlinkCoupons};

}  // namespace cobuy::postgres_log
