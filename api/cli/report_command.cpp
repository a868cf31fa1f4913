#include <cstdio>
#include <limits>
#include <memory>
#include <span>
#include <string>

#include <CLI/CLI.hpp>

#include "api/cli/commands.h"
#include "api/report/offer_report.h"
#include "api/report/shop_figures_report.h"
#include "api/report/shop_report.h"
#include "api/store/offer_stats_reader.h"
#include "api/store/order_store.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/offer_policy.h"
#include "core/shop_figures.h"
#include "core/time_util.h"

namespace cobuy::cli {
namespace {

struct ReportArgs {
  std::string orders_db, model_dir, policy_path, from, until, out;
};

Timestamp time_flag(const std::string& text, const char* flag, Timestamp fallback) {
  if (text.empty()) return fallback;
  const auto t = parse_timestamp(text);
  COBUY_CHECK(t, ErrorCode::bad_request, flag << " '" << text << "' is not an ISO-8601 date or date-time or Unix seconds");
  return *t;
}

/// Shop figures of the order log, or with --model of the model's history plus the logged orders it
/// does not hold (as GET /v1/stats/shop answers); segments use the model's thresholds or, without
/// a model, thresholds learnt from the log the same way.
ReportSection shop_section(const ReportArgs& a, const OfferPolicy& policy, std::span<const PlacedOrder> logged) {
  if (a.model_dir.empty()) {
    const auto history = shop_orders(logged);
    return shop_figures_section(shop_figures(history, shop_thresholds(history, policy.segments)), "order log");
  }
  const auto model = load_model(a.model_dir);
  const auto history = shop_orders(*model, logged);
  return shop_figures_section(shop_figures(history, shop_thresholds(*model, policy.segments)),
                              "model's history and the order log");
}

void run_report(const ReportArgs& a) {
  const OfferPolicy policy = a.policy_path.empty() ? OfferPolicy() : load_offer_policy(a.policy_path);
  const Timestamp from = time_flag(a.from, "--from", std::numeric_limits<Timestamp>::min() + 1);
  const Timestamp until = time_flag(a.until, "--until", std::numeric_limits<Timestamp>::max() / 2);
  COBUY_CHECK(until > from, ErrorCode::bad_request, "--until must be after --from");
  const auto store = OrderStore::open(a.orders_db);
  const std::vector<PlacedOrder> logged = store->all_orders();  // read once: both sections use them
  OfferStats stats = read_offer_stats(*store, logged, policy.attribution_days, from, until);
  if (a.from.empty()) stats.from = kNoTime;
  if (a.until.empty()) stats.until = kNoTime;
  // The report's sections, in order.
  const std::vector<ReportSection> sections = {offers_section(stats), shop_section(a, policy, logged)};
  write_shop_report(a.out, "cobuy shop report", sections);
  std::fprintf(stderr,
               "cobuy: report of %llu cobuy and %llu holdout sends written to %s (report.json, report.md, "
               "report.html)\n",
               static_cast<unsigned long long>(stats.cobuy.sends), static_cast<unsigned long long>(stats.holdout.sends),
               a.out.c_str());
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report",
      "Report on the offers sent: sends, opens, clicks, conversions and attributed revenue per A/B arm and by "
      "context, kind and segment, with 95% intervals and cobuy's uplift over the holdout; and the shop figures "
      "(repeat-purchase rate, average order value, days between orders, lifetime value by segment, monthly trend). "
      "Writes report.json, report.md and report.html");
  cmd->add_option("--orders-db", args->orders_db,
                  "The order log the server writes (a SQLite file or a postgresql:// URI)")
      ->required();
  cmd->add_option("--model", args->model_dir,
                  "Model directory: its history joins the log's orders in the shop figures (default: the log alone)");
  cmd->add_option("--policy", args->policy_path,
                  "Offer policy file (JSON): its attribution_days (default 7) sets the attribution window");
  cmd->add_option("--from", args->from, "Only sends at or after this time (ISO-8601 or Unix seconds)");
  cmd->add_option("--until", args->until, "Only sends before this time (ISO-8601 or Unix seconds)");
  cmd->add_option("--out", args->out, "Report directory (created if needed)")->required();
  cmd->callback([args] { run_report(*args); });
}

}  // namespace cobuy::cli
