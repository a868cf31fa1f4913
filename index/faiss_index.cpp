#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <cstring>
#include <new>
#include <stdexcept>

#include "core/error.h"
#include "index/brute_force_index.h"
#include "index/vector_index.h"

namespace cobuy {
namespace {

class FaissIndex final : public VectorIndex {
 public:
  FaissIndex(std::unique_ptr<faiss::Index> index, std::string description)
      : index_(std::move(index)), description_(std::move(description)) {}
  int dim() const override { return index_->d; }
  std::int64_t size() const override { return index_->ntotal; }
  void add(std::span<const float> v) override {
    const auto d = static_cast<std::size_t>(index_->d);
    COBUY_CHECK(v.size() % d == 0, ErrorCode::bad_request,
                "vector data size " << v.size() << " is not a multiple of dimension " << d);
    const auto n = static_cast<faiss::Index::idx_t>(v.size() / d);
    try {
      if (!index_->is_trained) index_->train(n, v.data());
      index_->add(n, v.data());
    } catch (const faiss::FaissException& e) {
      // For example an IVF index with more lists than training vectors.
      COBUY_FAIL(ErrorCode::bad_request, "cannot add " << n << " vectors to Faiss index '" << description_
                                                        << "': " << e.what());
    }
  }
  std::vector<SearchHit> search(std::span<const float> q, int k) const override {
    COBUY_CHECK(k > 0, ErrorCode::bad_request, "k must be positive, got " << k);
    const auto d = static_cast<std::size_t>(index_->d);
    const auto nq = static_cast<faiss::Index::idx_t>(q.size() / d);
    std::vector<float> dist(static_cast<std::size_t>(nq) * static_cast<std::size_t>(k));
    std::vector<faiss::Index::idx_t> ids(dist.size());
    index_->search(nq, q.data(), k, dist.data(), ids.data());
    std::vector<SearchHit> out(dist.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = {ids[i], ids[i] < 0 ? 0.0f : dist[i]};
    return out;
  }
  void save(const std::string& path) const override {
    try {
      faiss::write_index(index_.get(), path.c_str());
    } catch (const faiss::FaissException& e) {
      COBUY_FAIL(ErrorCode::io, "cannot write index " << path << ": " << e.what());
    }
  }
  std::vector<std::uint8_t> serialize() const override {
    faiss::VectorIOWriter writer;
    try {
      faiss::write_index(index_.get(), &writer);
    } catch (const faiss::FaissException& e) {
      COBUY_FAIL(ErrorCode::io, "cannot serialize Faiss index '" << description_ << "': " << e.what());
    }
    return std::move(writer.data);
  }
  std::string description() const override { return description_; }

 private:
  std::unique_ptr<faiss::Index> index_;
  std::string description_;
};

}  // namespace

std::unique_ptr<VectorIndex> make_faiss_index(int dim, const std::string& factory, const std::string& search) {
  COBUY_CHECK(dim > 0, ErrorCode::bad_request, "index dimension must be positive, got " << dim);
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::index_factory(dim, factory.c_str(), faiss::METRIC_INNER_PRODUCT));
  } catch (const faiss::FaissException& e) {
    COBUY_FAIL(ErrorCode::bad_request, "bad Faiss factory string '" << factory << "': " << e.what());
  }
  if (!search.empty()) {
    try {
      faiss::ParameterSpace().set_index_parameters(index.get(), search.c_str());
    } catch (const faiss::FaissException& e) {
      COBUY_FAIL(ErrorCode::bad_request, "cannot set search parameters '" << search << "' on Faiss index '" << factory
                                                                          << "': " << e.what());
    }
  }
  return std::make_unique<FaissIndex>(std::move(index), factory);
}

std::unique_ptr<VectorIndex> load_faiss_index(const std::string& path) {
  try {
    std::unique_ptr<faiss::Index> index(faiss::read_index(path.c_str()));
    return std::make_unique<FaissIndex>(std::move(index), "loaded");
  } catch (const faiss::FaissException& e) {
    COBUY_FAIL(ErrorCode::bad_data, "cannot read Faiss index " << path << ": " << e.what());
  }
}

std::unique_ptr<VectorIndex> index_from_bytes(std::span<const std::uint8_t> bytes) {
  COBUY_CHECK(!bytes.empty(), ErrorCode::bad_data, "cannot read a vector index from 0 bytes");
  std::uint32_t magic = 0;
  if (bytes.size() >= sizeof magic) std::memcpy(&magic, bytes.data(), sizeof magic);
  if (magic == detail::kBruteForceMagic) return detail::brute_force_index_from_bytes(bytes);
  faiss::VectorIOReader reader;
  reader.data.assign(bytes.begin(), bytes.end());
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    COBUY_FAIL(ErrorCode::bad_data, "cannot read Faiss index from " << bytes.size() << " bytes: " << e.what());
  } catch (const std::bad_alloc&) {
    // A corrupt length field asks for an absurd allocation.
    COBUY_FAIL(ErrorCode::bad_data, "cannot read Faiss index from " << bytes.size() << " bytes: corrupt sizes");
  } catch (const std::length_error&) {
    COBUY_FAIL(ErrorCode::bad_data, "cannot read Faiss index from " << bytes.size() << " bytes: corrupt sizes");
  }
  COBUY_CHECK(index, ErrorCode::bad_data, "cannot read Faiss index from " << bytes.size() << " bytes");
  COBUY_CHECK(reader.rp == reader.data.size(), ErrorCode::bad_data,
              "Faiss index bytes have " << (reader.data.size() - reader.rp) << " unexpected trailing bytes");
  return std::make_unique<FaissIndex>(std::move(index), "loaded");
}

}  // namespace cobuy
