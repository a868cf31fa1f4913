#include "api/cli/cli.h"

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "api/cli/commands.h"
#include "core/error.h"
#include "core/log.h"
#include "core/printable.h"

namespace cobuy::cli {
namespace {

constexpr const char* kVersion = "cobuy 0.1.0";

/// The flags every command takes, registered on `app` and on each subcommand under it, so they work
/// before and after a subcommand's name (`cobuy serve --log-level debug`) and each `--help` lists them.
/// All copies of --log-level write the same string; a later one on the command line wins.
void add_global_options(CLI::App& app, std::string& log_level) {
  app.add_option("--log-level", log_level, "debug, info, warn, error or off")
      ->capture_default_str()
      ->group("Global options");
  app.set_version_flag("--version", kVersion)->group("Global options");
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
    add_global_options(*sub, log_level);
  }
}

/// Writes `text` to stderr through printable(): error messages quote outside text (file headers,
/// paths, ids, argv), which must not reach the terminal raw. An Error's message is one line even
/// when what it quotes holds a line break; CLI11's usage errors keep their own lines.
void print_error(std::string_view text, bool keep_lines) {
  std::string out;
  while (keep_lines && !text.empty()) {
    const auto end = text.find('\n');
    out += printable(text.substr(0, end)) + "\n";
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  if (!keep_lines) out = printable(text) + "\n";
  std::fputs(out.c_str(), stderr);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"cobuy: learns what is bought together from order history and serves cross-sell "
               "recommendations over HTTP and in batch"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.parse_complete_callback([&] { log::set_level(log::parse_level(log_level)); });
  add_train_command(app);
  add_serve_command(app);
  add_recommend_command(app);
  add_demo_command(app);
  add_eval_command(app);
  add_offers_command(app);
  add_keys_command(app);
  add_report_command(app);
  add_global_options(app, log_level);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream err;
    const int code = app.exit(e, std::cout, err);
    print_error(err.str(), true);
    return code;
  } catch (const Error& e) {
    print_error(std::string("cobuy: error: ") + e.what(), false);
    return e.code() == ErrorCode::bad_request ? 2 : 1;
  } catch (const std::exception& e) {
    print_error(std::string("cobuy: internal error: ") + e.what(), false);
    return 1;
  }
  return 0;
}

}  // namespace cobuy::cli
