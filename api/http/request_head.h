#pragma once
/// What the connection loop needs to know of a request before a worker takes it: whether its
/// head (request line and headers) is complete in the bytes read so far, within the limits, and
/// how much body follows. Pure functions over bytes; no sockets.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cobuy::http {

/// Caps on one request's head.
struct HeadLimits {
  std::size_t max_request_line = 8192;   ///< bytes of the request line (longer: 414)
  std::size_t max_header_bytes = 32768;  ///< bytes of the header lines after the request line (more: 431)
  std::size_t max_headers = 100;         ///< header lines (more: 431)
};

/// The verdict on the bytes at the start of a connection's buffer.
enum class HeadState {
  incomplete,       ///< no blank line yet, and nothing over a limit
  complete,         ///< a whole head within the limits
  uri_too_long,     ///< the request line is over max_request_line: answer 414
  headers_too_large ///< over max_header_bytes or max_headers: answer 431
};

struct HeadScan {
  HeadState state = HeadState::incomplete;
  std::size_t head_bytes = 0;  ///< complete: bytes of the head, blank line included
  std::size_t headers = 0;     ///< header lines seen so far
  /// complete: the Content-Length header's value; absent when there is none or it is not a
  /// plain decimal number (the request parser then answers it).
  std::optional<std::uint64_t> content_length;
  bool chunked = false;          ///< complete: Transfer-Encoding says chunked
  bool expect_continue = false;  ///< complete: "Expect: 100-continue" (the body waits for our 100)
};

/// Why the connection loop answered or closed a connection itself, before any worker ran it;
/// counted in the server's metrics (cobuy_http_rejected_total{reason}).
enum class Rejection { queue_full, too_many_connections, head_timeout, body_timeout, uri_too_long,
                       headers_too_large, body_too_large };
inline constexpr std::size_t kRejectionCount = 7;
/// The metric label of a rejection ("queue_full", ...).
const char* rejection_name(Rejection r);
/// The whole HTTP answer to a rejection (JSON error body, "Retry-After" for 503s,
/// "Connection: close"), its message naming the limit passed.
std::string rejection_response(Rejection r, const HeadLimits& head, std::size_t max_body_bytes);

/// Scans `bytes` (the unconsumed start of a connection's input) for one request head. Lines end
/// with CRLF; a bare LF also ends a line here, so a head the parser would misread is still
/// bounded by the limits.
HeadScan scan_head(std::string_view bytes, const HeadLimits& limits);

}  // namespace cobuy::http
