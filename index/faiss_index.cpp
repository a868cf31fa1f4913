#include <faiss/Index.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include "core/error.h"
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
    if (!index_->is_trained) index_->train(n, v.data());
    index_->add(n, v.data());
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
  std::string description() const override { return description_; }

 private:
  std::unique_ptr<faiss::Index> index_;
  std::string description_;
};

}  // namespace

std::unique_ptr<VectorIndex> make_faiss_index(int dim, const std::string& factory) {
  COBUY_CHECK(dim > 0, ErrorCode::bad_request, "index dimension must be positive, got " << dim);
  try {
    std::unique_ptr<faiss::Index> index(faiss::index_factory(dim, factory.c_str(), faiss::METRIC_INNER_PRODUCT));
    return std::make_unique<FaissIndex>(std::move(index), factory);
  } catch (const faiss::FaissException& e) {
    COBUY_FAIL(ErrorCode::bad_request, "bad Faiss factory string '" << factory << "': " << e.what());
  }
}

std::unique_ptr<VectorIndex> load_faiss_index(const std::string& path) {
  try {
    std::unique_ptr<faiss::Index> index(faiss::read_index(path.c_str()));
    return std::make_unique<FaissIndex>(std::move(index), "loaded");
  } catch (const faiss::FaissException& e) {
    COBUY_FAIL(ErrorCode::bad_data, "cannot read Faiss index " << path << ": " << e.what());
  }
}

}  // namespace cobuy
