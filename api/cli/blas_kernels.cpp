#include "api/cli/blas_kernels.h"

#include <unistd.h>

#include <cstdlib>

namespace cobuy::cli {

void choose_blas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const char* core = nullptr;
  if (__builtin_cpu_supports("avx512f")) {
    core = "SkylakeX";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    core = "Haswell";
  }
  if (core == nullptr) return;
  if (::setenv("OPENBLAS_CORETYPE", core, 0) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Still here: exec failed; carry on with what OpenBLAS chose.
}

}  // namespace cobuy::cli
