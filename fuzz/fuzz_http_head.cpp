// libFuzzer target: what the connection loop reads of a request before any worker sees it
// (api/http/request_head.h, scan_head) and the browser rules applied to its headers (api/http/cors.h). The
// first two bytes pick small limits, so that every limit is reached; the rest is the bytes of a
// connection. A scan must never claim more bytes than it was given, and a complete head must end
// with a blank line.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/http/cors.h"
#include "api/http/request_head.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  cobuy::http::HeadLimits limits;
  limits.max_request_line = 16 + data[0] * 4u;
  limits.max_header_bytes = 32 + data[1] * 8u;
  limits.max_headers = 1 + data[1] % 16u;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  const cobuy::http::HeadScan scan = cobuy::http::scan_head(bytes, limits);
  if (scan.state == cobuy::http::HeadState::complete) {
    if (scan.head_bytes > bytes.size() || scan.head_bytes < 2 || bytes[scan.head_bytes - 1] != '\n') std::abort();
  } else if (scan.head_bytes != 0) {
    std::abort();
  }
  if (scan.headers > limits.max_headers + 1) std::abort();
  static const cobuy::CorsPolicy policy({"https://shop.example", "http://127.0.0.1:8080"});
  (void)policy.allows(bytes);
  (void)policy.answer_headers(bytes.substr(0, 64));
  (void)cobuy::is_json_media_type(bytes);
  return 0;
}
