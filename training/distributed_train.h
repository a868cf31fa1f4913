#pragma once
/// Training spread over processes (`mpirun -np N cobuy train --distributed`). Each rank reads a
/// contiguous share of the order files; orders go whole to one rank by a hash of their id, where
/// the pieces an order has in several files are merged as ingestion merges them; the catalogue and
/// the customers are agreed on in file order, so every index is the one a single process gives.
/// Item counts, pair counts and EASE's Gram matrix are counted by each rank over the orders it
/// owns and summed; so are those of the validation carve's first stage. The embeddings train
/// data-parallel, each rank on its own orders, averaged over the ranks. Rank 0 then gathers the
/// orders, since the artifact holds every customer's history, solves EASE once and trains the
/// rest (popularity, histories, the learned stages) as train_model does.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/ingest.h"
#include "core/model.h"
#include "core/order_data.h"
#include "core/progress.h"
#include "training/collective.h"
#include "training/cooccurrence.h"
#include "training/ease.h"
#include "training/sgns.h"

namespace cobuy {

/// The files [first, last) of `n_files` that `rank` of `size` reads: contiguous blocks in rank
/// order, sizes differing by at most one.
std::pair<std::size_t, std::size_t> file_share(std::size_t n_files, int rank, int size);

/// What every rank has once the files are read and the orders exchanged.
struct DistributedOrders {
  /// At rank 0: the cleaned orders of every file, exactly as load_orders over all of them gives
  /// them (catalogue, customers, orders in order). Elsewhere: the agreed catalogue and customers
  /// with no orders.
  OrderData all;
  /// The orders this rank owns (by the hash of their id), merged whole, in `all`'s indices and
  /// in its order.
  std::vector<Order> owned;
  /// The ingestion summary of every rank's files summed (orders, items and customers those of
  /// the merged data), at every rank.
  IngestSummary summary;
};

/// Reads this rank's share of `paths` with `options` and exchanges the orders. Every rank calls
/// it. Throws as load_orders does for this rank's files; Error(bad_request) when options name a
/// catalogue file (not supported in distributed training yet).
DistributedOrders exchange_orders(Collective& comm, const std::vector<std::string>& paths,
                                  const IngestOptions& options, const ProgressFn& progress = nullptr);

/// What train_model counts, over every rank's owned orders (those timed before `before`, and the
/// untimed, when it is not kNoTime), summed at rank 0: the pair counts of every pair and, when
/// the blend uses EASE, its tables (each rank's share of the Gram matrix summed, then solved
/// once). Empty at the other ranks.
struct CountedSources {
  PairCounts pairs;
  std::optional<EaseTables> ease;
};
CountedSources count_sources(Collective& comm, const std::vector<Order>& owned, std::size_t n_items,
                             const TrainConfig& config, Timestamp before = kNoTime);

/// Embeddings trained data-parallel (SgnsAveraging): each rank trains config.embedding's
/// embeddings on the baskets of its owned orders (those timed before `before`, and the untimed,
/// when it is not kNoTime), and the ranks average their vectors `rounds_per_epoch` times an
/// epoch. Every rank calls it and gets the same vectors.
SgnsEmbeddings train_embeddings_data_parallel(Collective& comm, const std::vector<Order>& owned, std::size_t n_items,
                                              const TrainConfig& config, int rounds_per_epoch,
                                              Timestamp before = kNoTime);

/// How often train_distributed's ranks average their embeddings in an epoch (bench/RESULTS.md,
/// "Data-parallel embeddings").
inline constexpr int kEmbeddingAveragingRounds = 4;

/// Trains on the orders exchange_orders gave, every rank calling it; returns the model at rank 0
/// (equal to train_model's on the same files but for EASE's float sums, which differ in order,
/// and for the embeddings, which are trained data-parallel) and nullopt elsewhere.
std::optional<Model> train_distributed(Collective& comm, const DistributedOrders& orders, const TrainConfig& config,
                                       const nlohmann::json& ingest_summary, const ProgressFn& progress = nullptr);

}  // namespace cobuy
