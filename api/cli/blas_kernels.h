#pragma once
/// OpenBLAS kernel choice on machines whose CPUID it does not recognise.

namespace cobuy::cli {

/// OpenBLAS picks its kernels once, when it is loaded, from the CPU model. On virtual machines
/// that report a generic "Intel(R) Xeon(R) Processor" it falls back to its 2004 Prescott (SSE3)
/// kernels although the CPU has AVX2 or AVX-512: EASE's solve then takes 3.3x longer (Instacart
/// training: 58.7 s against 17.9 s, bench/RESULTS.md). When OPENBLAS_CORETYPE is unset and the
/// CPU has AVX-512 (or AVX2), this sets it to SkylakeX (or Haswell) and re-executes the program
/// once, so OpenBLAS loads again with the right kernels. A user's OPENBLAS_CORETYPE is kept as
/// given; if re-executing fails, the program goes on with the kernels it has.
void choose_blas_kernels(char** argv);

}  // namespace cobuy::cli
