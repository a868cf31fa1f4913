#pragma once
/// New arrivals: catalogue items with too few orders of their own for co-purchase signals, scored
/// for a customer by how close their title and category are to what the customer bought (a
/// content fallback, core/content_index.h). Used by offers (kind new_arrival) and by the
/// new-arrivals measurement (bench/new_arrivals_bench.cpp).

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "core/content_index.h"
#include "core/customer_profile.h"
#include "core/model.h"
#include "core/offer_policy.h"

namespace cobuy {

/// One new arrival chosen for a customer.
struct NewArrivalPick {
  ItemIndex item = 0;
  double score = 0;     ///< cosine of the customer's content profile and the item's vector, in (0, 1]
  ItemIndex anchor = 0; ///< the customer's bought item whose content vector is closest to the item's
};

/// The new arrivals of one model: items with fewer than `min_orders` training orders
/// (Model::item_orders) that have a content vector. Immutable after construction.
class NewArrivals {
 public:
  NewArrivals() = default;
  NewArrivals(const Model& model, std::uint32_t min_orders);

  /// Whether `i` is a new arrival.
  bool is_new(ItemIndex i) const { return i < is_new_.size() && is_new_[i]; }
  /// How many items are new arrivals.
  std::size_t size() const { return count_; }
  const ContentIndex& content() const { return content_; }

  /// The new arrivals closest to a customer who bought `history` ((item, weight) pairs, weight
  /// > 0), best first, at most `max`, each kept only if `keep(item)`; items of the history and
  /// items with cosine 0 are never picked. The profile is the weighted sum of the history's
  /// content vectors; the score is its cosine with the item's vector.
  std::vector<NewArrivalPick> rank(std::span<const std::pair<ItemIndex, double>> history, std::size_t max,
                                   const std::function<bool(ItemIndex)>& keep = nullptr) const;

 private:
  ContentIndex content_;
  std::vector<char> is_new_;
  std::size_t count_ = 0;
  /// By token id: the new arrivals holding it, with their weight.
  std::vector<std::vector<std::pair<ItemIndex, float>>> postings_;
};

/// The content history of a customer at `at`: each item they bought, weighted by the orders
/// holding it times 2^(-days since they last bought it / 180).
std::vector<std::pair<ItemIndex, double>> content_history(const CustomerProfile& profile, Timestamp at);

/// How many places of a list of `limit` go to new arrivals in `context`: floor(share x limit)
/// when the policy lists the context (or lists none), else 0.
std::size_t new_arrival_places(const NewArrivalPolicy& policy, OfferContext context, std::size_t limit);

}  // namespace cobuy
