#include "core/coupon_codes.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr std::string_view kEveryPercent = "any";

/// A key of "coupon_codes" as a percent, or nullopt when it is not one in (0, 100].
std::optional<double> parse_percent_key(const std::string& key) {
  if (key.empty() || key.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(key.c_str(), &end);
  if (end != key.c_str() + key.size() || !std::isfinite(v) || v <= 0 || v > 100) return std::nullopt;
  return v;
}

}  // namespace

std::string coupon_pool_name(const CouponPool& pool) {
  return pool.percent ? format_percent(*pool.percent) : std::string(kEveryPercent);
}

std::string coupon_pool_field(const CouponPool& pool) {
  return pool.percent ? "coupon_codes.\"" + format_percent(*pool.percent) + "\"" : std::string("coupon_codes");
}

const CouponPool* coupon_pool_for(const std::vector<CouponPool>& pools, double percent) {
  // By the percent as a coupon shows it, so that a key "12.5" matches a tier of 12.5 exactly.
  const std::string name = format_percent(percent);
  const CouponPool* every = nullptr;
  for (const auto& p : pools) {
    if (!p.percent) every = &p;
    if (p.percent && format_percent(*p.percent) == name) return &p;
  }
  return every;
}

void assign_coupon(Offer& o, const OfferPolicy& policy, std::string_view item_id, std::string_view customer_id) {
  if (const CouponPool* pool = coupon_pool_for(policy.coupon_codes, o.discount_percent)) {
    o.coupon_pool = coupon_pool_name(*pool);
    return;
  }
  if (policy.coupon_template.empty()) return;
  o.coupon_code = expand_coupon_template(policy.coupon_template, [&](std::string_view name) -> std::string {
    if (name == "percent") return format_percent(o.discount_percent);
    if (name == "offer_id") return o.offer_id;
    if (name == "item_id") return std::string(item_id);
    return std::string(customer_id);  // "customer_id", the last of kCouponPlaceholders
  });
}

std::vector<std::size_t> offers_awaiting_codes(const std::vector<Offer>& offers) {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < offers.size(); ++k) {
    if (!offers[k].coupon_pool.empty() && offers[k].coupon_code.empty()) out.push_back(k);
  }
  return out;
}

std::size_t settle_coupon_codes(std::vector<Offer>& offers, const std::vector<std::size_t>& waiting,
                                const std::vector<std::optional<std::string>>& codes) {
  COBUY_ASSERT(waiting.size() == codes.size());
  std::size_t dropped = 0;
  for (std::size_t k = 0; k < waiting.size(); ++k) {
    Offer& o = offers[waiting[k]];
    if (codes[k]) {
      o.coupon_code = *codes[k];
      continue;
    }
    o.discount_percent = 0;
    o.valid_until = kNoTime;
    o.discounted_price = std::numeric_limits<double>::quiet_NaN();
    o.coupon_pool.clear();
    ++dropped;
  }
  return dropped;
}

void preview_coupon_codes(std::vector<Offer>& offers) {
  for (const auto k : offers_awaiting_codes(offers)) offers[k].coupon_code = kPreviewCouponCode;
}

std::vector<std::string> read_coupon_codes(const CouponPool& pool) {
  const std::string field = coupon_pool_field(pool);
  COBUY_CHECK(!std::filesystem::is_directory(pool.path), ErrorCode::io,
              field << ": " << pool.path << " is a directory, not a file of codes");
  std::ifstream in(pool.path, std::ios::binary);
  COBUY_CHECK(in.is_open(), ErrorCode::io, field << ": cannot read the file of codes " << pool.path);
  std::vector<std::string> codes;
  std::unordered_map<std::string, std::size_t> line_of;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto last = line.find_last_not_of(" \t\r");
    std::string code = line.substr(first, last - first + 1);
    COBUY_CHECK(code.size() <= kMaxCouponCodeBytes, ErrorCode::bad_request,
                field << ": " << pool.path << ":" << n << ": the code is over " << kMaxCouponCodeBytes << " bytes");
    for (const unsigned char ch : code) {
      COBUY_CHECK(ch >= 0x20 && ch != 0x7f, ErrorCode::bad_request,
                  field << ": " << pool.path << ":" << n << ": the code holds a control character");
    }
    const auto [it, fresh] = line_of.emplace(code, n);
    COBUY_CHECK(fresh, ErrorCode::bad_request,
                field << ": " << pool.path << ":" << n << ": code '" << code << "' is already on line " << it->second
                      << " (each code is handed out once)");
    codes.push_back(std::move(code));
  }
  COBUY_CHECK(!in.bad(), ErrorCode::io, field << ": error reading the file of codes " << pool.path);
  COBUY_CHECK(!codes.empty(), ErrorCode::bad_request, field << ": the file " << pool.path << " holds no codes");
  return codes;
}

