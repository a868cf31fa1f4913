#pragma once
/// The rules every offers list obeys (the policy's and the request's), as one predicate: the
/// items of the order just placed, substitutes of recent purchases, exclusions, stock, categories,
/// price range and recent offers. Internal to core (used by core/offers.cpp).

#include <optional>
#include <unordered_set>

#include "core/model.h"
#include "core/offers.h"

namespace cobuy {

class OfferListRules {
 public:
  /// `just_placed`: the order is the one the email follows (its items are not offered again).
  OfferListRules(const Model& m, const OfferPolicy& policy, const OfferRequest& q, const PlacedOrder* order, bool just_placed,
                 const CustomerProfile& profile, const CustomerLog& log, Timestamp at);

  /// Whether `i` may be offered; `due` lifts the ban on items of this order.
  bool allows(ItemIndex i, bool due) const;

 private:
  const Model& m_;
  const OfferRules& rules_;
  const Filters& filters_;
  std::unordered_set<ItemIndex> excluded_;
  std::unordered_set<ItemIndex> in_order_;
  std::optional<double> min_price_, max_price_;
};

}  // namespace cobuy
