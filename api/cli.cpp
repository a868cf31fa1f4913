#include "api/cli.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "api/commands.h"
#include "core/error.h"
#include "core/log.h"

namespace cobuy::cli {

int run(int argc, char** argv) {
  CLI::App app{"cobuy: learns what is bought together from order history and serves cross-sell "
               "recommendations over HTTP and in batch"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cobuy 0.1.0");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug, info, warn, error or off")->capture_default_str();
  app.parse_complete_callback([&] { log::set_level(log::parse_level(log_level)); });
  add_train_command(app);
  add_serve_command(app);
  add_recommend_command(app);
  add_demo_command(app);
  add_eval_command(app);
  add_offers_command(app);
  add_keys_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::fprintf(stderr, "cobuy: error: %s\n", e.what());
    return e.code() == ErrorCode::bad_request ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cobuy: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace cobuy::cli
