#include "index/brute_force_index.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace cobuy {
namespace {

class BruteForceIndex final : public VectorIndex {
 public:
  explicit BruteForceIndex(int dim) : dim_(dim) {
    COBUY_CHECK(dim > 0, ErrorCode::bad_request, "index dimension must be positive, got " << dim);
  }
  int dim() const override { return dim_; }
  std::int64_t size() const override { return static_cast<std::int64_t>(data_.size()) / dim_; }
  void add(std::span<const float> v) override {
    COBUY_CHECK(v.size() % static_cast<std::size_t>(dim_) == 0, ErrorCode::bad_request,
                "vector data size " << v.size() << " is not a multiple of dimension " << dim_);
    data_.insert(data_.end(), v.begin(), v.end());
  }
  std::vector<SearchHit> search(std::span<const float> q, int k) const override {
    COBUY_CHECK(k > 0, ErrorCode::bad_request, "k must be positive, got " << k);
    const std::size_t d = static_cast<std::size_t>(dim_);
    const std::size_t nq = q.size() / d;
    const std::int64_t n = size();
    std::vector<SearchHit> out(nq * static_cast<std::size_t>(k));
    std::vector<SearchHit> all(static_cast<std::size_t>(n));
    for (std::size_t qi = 0; qi < nq; ++qi) {
      for (std::int64_t i = 0; i < n; ++i) {
        float s = 0;
        for (std::size_t j = 0; j < d; ++j) s += q[qi * d + j] * data_[static_cast<std::size_t>(i) * d + j];
        all[static_cast<std::size_t>(i)] = {i, s};
      }
      const auto take = std::min<std::size_t>(static_cast<std::size_t>(k), all.size());
      std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(take), all.end(),
                        [](const SearchHit& a, const SearchHit& b) {
                          return a.score != b.score ? a.score > b.score : a.id < b.id;
                        });
      std::copy_n(all.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(qi * static_cast<std::size_t>(k)));
    }
    return out;
  }
  void save(const std::string& path) const override {
    std::ofstream f(path, std::ios::binary);
    COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << path);
    f.write(reinterpret_cast<const char*>(data_.data()), static_cast<std::streamsize>(data_.size() * sizeof(float)));
    COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << path);
  }
  std::vector<std::uint8_t> serialize() const override {
    const std::uint32_t dim = static_cast<std::uint32_t>(dim_);
    const std::uint64_t n = static_cast<std::uint64_t>(size());
    std::vector<std::uint8_t> out(kHeaderBytes + data_.size() * sizeof(float));
    std::memcpy(out.data(), &detail::kBruteForceMagic, 4);
    std::memcpy(out.data() + 4, &dim, 4);
    std::memcpy(out.data() + 8, &n, 8);
    if (!data_.empty()) std::memcpy(out.data() + kHeaderBytes, data_.data(), data_.size() * sizeof(float));
    return out;
  }
  std::string description() const override { return "brute-force"; }

  static constexpr std::size_t kHeaderBytes = 16;  // magic, dim, n

 private:
  int dim_;
  std::vector<float> data_;  // size n * dim
};

}  // namespace

std::unique_ptr<VectorIndex> make_brute_force_index(int dim) { return std::make_unique<BruteForceIndex>(dim); }

std::unique_ptr<VectorIndex> detail::brute_force_index_from_bytes(std::span<const std::uint8_t> bytes) {
  constexpr std::size_t header = BruteForceIndex::kHeaderBytes;
  COBUY_CHECK(bytes.size() >= header, ErrorCode::bad_data,
              "brute-force index bytes are truncated (" << bytes.size() << " bytes, the header alone is " << header << ")");
  std::uint32_t magic = 0, dim = 0;
  std::uint64_t n = 0;
  std::memcpy(&magic, bytes.data(), 4);
  std::memcpy(&dim, bytes.data() + 4, 4);
  std::memcpy(&n, bytes.data() + 8, 8);
  COBUY_CHECK(magic == kBruteForceMagic, ErrorCode::bad_data, "not a serialized brute-force index");
  COBUY_CHECK(dim > 0 && dim <= (1u << 20), ErrorCode::bad_data, "brute-force index has an invalid dimension " << dim);
  const std::size_t floats = (bytes.size() - header) / sizeof(float);
  COBUY_CHECK((bytes.size() - header) % sizeof(float) == 0 && n <= floats / dim && n * dim == floats,
              ErrorCode::bad_data,
              "brute-force index of " << n << " vectors of dimension " << dim << " does not fit in " << bytes.size()
                                      << " bytes (truncated or corrupt)");
  auto index = std::make_unique<BruteForceIndex>(static_cast<int>(dim));
  std::vector<float> data(floats);
  std::memcpy(data.data(), bytes.data() + header, floats * sizeof(float));
  index->add(data);
  return index;
}

double recall_at_k(const std::vector<SearchHit>& exact, const std::vector<SearchHit>& approx, int k) {
  COBUY_CHECK(k > 0 && exact.size() == approx.size() && exact.size() % static_cast<std::size_t>(k) == 0,
              ErrorCode::bad_request, "recall_at_k: result sizes do not match");
  std::size_t found = 0, total = 0;
  for (std::size_t base = 0; base < exact.size(); base += static_cast<std::size_t>(k)) {
    for (int i = 0; i < k; ++i) {
      auto id = exact[base + static_cast<std::size_t>(i)].id;
      if (id < 0) continue;
      ++total;
      for (int j = 0; j < k; ++j) {
        if (approx[base + static_cast<std::size_t>(j)].id == id) {
          ++found;
          break;
        }
      }
    }
  }
  return total == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(total);
}

}  // namespace cobuy