void check_coupon_files(const std::vector<CouponPool>& pools) {
  std::unordered_map<std::string, const CouponPool*> pool_of;
  for (const auto& pool : pools) {
    for (auto& code : read_coupon_codes(pool)) {
      const auto [it, fresh] = pool_of.emplace(std::move(code), &pool);
      COBUY_CHECK(fresh, ErrorCode::bad_request,
                  coupon_pool_field(pool) << ": code '" << it->first << "' of " << pool.path << " is also in "
                                          << coupon_pool_field(*it->second) << " (" << it->second->path
                                          << "): a code belongs to one pool");
    }
  }
}

void resolve_coupon_paths(std::vector<CouponPool>& pools, const std::string& dir) {
  for (auto& p : pools) {
    if (!p.path.empty() && std::filesystem::path(p.path).is_relative()) {
      p.path = (std::filesystem::path(dir) / p.path).lexically_normal().string();
    }
  }
}

std::vector<CouponPool> coupon_pools_from_json(const json& j) {
  std::vector<CouponPool> pools;
  if (j.is_string()) {
    pools.push_back({std::nullopt, j.get<std::string>()});
  } else {
    COBUY_CHECK(j.is_object(), ErrorCode::bad_request,
                "config field 'coupon_codes' must be an object of percent -> file of codes (e.g. {\"10\": "
                "\"save10.txt\"}) or one file for every percent");
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto percent = parse_percent_key(it.key());
      COBUY_CHECK(percent, ErrorCode::bad_request,
                  "coupon_codes: key '" << it.key()
                                        << "' is not a percent (a number in (0, 100] such as \"10\" or \"12.5\", the "
                                           "discount its codes give)");
      COBUY_CHECK(it->is_string(), ErrorCode::bad_request,
                  "coupon_codes.\"" << it.key() << "\" must be the path of a file of codes");
      pools.push_back({percent, it->get<std::string>()});
    }
  }
  validate_coupon_pools(pools);
  return pools;
}

json coupon_pools_json(const std::vector<CouponPool>& pools) {
  if (pools.size() == 1 && !pools[0].percent) return pools[0].path;
  json out = json::object();
  for (const auto& p : pools) out[coupon_pool_name(p)] = p.path;
  return out;
}

void validate_coupon_pools(const std::vector<CouponPool>& pools) {
  for (std::size_t k = 0; k < pools.size(); ++k) {
    const auto& p = pools[k];
    const std::string field = coupon_pool_field(p);
    COBUY_CHECK(!p.percent || (std::isfinite(*p.percent) && *p.percent > 0 && *p.percent <= 100),
                ErrorCode::bad_request, field << ": the percent must be in (0, 100]");
    COBUY_CHECK(p.percent || pools.size() == 1, ErrorCode::bad_request,
                "coupon_codes: the pool of every percent cannot sit beside pools of one percent");
    COBUY_CHECK(!p.path.empty(), ErrorCode::bad_request, field << ": the path of the file of codes is empty");
    for (std::size_t l = 0; l < k; ++l) {
      COBUY_CHECK(coupon_pool_name(pools[l]) != coupon_pool_name(p), ErrorCode::bad_request,
                  field << " is given twice (as percent " << format_percent(*p.percent) << ")");
    }
  }
}

}  // namespace cobuy
