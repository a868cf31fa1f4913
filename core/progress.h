#pragma once
/// Progress reporting through a callback, so library code never prints.

#include <cstdint>
#include <functional>
#include <string_view>

namespace cobuy {

/// Called with a stage name ("ingest", "count", ...), work done and total (total 0 = unknown).
using ProgressFn = std::function<void(std::string_view stage, std::uint64_t done, std::uint64_t total)>;

}  // namespace cobuy
