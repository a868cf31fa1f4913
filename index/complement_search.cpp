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
  // Untrained items have zero input (and output) rows: nothing to search from or to offer.
  auto trained = std::make_shared<std::vector<bool>>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto row = e.input_row(static_cast<ItemIndex>(i));
    (*trained)[i] = std::any_of(row.begin(), row.end(), [](float x) { return x != 0.0f; });
  }
  return [model = std::move(model), index = std::move(index), trained = std::move(trained)](ItemIndex item,
                                                                                            std::size_t k) {
    std::vector<std::pair<ItemIndex, float>> out;
    const auto& is_trained = *trained;
    if (k == 0 || item >= is_trained.size() || !is_trained[item]) return out;
    // One more than asked, for the item itself.
    const auto stored = static_cast<std::size_t>(index->size());
    const auto fetch = static_cast<int>(std::min(stored, std::min(k, stored) + 1));
    for (const auto& hit : index->search(model->embeddings.input_row(item), fetch)) {
      if (hit.id < 0 || static_cast<std::size_t>(hit.id) >= is_trained.size()) continue;
      const auto other = static_cast<ItemIndex>(hit.id);
      if (other == item || !is_trained[other]) continue;
      out.emplace_back(other, hit.score);
      if (out.size() == k) break;
    }
    return out;
  };
}

}  // namespace cobuy
