#pragma once
/// The SQLite order log's single-use coupon codes (schema 5; api/store/sqlite_order_store.cpp):
/// the table, and its statements on the store's connection. Every method runs inside the
/// caller's lock and write transaction (BEGIN IMMEDIATE), which makes a claim atomic: no other
/// connection, in this process or another, writes between reading the next free code and
/// marking it claimed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/store/order_store.h"
#include "api/store/sqlite_connection.h"

namespace cobuy::sqlite_log {

/// The table (created with the rest of the schema). `seq` numbers the codes in the order they
/// were imported (an INTEGER PRIMARY KEY: never renumbered, and each new row gets the largest
/// plus one, since no code is ever deleted); `claimed_at` NULL = free. The partial index finds a
/// pool's next free code without reading its claimed ones.
inline constexpr const char* kCouponSchema = R"sql(
CREATE TABLE IF NOT EXISTS coupon_codes(
  seq INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  pool TEXT NOT NULL,
  loaded_at INTEGER NOT NULL,
  send_id TEXT NOT NULL DEFAULT '',
  offer_id TEXT NOT NULL DEFAULT '',
  customer_id TEXT NOT NULL DEFAULT '',
  claimed_at INTEGER);
CREATE INDEX IF NOT EXISTS coupon_codes_free ON coupon_codes(pool, seq) WHERE claimed_at IS NULL;
CREATE INDEX IF NOT EXISTS coupon_codes_by_customer ON coupon_codes(customer_id);
)sql";

/// The coupon_codes statements, prepared once on `c` (which must outlive them).
class CouponCodes {
 public:
  explicit CouponCodes(const Connection& c);

  /// Inserts the codes not yet known, in order; returns how many were new.
  std::uint64_t insert(std::string_view pool, const std::vector<std::string>& codes, Timestamp now);
  /// Marks the next free code of `claim.pool` claimed; nullopt when none is left.
  std::optional<std::string> take(const CouponClaim& claim, std::string_view send_id, Timestamp now);
  /// Frees `code` if its claim names `send_id`; returns whether it did.
  bool put_back(std::string_view code, std::string_view send_id);
  /// (pool, free codes) of every pool with free codes, by pool.
  std::vector<std::pair<std::string, std::uint64_t>> left();
  /// Takes `customer_id` and their send and offer ids off the codes claimed for them; returns
  /// how many codes.
  std::uint64_t unlink_customer(std::string_view customer_id);

 private:
  const Connection& c_;
  Stmt insert_, take_, put_back_, left_, unlink_;
};

}  // namespace cobuy::sqlite_log
