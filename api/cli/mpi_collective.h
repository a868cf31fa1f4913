#pragma once
/// MPI's collectives for `cobuy train --distributed` (OpenMPI from Debian's libopenmpi-dev). A
/// cobuy built without MPI still has --distributed, and it says what is missing.

#include <memory>

#include "training/collective.h"

namespace cobuy::cli {

/// Whether this cobuy was built with MPI.
bool mpi_built_in();

/// Initialises MPI (finalised when the returned object goes) and returns its collectives over
/// MPI_COMM_WORLD. Throws Error(bad_request) naming the package to install when cobuy was built
/// without MPI.
std::unique_ptr<Collective> open_mpi();

/// Ends every rank of the job with `code` (one rank's failure would otherwise leave the others
/// waiting in a collective forever). Returns only when built without MPI.
void abort_mpi(int code);

}  // namespace cobuy::cli
