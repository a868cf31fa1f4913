#include "core/error.h"

namespace cobuy {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::bad_data: return "bad_data";
    case ErrorCode::io: return "io_error";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

namespace detail {
void assert_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "cobuy: internal invariant broken: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace detail

}  // namespace cobuy
