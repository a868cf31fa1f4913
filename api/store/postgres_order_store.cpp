#include "api/store/postgres_order_store.h"

#include <libpq-fe.h>

#include <map>
#include <mutex>
#include <optional>

#include "api/store/postgres_connection.h"
#include "api/store/postgres_statements.h"
#include "core/error.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

constexpr const char* kConnectTimeoutSeconds = "10";
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(4382761930)";  // any constant of cobuy's

using namespace postgres_log;  // kSchema, the statements, Params, Row, PgTransaction

/// kInsertOffer's parameters.
Params offer_params(std::string_view customer_id,
                   const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                   std::string_view context, Timestamp at) {
  std::vector<std::string> items, offers;
  for (const auto& [item, offer] : item_and_offer_ids) {
    items.push_back(item);
    offers.push_back(offer);
  }
  Params p;
  p.text(customer_id).text(text_array(items)).integer(at).text(context).text(text_array(offers));
  return p;
}

}  // namespace
std::string PostgresOrderStore::redacted(std::string_view uri) {
  // scheme://[user[:password]@]host...: the password is between the first ':' after the scheme and
  // the last '@' before the path.
  const auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::string(uri);
  const auto rest = scheme + 3;
  const auto path = uri.find('/', rest);
  const auto at = uri.substr(0, path).rfind('@');
  if (at == std::string_view::npos || at < rest) return std::string(uri);
  const auto colon = uri.find(':', rest);
  if (colon == std::string_view::npos || colon > at) return std::string(uri);
  return std::string(uri.substr(0, colon + 1)) + "***" + std::string(uri.substr(at));
}

PostgresOrderStore::PostgresOrderStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresOrderStore::~PostgresOrderStore() = default;

std::unique_ptr<OrderStore> PostgresOrderStore::open(const std::string& uri) {
  auto impl = std::make_unique<Impl>();
  impl->where = redacted(uri);
  // dbname last: the URI it expands to overrides the defaults before it.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {kConnectTimeoutSeconds, "cobuy", uri.c_str(), nullptr};
  impl->conn.reset(PQconnectdbParams(keys, values, 1));
  COBUY_CHECK(impl->conn, ErrorCode::io, "order log " << impl->where << ": libpq is out of memory");
  if (PQstatus(impl->conn.get()) != CONNECTION_OK) impl->fail("cannot connect");
  // Notices ("relation ... already exists, skipping") are not errors; libpq would print them to
  // stderr, between the server's log lines.
  PQsetNoticeProcessor(impl->conn.get(), [](void*, const char*) {}, nullptr);
  {
    PgTransaction t(*impl);
    impl->exec(kSchemaLock);
    impl->exec("CREATE TABLE IF NOT EXISTS cobuy_schema(version INTEGER NOT NULL)");
    const Result r = impl->exec("SELECT COALESCE(MAX(version), 0) FROM cobuy_schema");
    const std::int64_t version = Row{r.get(), 0}.integer(0);
    COBUY_CHECK(version <= kSchemaVersion, ErrorCode::bad_data,
                "order log " << impl->where << " has schema version " << version << ", this build reads up to version "
                             << kSchemaVersion << "; use a newer cobuy");
    if (version < kSchemaVersion) {
      impl->exec(kSchema);
      impl->exec(("DELETE FROM cobuy_schema; INSERT INTO cobuy_schema VALUES (" + std::to_string(kSchemaVersion) + ")")
                     .c_str());
    }
    t.commit();
  }
  impl->prepare_all();
  return std::make_unique<PostgresOrderStore>(std::move(impl));
}

RecordResult PostgresOrderStore::insert_order(const PlacedOrder& o) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  std::vector<std::string> items;
  std::vector<std::optional<double>> quantities, prices;
  for (const auto& l : o.lines) {
    items.push_back(l.item_id);
    quantities.emplace_back(l.quantity);
    prices.push_back(l.price);
  }
  Params p;
  p.text(o.order_id).text(o.customer_id).integer(o.time).integer(unix_now());
  p.text(text_array(items)).text(real_array(quantities)).text(real_array(prices));
  return db.retrying([&] {
    const Result inserted = db.run(kInsertOrder, p);
    if (std::string_view(PQcmdTuples(inserted.get())) != "0") return RecordResult::recorded;
    // The id is taken (committed, or by a transaction this one waited for): compare contents.
    const Result r = db.run(kFindOrder, Params().text(o.order_id));
    COBUY_CHECK(PQntuples(r.get()) == 1, ErrorCode::io,
                "order log " << db.where << ": order '" << o.order_id << "' is taken but cannot be read");
    const Row row{r.get(), 0};
    PlacedOrder stored{o.order_id, row.text(0), row.integer(1), db.lines_of(o.order_id)};
    return duplicate_of(stored, o);
  });
}

