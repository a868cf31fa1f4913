#pragma once
/// The one logistic-regression solver behind the re-ranker's pairwise fit and the next-order
/// engine's fit: L2-penalised, by damped Newton steps.

#include <Eigen/Dense>

namespace cobuy {

/// Minimises  mean_i log(1 + exp(-y_i x_i.w)) + sum_k penalty_k w_k^2  over w, where the rows of
/// `x` are the examples (standardised by the caller) and y_i is +1 or -1. Starts from w = 0; each
/// Newton step is halved until the loss falls. Stops after `max_steps`, when no step lowers the
/// loss, or when one gains less than `min_gain`. Deterministic. Empty x gives w = 0.
Eigen::VectorXd fit_penalised_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& penalty,
                                       int max_steps, double min_gain);

}  // namespace cobuy
