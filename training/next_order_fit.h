#pragma once
/// Fitting the next-order engine's scorer (core/next_order_scorer.h) on the validation carve:
/// each validation customer's first order after the cut is predicted from the first stage's
/// model, and a logistic model learns which candidates that order held.

#include <vector>

#include "core/config.h"
#include "core/next_order_scorer.h"
#include "core/progress.h"
#include "training/validation_carve.h"

namespace cobuy {

/// One fitting row: a candidate's features and whether the order held it.
struct LabelledFeatures {
  NextOrderFeatures x{};
  bool positive = false;
};

/// Weights (kNextOrderFeatures of them) and bias minimising the mean logistic loss over `rows`
/// plus a small L2 penalty on standardised weights, by Newton's method. Deterministic; a
/// feature constant over the rows gets weight 0. Empty rows give zero weights and bias.
NextOrderScorer fit_logistic(const std::vector<LabelledFeatures>& rows);

/// Fits on at most config.next_order.max_customers validation customers (a seeded sample). The
/// weights are kept only if, fitted on half of the customers, they place the other half's orders
/// better (Recall@10, both ways round) than the default rule (GP-TopFreq's order) does; `fit`
/// holds both figures, or why nothing was fitted.
NextOrderScorer fit_next_order(const ValidationCarve& carve, const TrainConfig& config, const ProgressFn& progress = nullptr);

}  // namespace cobuy
