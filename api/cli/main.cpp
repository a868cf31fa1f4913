#include "api/cli/blas_kernels.h"
#include "api/cli/cli.h"

int main(int argc, char** argv) {
  cobuy::cli::choose_blas_kernels(argv);
  return cobuy::cli::run(argc, argv);
}