std::vector<PlacedOrder> PostgresOrderStore::customer_orders(std::string_view customer_id,
                                                             const OrderFilter& wanted) const {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  return db.retrying([&] {
    std::vector<PlacedOrder> out;
    {
      const Result r = db.run(kCustomerOrders, Params().text(customer_id));
      for (int k = 0; k < PQntuples(r.get()); ++k) {
        const Row row{r.get(), k};
        PlacedOrder o;
        o.order_id = row.text(0);
        o.time = row.integer(1);
        if (wanted && !wanted(o.order_id, o.time)) continue;
        o.customer_id = std::string(customer_id);
        out.push_back(std::move(o));
      }
    }
    if (out.empty()) return out;
    // The accepted orders' lines in one round trip.
    std::vector<std::string> ids;
    std::unordered_map<std::string, std::size_t> position;
    for (std::size_t k = 0; k < out.size(); ++k) {
      ids.push_back(out[k].order_id);
      position.emplace(out[k].order_id, k);
    }
    const Result r = db.run(kLinesOf, Params().text(text_array(ids)));
    for (int k = 0; k < PQntuples(r.get()); ++k) {
      const Row row{r.get(), k};
      out[position.at(row.text(0))].lines.push_back({row.text(1), row.real(2), row.optional_real(3)});
    }
    drop_returned(out);
    return out;
  });
}

std::vector<PlacedOrder> PostgresOrderStore::all_orders() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    const Result r = impl_->run(kAllOrders, Params());
    std::vector<PlacedOrder> out;
    for (int k = 0; k < PQntuples(r.get()); ++k) {
      const Row row{r.get(), k};
      std::string id = row.text(0);
      if (out.empty() || out.back().order_id != id) out.push_back({std::move(id), row.text(1), row.integer(2), {}});
      out.back().lines.push_back({row.text(3), row.real(4), row.optional_real(5)});
    }
    drop_returned(out);
    return out;
  });
}

std::uint64_t PostgresOrderStore::order_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    const Result r = impl_->run(kCount, Params());
    return static_cast<std::uint64_t>(Row{r.get(), 0}.integer(0));
  });
}

void PostgresOrderStore::insert_offers(std::string_view customer_id,
                                       const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids,
                                       std::string_view context, Timestamp at) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  const Params p = offer_params(customer_id, item_and_offer_ids, context, at);
  db.retrying([&] { db.run(kInsertOffer, p); });
}

std::optional<OrderStore::Send> PostgresOrderStore::find_send(std::string_view send_id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] { return impl_->load_send(send_id); });
}

std::optional<OrderStore::Send> PostgresOrderStore::insert_send(
    const Send& send, const std::vector<std::pair<std::string, std::string>>& item_and_offer_ids) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  Params p;
  p.text(send.send_id).text(send.customer_id).text(send.context).integer(send.at).text(send.answer).integer(unix_now());
  p.text(send.counterfactual);
  const Params offers = offer_params(send.customer_id, item_and_offer_ids, send.context, send.at);
  // Run twice when the link breaks: if the first commit went through, the second finds the send.
  return db.retrying([&]() -> std::optional<Send> {
    PgTransaction t(db);
    const Result inserted = db.run(kInsertSend, p);
    if (std::string_view(PQcmdTuples(inserted.get())) == "0") {
      auto stored = db.load_send(send.send_id);
      COBUY_CHECK(stored, ErrorCode::io,
                  "order log " << db.where << ": send '" << send.send_id << "' is taken but cannot be read");
      return stored;
    }
    if (!item_and_offer_ids.empty()) db.run(kInsertOffer, offers);
    t.commit();
    return std::nullopt;
  });
}

std::vector<std::pair<std::string, Timestamp>> PostgresOrderStore::offered_since(std::string_view customer_id,
                                                                                 Timestamp since) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    const Result r = impl_->run(kOfferedSince, Params().text(customer_id).integer(since));
    std::vector<std::pair<std::string, Timestamp>> out;
    for (int k = PQntuples(r.get()) - 1; k >= 0; --k) {  // read newest first, for the limit
      const Row row{r.get(), k};
      out.emplace_back(row.text(0), row.integer(1));
    }
    return out;
  });
}

CancelResult PostgresOrderStore::mark_cancelled(std::string_view order_id) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  // Run twice when the link breaks: if the first commit went through, the second says
  // already_cancelled.
  return db.retrying([&] {
    PgTransaction t(db);
    COBUY_CHECK(PQntuples(db.run(kFindOrder, Params().text(order_id)).get()) == 1, ErrorCode::not_found,
                "the order log has no order '" << order_id << "'");
    const bool fresh = changed(db.run(kCancel, Params().text(order_id).integer(unix_now()))) > 0;
    t.commit();
    return fresh ? CancelResult::cancelled : CancelResult::already_cancelled;
  });
}

