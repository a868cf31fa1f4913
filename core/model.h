#pragma once
/// The trained model: an immutable snapshot that serving and batch commands read.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/order_data.h"
#include "core/next_order_scorer.h"
#include "core/reranker.h"

namespace cobuy {

/// One ranked neighbour of an item.
struct Neighbor {
  ItemIndex item = 0;
  float score = 0.0f;
  std::uint32_t count = 0;  ///< orders holding both items
};

/// Per-item neighbour lists in compressed rows: item i owns entries[offsets[i] .. offsets[i+1]),
/// best first. offsets has size n_items + 1.
struct NeighborTable {
  std::vector<std::uint64_t> offsets{0};
  std::vector<Neighbor> entries;

  std::size_t items() const { return offsets.size() - 1; }
  std::span<const Neighbor> row(ItemIndex i) const {
    return {entries.data() + offsets[i], entries.data() + offsets[i + 1]};
  }

  /// The table whose row i is rows[i].
  static NeighborTable from_rows(const std::vector<std::vector<Neighbor>>& rows) {
    NeighborTable t;
    t.offsets.assign(rows.size() + 1, 0);
    for (std::size_t i = 0; i < rows.size(); ++i) t.offsets[i + 1] = t.offsets[i] + rows[i].size();
    t.entries.reserve(t.offsets.back());
    for (const auto& r : rows) t.entries.insert(t.entries.end(), r.begin(), r.end());
    return t;
  }
};

/// Per-customer purchase history, as orders in time order (CSR twice):
/// customer c owns orders [order_offsets[c], order_offsets[c+1]); order o holds
/// items[item_offsets[o] .. item_offsets[o+1]) and happened at order_times[o].
struct CustomerHistory {
  std::vector<std::string> ids;  ///< customer ids, indexed by CustomerIndex
  StringIndexMap index;          ///< id -> CustomerIndex
  std::vector<std::uint64_t> order_offsets{0};
  std::vector<Timestamp> order_times;
  std::vector<float> order_values;  ///< per order: sum of quantity x unit price over priced lines
  /// Per order: fnv1a(order id), so the order log's orders the model already holds are known by
  /// id, whatever their time. Empty in artifacts before format 1.5 (see model_holds_order).
  std::vector<std::uint64_t> order_keys;
  std::vector<std::uint64_t> item_offsets{0};
  std::vector<ItemIndex> items;

  std::size_t customers() const { return ids.size(); }
};

/// The co-purchase embeddings kept for query time (empty when training ran without embeddings).
/// Plain data: core never interprets `complement_index`; index/ rebuilds a searchable index from it.
struct ItemEmbeddings {
  std::uint32_t dim = 0;     ///< floats per vector; 0 = no embeddings
  std::vector<float> input;  ///< size n_items * dim, row-major, row i = ItemIndex i; zero rows for untrained items
  /// A serialized vector index (VectorIndex::serialize(), Faiss format) over the n_items output
  /// vectors of dimension dim: row id = ItemIndex, zero rows for untrained items. Searched with an
  /// item's input vector, its best inner products are that item's complements.
  std::vector<std::uint8_t> complement_index;

  bool empty() const { return dim == 0; }
  /// The input vector of item i (dim floats); requires !empty() and i < n_items.
  std::span<const float> input_row(ItemIndex i) const {
    return {input.data() + static_cast<std::size_t>(i) * dim, dim};
  }
  /// Whether item i was trained (has a non-zero input vector); false without embeddings or for
  /// an index past the rows.
  bool has_vector(ItemIndex i) const {
    if (dim == 0 || (static_cast<std::size_t>(i) + 1) * dim > input.size()) return false;
    for (float x : input_row(i)) {
      if (x != 0.0f) return true;
    }
    return false;
  }
};

/// Counts and facts recorded in the manifest.
/// Each item's repurchase pattern, read off CustomerHistory (core/next_order.h,
/// repurchase_stats) when a model is trained or read: derived, never stored.
struct RepurchaseStats {
  /// Per item: of the orders holding it that the same customer followed with another order, the
  /// share after which that customer bought it again (in any later order), smoothed towards the
  /// shop's rate: consumables high, durables near 0.
  std::vector<float> return_rate;
  /// Per item: the same share counting only the customer's very next order (smoothed alike).
  std::vector<float> next_rate;
  /// Per item: the median days between a customer's consecutive orders holding it; NaN when
  /// fewer than three such gaps are known.
  std::vector<float> gap_days;
};

struct ModelStats {
  std::uint64_t orders = 0;
  std::uint64_t items = 0;
  std::uint64_t customers = 0;
  std::uint64_t pairs = 0;  ///< distinct co-purchased pairs with support >= min_support
  Timestamp first_order = kNoTime;
  Timestamp last_order = kNoTime;
};

/// A trained model. Built by training, written and read by the artifact code, then shared
/// read-only (std::shared_ptr<const Model>) by every request.
struct Model {
  std::string version;     ///< unique per training run (created time + fingerprint)
  std::string created_at;  ///< ISO-8601 UTC
  std::string data_fingerprint;
  TrainConfig config;
  ModelStats stats;
  nlohmann::json ingest_summary;  ///< as reported by ingestion
  nlohmann::json evaluation;      ///< held-out evaluation summary (`cobuy train --eval-tail`); null if none

  Catalog catalog;
  std::vector<std::uint32_t> item_orders;  ///< orders holding each item
  std::vector<ItemIndex> popular;          ///< most popular first (decayed order counts)
  std::vector<float> popular_scores;       ///< parallel to `popular`, in (0, 1]
  NeighborTable bought_together;           ///< complements, best first; never a substitute of the item
  /// Pairs EASE weighs negatively, in the blend's units (scores < 0), most negative first. Basket
  /// completion adds them to candidates the basket's complements reached; empty without EASE.
  NeighborTable penalties;
  NeighborTable similar;                   ///< substitutes (look-alikes rarely bought together), best first
  CustomerHistory customers;
  ItemEmbeddings embeddings;               ///< empty unless trained with embedding.epochs > 0
  Reranker reranker;                       ///< basket completion's second stage; off unless fitted
  NextOrderScorer next_order;              ///< the next-order engine's weights; the default rule unless fitted
  RepurchaseStats repurchase;              ///< derived from `customers` (see RepurchaseStats)
};

}  // namespace cobuy
