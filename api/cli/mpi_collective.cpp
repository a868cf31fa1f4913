#include "api/cli/mpi_collective.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "core/error.h"

#ifdef COBUY_HAVE_MPI
#include <mpi.h>
#endif

namespace cobuy::cli {

#ifdef COBUY_HAVE_MPI
namespace {

/// MPI counts are ints: every message and reduction goes in pieces of at most this many elements.
constexpr std::size_t kChunk = std::size_t{1} << 30;

int count(std::size_t n) { return static_cast<int>(std::min(n, kChunk)); }

class MpiCollective final : public Collective {
 public:
  MpiCollective() {
    // Ranks wait in collectives while rank 0 trains alone (EASE, the fits); busy polling there
    // would take the cores rank 0's threads need when ranks share a machine (np 2 on 2 cores:
    // 37 s busy, 28 s yielding; bench/RESULTS.md). A value the user set stays.
    ::setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCollective() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<std::string> gather(std::string_view mine) override {
    std::vector<std::string> parts;
    if (rank_ != 0) {
      send(mine, 0);
      return parts;
    }
    parts.resize(static_cast<std::size_t>(size_));
    parts[0] = std::string(mine);
    for (int r = 1; r < size_; ++r) parts[static_cast<std::size_t>(r)] = receive(r);
    return parts;
  }

  std::vector<std::string> all_gather(std::string_view mine) override {
    auto parts = gather(mine);
    parts.resize(static_cast<std::size_t>(size_));
    for (auto& part : parts) {
      std::uint64_t n = part.size();
      MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
      part.resize(n);
      for (std::size_t at = 0; at < n; at += kChunk) {
        MPI_Bcast(part.data() + at, count(n - at), MPI_CHAR, 0, MPI_COMM_WORLD);
      }
    }
    return parts;
  }

  std::vector<std::string> all_to_all(const std::vector<std::string>& parts) override {
    std::vector<std::string> got(static_cast<std::size_t>(size_));
    got[static_cast<std::size_t>(rank_)] = parts[static_cast<std::size_t>(rank_)];
    // Step s: send to rank + s, receive from rank - s; every pair meets once.
    for (int s = 1; s < size_; ++s) {
      const int to = (rank_ + s) % size_, from = (rank_ - s + size_) % size_;
      const std::string& out = parts[static_cast<std::size_t>(to)];
      std::string& in = got[static_cast<std::size_t>(from)];
      std::uint64_t n_out = out.size(), n_in = 0;
      MPI_Sendrecv(&n_out, 1, MPI_UINT64_T, to, 0, &n_in, 1, MPI_UINT64_T, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      in.resize(n_in);
      // As many pieces each way as the sizes say: the partner counts the same.
      std::vector<MPI_Request> requests;
      for (std::size_t at = 0; at < n_in; at += kChunk) {
        MPI_Irecv(in.data() + at, count(n_in - at), MPI_CHAR, from, 1, MPI_COMM_WORLD, &requests.emplace_back());
      }
      for (std::size_t at = 0; at < n_out; at += kChunk) {
        MPI_Isend(out.data() + at, count(n_out - at), MPI_CHAR, to, 1, MPI_COMM_WORLD, &requests.emplace_back());
      }
      MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    }
    return got;
  }

  void sum(std::span<std::uint32_t> v) override { all_reduce(v.data(), v.size(), MPI_UINT32_T); }
  void sum(std::span<std::uint64_t> v) override { all_reduce(v.data(), v.size(), MPI_UINT64_T); }
  void sum(std::span<float> v) override { all_reduce(v.data(), v.size(), MPI_FLOAT); }

  void sum_to_root(std::span<float> v) override {
    for (std::size_t at = 0; at < v.size(); at += kChunk) {
      float* p = v.data() + at;
      MPI_Reduce(rank_ == 0 ? MPI_IN_PLACE : p, p, count(v.size() - at), MPI_FLOAT, MPI_SUM, 0, MPI_COMM_WORLD);
    }
  }

 private:
  void all_reduce(void* data, std::size_t n, MPI_Datatype type) {
    int width = 0;
    MPI_Type_size(type, &width);
    auto* bytes = static_cast<char*>(data);
    for (std::size_t at = 0; at < n; at += kChunk) {
      MPI_Allreduce(MPI_IN_PLACE, bytes + at * static_cast<std::size_t>(width), count(n - at), type, MPI_SUM,
                    MPI_COMM_WORLD);
    }
  }
  void send(std::string_view bytes, int to) {
    std::uint64_t n = bytes.size();
    MPI_Send(&n, 1, MPI_UINT64_T, to, 0, MPI_COMM_WORLD);
    for (std::size_t at = 0; at < n; at += kChunk) {
      MPI_Send(bytes.data() + at, count(n - at), MPI_CHAR, to, 1, MPI_COMM_WORLD);
    }
  }
  std::string receive(int from) {
    std::uint64_t n = 0;
    MPI_Recv(&n, 1, MPI_UINT64_T, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::string bytes(n, '\0');
    for (std::size_t at = 0; at < n; at += kChunk) {
      MPI_Recv(bytes.data() + at, count(n - at), MPI_CHAR, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return bytes;
  }

  int rank_ = 0, size_ = 1;
};

}  // namespace

bool mpi_built_in() { return true; }
std::unique_ptr<Collective> open_mpi() { return std::make_unique<MpiCollective>(); }
void abort_mpi(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

#else

bool mpi_built_in() { return false; }
std::unique_ptr<Collective> open_mpi() {
  COBUY_FAIL(ErrorCode::bad_request,
             "--distributed needs MPI, and this cobuy was built without it: install OpenMPI (Debian: apt-get install "
             "libopenmpi-dev openmpi-bin), re-run cmake and rebuild, then start it with mpirun -np N cobuy train "
             "--distributed ...");
}
void abort_mpi(int) {}

#endif

}  // namespace cobuy::cli
