#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <CLI/CLI.hpp>

#include "api/cli/commands.h"
#include "api/http/offer_routes.h"
#include "api/cli/offers_batch.h"
#include "api/store/coupon_pools.h"
#include "api/store/order_store.h"
#include "api/cli/terminal_progress.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/time_util.h"
#include "index/complement_search.h"

namespace cobuy::cli {
namespace {

namespace fs = std::filesystem;

struct Args {
  std::string model_dir, customers_path, context = "order_confirmation", at, shard, policy_path, orders_db, out;
  bool all_customers = false;
  std::uint32_t limit = 0;
};

/// A file being written beside its final name: removed unless commit() renamed it into place.
class TempOutput {
 public:
  explicit TempOutput(const std::string& final_path)
      : final_(final_path), tmp_(final_path + ".tmp-" + std::to_string(::getpid())) {
    file_.open(tmp_, std::ios::binary | std::ios::trunc);
    COBUY_CHECK(file_.is_open(), ErrorCode::io, "cannot write " << tmp_ << " (beside --out " << final_ << ")");
  }
  ~TempOutput() {
    if (committed_) return;
    file_.close();
    std::error_code ec;
    fs::remove(tmp_, ec);
  }
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;

  std::ostream& stream() { return file_; }
  void commit() {
    file_.close();
    COBUY_CHECK(!file_.fail(), ErrorCode::io, "cannot write " << tmp_);
    std::error_code ec;
    fs::rename(tmp_, final_, ec);
    COBUY_CHECK(!ec, ErrorCode::io, "cannot rename " << tmp_ << " to " << final_ << ": " << ec.message());
    committed_ = true;
  }

 private:
  std::string final_, tmp_;
  std::ofstream file_;
  bool committed_ = false;
};

void run_offers(const Args& a) {
  // Every argument is checked before the model loads, so a typo fails at once.
  COBUY_CHECK(!(a.all_customers && !a.customers_path.empty()), ErrorCode::bad_request,
              "--customers and --all-customers exclude each other; give one");
  COBUY_CHECK(a.all_customers || !a.customers_path.empty(), ErrorCode::bad_request,
              "give the customers: --customers FILE (one id a line) or --all-customers");
  OffersBatchOptions options;
  try {
    options.context = parse_offer_context(a.context);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("--context: ") + e.what());
  }
  if (!a.at.empty()) {
    options.at = parse_timestamp(a.at);
    COBUY_CHECK(options.at, ErrorCode::bad_request,
                "--at takes an ISO-8601 date or date-time or Unix seconds, got '" << a.at << "'");
    const std::string why = out_of_range_reason(*options.at, moment_time_range());
    COBUY_CHECK(why.empty(), ErrorCode::bad_request, "--at: " << why);
  }
  options.limit = a.limit;
  const Shard shard = a.shard.empty() ? Shard{} : parse_shard(a.shard);
  COBUY_CHECK(a.orders_db.empty() || OrderStore::is_postgres(a.orders_db) || fs::is_regular_file(a.orders_db),
              ErrorCode::io, "--orders-db " << a.orders_db << " does not exist (a SQLite file or a postgresql:// URI)");
  std::vector<std::string> customers;
  if (!a.all_customers) customers = read_customer_list(a.customers_path);

  OfferPolicy policy = a.policy_path.empty() ? OfferPolicy() : load_offer_policy(a.policy_path);
  COBUY_CHECK(a.limit <= policy.max_limit, ErrorCode::bad_request,
              "--limit must be between 1 and the policy's max_limit " << policy.max_limit << ", got " << a.limit);
  // The server's log, so that a code a batch gives out is never given by a server, nor again.
  COBUY_CHECK(policy.coupon_codes.empty() || !a.orders_db.empty(), ErrorCode::bad_request,
              coupon_codes_need_a_log("--orders-db"));
  const std::shared_ptr<const Model> model = load_model(a.model_dir);
  const OfferEngine engine(model, std::move(policy), make_complement_search(model));
  if (a.all_customers) customers = all_customers(*model);
  customers = shard_customers(customers, shard);

  std::unique_ptr<OrderStore> store;
  LogLookup lookup;
  if (!a.orders_db.empty()) {
    store = OrderStore::open(a.orders_db);
    // The server's lookup, so a batch line equals the API's answer given the same log.
    lookup = [&store, &model](const std::string& id) { return customer_log(store.get(), *model, id); };
  }
  CouponClaimFn coupons;
  if (!engine.policy().coupon_codes.empty()) {
    import_coupon_pools(*store, engine.policy());  // the files' codes the log does not hold yet
    coupons = [&store](std::vector<OfferResult>& results) {
      std::vector<CouponList> lists;
      // As the server does: a code given to an erased customer names nobody.
      for (auto& r : results) lists.push_back({&r.offers, store->is_erased(r.customer_id) ? "" : r.customer_id});
      const CouponClaims claimed = claim_coupons(*store, lists, "");
      return std::pair<std::uint64_t, std::uint64_t>(claimed.codes.size(), claimed.without_code);
    };
  }

  TempOutput out(a.out);
  TerminalProgress progress;
  const auto stats = run_offers_batch(engine, customers, options, out.stream(), progress.callback(),
                                      store ? &lookup : nullptr, coupons ? &coupons : nullptr);
  progress.finish();
  out.commit();
  std::printf("offers: %llu customers, %llu offers in %.2f s (%.0f customers/s) -> %s\n",
              static_cast<unsigned long long>(stats.customers), static_cast<unsigned long long>(stats.offers),
              stats.seconds, stats.seconds > 0 ? static_cast<double>(stats.customers) / stats.seconds : 0.0,
              a.out.c_str());
  if (coupons) {
    std::printf("coupon codes: %llu claimed from the order log; %llu discounted offers went without their discount "
                "(their pool was empty)\n",
                static_cast<unsigned long long>(stats.coupon_codes),
                static_cast<unsigned long long>(stats.offers_without_code));
  }
}

}  // namespace

void add_offers_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("offers", "Write the tailored offers of many customers as JSONL, one line per "
                                           "customer (the answer of POST /v1/offers after their latest order)");
  cmd->add_option("--model", args->model_dir, "Model directory written by `cobuy train`")->required();
  cmd->add_option("--customers", args->customers_path, "Customer ids, one a line (blank lines skipped)");
  cmd->add_flag("--all-customers", args->all_customers, "Every customer the model knows");
  cmd->add_option("--context", args->context,
                  "Email context: order_confirmation, shipping, delivered, review_request, replenishment or "
                  "win_back")
      ->capture_default_str();
  cmd->add_option("--at", args->at, "Send time (ISO-8601 date or date-time, or Unix seconds); default: the "
                                    "customer's latest order");
  cmd->add_option("--shard", args->shard, "I/N: only the customers whose id hashes to shard I of N (0 <= I < N)");
  cmd->add_option("--limit", args->limit, "Offers per customer (default: the policy's limit)")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--policy", args->policy_path, "Offer policy JSON (default: the built-in policy, "
                                                 "config/offer_policy.json)");
  cmd->add_option("--orders-db", args->orders_db,
                  "Order log written by `cobuy serve` (a SQLite file or postgresql://...): newer orders and "
                  "earlier offers count; a policy with single-use coupon codes (coupon_codes) needs it, and "
                  "the batch claims its codes there");
  cmd->add_option("--out", args->out, "Offers file to write (JSONL, one line per customer, in order)")->required();
  cmd->callback([args] { run_offers(*args); });
}

}  // namespace cobuy::cli
