#pragma once
/// A day in the seconds of a Timestamp, for tests that place orders and sends on a calendar.

#include "core/time_util.h"

namespace cobuy::testing {

inline constexpr Timestamp kDay = 86400;

}  // namespace cobuy::testing
