#include "api/store/sqlite_order_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "api/store/sqlite_connection.h"
#include "api/store/sqlite_coupon_codes.h"
#include "core/error.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

using namespace sqlite_log;  // Connection, Query, Transaction

constexpr int kBusyTimeoutMs = 5000;

// Lines carry their position (`line`) so they read back in the order they were given: rowids of
// a table without an INTEGER PRIMARY KEY may be renumbered by VACUUM.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS orders(
  order_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  time INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders(customer_id, time);
CREATE TABLE IF NOT EXISTS order_lines(
  order_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  quantity REAL NOT NULL,
  price REAL,
  line INTEGER NOT NULL,
  PRIMARY KEY(order_id, item_id));
CREATE TABLE IF NOT EXISTS offers_log(
  customer_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  offered_at INTEGER NOT NULL,
  offer_id TEXT NOT NULL,
  context TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS offers_by_customer ON offers_log(customer_id, offered_at);
CREATE TABLE IF NOT EXISTS sends(
  send_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  context TEXT NOT NULL,
  at INTEGER NOT NULL,
  answer TEXT NOT NULL,
  recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sends_by_customer ON sends(customer_id);
CREATE TABLE IF NOT EXISTS cancelled_orders(
  order_id TEXT PRIMARY KEY,
  cancelled_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS order_returns(
  order_id TEXT NOT NULL,
  return_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  quantity REAL NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY(order_id, return_id, item_id));
CREATE TABLE IF NOT EXISTS erased_customers(
  customer_key TEXT PRIMARY KEY,
  erased_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  send_id TEXT NOT NULL,
  offer_id TEXT NOT NULL,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  customer_id TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY(send_id, offer_id, type));
CREATE INDEX IF NOT EXISTS events_by_customer ON events(customer_id);
CREATE INDEX IF NOT EXISTS sends_by_time ON sends(at);
)sql";
// Schema 4's column of a table created before it (kSchema creates sends without it, so that one
// statement serves a new log and an upgraded one).
constexpr const char* kAddCounterfactual = "ALTER TABLE sends ADD COLUMN counterfactual TEXT NOT NULL DEFAULT ''";

// A line's quantity less what was returned of it (drop_returned drops what is left at zero).
#define COBUY_LIVE_QUANTITY                                                                      \
  "l.quantity - COALESCE((SELECT SUM(r.quantity) FROM order_returns r WHERE r.order_id = l.order_id " \
  "AND r.item_id = l.item_id), 0)"
constexpr const char* kLiveOrderLines =
    "SELECT o.order_id, o.customer_id, o.time, l.item_id, " COBUY_LIVE_QUANTITY ", l.price "
    "FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
    "WHERE o.order_id NOT IN (SELECT order_id FROM cancelled_orders) ORDER BY o.time, o.order_id, l.line";
constexpr const char* kLiveLines =
    "SELECT l.item_id, " COBUY_LIVE_QUANTITY ", l.price FROM order_lines l WHERE l.order_id = ? ORDER BY l.line";
#undef COBUY_LIVE_QUANTITY
// An erased customer's orders and what hangs on them, in dependency order.
constexpr const char* kEraseOrderRows[] = {
    "DELETE FROM order_lines WHERE order_id IN (SELECT order_id FROM orders WHERE customer_id = ?)",
    "DELETE FROM order_returns WHERE order_id IN (SELECT order_id FROM orders WHERE customer_id = ?)",
    "DELETE FROM cancelled_orders WHERE order_id IN (SELECT order_id FROM orders WHERE customer_id = ?)",
};

/// Orders from rows of kSelectOrderLines (one row a line, grouped by order).
std::vector<PlacedOrder> read_orders(Query& q) {
  std::vector<PlacedOrder> out;
  while (q.step()) {
    std::string id = q.text_at(0);
    if (out.empty() || out.back().order_id != id) {
      PlacedOrder o;
      o.order_id = std::move(id);
      o.customer_id = q.text_at(1);
      o.time = q.integer_at(2);
      out.push_back(std::move(o));
    }
    out.back().lines.push_back({q.text_at(3), q.real_at(4), q.optional_real_at(5)});
  }
  return out;
}

}  // namespace

struct SqliteOrderStore::Impl {
  Connection c;
  std::mutex mutex;  // one connection, one caller at a time
  Stmt find_order, find_lines, insert_order, insert_line, customer_orders, all_orders, count, insert_offer,
      offered_since, find_send, insert_send, live_lines, is_cancelled, cancel, returns_of, insert_return,
      is_erased, erase_orders, erase_offers, erase_sends, erase_customer, erased, cancelled, returned, find_event,
      insert_event, erase_events, sends_between, events_between;
  std::vector<Stmt> erase_order_rows;  // kEraseOrderRows
  std::optional<CouponCodes> coupons;   // schema 5's table

  /// The ids (first column) of every row of `s`.
  std::unordered_set<std::string> ids(const Stmt& s) {
    Query q(c, s);
    std::unordered_set<std::string> out;
    while (q.step()) out.insert(q.text_at(0));
    return out;
  }

  /// The send stored under `send_id`, or nullopt.
  std::optional<OrderStore::Send> load_send(std::string_view send_id) {
    Query q(c, find_send);
    q.text(send_id);
    if (!q.step()) return std::nullopt;
    return OrderStore::Send{std::string(send_id), q.text_at(0), q.text_at(1), q.integer_at(2), q.text_at(3),
                            q.text_at(4)};
  }
  void log_offers(std::string_view customer_id,
                  const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                  std::string_view context, Timestamp at) {
    for (const auto& [item, offer] : item_and_offer_ids) {
      Query(c, insert_offer).text(customer_id).text(item).integer(at).text(offer).text(context).run();
    }
  }

  /// The stored order `order_id`, or nullopt.
  std::optional<PlacedOrder> load_order(const std::string& order_id) {
    PlacedOrder o;
    {
      Query q(c, find_order);
      q.text(order_id);
      if (!q.step()) return std::nullopt;
      o.order_id = order_id;
      o.customer_id = q.text_at(0);
      o.time = q.integer_at(1);
    }
    Query q(c, find_lines);
    q.text(order_id);
    while (q.step()) o.lines.push_back({q.text_at(0), q.real_at(1), q.optional_real_at(2)});
    return o;
  }
};

SqliteOrderStore::SqliteOrderStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteOrderStore::~SqliteOrderStore() = default;

std::unique_ptr<OrderStore> SqliteOrderStore::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  Connection& c = impl->c;
  c.path = path;
  sqlite3* raw = nullptr;
  // The mutex in Impl serialises every use of the connection; SQLite's own is not needed.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  c.db.reset(raw);
  c.check(rc, "cannot open");
  c.check(sqlite3_busy_timeout(raw, kBusyTimeoutMs), "cannot set the busy timeout");
  {
    const Stmt wal = c.prepare("PRAGMA journal_mode=WAL");
    Query q(c, wal);
    const std::string mode = q.step() ? q.text_at(0) : "";
    COBUY_CHECK(mode == "wal", ErrorCode::io,
                "order log " << path << ": cannot switch to WAL mode (journal mode is '" << mode << "')");
  }
  // FULL: a commit is synced to disk before record_order returns.
  c.exec("PRAGMA synchronous=FULL");
  {
    Transaction t(c);
    const Stmt version_stmt = c.prepare("PRAGMA user_version");
    std::int64_t version = 0;
    {
      Query q(c, version_stmt);
      if (q.step()) version = q.integer_at(0);
    }
    COBUY_CHECK(version <= kSchemaVersion, ErrorCode::bad_data,
                "order log " << path << " has schema version " << version << ", this build reads up to version "
                             << kSchemaVersion << "; use a newer cobuy");
    if (version < kSchemaVersion) {
      c.exec(kSchema);
      c.exec(kCouponSchema);
      const Stmt has_column =
          c.prepare("SELECT COUNT(*) FROM pragma_table_info('sends') WHERE name = 'counterfactual'");
      Query q(c, has_column);
      if (q.step() && q.integer_at(0) == 0) c.exec(kAddCounterfactual);
      c.exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    }
    t.commit();
  }
  impl->find_order = c.prepare("SELECT customer_id, time FROM orders WHERE order_id = ?");
  impl->find_lines = c.prepare(
      "SELECT item_id, quantity, price FROM "
      "order_lines WHERE order_id = ? ORDER BY line");
  impl->insert_order = c.prepare(
      "INSERT INTO orders(order_id, customer_id, "
      "time, recorded_at) VALUES (?, ?, ?, ?)");
  impl->insert_line = c.prepare(
      "INSERT INTO order_lines(order_id, item_id, quantity, price, "
      "line) VALUES (?, ?, ?, ?, ?)");
  impl->customer_orders = c.prepare(
      "SELECT order_id, time FROM orders WHERE customer_id = ? "
      "AND order_id NOT IN (SELECT order_id FROM cancelled_orders) ORDER BY time, order_id");
  impl->all_orders = c.prepare(kLiveOrderLines);
  impl->live_lines = c.prepare(kLiveLines);
  impl->count = c.prepare("SELECT COUNT(*) FROM orders");
  impl->insert_offer = c.prepare(
      "INSERT INTO offers_log(customer_id, item_id, offered_at, "
      "offer_id, context) VALUES (?, ?, ?, ?, ?)");
  impl->offered_since = c.prepare(
      "SELECT item_id, offered_at FROM offers_log WHERE customer_id "
      "= ? AND offered_at >= ? "
      "ORDER BY offered_at DESC, rowid DESC LIMIT " +
      std::to_string(OrderStore::kMaxOfferedRows));
  impl->find_send = c.prepare("SELECT customer_id, context, at, answer, counterfactual FROM sends WHERE send_id = ?");
  impl->insert_send = c.prepare(
      "INSERT INTO sends(send_id, customer_id, context, at, answer, recorded_at, counterfactual) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  impl->sends_between = c.prepare(
      "SELECT send_id, customer_id, context, at, answer, counterfactual FROM sends WHERE at >= ? AND at < ? "
      "ORDER BY at, send_id");
  impl->find_event = c.prepare("SELECT at FROM events WHERE send_id = ? AND offer_id = ? AND type = ?");
  impl->insert_event = c.prepare(
      "INSERT INTO events(send_id, offer_id, type, at, customer_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
  impl->events_between = c.prepare(
      "SELECT e.send_id, e.offer_id, e.type, e.at, e.customer_id FROM events e JOIN sends s ON s.send_id = e.send_id "
      "WHERE s.at >= ? AND s.at < ? ORDER BY e.send_id, e.offer_id, e.type");
  impl->erase_events = c.prepare("DELETE FROM events WHERE customer_id = ?");
  impl->is_cancelled = c.prepare("SELECT 1 FROM cancelled_orders WHERE order_id = ?");
  impl->cancel = c.prepare("INSERT OR IGNORE INTO cancelled_orders(order_id, cancelled_at) VALUES (?, ?)");
  impl->returns_of = c.prepare(
      "SELECT return_id, item_id, quantity FROM order_returns WHERE order_id = ? ORDER BY return_id");
  impl->insert_return = c.prepare(
      "INSERT INTO order_returns(order_id, return_id, item_id, quantity, recorded_at) VALUES (?, ?, ?, ?, ?)");
  impl->is_erased = c.prepare("SELECT 1 FROM erased_customers WHERE customer_key = ?");
  for (const char* sql : kEraseOrderRows) impl->erase_order_rows.push_back(c.prepare(sql));
  impl->erase_orders = c.prepare("DELETE FROM orders WHERE customer_id = ?");
  impl->erase_offers = c.prepare("DELETE FROM offers_log WHERE customer_id = ?");
  impl->erase_sends = c.prepare("DELETE FROM sends WHERE customer_id = ?");
  impl->erase_customer = c.prepare("INSERT OR IGNORE INTO erased_customers(customer_key, erased_at) VALUES (?, ?)");
  impl->erased = c.prepare("SELECT customer_key FROM erased_customers");
  impl->cancelled = c.prepare("SELECT order_id FROM cancelled_orders");
  impl->returned = c.prepare(
      "SELECT DISTINCT order_id FROM order_returns WHERE order_id NOT IN (SELECT order_id FROM cancelled_orders)");
  impl->coupons.emplace(c);
  return std::make_unique<SqliteOrderStore>(std::move(impl));
}

RecordResult SqliteOrderStore::insert_order(const PlacedOrder& o) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  Transaction t(c);
  // A taken id writes nothing; the transaction rolls back.
  if (const auto stored = impl_->load_order(o.order_id)) return duplicate_of(*stored, o);
  Query(c, impl_->insert_order).text(o.order_id).text(o.customer_id).integer(o.time).integer(unix_now()).run();
  for (std::size_t k = 0; k < o.lines.size(); ++k) {
    const auto& l = o.lines[k];
    Query(c, impl_->insert_line)
        .text(o.order_id)
        .text(l.item_id)
        .real(l.quantity)
        .real(l.price)
        .integer(static_cast<std::int64_t>(k))
        .run();
  }
  t.commit();
  return RecordResult::recorded;
}

