// The PostgreSQL order log's single-use coupon codes (schema 5): the statements are in
// postgres_statements.h (kInsertCoupons, kClaimCoupon, kReleaseCoupons, kCouponsLeft).
#include <libpq-fe.h>

#include <mutex>

#include "api/store/postgres_connection.h"
#include "api/store/postgres_order_store.h"

namespace cobuy {

using namespace postgres_log;

std::uint64_t PostgresOrderStore::insert_coupon_codes(std::string_view pool, const std::vector<std::string>& codes,
                                                      Timestamp now) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  Params p;
  p.text(pool).text(text_array(codes)).integer(now);
  // Idempotent: run twice when the link breaks, the second inserts what the first did not.
  return db.retrying([&] { return changed(db.run(kInsertCoupons, p)); });
}

std::vector<std::optional<std::string>> PostgresOrderStore::take_coupon_codes(const std::vector<CouponClaim>& claims,
                                                                              std::string_view send_id, Timestamp now) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  // When the link breaks, this runs again: if the first commit went through, its codes stay
  // claimed and unused (never handed out twice, which is what matters), and new ones are taken.
  return db.retrying([&] {
    PgTransaction t(db);
    std::vector<std::optional<std::string>> codes;
    for (const auto& claim : claims) {
      Params p;
      p.text(send_id).text(claim.offer_id).text(claim.customer_id).integer(now).text(claim.pool);
      const Result r = db.run(kClaimCoupon, p);
      codes.push_back(PQntuples(r.get()) > 0 ? std::optional<std::string>(Row{r.get(), 0}.text(0)) : std::nullopt);
    }
    t.commit();
    return codes;
  });
}

std::uint64_t PostgresOrderStore::return_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id) {
  std::lock_guard lock(impl_->mutex);
  const Impl& db = *impl_;
  Params p;
  p.text(text_array(codes)).text(send_id);
  return db.retrying([&] { return changed(db.run(kReleaseCoupons, p)); });
}

std::vector<std::pair<std::string, std::uint64_t>> PostgresOrderStore::coupon_codes_left() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->retrying([&] {
    const Result r = impl_->run(kCouponsLeft, Params());
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (int k = 0; k < PQntuples(r.get()); ++k) {
      const Row row{r.get(), k};
      out.emplace_back(row.text(0), static_cast<std::uint64_t>(row.integer(1)));
    }
    return out;
  });
}

}  // namespace cobuy
