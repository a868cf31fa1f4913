#pragma once
/// The validation part that training's learned stages (basket completion's re-ranker, the
/// next-order engine's weights) are fitted on: the latest share of the training orders, with a
/// first-stage model trained on the rest, so nothing is fitted on the orders it is judged on.

#include <string>

#include "core/config.h"
#include "core/model.h"
#include "core/order_data.h"
#include "core/progress.h"
#include "training/train.h"

namespace cobuy {

struct ValidationCarve {
  OrderData fit_train;   ///< the orders the first stage is trained on
  OrderData validation;  ///< the orders held out to fit on
  std::string description;  ///< for people: "orders from ... on" or "a random share of the orders"
  Model first;           ///< trained on fit_train without learned stages (empty if either part is)
  bool usable() const { return !fit_train.orders.empty() && !validation.orders.empty(); }
};

/// Carves the latest config.rerank.validation_fraction of `data`'s orders when they have times (a
/// seeded random share otherwise) and trains the first stage on the rest, without learned stages
/// and without embeddings unless carve_trains_embeddings.
/// With `first_sources`, the first stage takes its pair counts, EASE tables and embeddings from there when the
/// carve is the time split at carve_cut (they must be those of fit_train's orders).
ValidationCarve carve_validation(const OrderData& data, const TrainConfig& config, const ProgressFn& progress = nullptr,
                                 const SourceCache* first_sources = nullptr);

/// Whether the carve's first stage trains embeddings again: when config.embedding trains them and
/// the blend or the next-order engine (its customer-vector candidates) uses them; substitutes
/// alone need none.
bool carve_trains_embeddings(const TrainConfig& config);

/// The time the carve splits `data` at: orders from then on are the validation part. kNoTime when
/// no time split leaves orders on both sides (the carve is then a random share).
Timestamp carve_cut(const OrderData& data, const TrainConfig& config);

}  // namespace cobuy
