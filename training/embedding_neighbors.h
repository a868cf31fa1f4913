#pragma once
/// Neighbour tables from co-purchase embeddings, searched with a vector index (Faiss by default):
/// complements by input-output affinity, look-alikes by input-input cosine, and substitutes =
/// look-alikes that are bought together less often than chance.

#include <cstdint>
#include <string>

#include "core/model.h"
#include "training/cooccurrence.h"
#include "training/sgns.h"

namespace cobuy {

/// Per trained item, the top_k trained items j != i by input_i . output_j, as neighbours
/// (score = the dot product, count 0). `factory` is the Faiss index description ("Flat" = exact)
/// and `search` its search parameters (make_faiss_index).
NeighborTable embedding_complements(const SgnsEmbeddings& e, std::uint32_t top_k, const std::string& factory,
                                   const std::string& search = "");

/// Per trained item, the top_k trained items j != i by cosine(input_i, input_j).
NeighborTable embedding_lookalikes(const SgnsEmbeddings& e, std::uint32_t top_k, const std::string& factory,
                                  const std::string& search = "");

/// What the model keeps of `e` for query time: the input vectors (untrained rows zeroed) and a
/// serialized index built with `factory` over all n_items output vectors (untrained rows zeroed,
/// so row id == ItemIndex), with `search` set on it. Empty when e.dim == 0.
ItemEmbeddings item_embeddings(const SgnsEmbeddings& e, const std::string& factory, const std::string& search = "");

/// The look-alikes of each item with cosine >= min_similarity whose co-purchase lift
/// c_ij * N / (n_i * n_j) is below max_lift (pairs missing from `pairs` count as 0 co-purchases).
/// Only pairs expected in at least min_expected orders by chance (n_i * n_j / N) qualify: for
/// rarer pairs, never seeing them together is no evidence. Count fields are set to c_ij.
NeighborTable substitutes_from_lookalikes(const NeighborTable& lookalikes, const PairCounts& pairs,
                                          std::span<const std::uint32_t> item_orders, std::uint64_t n_orders,
                                          double max_lift, double min_similarity, double min_expected);

}  // namespace cobuy
