#include "api/request_head.h"

#include <strings.h>

#include <charconv>

namespace cobuy::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool name_is(std::string_view name, std::string_view wanted) {
  return name.size() == wanted.size() && strncasecmp(name.data(), wanted.data(), name.size()) == 0;
}

/// Reads the headers the loop acts on from one header line (without its line end).
void read_header(std::string_view line, HeadScan& scan) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (name_is(name, "Content-Length")) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) {
      scan.content_length = n;
    } else {
      scan.content_length.reset();
    }
  } else if (name_is(name, "Transfer-Encoding")) {
    scan.chunked = value.size() >= 7 && name_is(value.substr(value.size() - 7), "chunked");
  } else if (name_is(name, "Expect")) {
    scan.expect_continue = name_is(value, "100-continue");
  }
}

}  // namespace

const char* rejection_name(Rejection r) {
  switch (r) {
    case Rejection::queue_full: return "queue_full";
    case Rejection::too_many_connections: return "too_many_connections";
    case Rejection::head_timeout: return "head_timeout";
    case Rejection::body_timeout: return "body_timeout";
    case Rejection::uri_too_long: return "uri_too_long";
    case Rejection::headers_too_large: return "headers_too_large";
    case Rejection::body_too_large: return "body_too_large";
  }
  return "unknown";
}

HeadScan scan_head(std::string_view bytes, const HeadLimits& limits) {
  HeadScan scan;
  const auto first_end = bytes.find('\n');
  if (first_end == std::string_view::npos) {
    if (bytes.size() > limits.max_request_line) scan.state = HeadState::uri_too_long;
    return scan;
  }
  if (first_end + 1 > limits.max_request_line + 2) {
    scan.state = HeadState::uri_too_long;
    return scan;
  }
  std::size_t pos = first_end + 1;
  std::size_t header_bytes = 0;
  while (true) {
    const auto end = bytes.find('\n', pos);
    const std::size_t available = (end == std::string_view::npos ? bytes.size() : end + 1) - pos;
    if (header_bytes + available > limits.max_header_bytes + 2) {
      scan.state = HeadState::headers_too_large;
      return scan;
    }
    if (end == std::string_view::npos) return scan;  // a line still arriving
    std::string_view line = bytes.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) {  // the blank line that ends the head
      scan.state = HeadState::complete;
      scan.head_bytes = pos;
      return scan;
    }
    header_bytes += available;
    if (++scan.headers > limits.max_headers) {
      scan.state = HeadState::headers_too_large;
      return scan;
    }
    read_header(line, scan);
  }
}

}  // namespace cobuy::http