std::vector<PlacedOrder> SqliteOrderStore::customer_orders(std::string_view customer_id,
                                                           const OrderFilter& wanted) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<PlacedOrder> out;
  {
    Query q(impl_->c, impl_->customer_orders);
    q.text(customer_id);
    while (q.step()) {
      PlacedOrder o;
      o.order_id = q.text_at(0);
      o.time = q.integer_at(1);
      if (wanted && !wanted(o.order_id, o.time)) continue;
      o.customer_id = std::string(customer_id);
      out.push_back(std::move(o));
    }
  }
  for (auto& o : out) {
    Query q(impl_->c, impl_->live_lines);
    q.text(o.order_id);
    while (q.step()) o.lines.push_back({q.text_at(0), q.real_at(1), q.optional_real_at(2)});
  }
  drop_returned(out);
  return out;
}

std::vector<PlacedOrder> SqliteOrderStore::all_orders() const {
  std::lock_guard lock(impl_->mutex);
  Query q(impl_->c, impl_->all_orders);
  auto out = read_orders(q);
  drop_returned(out);
  return out;
}

std::uint64_t SqliteOrderStore::order_count() const {
  std::lock_guard lock(impl_->mutex);
  Query q(impl_->c, impl_->count);
  return q.step() ? static_cast<std::uint64_t>(q.integer_at(0)) : 0;
}

