#pragma once
/// The SQLite order log's connection helpers (api/store/sqlite_order_store.cpp): the connection
/// with its file name for messages, one use of a prepared statement, and a write transaction.

#include <sqlite3.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cobuy::sqlite_log {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

/// The connection and the file it is on, for error messages.
struct Connection {
  std::string path;
  Db db;

  [[noreturn]] void fail(std::string_view what) const {
    COBUY_FAIL(ErrorCode::io, "order log " << path << ": " << what << ": " << sqlite3_errmsg(db.get()));
  }
  void check(int rc, std::string_view what) const {
    if (rc != SQLITE_OK) fail(what);
  }
  void exec(const char* sql) const { check(sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr), sql); }
  Stmt prepare(const std::string& sql) const {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Stmt stmt(raw);
    check(rc, "cannot prepare '" + sql + "'");
    return stmt;
  }
};

/// One use of a prepared statement: bind in parameter order, step, read columns. Resets the
/// statement and clears its bindings when it goes out of scope, so it can be used again.
class Query {
 public:
  Query(const Connection& c, const Stmt& s) : c_(c), s_(s.get()) {}
  ~Query() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& text(std::string_view v) {
    COBUY_CHECK(v.size() <= INT_MAX, ErrorCode::too_large, "a text of " << v.size() << " bytes is too long");
    // A null pointer would bind SQL NULL; an empty string_view may have one. The value outlives the
    // statement's use, so SQLite need not copy it.
    return bound(sqlite3_bind_text(s_, ++n_, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Query& integer(std::int64_t v) { return bound(sqlite3_bind_int64(s_, ++n_, v)); }
  Query& real(double v) { return bound(sqlite3_bind_double(s_, ++n_, v)); }
  Query& real(std::optional<double> v) { return v ? real(*v) : bound(sqlite3_bind_null(s_, ++n_)); }

  /// Steps once: true when a row is ready, false when the statement is done.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    c_.fail(std::string("cannot run '") + sqlite3_sql(s_) + "'");
  }
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
  /// Runs a statement that returns no rows; returns how many rows it changed.
  std::uint64_t run_changes() {
    run();
    return static_cast<std::uint64_t>(sqlite3_changes(c_.db.get()));
  }

  std::string text_at(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  std::int64_t integer_at(int col) const { return sqlite3_column_int64(s_, col); }
  double real_at(int col) const { return sqlite3_column_double(s_, col); }
  std::optional<double> optional_real_at(int col) const {
    if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
    return real_at(col);
  }

 private:
  Query& bound(int rc) {
    c_.check(rc, "cannot bind a parameter");
    return *this;
  }
  const Connection& c_;
  sqlite3_stmt* s_;
  int n_ = 0;
};

/// BEGIN IMMEDIATE (the write lock is taken up front, so a writer never fails half-way on a lock
/// upgrade); rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(const Connection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (open_) sqlite3_exec(c_.db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    c_.exec("COMMIT");
    open_ = false;
  }

 private:
  const Connection& c_;
  bool open_ = true;
};

}  // namespace cobuy::sqlite_log
