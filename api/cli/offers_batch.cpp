#include "api/cli/offers_batch.h"

#include <algorithm>
#include <chrono>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <tuple>

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "api/http/offer_codec.h"
#include "api/store/coupon_pools.h"
#include "core/error.h"
#include "core/fnv.h"

namespace cobuy {
namespace {

/// One block of customers on its way through the pipeline: their lines, ready to write.
struct Chunk {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
  std::uint64_t offers = 0;
  std::uint64_t coupon_codes = 0;
  std::uint64_t offers_without_code = 0;
};

void fill(const OfferEngine& engine, const std::vector<std::string>& customers, const OffersBatchOptions& o,
          const LogLookup* log, const CouponClaimFn* coupons, Chunk& c) {
  static const CustomerLog kNoLog;
  OfferRequest q;
  q.context = o.context;
  q.at = o.at;
  q.limit = o.limit;
  std::vector<OfferResult> results;
  for (std::size_t i = c.begin; i < c.end; ++i) {
    q.customer_id = customers[i];
    try {
      results.push_back(log ? engine.offers(q, (*log)(q.customer_id)) : engine.offers(q, kNoLog));
    } catch (const Error& e) {
      throw Error(e.code(), "customer '" + q.customer_id + "': " + e.what());
    }
  }
  // One claim for the block: one transaction of the order log, not one per customer.
  if (coupons) std::tie(c.coupon_codes, c.offers_without_code) = (*coupons)(results);
  for (const auto& r : results) {
    c.offers += r.offers.size();
    // The same serialisation as the server's answers (invalid UTF-8 in titles replaced).
    c.text += offer_result_to_json(engine.model(), r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    c.text += '\n';
  }
}

}  // namespace

OffersBatchStats run_offers_batch(const OfferEngine& engine, const std::vector<std::string>& customers,
                                  const OffersBatchOptions& o, std::ostream& out, const ProgressFn& progress,
                                  const LogLookup* log, const CouponClaimFn* coupons) {
  COBUY_CHECK(coupons || engine.policy().coupon_codes.empty(), ErrorCode::bad_request,
              coupon_codes_need_a_log("--orders-db"));
  const auto start = std::chrono::steady_clock::now();
  OffersBatchStats stats;
  const std::size_t n = customers.size();
  const std::size_t block = std::max<std::size_t>(1, o.block);
  std::size_t next = 0;
  auto run = [&] {
    // A few blocks per thread in flight: both cores stay busy while the writer keeps input order,
    // and memory stays bounded however many customers there are.
    const auto tokens = static_cast<std::size_t>(4 * tbb::this_task_arena::max_concurrency());
    // The blocks live here, and only their slot numbers pass through the pipeline: when a block
    // throws, oneTBB cancels the pipeline without destroying the items in flight, which leaked
    // their text (LeakSanitizer). Block k uses slot k % tokens: at most `tokens` blocks are in
    // flight and they leave the last (in-order) stage in order, so block k is done before block
    // k + tokens starts.
    std::vector<Chunk> slots(tokens);
    std::size_t started = 0;
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                            [&](tbb::flow_control& fc) -> std::size_t {
                                              if (next >= n) {
                                                fc.stop();
                                                return 0;
                                              }
                                              const std::size_t slot = started++ % tokens;
                                              slots[slot] = Chunk{};
                                              slots[slot].begin = next;
                                              slots[slot].end = std::min(n, next + block);
                                              next = slots[slot].end;
                                              return slot;
                                            }) &
            tbb::make_filter<std::size_t, std::size_t>(tbb::filter_mode::parallel,
                                                       [&](std::size_t slot) {
                                                         fill(engine, customers, o, log, coupons, slots[slot]);
                                                         return slot;
                                                       }) &
            tbb::make_filter<std::size_t, void>(tbb::filter_mode::serial_in_order, [&](std::size_t slot) {
              Chunk& c = slots[slot];
              out.write(c.text.data(), static_cast<std::streamsize>(c.text.size()));
              COBUY_CHECK(out.good(), ErrorCode::io, "cannot write the offers output");
              stats.customers += c.end - c.begin;
              stats.offers += c.offers;
              stats.coupon_codes += c.coupon_codes;
              stats.offers_without_code += c.offers_without_code;
              stats.bytes += c.text.size();
              c = Chunk{};  // free the text now
              if (progress) progress("offers", stats.customers, n);
            }));
  };
  if (o.threads > 0) {
    tbb::task_arena arena(static_cast<int>(o.threads));
    arena.execute(run);
  } else {
    run();
  }
  out.flush();
  COBUY_CHECK(out.good(), ErrorCode::io, "cannot write the offers output");
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

std::uint64_t fnv1a64(std::string_view text) { return fnv1a(text); }

Shard parse_shard(std::string_view text) {
  auto number = [](std::string_view s, std::uint32_t& v) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  };
  const auto slash = text.find('/');
  Shard s;
  const bool ok = slash != std::string_view::npos && number(text.substr(0, slash), s.index) &&
                  number(text.substr(slash + 1), s.count) && s.count >= 1 && s.count <= 1000000 &&
                  s.index < s.count;
  COBUY_CHECK(ok, ErrorCode::bad_request,
              "--shard takes I/N with 0 <= I < N (e.g. 0/4), got '" << text << "'");
  return s;
}

bool in_shard(std::string_view customer_id, Shard shard) {
  COBUY_ASSERT(shard.count > 0);
  return fnv1a64(customer_id) % shard.count == shard.index;
}

std::vector<std::string> shard_customers(const std::vector<std::string>& customers, Shard shard) {
  if (shard.count == 1) return customers;
  std::vector<std::string> out;
  for (const auto& c : customers) {
    if (in_shard(c, shard)) out.push_back(c);
  }
  return out;
}

std::vector<std::string> all_customers(const Model& model) { return model.customers.ids; }

std::vector<std::string> read_customer_list(const std::string& path) {
  COBUY_CHECK(!std::filesystem::is_directory(path), ErrorCode::io, "customers file " << path << " is a directory");
  std::ifstream in(path);
  COBUY_CHECK(in.is_open(), ErrorCode::io, "cannot read customers file " << path);
  std::vector<std::string> out;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    std::string id = line.substr(first, last - first + 1);
    COBUY_CHECK(id.size() <= 256, ErrorCode::bad_request,
                path << ":" << n << ": customer id is over 256 bytes");
    out.push_back(std::move(id));
  }
  COBUY_CHECK(!in.bad(), ErrorCode::io, "error reading customers file " << path);
  COBUY_CHECK(!out.empty(), ErrorCode::bad_request, "customers file " << path << " lists no customer ids");
  return out;
}

}  // namespace cobuy
