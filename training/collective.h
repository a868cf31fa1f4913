#pragma once
/// The collective operations distributed training needs, behind one interface: MPI's (api/cli's
/// MpiCollective, when cobuy is built with MPI) and a single process's (SoloCollective, always).
/// Every rank calls the same operations in the same order, as MPI requires.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cobuy {

class Collective {
 public:
  virtual ~Collective() = default;
  /// This process's rank, 0 .. size() - 1.
  virtual int rank() const = 0;
  /// The number of ranks.
  virtual int size() const = 0;
  /// Every rank's `mine`, at every rank, in rank order.
  virtual std::vector<std::string> all_gather(std::string_view mine) = 0;
  /// Every rank's `mine` at rank 0, in rank order; empty at the other ranks.
  virtual std::vector<std::string> gather(std::string_view mine) = 0;
  /// Sends parts[r] to rank r (parts.size() == size()); returns what each rank sent to this one,
  /// in rank order.
  virtual std::vector<std::string> all_to_all(const std::vector<std::string>& parts) = 0;
  /// Element-wise sums of `values` over the ranks, in place at every rank.
  virtual void sum(std::span<std::uint32_t> values) = 0;
  virtual void sum(std::span<std::uint64_t> values) = 0;
  virtual void sum(std::span<float> values) = 0;
  /// Element-wise sums of `values` over the ranks, in place at rank 0 (the other ranks' values
  /// are left unspecified).
  virtual void sum_to_root(std::span<float> values) = 0;
};

/// One process alone: every operation returns its own input.
class SoloCollective final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<std::string> all_gather(std::string_view mine) override { return {std::string(mine)}; }
  std::vector<std::string> gather(std::string_view mine) override { return {std::string(mine)}; }
  std::vector<std::string> all_to_all(const std::vector<std::string>& parts) override { return parts; }
  void sum(std::span<std::uint32_t>) override {}
  void sum(std::span<std::uint64_t>) override {}
  void sum(std::span<float>) override {}
  void sum_to_root(std::span<float>) override {}
};

}  // namespace cobuy
