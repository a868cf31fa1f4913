#include "training/logistic_fit.h"

#include <cmath>

namespace cobuy {
namespace {

double log1p_exp(double v) { return v > 30 ? v : std::log1p(std::exp(v)); }

}  // namespace

Eigen::VectorXd fit_penalised_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& penalty,
                                       int max_steps, double min_gain) {
  const Eigen::Index dims = x.cols();
  Eigen::VectorXd w = Eigen::VectorXd::Zero(dims);
  if (x.rows() == 0) return w;
  const double n = static_cast<double>(x.rows());
  auto loss = [&](const Eigen::VectorXd& v) {
    const Eigen::VectorXd margin = (x * v).cwiseProduct(y);
    double l = 0;
    for (Eigen::Index i = 0; i < margin.size(); ++i) l += log1p_exp(-margin[i]);
    return l / n + v.cwiseProduct(v).dot(penalty);
  };
  double current = loss(w);
  for (int step = 0; step < max_steps; ++step) {
    const Eigen::VectorXd z = x * w;
    Eigen::VectorXd residual(x.rows()), curvature(x.rows());
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      const double p = 1.0 / (1.0 + std::exp(-z[i]));  // the chance of +1
      residual[i] = (p - (y[i] > 0 ? 1.0 : 0.0)) / n;
      curvature[i] = p * (1 - p) / n;
    }
    const Eigen::VectorXd grad = x.transpose() * residual + 2 * penalty.cwiseProduct(w);
    Eigen::MatrixXd hess = x.transpose() * curvature.asDiagonal() * x;
    hess.diagonal() += 2 * penalty + Eigen::VectorXd::Constant(dims, 1e-9);
    const Eigen::VectorXd delta = hess.ldlt().solve(grad);
    double t = 1.0, next = loss(w - delta);
    while (next > current && t > 1e-6) {
      t /= 2;
      next = loss(w - t * delta);
    }
    if (next > current) break;
    w -= t * delta;
    const double gain = current - next;
    current = next;
    if (gain < min_gain) break;
  }
  return w;
}

}  // namespace cobuy
