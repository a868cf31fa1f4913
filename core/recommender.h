#pragma once
/// Recommendation logic shared by the HTTP API and the batch command.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/model.h"

namespace cobuy {

/// Why an item is recommended.
enum class Relation { complement, substitute, repeat, popular };
std::string_view relation_name(Relation r);

/// Business filters applied to every candidate.
struct Filters {
  std::vector<std::string> categories;          ///< keep only these categories (empty = all)
  std::vector<std::string> exclude_categories;  ///< drop these categories
  std::optional<double> min_price;
  std::optional<double> max_price;
};

/// A recommendation query (the DESIGN JSONL contract, plus exclude and filters).
struct Query {
  std::string id;
  std::vector<std::string> items;  ///< basket to complete; empty = next order for customer_id
  std::optional<std::string> customer_id;
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
/// Never returns a query item, an excluded item or a filtered one. Unknown ids are not errors.
RecommendResult recommend(const Model& model, const Query& query);

/// Complements of one known item, best first, at most `limit`.
std::vector<Recommendation> bought_together(const Model& model, ItemIndex item, std::size_t limit);

/// Substitutes of one known item (look-alikes rarely bought with it), best first, at most `limit`.
std::vector<Recommendation> similar_items(const Model& model, ItemIndex item, std::size_t limit);

}  // namespace cobuy
