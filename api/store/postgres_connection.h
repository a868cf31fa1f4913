#pragma once
/// The PostgreSQL order log's connection (api/store/postgres_order_store.cpp, and
/// postgres_coupon_codes.cpp for schema 5's coupon codes): libpq handles, text parameters, result
/// rows, the store's one connection with its prepared statements and retry, and a transaction.

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "api/store/postgres_order_store.h"
#include "api/store/postgres_statements.h"
#include "core/error.h"

namespace cobuy {
namespace postgres_log {

struct ConnFinish {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnFinish>;
using Result = std::unique_ptr<PGresult, ResultClear>;

/// Query parameters as text (libpq's text format); nullopt is SQL NULL.
class Params {
 public:
  Params& text(std::string_view v) {
    // libpq reads a text parameter up to its first NUL byte: refuse rather than cut it.
    COBUY_CHECK(v.find('\0') == std::string_view::npos, ErrorCode::bad_request,
                "a text value holds a NUL byte, which the PostgreSQL order log "
                "cannot store");
    values_.emplace_back(v);
    return *this;
  }
  Params& integer(std::int64_t v) { return add(std::to_string(v)); }
  Params& real(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf,
                                 v);  // shortest text that reads back exactly
    return add(std::string(buf, r.ptr));
  }
  Params& real(std::optional<double> v) {
    if (v) return real(*v);
    values_.emplace_back(std::nullopt);
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> out;
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  Params& add(std::string v) {
    values_.emplace_back(std::move(v));
    return *this;
  }
  std::vector<std::optional<std::string>> values_;
};

/// A PostgreSQL text[] literal holding `values`.
inline std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char ch : v) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + '}';
}

/// A PostgreSQL float8[] literal holding `values` (nullopt as NULL), each as the shortest text
/// that reads back exactly.
inline std::string real_array(const std::vector<std::optional<double>>& values) {
  std::string out = "{";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    if (!v) {
      out += "NULL";
      continue;
    }
    char buf[32];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, *v).ptr);
  }
  return out + '}';
}

/// Columns of one result row.
struct Row {
  const PGresult* r;
  int row;
  std::string text(int col) const {
    return {PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col))};
  }
  std::int64_t integer(int col) const {
    std::int64_t v = 0;
    const char* p = PQgetvalue(r, row, col);
    std::from_chars(p, p + PQgetlength(r, row, col), v);
    return v;
  }
  double real(int col) const { return std::strtod(PQgetvalue(r, row, col), nullptr); }
  std::optional<double> optional_real(int col) const {
    if (PQgetisnull(r, row, col)) return std::nullopt;
    return real(col);
  }
};

/// How many rows a command changed.
inline std::uint64_t changed(const Result& r) {
  std::uint64_t n = 0;
  const std::string_view text = PQcmdTuples(r.get());
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

/// The first column of every row of `r`.
inline std::unordered_set<std::string> first_column(const Result& r) {
  std::unordered_set<std::string> out;
  for (int k = 0; k < PQntuples(r.get()); ++k) out.insert(Row{r.get(), k}.text(0));
  return out;
}

inline std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace postgres_log

/// The store's one connection (guarded by `mutex`) and the calls every statement goes through.
struct PostgresOrderStore::Impl {
  std::string where;  // the redacted URI, for messages
  postgres_log::Conn conn;
  std::mutex mutex;  // one connection, one caller at a time

  [[noreturn]] void fail(std::string_view what, const PGresult* r = nullptr) const {
    // Data exceptions (SQLSTATE class 22: bad encoding, out-of-range values) are the caller's.
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const bool caller = state && std::string_view(state).starts_with("22");
    COBUY_FAIL(caller ? ErrorCode::bad_request : ErrorCode::io,
               "order log " << where << ": " << what << ": " << postgres_log::trimmed(PQerrorMessage(conn.get())));
  }

  /// Runs SQL without parameters (may hold several statements).
  postgres_log::Result exec(const char* sql) const {
    postgres_log::Result r(PQexec(conn.get(), sql));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(std::string("cannot run '") + sql + "'", r.get());
    return r;
  }

  /// Runs the prepared statement `s` with `p`.
  postgres_log::Result run(const postgres_log::Statement& s, const postgres_log::Params& p) const {
    const auto values = p.pointers();
    postgres_log::Result r(PQexecPrepared(conn.get(), s.name, p.size(), values.data(), nullptr, nullptr, 0));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(std::string("cannot run ") + s.name, r.get());
    return r;
  }

  void prepare_all() const {
    for (const auto& s : postgres_log::kStatements) {
      postgres_log::Result r(PQprepare(conn.get(), s.name, s.sql, 0, nullptr));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(std::string("cannot prepare ") + s.name, r.get());
    }
  }

  /// Re-establishes a broken connection (a restarted server, a dropped link) with its statements.
  void ready() const {
    if (PQstatus(conn.get()) == CONNECTION_OK) return;
    PQreset(conn.get());
    if (PQstatus(conn.get()) != CONNECTION_OK) fail("cannot reconnect");
    prepare_all();
  }

  /// Runs `f` on a ready connection; when the connection breaks during `f`, reconnects and runs it
  /// once more. So every `f` here may run twice: recording an order is idempotent by its id, reads
  /// are reads, and an offers batch whose commit was lost with the link may be logged twice, which
  /// only holds back a re-offer.
  template <class F>
  auto retrying(F&& f) const {
    ready();
    try {
      return f();
    } catch (const Error&) {
      if (PQstatus(conn.get()) != CONNECTION_BAD) throw;
      ready();
      return f();
    }
  }

  std::optional<OrderStore::Send> load_send(std::string_view send_id) const {
    const postgres_log::Result r = run(postgres_log::kFindSend, postgres_log::Params().text(send_id));
    if (PQntuples(r.get()) == 0) return std::nullopt;
    const postgres_log::Row row{r.get(), 0};
    return OrderStore::Send{std::string(send_id), row.text(0), row.text(1), row.integer(2), row.text(3), row.text(4)};
  }

  std::vector<PlacedOrderLine> lines_of(const std::string& order_id) const {
    const postgres_log::Result r = run(postgres_log::kFindLines, postgres_log::Params().text(order_id));
    std::vector<PlacedOrderLine> lines;
    for (int k = 0; k < PQntuples(r.get()); ++k) {
      const postgres_log::Row row{r.get(), k};
      lines.push_back({row.text(0), row.real(1), row.optional_real(2)});
    }
    return lines;
  }
};

namespace postgres_log {

/// BEGIN; rolls back unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(const PostgresOrderStore::Impl& db) : db_(db) { db_.exec("BEGIN"); }
  ~PgTransaction() {
    if (open_) PQclear(PQexec(db_.conn.get(), "ROLLBACK"));
  }
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit() {
    db_.exec("COMMIT");
    open_ = false;
  }

 private:
  const PostgresOrderStore::Impl& db_;
  bool open_ = true;
};

}  // namespace postgres_log
}  // namespace cobuy
