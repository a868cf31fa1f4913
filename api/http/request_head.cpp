#include "api/http/request_head.h"

#include <strings.h>

#include <charconv>
#include <string>

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

struct Answer {
  int status;
  const char* reason;
  const char* code;
  const char* message;
};

Answer answer_for(Rejection r) {
  switch (r) {
    case Rejection::queue_full:
      return {503, "Service Unavailable", "unavailable", "every worker is busy and the queue is full; retry shortly"};
    case Rejection::too_many_connections:
      return {503, "Service Unavailable", "unavailable", "too many open connections; retry shortly"};
    case Rejection::head_timeout:
      return {408, "Request Timeout", "timeout", "the request head did not arrive in time"};
    case Rejection::body_timeout:
      return {408, "Request Timeout", "timeout", "the request body did not arrive in time"};
    case Rejection::uri_too_long:
      return {414, "URI Too Long", "too_large", "the request URI is too long"};
    case Rejection::headers_too_large:
      return {431, "Request Header Fields Too Large", "too_large",
              "the request has too many header lines or too many header bytes"};
    case Rejection::body_too_large:
      return {413, "Payload Too Large", "too_large", "the request body is"};
  }
  return {500, "Internal Server Error", "internal", "internal error"};
}

}  // namespace

std::string rejection_response(Rejection r, const HeadLimits& head, std::size_t max_body_bytes) {
  const Answer a = answer_for(r);
  std::string message = a.message;
  if (r == Rejection::headers_too_large) {
    message += " (at most " + std::to_string(head.max_headers) + " lines and " +
               std::to_string(head.max_header_bytes) + " bytes)";
  } else if (r == Rejection::body_too_large) {
    message += " over " + std::to_string(max_body_bytes) + " bytes";
  } else if (r == Rejection::uri_too_long) {
    message += " (the request line is over " + std::to_string(head.max_request_line) + " bytes)";
  }
  const std::string body = std::string(R"({"error":{"code":")") + a.code + R"(","message":")" + message + "\"}}";
  std::string out = "HTTP/1.1 " + std::to_string(a.status) + " " + a.reason + "\r\n";
  out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (a.status == 503) out += "Retry-After: 1\r\n";
  out += "Connection: close\r\n\r\n" + body;
  return out;
}

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
