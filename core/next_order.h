#pragma once
/// The next-order engine: what a known customer is likely to buy in their next order, as of a
/// time. Candidates are every item they bought (repeats), the items their whole history points to
/// (new: the "bought together" rows of their items, weighted by how many of their orders hold
/// each, EASE's penalties included; and, when the model has embeddings and a search is given,
/// the items nearest their customer vector in the co-purchase embedding space) and the most
/// popular items; one logistic model
/// (core/next_order_scorer.h) gives each the chance that the next order holds it, from how often
/// and how recently the customer bought it, how the item is usually bought again, and how much
/// the customer explores. recommend() with no items and every offers context ask this engine.

#include <cstddef>
#include <vector>

#include "core/customer_profile.h"
#include "core/model.h"
#include "core/recommender.h"

namespace cobuy {

/// Each item's repurchase pattern in `history` (see RepurchaseStats).
RepurchaseStats repurchase_stats(const CustomerHistory& history, std::size_t n_items);

/// One candidate for one customer.
struct NextOrderCandidate {
  ItemIndex item = 0;
  NextOrderFeatures features{};
  double logit = 0;           ///< the scorer's log-odds that the next order holds it
  double chance = 0;          ///< sigmoid(logit)
  bool repeat = false;        ///< the customer bought it before
  bool complement = false;    ///< their history's "bought together" rows reach it
  bool from_embedding = false;  ///< new, and reached only by the customer-vector search
  ItemIndex anchor = 0;       ///< complement: the history item that contributed most (embedding: the most alike)
  double days_since = 0;      ///< repeat: days since they last bought it
};

/// The customer vector: the mean of the input vectors of the customer's items with vectors, each
/// weighted by the number of their orders holding it (model.embeddings.dim floats). Empty when the
/// model has no embeddings or none of the items has a vector. Its inner product with an item's
/// output vector is the mean of the history items' SGNS affinities with it.
std::vector<float> customer_vector(const Model& model, const CustomerProfile& profile);

/// The engine's candidates for `profile` (its items and orders; build_profile at `at`), best
/// first (ties by index): every item bought, the best new complements, with `search` the new items
/// nearest the customer vector, and the most popular items. `at` is the time the next order is
/// predicted for; kNoTime = the profile's last order. Every candidate's embedding affinity
/// (a feature) is known only for the search's hits; the others get 0.
std::vector<NextOrderCandidate> next_order_candidates(const Model& model, const CustomerProfile& profile, Timestamp at,
                                                      const ComplementSearch& search = {});

}  // namespace cobuy
