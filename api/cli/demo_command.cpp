#include <cstdio>
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>

#include "api/cli/commands.h"
#include "api/store/order_store.h"
#include "api/http/serve_loop.h"
#include "api/http/server.h"
#include "api/cli/training_run.h"
#include "core/artifact.h"
#include "core/log.h"
#include "datasets/bundled.h"

namespace cobuy::cli {
namespace {

void print_examples(const Model& model, const std::string& base) {
  // Items every reader of the demo can check: the Regency teacup-and-saucer family.
  std::string anchor = "22697";
  if (!model.catalog.find(anchor) && !model.popular.empty()) anchor = model.catalog.ids[model.popular.front()];
  std::string customer = model.customers.ids.empty() ? "" : model.customers.ids.front();
  if (model.customers.index.count("17850")) customer = "17850";
  std::printf("\ncobuy demo is serving the bundled Online Retail data at %s\n\nTry:\n", base.c_str());
  std::printf("  curl -s '%s/v1/items/%s/bought-together?limit=5'\n", base.c_str(), anchor.c_str());
  std::printf("  curl -s -X POST %s/v1/recommendations -H 'Content-Type: application/json' \\\n"
              "       -d '{\"id\": \"q1\", \"items\": [\"22697\", \"22699\"], \"limit\": 5}'\n",
              base.c_str());
  if (!customer.empty()) {
    std::printf("  curl -s -X POST %s/v1/recommendations -H 'Content-Type: application/json' \\\n"
                "       -d '{\"id\": \"q2\", \"items\": [], \"customer_id\": \"%s\", \"at\": \"2011-09-01T00:00:00\", "
                "\"limit\": 5}'\n",
                base.c_str(), customer.c_str());
  }
  std::printf("A new customer's order, then the offers for its shipping email:\n"
              "  curl -s -X POST %s/v1/orders -H 'Content-Type: application/json' \\\n"
              "       -d '{\"order_id\": \"demo-1\", \"customer_id\": \"new-shopper\", "
              "\"timestamp\": \"2011-12-10T12:00:00Z\", \"items\": [{\"item_id\": \"%s\", \"quantity\": 2, "
              "\"price\": 2.95}]}'\n"
              "  curl -s -X POST %s/v1/offers -H 'Content-Type: application/json' \\\n"
              "       -d '{\"customer_id\": \"new-shopper\", \"context\": \"shipping\", \"limit\": 5, "
              "\"send_id\": \"demo-1-shipping\"}'\n",
              base.c_str(), anchor.c_str(), base.c_str());
  std::printf("  curl -s %s/v1/model\n  curl -s %s/healthz\n  curl -s %s/openapi.json   # every route, with examples\n\n"
              "Stop with Ctrl-C.\n\n",
              base.c_str(), base.c_str(), base.c_str());
  std::fflush(stdout);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  struct Args {
    std::string orders;
    std::string model_dir = (std::filesystem::temp_directory_path() / "cobuy-demo-model").string();
    std::string orders_db = (std::filesystem::temp_directory_path() / "cobuy-demo-orders.db").string();
    ServerOptions options;
    bool train_only = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("demo", "Train on the bundled Online Retail data and serve it on 127.0.0.1, "
                                         "printing example requests");
  cmd->add_option("--orders", args->orders, "Orders file to use instead of the bundled one (online-retail format)");
  cmd->add_option("--model-dir", args->model_dir, "Where to write the demo model")->capture_default_str();
  cmd->add_option("--port", args->options.port, "TCP port (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--orders-db", args->orders_db, "Order log for POST /v1/orders (a SQLite file or postgresql://...)")->capture_default_str();
  cmd->add_flag("--train-only", args->train_only, "Train and print the examples, then exit without serving");
  cmd->callback([args] {
    TrainingRun run;
    run.order_paths = {args->orders.empty() ? datasets::bundled_online_retail_path() : args->orders};
    run.ingest.format = OrderFormat::online_retail;
    run.out_dir = args->model_dir;
    std::printf("cobuy demo: training on %s\n", run.order_paths.front().c_str());
    run_training(run, true);
    auto model = load_model(args->model_dir);
    args->options.host = "127.0.0.1";
    if (args->train_only) {
      print_examples(*model, "http://127.0.0.1:" + std::to_string(args->options.port));
      return;
    }
    args->options.orders = OrderStore::open(args->orders_db);
    args->options.model_dir = args->model_dir;
    Server server(model, args->options);
    server.bind();
    print_examples(*model, "http://127.0.0.1:" + std::to_string(server.port()));
    serve_until_signal(server);
  });
}

}  // namespace cobuy::cli