RecordResult PostgresOrderStore::insert_return(const OrderReturn& r) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  std::vector<std::string> items;
  std::vector<std::optional<double>> quantities;
  for (const auto& l : r.items) {
    items.push_back(l.item_id);
    quantities.emplace_back(l.quantity);
  }
  Params insert;
  insert.text(r.order_id).text(r.return_id).text(text_array(items)).text(real_array(quantities)).integer(unix_now());
  return db.retrying([&] {
    PgTransaction t(db);
    const Result found = db.run(kLockOrder, Params().text(r.order_id));
    COBUY_CHECK(PQntuples(found.get()) == 1, ErrorCode::not_found, "the order log has no order '" << r.order_id << "'");
    const Row row{found.get(), 0};
    const PlacedOrder stored{r.order_id, row.text(0), row.integer(1), db.lines_of(r.order_id)};
    const bool cancelled = PQntuples(db.run(kIsCancelled, Params().text(r.order_id)).get()) > 0;
    std::map<std::string, OrderReturn> earlier;
    const Result returns = db.run(kReturnsOf, Params().text(r.order_id));
    for (int k = 0; k < PQntuples(returns.get()); ++k) {
      const Row line{returns.get(), k};
      auto& e = earlier[line.text(0)];
      e.return_id = line.text(0);
      e.items.push_back({line.text(1), line.real(2), std::nullopt});
    }
    std::vector<OrderReturn> before;
    for (auto& [id, e] : earlier) before.push_back(std::move(e));
    if (check_return(stored, cancelled, before, r) == RecordResult::duplicate) return RecordResult::duplicate;
    db.run(kInsertReturn, insert);
    t.commit();
    return RecordResult::recorded;
  });
}

Erasure PostgresOrderStore::delete_customer(std::string_view customer_id, std::string_view key) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  const Params id = Params().text(customer_id);
  return db.retrying([&] {
    PgTransaction t(db);
    Erasure e;
    for (const auto& s : {kEraseLines, kEraseReturns, kEraseCancelled}) db.run(s, id);
    e.orders = changed(db.run(kEraseOrders, id));
    e.offers = changed(db.run(kEraseOffers, id));
    e.sends = changed(db.run(kEraseSends, id));
    e.events = changed(db.run(kEraseEvents, id));
    e.coupon_codes = changed(db.run(kUnlinkCoupons, id));
    e.already_erased = changed(db.run(kEraseCustomer, Params().text(key).integer(unix_now()))) == 0;
    t.commit();
    return e;
  });
}

std::vector<OrderStore::Send> PostgresOrderStore::sends_between(Timestamp from, Timestamp until) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    const Result r = impl_->run(kSendsBetween, Params().integer(from).integer(until));
    std::vector<Send> out;
    for (int k = 0; k < PQntuples(r.get()); ++k) {
      const Row row{r.get(), k};
      out.push_back({row.text(0), row.text(1), row.text(2), row.integer(3), row.text(4), row.text(5)});
    }
    return out;
  });
}

RecordResult PostgresOrderStore::insert_event(const OfferEvent& e, Timestamp now) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  Params p;
  p.text(e.send_id).text(e.offer_id).text(offer_event_type_name(e.type)).integer(e.at == kNoTime ? now : e.at);
  p.text(e.customer_id).integer(now);
  // Run twice when the link breaks: if the first insert went through, the second finds it.
  return db.retrying([&] {
    if (changed(db.run(kInsertEvent, p)) > 0) return RecordResult::recorded;
    const Result r =
        db.run(kFindEvent, Params().text(e.send_id).text(e.offer_id).text(offer_event_type_name(e.type)));
    COBUY_CHECK(PQntuples(r.get()) == 1, ErrorCode::io,
                "order log " << db.where << ": an event of send '" << e.send_id << "' is taken but cannot be read");
    return event_duplicate_of(Row{r.get(), 0}.integer(0), e);
  });
}

std::vector<OfferEvent> PostgresOrderStore::events_between(Timestamp from, Timestamp until) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    const Result r = impl_->run(kEventsBetween, Params().integer(from).integer(until));
    std::vector<OfferEvent> out;
    for (int k = 0; k < PQntuples(r.get()); ++k) {
      const Row row{r.get(), k};
      out.push_back({row.text(0), row.text(1), parse_offer_event_type("type", row.text(2)), row.integer(3), row.text(4)});
    }
    return out;
  });
}

bool PostgresOrderStore::erased_key_known(std::string_view key) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] { return PQntuples(impl_->run(kIsErased, Params().text(key)).get()) > 0; });
}

HistoryChanges PostgresOrderStore::history_changes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    return HistoryChanges{first_column(impl_->run(kErased, Params())), first_column(impl_->run(kCancelled, Params())),
                          first_column(impl_->run(kReturned, Params()))};
  });
}

}  // namespace cobuy
