#pragma once
/// Recommendation logic shared by the HTTP API and the batch command.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/model.h"

namespace cobuy {

/// Why an item is recommended.
enum class Relation { complement, substitute, repeat, popular };
std::string_view relation_name(Relation r);

/// Which part of the model produced a recommendation.
enum class Source {
  precomputed,  ///< the neighbour tables, the customer's history or the popular list
  embedding,    ///< a query-time search of the embedding index: filling a short table row, or a customer's new items
};
/// "precomputed" or "embedding" (the JSON field "source" is written only for "embedding").
std::string_view source_name(Source s);

/// An optional query-time search for complements in the embedding space, injected by the caller
/// (index/complement_search.h builds one over the model's Faiss index; core never sees Faiss).
/// For a query vector in the input space (model.embeddings.dim floats: an item's input vector, or
/// a customer's weighted mean of them), up to k items that have embedding vectors, best first, as
/// (item, affinity) where affinity is the inner product query . output(item). The items of the
/// query itself are not left out: the caller drops them. Must be safe to call from many threads
/// at once. An empty function means "no embedding search".
using ComplementSearch =
    std::function<std::vector<std::pair<ItemIndex, float>>(std::span<const float> query, std::size_t k)>;

/// Business filters applied to every candidate.
struct Filters {
  std::vector<std::string> categories;          ///< keep only these categories (empty = all)
  std::vector<std::string> exclude_categories;  ///< drop these categories
  std::optional<double> min_price;
  std::optional<double> max_price;
  /// Catalog::out_of_stock items: true = never shown, false = shown like any other, unset = the
  /// service's rule (recommendations, bought-together and similar: never shown; offers: the
  /// policy's rules.in_stock_only).
  std::optional<bool> in_stock;
};

/// Whether `filters` keep `model`'s out-of-stock items out when nothing else decides (`fallback`).
inline bool only_in_stock(const Filters& filters, bool fallback = true) { return filters.in_stock.value_or(fallback); }

/// A recommendation query (the DESIGN JSONL contract, plus exclude and filters).
struct Query {
  std::string id;
  std::vector<std::string> items;  ///< basket to complete; empty = next order for customer_id
  std::optional<std::string> customer_id;
  /// The customer was erased on request: answer as for a customer the model does not know (the
  /// model keeps their history until it is retrained). Set by the server, not read from JSON.
  bool erased_customer = false;
  std::optional<Timestamp> at;     ///< history after this time is ignored
  std::size_t limit = 20;
  std::vector<std::string> exclude;
  Filters filters;
};

/// One recommended item.
struct Recommendation {
  ItemIndex item = 0;
  float score = 0.0f;
  Relation relation = Relation::popular;
  std::string reason;  ///< the anchor item id (complement), "history" (repeat) or "popular"
  Source source = Source::precomputed;
};

/// The answer to one Query.
struct RecommendResult {
  std::string id;
  std::vector<Recommendation> items;
  bool fallback = false;                   ///< some or all items came from the popular fallback
  std::vector<std::string> unknown_items;  ///< query items not in the model
  bool unknown_customer = false;           ///< a customer_id was given but is not in the model
};

/// Checks a query against limits; throws Error(bad_request) naming the field.
void validate(const Query& query, const ServeLimits& limits);

/// Answers a query: basket completion when items is non-empty, else next order for the customer.
/// Basket completion ranks its first stage (neighbour rows plus the customer's history), then,
/// when the model has a fitted re-ranker, re-orders the best model.reranker.candidates with it.
/// Never returns a query item, a substitute of one, an excluded item or a filtered one (out-of-stock
/// items are filtered unless query.filters.in_stock is false); filtered candidates give way to the
/// next ones, so the list stays as long as without the filter while candidates last. Unknown
/// ids are not errors. A basket whose table rows give fewer than `limit` items is filled from
/// `complements` (when given; Source::embedding) before the popular fallback.
RecommendResult recommend(const Model& model, const Query& query, const ComplementSearch& complements = {});

/// One candidate of basket completion's first stage with its re-ranking features.
struct BasketCandidate {
  ItemIndex item = 0;
  RerankFeatures features;
};

/// Basket completion's first stage for `query` (as recommend() runs it before the re-ranker):
/// the eligible candidates, best first, at most n. What training fits the re-ranker on.
std::vector<BasketCandidate> basket_candidates(const Model& model, const Query& query, std::size_t n);

/// Complements of one known item, best first, at most `limit`: its "bought together" row, then,
/// if that row is short and `complements` is given, items from the embedding search
/// (Source::embedding), never the item itself or one of its substitutes. Items `filters` drop
/// (out-of-stock ones by default) are skipped for the next ones of the row; the item itself may
/// be out of stock.
std::vector<Recommendation> bought_together(const Model& model, ItemIndex item, std::size_t limit,
                                            const ComplementSearch& complements = {}, const Filters& filters = {});

/// Substitutes of one known item (look-alikes rarely bought with it), best first, at most `limit`,
/// skipping items `filters` drop (out-of-stock ones by default; the item itself may be out of stock).
std::vector<Recommendation> similar_items(const Model& model, ItemIndex item, std::size_t limit,
                                          const Filters& filters = {});

}  // namespace cobuy
