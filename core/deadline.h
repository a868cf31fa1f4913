#pragma once
/// A per-thread time budget for request work. The server opens a Scope around each request;
/// the loops that grow with a request's size (anchors of a basket, a customer's history, offer
/// sources) call check(), which throws once the budget is spent, so a request that runs too long
/// ends with a clear error instead of holding its worker. Without a Scope, check() never throws
/// (batch commands and training run unbounded).

#include <chrono>

namespace cobuy::deadline {

using Clock = std::chrono::steady_clock;

/// Sets this thread's deadline to now + budget for its lifetime; restores the previous one
/// (scopes nest) on destruction. Not copyable.
class Scope {
 public:
  explicit Scope(Clock::duration budget);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Clock::time_point previous_;
  Clock::duration previous_budget_;
};

/// Throws Error(ErrorCode::timeout) naming the budget when this thread's deadline has passed.
/// Costs one clock read; call it once per unit of work (an anchor, an order), not per element.
void check();

}  // namespace cobuy::deadline
