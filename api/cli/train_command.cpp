#include <memory>

#include <CLI/CLI.hpp>

#include "api/cli/commands.h"
#include "api/cli/mpi_collective.h"
#include "api/cli/order_source_options.h"
#include "api/cli/training_run.h"

namespace cobuy::cli {

void add_train_command(CLI::App& app) {
  struct Args {
    OrderSourceArgs source;
    std::string out_dir;
    double eval_tail = 0;
    bool distributed = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("train", "Learn a model from order files and write it to a model directory");
  add_order_source_options(*cmd, args->source);
  add_orders_db_option(*cmd, args->source);
  cmd->add_option("--out", args->out_dir, "Model directory to write (replaced atomically)")->required();
  cmd->add_option("--eval-tail", args->eval_tail,
                  "Before training, evaluate on this latest share of orders (e.g. 0.1) and store the result in the "
                  "manifest (GET /v1/model shows it)")
      ->check(CLI::Range(0.0, 0.9));
  cmd->add_flag("--distributed", args->distributed,
                std::string("Train over MPI's ranks: start with mpirun -np N cobuy train --distributed ...; each rank "
                            "reads a share of the --orders files and rank 0 writes the model (no --orders-db, "
                            "--catalog or --eval-tail yet)") +
                    (mpi_built_in() ? "" : ". This cobuy was built without MPI: install libopenmpi-dev and rebuild"));
  cmd->callback([args] {
    TrainingRun run;
    run.order_paths = args->source.order_paths;
    run.orders_db = args->source.orders_db;
    run.ingest = args->source.ingest_options();
    run.config = args->source.train_config();
    run.out_dir = args->out_dir;
    run.eval_tail = args->eval_tail;
    if (args->distributed) {
      run_distributed_training(run, true);
    } else {
      run_training(run, true);
    }
  });
}

}  // namespace cobuy::cli
