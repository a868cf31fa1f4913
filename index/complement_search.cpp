#include "index/complement_search.h"

#include <algorithm>

#include "core/error.h"
#include "index/vector_index.h"

namespace cobuy {

ComplementSearch make_complement_search(std::shared_ptr<const Model> model) {
  COBUY_ASSERT(model);
  const ItemEmbeddings& e = model->embeddings;
  if (e.empty()) return {};
  const std::size_t n = model->catalog.size();
  COBUY_CHECK(e.input.size() == n * e.dim, ErrorCode::bad_data,
              "the model's input vectors hold " << e.input.size() << " floats, expected " << n << " items x "
                                                << e.dim);
  std::shared_ptr<const VectorIndex> index;
  try {
    index = index_from_bytes(e.complement_index);
  } catch (const Error& err) {
    COBUY_FAIL(ErrorCode::bad_data, "the model's complement index (complements.faiss) is unusable: " << err.what());
  }
  COBUY_CHECK(index->dim() == static_cast<int>(e.dim) && index->size() == static_cast<std::int64_t>(n),
              ErrorCode::bad_data,
              "the model's complement index (complements.faiss) holds " << index->size() << " vectors of dimension "
                                                                        << index->dim() << ", the model has " << n
                                                                        << " items of dimension " << e.dim);
  // Untrained items have zero output rows: never offered. A search asks for as many more hits as
  // there are of them, so k trained items come back even when every affinity is below 0.
  auto trained = std::make_shared<std::vector<bool>>(n);
  std::size_t untrained = 0;
  for (std::size_t i = 0; i < n; ++i) {
    (*trained)[i] = e.has_vector(static_cast<ItemIndex>(i));
    untrained += (*trained)[i] ? 0 : 1;
  }
  return [dim = e.dim, index = std::move(index), trained = std::move(trained), untrained](
             std::span<const float> query, std::size_t k) {
    std::vector<std::pair<ItemIndex, float>> out;
    const auto& is_trained = *trained;
    if (k == 0 || query.size() != dim) return out;
    const auto stored = static_cast<std::size_t>(index->size());
    const auto fetch = static_cast<int>(std::min(stored, k + untrained));
    for (const auto& hit : index->search(query, fetch)) {
      if (hit.id < 0 || static_cast<std::size_t>(hit.id) >= is_trained.size()) continue;
      const auto item = static_cast<ItemIndex>(hit.id);
      if (!is_trained[item]) continue;
      out.emplace_back(item, hit.score);
      if (out.size() == k) break;
    }
    return out;
  };
}

}  // namespace cobuy