void SqliteOrderStore::insert_offers(std::string_view customer_id,
                                     const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                                     std::string_view context, Timestamp at) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  Transaction t(c);
  impl_->log_offers(customer_id, item_and_offer_ids, context, at);
  t.commit();
}

std::optional<OrderStore::Send> SqliteOrderStore::find_send(std::string_view send_id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->load_send(send_id);
}

std::optional<OrderStore::Send> SqliteOrderStore::insert_send(
    const Send& send, const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  // BEGIN IMMEDIATE holds the write lock from the look-up on: another process cannot take the id
  // between the two.
  Transaction t(c);
  if (auto stored = impl_->load_send(send.send_id)) return stored;
  Query(c, impl_->insert_send)
      .text(send.send_id)
      .text(send.customer_id)
      .text(send.context)
      .integer(send.at)
      .text(send.answer)
      .integer(unix_now())
      .text(send.counterfactual)
      .run();
  impl_->log_offers(send.customer_id, item_and_offer_ids, send.context, send.at);
  t.commit();
  return std::nullopt;
}

std::vector<std::pair<std::string, Timestamp>> SqliteOrderStore::offered_since(std::string_view customer_id,
                                                                               Timestamp since) const {
  std::lock_guard lock(impl_->mutex);
  Query q(impl_->c, impl_->offered_since);
  q.text(customer_id).integer(since);
  std::vector<std::pair<std::string, Timestamp>> out;
  while (q.step()) out.emplace_back(q.text_at(0), q.integer_at(1));
  std::reverse(out.begin(), out.end());  // read newest first, for the limit
  return out;
}

