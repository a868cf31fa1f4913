#pragma once
/// The query-time complement search over a model's embedding index: loads the serialized index
/// once and hands core a ComplementSearch (core never sees Faiss).

#include <memory>

#include "core/model.h"
#include "core/recommender.h"

namespace cobuy {

/// Rebuilds the index in model->embeddings.complement_index (once, here) and returns a search
/// that, for a query vector of the model's dimension (an item's input vector, a customer
/// vector), ranks the items with vectors by query . output(item), best first; items without
/// vectors (zero rows) are never returned, and a query of another size finds nothing. The search
/// keeps the index alive (not `model`) and is safe to call from many threads. Returns an empty
/// function when the model has no embeddings. Throws Error(bad_data) when the bytes are not a
/// valid index or do not match the model (item count, dimension).
ComplementSearch make_complement_search(std::shared_ptr<const Model> model);

}  // namespace cobuy
