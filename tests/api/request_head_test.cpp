// scan_head: the connection loop's view of a request head, on exact bytes.

#include "api/http/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace cobuy::http {
namespace {

TEST(ScanHead, AHeadWithoutItsBlankLineIsIncomplete) {
  const HeadScan s = scan_head("GET /healthz HTTP/1.1\r\nHost: x\r\n", {});
  EXPECT_EQ(s.state, HeadState::incomplete);
  EXPECT_EQ(s.headers, 1u);
}

TEST(ScanHead, ACompleteHeadGivesItsLengthAndContentLength) {
  const std::string head = "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n\r\n";
  const HeadScan s = scan_head(head + "{\"body\":", {});
  EXPECT_EQ(s.state, HeadState::complete);
  EXPECT_EQ(s.head_bytes, head.size());
  EXPECT_EQ(s.headers, 2u);
  ASSERT_TRUE(s.content_length);
  EXPECT_EQ(*s.content_length, 42u);
  EXPECT_FALSE(s.chunked);
  EXPECT_FALSE(s.expect_continue);
}

TEST(ScanHead, ContentLengthThatIsNotAPlainNumberIsLeftToTheParser) {
  const HeadScan s = scan_head("POST / HTTP/1.1\r\ncontent-length: 4x\r\n\r\n", {});
  EXPECT_EQ(s.state, HeadState::complete);
  EXPECT_FALSE(s.content_length);
}

TEST(ScanHead, ChunkedAndExpectContinueAreSeenInAnyCase) {
  const HeadScan s =
      scan_head("POST / HTTP/1.1\r\nTRANSFER-ENCODING: gzip, Chunked\r\nexpect: 100-Continue\r\n\r\n", {});
  EXPECT_EQ(s.state, HeadState::complete);
  EXPECT_TRUE(s.chunked);
  EXPECT_TRUE(s.expect_continue);
}

TEST(ScanHead, BareLineFeedsEndLinesToo) {
  const HeadScan s = scan_head("GET / HTTP/1.1\nHost: x\n\n", {});
  EXPECT_EQ(s.state, HeadState::complete);
  EXPECT_EQ(s.head_bytes, 24u);
}

TEST(ScanHead, OneHeaderPastTheCountIsTooLarge) {
  HeadLimits limits;
  limits.max_headers = 3;
  std::string head = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 3; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(scan_head(head + "\r\n", limits).state, HeadState::complete);
  EXPECT_EQ(scan_head(head + "X-3: v\r\n", limits).state, HeadState::headers_too_large);
}

TEST(ScanHead, HeaderBytesPastTheCapAreTooLargeBeforeTheLineEnds) {
  HeadLimits limits;
  limits.max_header_bytes = 100;
  const std::string start = "GET / HTTP/1.1\r\nX-Big: ";
  // 98 bytes of header line with its CRLF fits; a line still arriving past the cap does not.
  EXPECT_EQ(scan_head(start + std::string(89, 'a') + "\r\n\r\n", limits).state, HeadState::complete);
  EXPECT_EQ(scan_head(start + std::string(200, 'a'), limits).state, HeadState::headers_too_large);
}

TEST(ScanHead, ARequestLinePastItsCapIsUriTooLongWithOrWithoutItsEnd) {
  HeadLimits limits;
  limits.max_request_line = 64;
  const std::string line = "GET /" + std::string(100, 'a');
  EXPECT_EQ(scan_head(line, limits).state, HeadState::uri_too_long);
  EXPECT_EQ(scan_head(line + " HTTP/1.1\r\n\r\n", limits).state, HeadState::uri_too_long);
  EXPECT_EQ(scan_head("GET /" + std::string(10, 'a'), limits).state, HeadState::incomplete);
}

TEST(ScanHead, EveryRejectionHasAMetricName) {
  EXPECT_STREQ(rejection_name(Rejection::queue_full), "queue_full");
  EXPECT_STREQ(rejection_name(Rejection::headers_too_large), "headers_too_large");
  EXPECT_STREQ(rejection_name(static_cast<Rejection>(kRejectionCount - 1)), "body_too_large");
}

}  // namespace
}  // namespace cobuy::http