CancelResult SqliteOrderStore::mark_cancelled(std::string_view order_id) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  Transaction t(c);
  {
    Query q(c, impl_->find_order);
    q.text(order_id);
    COBUY_CHECK(q.step(), ErrorCode::not_found, "the order log has no order '" << order_id << "'");
  }
  const bool fresh = Query(c, impl_->cancel).text(order_id).integer(unix_now()).run_changes() > 0;
  t.commit();
  return fresh ? CancelResult::cancelled : CancelResult::already_cancelled;
}

RecordResult SqliteOrderStore::insert_return(const OrderReturn& r) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  // BEGIN IMMEDIATE: no other writer between reading the earlier returns and adding this one.
  Transaction t(c);
  const auto stored = impl_->load_order(r.order_id);
  COBUY_CHECK(stored, ErrorCode::not_found, "the order log has no order '" << r.order_id << "'");
  bool cancelled = false;
  {
    Query q(c, impl_->is_cancelled);
    cancelled = q.text(r.order_id).step();
  }
  std::map<std::string, OrderReturn> earlier;
  {
    Query q(c, impl_->returns_of);
    q.text(r.order_id);
    while (q.step()) {
      auto& e = earlier[q.text_at(0)];
      e.return_id = q.text_at(0);
      e.items.push_back({q.text_at(1), q.real_at(2), std::nullopt});
    }
  }
  std::vector<OrderReturn> before;
  for (auto& [id, e] : earlier) before.push_back(std::move(e));
  if (check_return(*stored, cancelled, before, r) == RecordResult::duplicate) return RecordResult::duplicate;
  for (const auto& item : r.items) {
    Query(c, impl_->insert_return)
        .text(r.order_id)
        .text(r.return_id)
        .text(item.item_id)
        .real(item.quantity)
        .integer(unix_now())
        .run();
  }
  t.commit();
  return RecordResult::recorded;
}

