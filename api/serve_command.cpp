#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "api/commands.h"
#include "api/order_store.h"
#include "api/serve_loop.h"
#include "api/server.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/log.h"
#include "core/offer_policy.h"

namespace cobuy::cli {

void add_serve_command(CLI::App& app) {
  struct Args {
    std::string model_dir;
    std::string orders_db;
    std::string policy_path;
    ServerOptions options;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("serve", "Serve a trained model over HTTP (JSON API v1)");
  cmd->add_option("--model", args->model_dir, "Model directory written by `cobuy train`")->required();
  cmd->add_option("--host", args->options.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", args->options.port, "TCP port (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", args->options.threads, "Worker threads (0 = max(8, 4 x cores))")
      ->capture_default_str()
      ->check(CLI::Range(0u, 4096u));
  cmd->add_option("--max-limit", args->options.limits.max_limit, "Largest accepted `limit` in a request")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  cmd->add_option("--orders-db", args->orders_db,
                  "Order log (SQLite, created if absent): POST /v1/orders records orders there, offers read it");
  cmd->add_option("--policy", args->policy_path, "Offer policy JSON (default: the built-in policy, "
                                                 "config/offer_policy.json)");
  cmd->callback([args] {
    if (!args->policy_path.empty()) args->options.policy = load_offer_policy(args->policy_path);
    if (!args->orders_db.empty()) args->options.orders = OrderStore::open(args->orders_db);
    auto model = load_model(args->model_dir);
    args->options.model_dir = args->model_dir;
    Server server(model, args->options);
    server.bind();
    log::info("serving", {{"model", args->model_dir},
                          {"version", model->version},
                          {"embedding_dim", model->embeddings.dim},
                          {"url", "http://" + args->options.host + ":" + std::to_string(server.port())}});
    serve_until_signal(server);
  });
}

}  // namespace cobuy::cli
