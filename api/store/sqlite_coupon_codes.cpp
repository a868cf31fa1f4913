#include "api/store/sqlite_coupon_codes.h"

namespace cobuy::sqlite_log {

CouponCodes::CouponCodes(const Connection& c)
    : c_(c),
      insert_(c.prepare(
          "INSERT INTO coupon_codes(code, pool, loaded_at) VALUES (?, ?, ?) ON CONFLICT(code) DO NOTHING")),
      take_(c.prepare(
          "UPDATE coupon_codes SET send_id = ?, offer_id = ?, customer_id = ?, claimed_at = ? WHERE seq = "
          "(SELECT seq FROM coupon_codes WHERE pool = ? AND claimed_at IS NULL ORDER BY seq LIMIT 1) RETURNING code")),
      put_back_(c.prepare(
          "UPDATE coupon_codes SET send_id = '', offer_id = '', customer_id = '', claimed_at = NULL "
          "WHERE code = ? AND send_id = ? AND claimed_at IS NOT NULL")),
      left_(c.prepare("SELECT pool, COUNT(*) FROM coupon_codes WHERE claimed_at IS NULL GROUP BY pool ORDER BY pool")),
      unlink_(c.prepare(
          "UPDATE coupon_codes SET send_id = '', offer_id = '', customer_id = '' WHERE customer_id = ?")) {}

std::uint64_t CouponCodes::insert(std::string_view pool, const std::vector<std::string>& codes, Timestamp now) {
  std::uint64_t added = 0;
  for (const auto& code : codes) added += Query(c_, insert_).text(code).text(pool).integer(now).run_changes();
  return added;
}

std::optional<std::string> CouponCodes::take(const CouponClaim& claim, std::string_view send_id, Timestamp now) {
  Query q(c_, take_);
  q.text(send_id).text(claim.offer_id).text(claim.customer_id).integer(now).text(claim.pool);
  if (!q.step()) return std::nullopt;
  std::string code = q.text_at(0);
  q.run();  // RETURNING: the statement completes on the next step
  return code;
}

bool CouponCodes::put_back(std::string_view code, std::string_view send_id) {
  return Query(c_, put_back_).text(code).text(send_id).run_changes() > 0;
}

std::vector<std::pair<std::string, std::uint64_t>> CouponCodes::left() {
  Query q(c_, left_);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  while (q.step()) out.emplace_back(q.text_at(0), static_cast<std::uint64_t>(q.integer_at(1)));
  return out;
}

std::uint64_t CouponCodes::unlink_customer(std::string_view customer_id) {
  return Query(c_, unlink_).text(customer_id).run_changes();
}

}  // namespace cobuy::sqlite_log
