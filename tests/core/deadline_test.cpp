#include "core/deadline.h"

#include <thread>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/recommender.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

using namespace std::chrono_literals;

ErrorCode code_of_check() {
  try {
    deadline::check();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;  // "did not throw"
}

TEST(Deadline, WithoutAScopeCheckNeverThrows) { EXPECT_NO_THROW(deadline::check()); }

TEST(Deadline, ThrowsTimeoutNamingTheBudgetOnceItIsSpent) {
  const deadline::Scope scope(20ms);
  EXPECT_NO_THROW(deadline::check());
  std::this_thread::sleep_for(30ms);
  try {
    deadline::check();
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::timeout);
    EXPECT_NE(std::string(e.what()).find("20 ms"), std::string::npos) << e.what();
  }
}

TEST(Deadline, ScopesNestAndRestoreTheOuterDeadline) {
  {
    const deadline::Scope outer(1h);
    {
      const deadline::Scope inner(0ms);
      EXPECT_EQ(code_of_check(), ErrorCode::timeout);
    }
    EXPECT_NO_THROW(deadline::check());
  }
  EXPECT_NO_THROW(deadline::check());
}

TEST(Deadline, IsPerThread) {
  const deadline::Scope spent(0ms);
  EXPECT_EQ(code_of_check(), ErrorCode::timeout);
  bool other_threw = true;
  std::thread([&] { other_threw = code_of_check() == ErrorCode::timeout; }).join();
  EXPECT_FALSE(other_threw);
}

TEST(Deadline, AHugeBudgetDoesNotOverflow) {
  const deadline::Scope scope(deadline::Clock::duration::max());
  EXPECT_NO_THROW(deadline::check());
}

TEST(Deadline, RecommendStopsWithTimeoutWhenTheBudgetIsSpent) {
  testing::ModelBuilder b;
  b.item("a").item("b").item("c").bought_with("a", {"b", "c"}).popular({"a", "b", "c"});
  const Model m = b.build();
  Query q;
  q.items = {"a"};
  EXPECT_FALSE(recommend(m, q).items.empty());
  const deadline::Scope spent(0ms);
  try {
    recommend(m, q);
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::timeout);
  }
}

}  // namespace
}  // namespace cobuy
