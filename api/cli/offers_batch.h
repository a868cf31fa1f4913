#pragma once
/// Batch offers (`cobuy offers`): the offers of many customers as JSONL, one line per customer in
/// input order, each line exactly what POST /v1/offers answers for the same request.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/offers.h"
#include "core/progress.h"

namespace cobuy {

/// What the order log knows of one customer (orders recorded since training, earlier offers).
/// Called from several worker threads at once, so it must be thread-safe.
using LogLookup = std::function<CustomerLog(const std::string& customer_id)>;

/// Gives the offers of `results` (one block of customers) their single-use coupon codes in one
/// claim (claim_coupons, api/store/coupon_pools.h); returns how many codes it claimed and how
/// many offers lost their discount. Called from several worker threads at once, so it must be
/// thread-safe.
using CouponClaimFn = std::function<std::pair<std::uint64_t, std::uint64_t>(std::vector<OfferResult>& results)>;

/// The request every customer of a batch gets (besides their id).
struct OffersBatchOptions {
  OfferContext context = OfferContext::order_confirmation;
  std::optional<Timestamp> at;  ///< send time; none = the engine's default (see OfferEngine::offers)
  std::uint32_t limit = 0;      ///< offers per customer; 0 = the policy's limit
  unsigned threads = 0;         ///< worker threads; 0 = every core (oneTBB's default)
  std::size_t block = 128;      ///< customers per work item
};

/// What a batch did.
struct OffersBatchStats {
  std::uint64_t customers = 0;  ///< lines written
  std::uint64_t offers = 0;     ///< offers over all lines
  std::uint64_t bytes = 0;      ///< bytes written, newlines included
  double seconds = 0;           ///< wall time
  std::uint64_t coupon_codes = 0;         ///< single-use coupon codes claimed
  std::uint64_t offers_without_code = 0;  ///< discounted offers that lost their discount: pool empty
};

/// Writes one JSON line per entry of `customers` to `out`, in order: offer_result_to_json(model,
/// engine.offers(request, log)) for the request {customer id, no order (the engine anchors on the
/// customer's latest order), o.context, o.at, o.limit}, with the customer's log from `log` (null =
/// no log). Blocks of customers run in parallel and are written in order. With the policy's
/// single-use coupon codes, `coupons` claims each block's codes before its lines are written
/// (required then: Error(bad_request) without it). `progress` (may be null) is called from the
/// writing thread with stage "offers". An exception from a worker (an Error naming the customer,
/// or a failing `log` or `coupons`) is rethrown here; `out` then holds a prefix of the lines, and
/// codes claimed for blocks not written stay claimed (used, never handed out twice). Throws
/// Error(io) when `out` fails.
OffersBatchStats run_offers_batch(const OfferEngine& engine, const std::vector<std::string>& customers,
                                  const OffersBatchOptions& o, std::ostream& out, const ProgressFn& progress = nullptr,
                                  const LogLookup* log = nullptr, const CouponClaimFn* coupons = nullptr);

/// The 64-bit FNV-1a hash of `text`: stable across runs, builds and machines.
std::uint64_t fnv1a64(std::string_view text);

/// Shard `index` of `count` (0 <= index < count) of a customer list.
struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

/// Parses "I/N" (decimal, 0 <= I < N, N <= 1,000,000); throws Error(bad_request) naming the text.
Shard parse_shard(std::string_view text);

/// Whether `customer_id` belongs to `shard`: fnv1a64(customer_id) % count == index. Depends on
/// the id alone, so N machines given the same list (in any order) split it with no overlap.
bool in_shard(std::string_view customer_id, Shard shard);

/// The entries of `customers` that belong to `shard`, in their order.
std::vector<std::string> shard_customers(const std::vector<std::string>& customers, Shard shard);

/// Every customer the model knows, in the model's customer order.
std::vector<std::string> all_customers(const Model& model);

/// Reads a customer list: one id per line, surrounding spaces, tabs and a CR trimmed, blank lines
/// skipped. Throws Error(io) when the file cannot be read, Error(bad_request) when it lists no
/// customer or an id over 256 bytes (naming file and line).
std::vector<std::string> read_customer_list(const std::string& path);

}  // namespace cobuy
