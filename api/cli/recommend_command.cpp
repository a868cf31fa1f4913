#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <CLI/CLI.hpp>
#include <tbb/parallel_for.h>

#include "api/http/codec.h"
#include "api/cli/commands.h"
#include "api/cli/terminal_progress.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/log.h"
#include "core/recommender.h"
#include "index/complement_search.h"

namespace cobuy::cli {
namespace {

/// Answers one JSONL line. A bad line becomes an error line whose message starts with "line N: "
/// and whose id is the query's where it can be read, else "line N" (a blank line, a line that is
/// not JSON, not an object, or has an id of the wrong type).
std::string answer_line(const Model& model, const ComplementSearch& complements, const std::string& line,
                        std::size_t line_no, const ServeLimits& limits, bool& failed) {
  const std::string where = "line " + std::to_string(line_no);
  std::string id = where;
  try {
    COBUY_CHECK(line.find_first_not_of(" \t") != std::string::npos, ErrorCode::bad_request,
                "blank line, expected a query object");
    const nlohmann::json j = parse_json_text(line);
    if (auto known = query_id(j)) id = std::move(*known);
    Query q = query_from_json(j);
    validate(q, limits);
    return result_to_json(model, recommend(model, q, complements)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const Error& e) {
    failed = true;
    auto out = error_json(error_code_name(e.code()), where + ": " + e.what());
    out["id"] = id;
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

void run_recommend(const std::string& model_dir, const std::string& queries_path, const std::string& out_path) {
  auto model = load_model(model_dir);
  // The same embedding search as the server, so a batch answer equals the API's.
  const ComplementSearch complements = make_complement_search(model);
  std::ifstream in(queries_path);
  COBUY_CHECK(in.good(), ErrorCode::io, "cannot read queries file " << queries_path);
  // Every line, blank ones included, gets its own result line (DESIGN.md: one result line per query line).
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  COBUY_CHECK(!in.bad(), ErrorCode::io, "error reading " << queries_path);

  std::vector<std::string> out(lines.size());
  std::vector<char> failed(lines.size(), 0);
  TerminalProgress progress;
  auto report = progress.callback();
  std::atomic<std::uint64_t> done{0};
  const ServeLimits limits;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, lines.size(), 64), [&](const auto& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      bool bad = false;
      out[i] = answer_line(*model, complements, lines[i], i + 1, limits, bad);
      failed[i] = bad;
    }
    const auto d = done += r.size();
    if (report) report("recommend", d, lines.size());
  });
  progress.finish();

  // Write beside the target and rename, so a reader never sees a half-written file.
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << tmp);
    for (const auto& o : out) f << o << '\n';
    f.flush();
    COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << tmp);
  }
  std::filesystem::rename(tmp, out_path);
  const auto n_failed = static_cast<std::size_t>(std::count(failed.begin(), failed.end(), 1));
  log::info("recommendations written", {{"queries", lines.size()}, {"invalid", n_failed}, {"out", out_path}});
  COBUY_CHECK(n_failed == 0, ErrorCode::bad_data,
              n_failed << " of " << lines.size() << " queries in " << queries_path
                       << " are invalid; their lines in " << out_path << " carry the error");
}

}  // namespace

void add_recommend_command(CLI::App& app) {
  struct Args {
    std::string model_dir, queries, out;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("recommend", "Answer a JSONL file of queries (basket completion or next order) "
                                              "with one JSONL result line per query");
  cmd->add_option("--model", args->model_dir, "Model directory written by `cobuy train`")->required();
  cmd->add_option("--queries", args->queries, "Queries, one JSON object a line")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "Results file to write (JSONL, same order as the queries)")->required();
  cmd->callback([args] { run_recommend(args->model_dir, args->queries, args->out); });
}

}  // namespace cobuy::cli
