#include "api/cli/training_run.h"

#include <chrono>
#include <cstdio>
#include <sstream>

#include "api/report/eval_run.h"
#include "api/store/order_store.h"
#include "api/cli/mpi_collective.h"
#include "api/cli/terminal_progress.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/log.h"
#include "core/order_merge.h"
#include "training/distributed_train.h"
#include "training/train.h"

namespace cobuy::cli {

void parse_columns(const std::string& spec, IngestOptions& options) {
  std::stringstream ss(spec);
  std::string pair;
  while (std::getline(ss, pair, ',')) {
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    COBUY_CHECK(eq != std::string::npos && eq > 0 && eq + 1 < pair.size(), ErrorCode::bad_request,
                "--columns entry '" << pair << "' must look like key=Header");
    options.columns[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
}

RunOrders load_run_orders(const TrainingRun& run, const ProgressFn& progress) {
  const bool files = !run.order_paths.empty(), log = !run.orders_db.empty();
  COBUY_CHECK(files || log, ErrorCode::bad_request, "no orders given: use --orders FILE..., --orders-db PATH or both");
  COBUY_CHECK(files || run.ingest.catalog_path.empty(), ErrorCode::bad_request,
              "--catalog describes the items of --orders files; give --orders too");
  RunOrders r;
  if (files) r.data = load_orders(run.order_paths, run.ingest, &r.summary, progress);
  std::uint64_t in_log = 0;
  if (log) {
    const auto store = OrderStore::open(run.orders_db);
    const HistoryChanges changes = store->history_changes();
    auto orders = store->all_orders();
    r.left_out = leave_out_changed(r.data, orders, changes);
    in_log = orders.size();
    r.orders_from_db = merge_placed_orders(r.data, orders);
    r.summary.orders = r.data.orders.size();
    r.summary.items = r.data.catalog.size();
    r.summary.customers = r.data.customer_ids.size();
    log::info("order log read", {{"location", OrderStore::redacted(run.orders_db)}, {"orders", in_log}, {"added", r.orders_from_db}});
  }
  r.summary_json = summary_json(r.summary);
  if (log) {
    r.summary_json["orders_from_db"] = r.orders_from_db;
    r.summary_json["orders_db_duplicates"] = in_log - r.orders_from_db;
    r.summary_json["left_out"] = r.left_out.to_json();
  }
  return r;
}

namespace {

struct StageTimes {
  double ingest = 0, train = 0, save = 0;
};

void print_training_summary(const TrainingRun& run, const IngestSummary& summary, std::uint64_t orders_from_db,
                            const LeftOutOrders& left_out, const Model& model, const StageTimes& times) {
  std::printf("rows read     %llu\nrows kept     %llu\n", static_cast<unsigned long long>(summary.rows_read),
              static_cast<unsigned long long>(summary.rows_kept));
  for (const auto& [reason, n] : summary.dropped) {
    std::printf("dropped       %-24s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("no customer   %llu rows (baskets kept)\n",
              static_cast<unsigned long long>(summary.rows_without_customer));
  if (!run.ingest.catalog_path.empty()) {
    std::string kept;
    for (const auto& c : summary.catalog_columns_kept) kept += (kept.empty() ? "" : ", ") + c;
    std::printf("item fields   %s (the catalogue's own columns, returned with each item)\n",
                kept.empty() ? "none" : kept.c_str());
    for (const auto& why : summary.catalog_columns_ignored) std::printf("ignored       column %s\n", why.c_str());
    std::printf("new items     %llu (in the catalogue, never ordered: offered as new arrivals)\n",
                static_cast<unsigned long long>(summary.catalog_new_items));
  }
  if (!run.orders_db.empty()) {
    std::printf("from db       %llu orders (%s)\n", static_cast<unsigned long long>(orders_from_db),
                OrderStore::redacted(run.orders_db).c_str());
    std::printf("left out      %llu orders: %llu cancelled, %llu returned in full, %llu of erased customers "
                "(%llu more with returns taken off)\n",
                static_cast<unsigned long long>(left_out.total()), static_cast<unsigned long long>(left_out.cancelled),
                static_cast<unsigned long long>(left_out.returned_in_full),
                static_cast<unsigned long long>(left_out.erased_customer),
                static_cast<unsigned long long>(left_out.with_returns));
  }
  std::printf("orders        %llu\nitems         %llu\ncustomers     %llu\nitem pairs    %llu\n",
              static_cast<unsigned long long>(model.stats.orders), static_cast<unsigned long long>(model.stats.items),
              static_cast<unsigned long long>(model.stats.customers),
              static_cast<unsigned long long>(model.stats.pairs));
  if (!model.evaluation.is_null()) {
    const auto& b = model.evaluation["basket_completion"];
    std::printf("held-out      %s: basket completion NDCG@10 %.4f HR@10 %.4f (%s cases)\n",
                model.evaluation["split"].get<std::string>().c_str(), b["ndcg@10"].get<double>(),
                b["hit_rate@10"].get<double>(), b["cases"].dump().c_str());
  }
  std::printf("re-ranker     %s\n", run.config.rerank.enabled ? reranker_summary(model.reranker).c_str()
                                                                : "off: rerank.enabled is false");
  std::printf("next order    %s\n", run.config.next_order.fit ? next_order_summary(model.next_order).c_str()
                                                                : "default rule: next_order.fit is false");
  std::printf("time          ingest %.2fs, train %.2fs, save %.2fs\nmodel         %s (version %s)\n", times.ingest,
              times.train, times.save, run.out_dir.c_str(), model.version.c_str());
}

double secs(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void log_written(const std::string& dir, const StageTimes& t) {
  log::info("model written", {{"dir", dir}, {"ingest_s", t.ingest}, {"train_s", t.train}, {"save_s", t.save}});
}

}  // namespace

Model run_training(const TrainingRun& run, bool print_summary) {
  using clock = std::chrono::steady_clock;
  COBUY_CHECK(!run.out_dir.empty(), ErrorCode::bad_request, "--out is required");
  TerminalProgress progress;
  const auto t0 = clock::now();
  const RunOrders orders = load_run_orders(run, progress.callback());
  const IngestSummary& summary = orders.summary;
  const auto t1 = clock::now();
  nlohmann::json evaluation;
  if (run.eval_tail > 0) evaluation = holdout_summary(orders.data, run.config, run.eval_tail);
  Model model = train_model(orders.data, run.config, orders.summary_json, progress.callback());
  model.evaluation = std::move(evaluation);
  const auto t2 = clock::now();
  save_model(model, run.out_dir);
  const auto t3 = clock::now();
  progress.finish();
  const StageTimes times{secs(t0, t1), secs(t1, t2), secs(t2, t3)};
  log_written(run.out_dir, times);
  if (print_summary) print_training_summary(run, summary, orders.orders_from_db, orders.left_out, model, times);
  return model;
}

void run_distributed_training(const TrainingRun& run, bool print_summary) {
  using clock = std::chrono::steady_clock;
  COBUY_CHECK(!run.out_dir.empty(), ErrorCode::bad_request, "--out is required");
  COBUY_CHECK(run.orders_db.empty(), ErrorCode::bad_request,
              "--orders-db is not supported with --distributed yet: each rank reads a share of --orders files");
  COBUY_CHECK(run.eval_tail == 0, ErrorCode::bad_request, "--eval-tail is not supported with --distributed yet");
  COBUY_CHECK(!run.order_paths.empty(), ErrorCode::bad_request, "--distributed reads --orders files: give some");
  const auto comm = open_mpi();
  try {
    const bool root = comm->rank() == 0;
    TerminalProgress progress;
    const ProgressFn shown = root ? progress.callback() : nullptr;
    const auto t0 = clock::now();
    const DistributedOrders orders = exchange_orders(*comm, run.order_paths, run.ingest, shown);
    const auto t1 = clock::now();
    auto model = train_distributed(*comm, orders, run.config, summary_json(orders.summary), shown);
    if (!model) return;
    const auto t2 = clock::now();
    save_model(*model, run.out_dir);
    progress.finish();
    const StageTimes times{secs(t0, t1), secs(t1, t2), secs(t2, clock::now())};
    log_written(run.out_dir, times);
    if (print_summary) {
      std::printf("ranks         %d (file shares, orders by id hash)\n", comm->size());
      print_training_summary(run, orders.summary, 0, {}, *model, times);
    }
  } catch (const std::exception& e) {
    // The other ranks may wait in a collective for this one: end them all.
    const auto* error = dynamic_cast<const Error*>(&e);
    std::fprintf(stderr, "cobuy train --distributed: rank %d: %s\n", comm->rank(), e.what());
    std::fflush(stderr);
    abort_mpi(error && error->code() == ErrorCode::bad_request ? 2 : 1);
    throw;
  }
}

}  // namespace cobuy::cli
