#pragma once
/// Subcommands of the `cobuy` executable. Each add_* registers its flags on `app` and the
/// function that runs it; CLI11 stays private to api/.

namespace CLI {
class App;
}

namespace cobuy::cli {

void add_train_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_recommend_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_offers_command(CLI::App& app);
void add_keys_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace cobuy::cli
