#include "core/deadline.h"

#include "core/error.h"

namespace cobuy::deadline {
namespace {

thread_local Clock::time_point t_deadline = Clock::time_point::max();
thread_local Clock::duration t_budget{};

}  // namespace

Scope::Scope(Clock::duration budget) : previous_(t_deadline), previous_budget_(t_budget) {
  const auto now = Clock::now();
  // Saturate instead of overflowing for huge budgets.
  t_deadline = budget >= Clock::time_point::max() - now ? Clock::time_point::max() : now + budget;
  t_budget = budget;
}

Scope::~Scope() {
  t_deadline = previous_;
  t_budget = previous_budget_;
}

void check() {
  if (t_deadline == Clock::time_point::max() || Clock::now() < t_deadline) return;
  const auto ms = std::chrono::duration<double, std::milli>(t_budget).count();
  COBUY_FAIL(ErrorCode::timeout, "the request took longer than its time budget of " << ms << " ms");
}

}  // namespace cobuy::deadline
