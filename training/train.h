#pragma once
/// The training pipeline: cleaned orders -> a Model ready to save as an artifact.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/model.h"
#include "core/order_data.h"
#include "core/progress.h"
#include "training/ease.h"
#include "training/sgns.h"

namespace cobuy {

/// Source tables (co-occurrence, EASE) kept between train_model calls on the *same* data, keyed
/// by the settings they depend on: `cobuy eval` trains several models that differ only in their
/// blend, and EASE is the costly part of each.
struct SourceCache {
  std::map<std::string, NeighborTable> tables;
  std::map<std::string, EaseTables> ease;  ///< keyed by ease_cache_key
  /// The data's pair counts (every pair, min_support 1) when counted elsewhere, as distributed
  /// training does (training/distributed_train.h); null = train_model counts them.
  const PairCounts* pairs = nullptr;
  /// The data's embeddings when trained elsewhere (data-parallel, by distributed training) with
  /// config.embedding's settings; null = train_model trains them when config.embedding.epochs > 0.
  const SgnsEmbeddings* embeddings = nullptr;
  /// Likewise for the first stage of the validation carve (training/validation_carve.h).
  const SourceCache* carve = nullptr;
};

/// The trainer's settings for config.embedding, on `threads` workers (0 = all cores).
SgnsConfig sgns_config(const EmbeddingConfig& embedding, std::uint32_t threads);

/// The key of `config`'s EASE tables in SourceCache::ease.
std::string ease_cache_key(const TrainConfig& config);

/// Trains every part of the model from `data` (which must be sorted by time, as load_orders
/// gives it). `ingest_summary` is stored in the manifest as given. Uses config.threads workers
/// (0 = all cores). With `cache`, source tables found there are reused and new ones stored.
/// Throws Error(bad_data) when there is nothing to learn from.
Model train_model(const OrderData& data, const TrainConfig& config,
                  const nlohmann::json& ingest_summary = nlohmann::json::object(),
                  const ProgressFn& progress = nullptr, SourceCache* cache = nullptr);

/// The time popularity decays from: the newest order time once the newest 0.1% of the timed
/// orders (at least one, when there are two or more) are set aside, so one order dated far
/// after the rest cannot move it. kNoTime when no order has a time.
Timestamp decay_origin(const OrderData& data);

/// Popular items from decayed order counts (half-life in days before decay_origin; orders after
/// it count fully), best first, at most top_n; scores are normalised so the first is 1.
void build_popularity(const OrderData& data, const PopularityConfig& config, Model& model);

/// Per-customer history (orders in time order with their items and values) from `data`.
CustomerHistory build_customer_history(const OrderData& data);

/// A stable 64-bit fingerprint of the cleaned data, as 16 hex digits.
std::string data_fingerprint(const OrderData& data);

}  // namespace cobuy
