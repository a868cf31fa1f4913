#include "api/store/coupon_pools.h"

#include "core/coupon_codes.h"

namespace cobuy {

std::string coupon_codes_need_a_log(const std::string& flag) {
  return "the offer policy has single-use coupon codes (coupon_codes), which need an order log to hand each code "
         "out once: give " +
         flag + " PATH (a SQLite file, or a postgresql:// URI shared by every server and batch)";
}

std::vector<std::pair<std::string, std::uint64_t>> import_coupon_pools(OrderStore& store, const OfferPolicy& policy) {
  std::vector<std::pair<std::string, std::uint64_t>> added;
  for (const auto& pool : policy.coupon_codes) {
    const std::string name = coupon_pool_name(pool);
    added.emplace_back(name, store.import_coupon_codes(name, read_coupon_codes(pool)));
  }
  return added;
}

CouponClaims claim_coupons(OrderStore& store, const std::vector<CouponList>& lists, std::string_view send_id) {
  std::vector<std::vector<std::size_t>> waiting;
  std::vector<CouponClaim> claims;
  for (const auto& list : lists) {
    waiting.push_back(offers_awaiting_codes(*list.offers));
    for (const auto k : waiting.back()) {
      const Offer& o = (*list.offers)[k];
      claims.push_back({o.coupon_pool, o.offer_id, list.customer_id});
    }
  }
  CouponClaims out;
  if (claims.empty()) return out;
  const auto codes = store.claim_coupon_codes(claims, send_id);
  for (const auto& c : codes) {
    if (c) out.codes.push_back(*c);
  }
  auto next = codes.begin();
  for (std::size_t l = 0; l < lists.size(); ++l) {
    const auto n = static_cast<std::ptrdiff_t>(waiting[l].size());
    out.without_code += settle_coupon_codes(*lists[l].offers, waiting[l], {next, next + n});
    next += n;
  }
  return out;
}

}  // namespace cobuy
