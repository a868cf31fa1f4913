#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>

#include "api/cli/commands.h"
#include "api/report/eval_report.h"
#include "api/report/eval_run.h"
#include "api/cli/order_source_options.h"
#include "api/cli/terminal_progress.h"
#include "core/error.h"

namespace cobuy::cli {
namespace {

std::vector<std::size_t> parse_ks(const std::string& text) {
  std::vector<std::size_t> ks;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    char* end = nullptr;
    const long k = std::strtol(part.c_str(), &end, 10);
    COBUY_CHECK(!part.empty() && end && *end == '\0' && k >= 1 && k <= 1000, ErrorCode::bad_request,
                "--k takes cut-offs between 1 and 1000 separated by commas, got '" << part << "'");
    ks.push_back(static_cast<std::size_t>(k));
  }
  COBUY_CHECK(!ks.empty(), ErrorCode::bad_request, "--k needs at least one cut-off");
  return ks;
}

}  // namespace

void add_eval_command(CLI::App& app) {
  struct Args {
    OrderSourceArgs source;
    std::string split;
    std::string ks = "5,10,20";
    std::uint64_t seed = 42;
    std::size_t resamples = 1000;
    std::string out_dir;
    std::string sweep_path;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "eval", "Train on the earlier part of the history, score on the later part, write report.json/md/html");
  add_order_source_options(*cmd, args->source);
  cmd->add_option("--split", args->split, "time:DATE (test = orders from DATE on), last-basket or random:FRACTION")
      ->required();
  cmd->add_option("--k", args->ks, "Cut-offs, comma-separated")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of hidden items, random split and bootstrap")->capture_default_str();
  cmd->add_option("--bootstrap", args->resamples, "Bootstrap resamples for the 95% intervals")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--sweep", args->sweep_path,
                  "Grid JSON {\"param.name\": [values...]}: choose the config on a validation part of the training "
                  "part first, and write it as chosen_config.json")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out_dir, "Report directory (report.json, report.md, report.html)")->required();
  cmd->callback([args] {
    EvalRun run;
    run.order_paths = args->source.order_paths;
    run.format = args->source.format;
    run.config = args->source.train_config();
    run.split = parse_split(args->split);
    run.ks = parse_ks(args->ks);
    run.seed = args->seed;
    run.bootstrap_resamples = args->resamples;
    if (!args->sweep_path.empty()) {
      std::ifstream f(args->sweep_path);
      try {
        run.sweep_grid = nlohmann::json::parse(f);
      } catch (const nlohmann::json::exception& e) {
        COBUY_FAIL(ErrorCode::bad_request, args->sweep_path << " is not valid JSON: " << e.what());
      }
    }
    TerminalProgress progress;
    const OrderData data = load_orders(run.order_paths, args->source.ingest_options(), nullptr, progress.callback());
    std::vector<nlohmann::json> queries;
    const auto report = run_evaluation(data, run, progress.callback(), &queries);
    progress.finish();
    write_report(report, args->out_dir);
    {
      // The basket-completion cases as a queries file, for replaying with `cobuy recommend`.
      const auto path = args->out_dir + "/basket_completion_queries.jsonl";
      std::ofstream f(path);
      for (const auto& q : queries) f << q.dump() << "\n";
      COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << path);
    }
    if (report.contains("sweep")) {
      const auto path = args->out_dir + "/chosen_config.json";
      std::ofstream f(path);
      f << report["config"].dump(2) << "\n";
      COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << path);
    }
    std::printf("%s", report_markdown(report).c_str());
    std::printf("\nreport: %s/report.html\n", args->out_dir.c_str());
  });
}

}  // namespace cobuy::cli
