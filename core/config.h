#pragma once
/// Typed training and serving configuration with defaults, JSON loading and validation.

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace cobuy {

/// How a co-purchase pair count is turned into a ranking score for "bought together".
enum class PairScore {
  jaccard,            ///< c_ij / (n_i + n_j - c_ij)
  cosine,             ///< c_ij / sqrt(n_i * n_j)
  shrunk_confidence,  ///< c_ij / (n_i + shrinkage)
  lift,               ///< c_ij * N / (n_i * n_j), only pairs with c_ij >= min_support
};

/// Parameters of co-purchase counting and neighbour lists.
struct CooccurrenceConfig {
  PairScore score = PairScore::jaccard;
  std::uint32_t min_support = 2;   ///< pairs seen in fewer orders are ignored
  double shrinkage = 2.0;          ///< added to denominators so tiny counts do not win
  std::uint32_t top_k = 100;       ///< neighbours kept per item
  std::uint32_t max_basket = 500;  ///< larger baskets are skipped when counting pairs (bulk orders)
};

/// Parameters of the EASE item-item model (Steck 2019).
struct EaseConfig {
  double lambda = 5.0;              ///< L2 regularisation added to the Gram matrix diagonal
  std::uint32_t max_items = 10000;  ///< only the most frequent items take part (memory: n^2 doubles)
  double basket_weight = 0.5;       ///< each basket b counts |b|^-basket_weight in X'X (0 = plain counts)
  std::uint32_t negative_top_k = 100;  ///< most negative weights kept per item for basket completion (0 = none)
};

/// Co-purchase embeddings (skip-gram with negative sampling over baskets) and what is built
/// from them: complements (input-output affinity) and substitutes (input-input look-alikes that
/// are rarely bought together).
struct EmbeddingConfig {
  std::uint32_t dim = 64;             ///< floats per vector
  std::uint32_t epochs = 0;           ///< passes over all baskets; 0 = no embeddings (no substitutes)
  std::uint32_t negatives = 5;        ///< negative samples per (centre, context) pair
  double ns_exponent = 0.75;          ///< negatives drawn with P(i) ~ count_i ^ ns_exponent
  double learning_rate = 0.025;       ///< at the start, decayed linearly ...
  double min_learning_rate = 0.0001;  ///< ... to this at the end
  double subsample = 1e-3;            ///< frequent-item subsampling threshold; 0 = off
  std::uint32_t min_count = 2;        ///< items in fewer baskets get no vector
  std::uint32_t window = 0;           ///< 0 = the whole basket is the context
  /// With window 0, a centre trains against at most this many of its basket's other items (a
  /// fresh random subset every epoch), so bulk orders cost linear, not quadratic; 0 = all.
  std::uint32_t max_contexts = 20;
  std::uint32_t seed = 1;
  bool deterministic = false;         ///< single-threaded, bit-for-bit reproducible
  std::string index = "Flat";         ///< Faiss factory string for neighbour search ("Flat" = exact)
  /// Search parameters of an approximate index ("nprobe=16" for IVF, "efSearch=64" for HNSW;
  /// comma-separated); empty = Faiss's defaults (nprobe 1, efSearch 16).
  std::string index_search;
  double substitute_max_lift = 0.5;   ///< look-alikes bought together below this lift are substitutes
  double substitute_min_similarity = 0.5;  ///< ... if their input vectors' cosine is at least this
  double substitute_min_expected = 5.0;    ///< ... and chance alone would put them together in this many orders
};

/// Weights of the sources of the "bought together" blend; a source with weight 0 is not trained.
struct BlendConfig {
  double cooccurrence = 0.25;  ///< normalised co-purchase score (cooccurrence.score)
  double ease = 1.0;           ///< EASE weights
  double embedding = 0.0;      ///< input-output embedding affinity
  double history = 0.4;        ///< a known customer's own past items, when completing their basket
};

/// Parameters of popularity (the fallback list).
struct PopularityConfig {
  double half_life_days = 90.0;  ///< time decay of order counts; 0 = no decay
  std::uint32_t top_n = 1000;    ///< popular items kept
};

/// Parameters of next-order ranking for a known customer (core/next_order.h).
struct NextOrderConfig {
  bool fit = true;               ///< fit the engine's weights on the validation carve (rerank.validation_fraction)
  std::uint32_t max_customers = 5000;  ///< validation customers fitted on at most (a seeded sample)
  double half_life_days = 180.0; ///< basket completion: recency decay of the customer's past orders; 0 = none
};

/// The learned second stage of basket completion (core/reranker.h), fitted by training on a
/// validation part carved from the training orders.
struct RerankConfig {
  bool enabled = true;
  std::uint32_t candidates = 60;     ///< the first stage's best candidates re-ordered per basket
  double validation_fraction = 0.2;  ///< latest share of orders held out to fit it (random share when untimed)
  std::uint32_t max_queries = 5000;  ///< validation baskets used at most (a seeded sample)
};

/// Everything `cobuy train` reads from --config; saved into the artifact's manifest.
struct TrainConfig {
  CooccurrenceConfig cooccurrence;
  EaseConfig ease;
  EmbeddingConfig embedding;
  BlendConfig blend;
  PopularityConfig popularity;
  NextOrderConfig next_order;
  RerankConfig rerank;
  std::uint32_t threads = 0;  ///< 0 = all cores
};

/// Limits on what a request may ask for.
struct ServeLimits {
  std::uint32_t max_limit = 1000;  ///< largest accepted `limit`
  std::uint32_t max_items = 1000;  ///< most items in one query
};

std::string pair_score_name(PairScore s);
PairScore parse_pair_score(const std::string& name);

/// JSON mapping; unknown keys and wrong types throw Error(bad_request) naming the key.
void to_json(nlohmann::json& j, const TrainConfig& c);
TrainConfig train_config_from_json(const nlohmann::json& j);
/// Reads a config file (JSON; lines starting with // are comments). Throws Error naming the file.
TrainConfig load_train_config(const std::string& path);
/// Checks ranges and cross-field rules; throws Error(bad_request) naming the field.
void validate(const TrainConfig& c);

}  // namespace cobuy