Erasure SqliteOrderStore::delete_customer(std::string_view customer_id, std::string_view key) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  Transaction t(c);
  Erasure e;
  for (const auto& s : impl_->erase_order_rows) Query(c, s).text(customer_id).run();
  e.orders = Query(c, impl_->erase_orders).text(customer_id).run_changes();
  e.offers = Query(c, impl_->erase_offers).text(customer_id).run_changes();
  e.sends = Query(c, impl_->erase_sends).text(customer_id).run_changes();
  e.events = Query(c, impl_->erase_events).text(customer_id).run_changes();
  e.coupon_codes = impl_->coupons->unlink_customer(customer_id);
  e.already_erased = Query(c, impl_->erase_customer).text(key).integer(unix_now()).run_changes() == 0;
  t.commit();
  return e;
}

std::uint64_t SqliteOrderStore::insert_coupon_codes(std::string_view pool, const std::vector<std::string>& codes,
                                                    Timestamp now) {
  std::lock_guard lock(impl_->mutex);
  Transaction t(impl_->c);
  const auto added = impl_->coupons->insert(pool, codes, now);
  t.commit();
  return added;
}

std::vector<std::optional<std::string>> SqliteOrderStore::take_coupon_codes(const std::vector<CouponClaim>& claims,
                                                                            std::string_view send_id, Timestamp now) {
  std::lock_guard lock(impl_->mutex);
  // BEGIN IMMEDIATE: no other connection claims between finding a free code and marking it.
  Transaction t(impl_->c);
  std::vector<std::optional<std::string>> codes;
  for (const auto& claim : claims) codes.push_back(impl_->coupons->take(claim, send_id, now));
  t.commit();
  return codes;
}

std::uint64_t SqliteOrderStore::return_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id) {
  std::lock_guard lock(impl_->mutex);
  Transaction t(impl_->c);
  std::uint64_t released = 0;
  for (const auto& code : codes) released += impl_->coupons->put_back(code, send_id) ? 1 : 0;
  t.commit();
  return released;
}

std::vector<std::pair<std::string, std::uint64_t>> SqliteOrderStore::coupon_codes_left() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->coupons->left();
}

std::vector<OrderStore::Send> SqliteOrderStore::sends_between(Timestamp from, Timestamp until) const {
  std::lock_guard lock(impl_->mutex);
  Query q(impl_->c, impl_->sends_between);
  q.integer(from).integer(until);
  std::vector<Send> out;
  while (q.step()) {
    out.push_back({q.text_at(0), q.text_at(1), q.text_at(2), q.integer_at(3), q.text_at(4), q.text_at(5)});
  }
  return out;
}

RecordResult SqliteOrderStore::insert_event(const OfferEvent& e, Timestamp now) {
  std::lock_guard lock(impl_->mutex);
  const Connection& c = impl_->c;
  Transaction t(c);
  const std::string_view type = offer_event_type_name(e.type);
  {
    Query q(c, impl_->find_event);
    q.text(e.send_id).text(e.offer_id).text(type);
    if (q.step()) return event_duplicate_of(q.integer_at(0), e);
  }
  Query(c, impl_->insert_event)
      .text(e.send_id)
      .text(e.offer_id)
      .text(type)
      .integer(e.at == kNoTime ? now : e.at)
      .text(e.customer_id)
      .integer(now)
      .run();
  t.commit();
  return RecordResult::recorded;
}

std::vector<OfferEvent> SqliteOrderStore::events_between(Timestamp from, Timestamp until) const {
  std::lock_guard lock(impl_->mutex);
  Query q(impl_->c, impl_->events_between);
  q.integer(from).integer(until);
  std::vector<OfferEvent> out;
  while (q.step()) {
    out.push_back({q.text_at(0), q.text_at(1), parse_offer_event_type("type", q.text_at(2)), q.integer_at(3),
                   q.text_at(4)});
  }
  return out;
}

bool SqliteOrderStore::erased_key_known(std::string_view key) const {
  std::lock_guard lock(impl_->mutex);
  Query q(impl_->c, impl_->is_erased);
  return q.text(key).step();
}

HistoryChanges SqliteOrderStore::history_changes() const {
  std::lock_guard lock(impl_->mutex);
  return {impl_->ids(impl_->erased), impl_->ids(impl_->cancelled), impl_->ids(impl_->returned)};
}

}  // namespace cobuy
