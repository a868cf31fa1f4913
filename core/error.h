#pragma once
/// Errors: one exception type for bad input and bad data, thrown through COBUY_CHECK;
/// COBUY_ASSERT aborts on broken internal invariants.

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cobuy {

/// What kind of failure an Error reports; the API maps each to an HTTP status.
enum class ErrorCode {
  bad_request,  ///< malformed or invalid input from a caller (400)
  not_found,    ///< an unknown id or route (404)
  unauthorized, ///< no valid API key (401)
  forbidden,    ///< a valid API key without the scope needed (403)
  too_large,    ///< input over a configured size limit (413)
  bad_data,     ///< an input file or artifact is malformed or inconsistent
  io,           ///< a file could not be read or written
  unavailable,  ///< the service is not ready (503)
  timeout,      ///< a request ran over its time budget (503)
  internal,     ///< a real fault (500)
};

/// Stable machine-readable name of a code ("bad_request", ...).
std::string_view error_code_name(ErrorCode code);

/// The one exception type of cobuy.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

namespace detail {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line);
}  // namespace detail

}  // namespace cobuy

/// Throws cobuy::Error(code, message) when cond is false; message is streamed (`"x=" << x`).
#define COBUY_CHECK(cond, code, message)                  \
  do {                                                    \
    if (!(cond)) {                                        \
      std::ostringstream cobuy_check_os_;                 \
      cobuy_check_os_ << message;                         \
      throw ::cobuy::Error((code), cobuy_check_os_.str()); \
    }                                                     \
  } while (false)

/// Throws cobuy::Error(code, message) unconditionally.
#define COBUY_FAIL(code, message) COBUY_CHECK(false, code, message)

/// Aborts on a broken internal invariant (a bug, never bad input).
#define COBUY_ASSERT(cond) \
  do {                     \
    if (!(cond)) ::cobuy::detail::assert_failed(#cond, __FILE__, __LINE__); \
  } while (false)
