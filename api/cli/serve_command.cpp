#include <malloc.h>

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "api/http/api_keys.h"
#include "api/cli/commands.h"
#include "api/store/coupon_pools.h"
#include "api/store/order_store.h"
#include "api/http/serve_loop.h"
#include "api/http/server.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/log.h"
#include "core/offer_policy.h"

namespace cobuy::cli {
namespace {

/// Serves until SIGINT/SIGTERM, then shuts down in order: stop accepting, answer the requests in
/// flight (the Server's destructor joins its workers), and only then close the order log, so no
/// acknowledged order is cut off and SQLite checkpoints its write-ahead log.
void serve_and_close(std::shared_ptr<const Model> model, ServerOptions options, const std::string& model_dir) {
  // Every worker thread would otherwise get its own glibc arena (up to 8 x cores): each keeps
  // freed pages of replaced models and per-thread scratch, and RSS creeps up with reloads under
  // load. Two arenas keep it flat at no measurable cost in throughput (bench/RESULTS.md, "Load").
  mallopt(M_ARENA_MAX, 2);
  // A model's arrays (up to tens of MiB each) must go back to the system when a reload frees
  // them. glibc raises its mmap threshold to the size of each mmapped block freed (up to 32 MiB),
  // so after the first reload such arrays come from the heap, where small live allocations pin
  // the freed space: RSS then steps up by about a model's size under load. Setting the threshold
  // turns that adjustment off.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  auto orders = options.orders;
  {
    Server server(model, options);
    server.bind();
    log::info("serving", {{"model", model_dir},
                          {"version", model->version},
                          {"embedding_dim", model->embeddings.dim},
                          {"url", "http://" + options.host + ":" + std::to_string(server.port())},
                          {"api_keys", options.keys ? std::to_string(options.keys->keys().size()) : "none"}});
    options = {};  // the server keeps its own copy
    serve_until_signal(server);
  }
  if (orders) {
    orders.reset();
    log::info("order store closed", {});
  }
  log::info("stopped", {});
}

}  // namespace

void add_serve_command(CLI::App& app) {
  struct Args {
    std::string model_dir;
    std::string orders_db;
    std::string policy_path;
    std::string keys_path;
    unsigned request_timeout_ms = 2000;
    unsigned header_timeout_ms = 2000;
    ServerOptions options;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("serve", "Serve a trained model over HTTP (JSON API v1)");
  cmd->add_option("--model", args->model_dir, "Model directory written by `cobuy train`")->required();
  cmd->add_option("--host", args->options.host, "Address to listen on (other than loopback only with --keys)")
      ->capture_default_str();
  cmd->add_option("--port", args->options.port, "TCP port (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", args->options.threads,
                  "Worker threads that run requests (0 = max(8, 4 x cores)); slow and idle connections wait "
                  "without holding one")
      ->capture_default_str()
      ->check(CLI::Range(0u, 4096u));
  cmd->add_option("--max-queue", args->options.max_queue,
                  "Requests that have arrived and wait for a busy worker; past this they are answered 503 at once")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--max-connections", args->options.max_connections,
                  "Open client connections; past this a new one is answered 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--header-timeout-ms", args->header_timeout_ms,
                  "A request's head (request line and headers) must arrive within this; past it: 408")
      ->capture_default_str()
      ->check(CLI::Range(1u, 600000u));
  cmd->add_option("--max-header-bytes", args->options.max_header_bytes,
                  "Bytes of header lines in one request; past this: 431")
      ->capture_default_str()
      ->check(CLI::Range(256, 1 << 24));
  cmd->add_option("--max-headers", args->options.max_headers, "Header lines in one request; past this: 431")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--allow-origin", args->options.allow_origins,
                  "A browser origin (https://HOST[:PORT]) allowed to call the API, with CORS answers; repeat for "
                  "more. Requests carrying any other Origin header are refused (403); by default every one is");
  cmd->add_option("--max-limit", args->options.limits.max_limit, "Largest accepted `limit` in a request")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  cmd->add_option("--request-timeout-ms", args->request_timeout_ms,
                  "Time budget of one request's work; past it the request answers 503 \"timeout\"")
      ->capture_default_str()
      ->check(CLI::Range(1u, 600000u));
  cmd->add_option("--max-clock-skew", args->options.max_clock_skew,
                  "Seconds an order's timestamp may be ahead of this server's clock; later ones answer 400")
      ->capture_default_str()
      ->check(CLI::Range(Timestamp{0}, Timestamp{366} * 86400));
  cmd->add_option("--orders-db", args->orders_db,
                  "Order log: a SQLite file (created if absent) or a PostgreSQL URI, postgresql://... (shared by "
                  "replicas); POST /v1/orders records orders there, offers read it");
  cmd->add_option("--policy", args->policy_path, "Offer policy JSON (default: the built-in policy, "
                                                 "config/offer_policy.json)");
  cmd->add_option("--keys", args->keys_path,
                  "API keys file (`cobuy keys create`): every route but /healthz, /readyz and /openapi.json then "
                  "needs 'Authorization: Bearer TOKEN'; SIGHUP re-reads it");
  cmd->callback([args] {
    if (!args->keys_path.empty()) {
      args->options.keys = std::make_shared<const ApiKeys>(ApiKeys::load(args->keys_path));
      args->options.keys_path = args->keys_path;
    }
    // Before the model loads: a refused address should not cost a model load first.
    check_listen_address(args->options.host, args->options.keys != nullptr);
    if (!args->policy_path.empty()) args->options.policy = load_offer_policy(args->policy_path);
    COBUY_CHECK(args->options.policy.coupon_codes.empty() || !args->orders_db.empty(), ErrorCode::bad_request,
                coupon_codes_need_a_log("--orders-db"));
    if (!args->orders_db.empty()) args->options.orders = OrderStore::open(args->orders_db);
    args->options.request_timeout = std::chrono::milliseconds(args->request_timeout_ms);
    args->options.header_timeout = std::chrono::milliseconds(args->header_timeout_ms);
    auto model = load_model(args->model_dir);
    args->options.model_dir = args->model_dir;
    serve_and_close(std::move(model), std::move(args->options), args->model_dir);
  });
}

}  // namespace cobuy::cli
