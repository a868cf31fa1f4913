// The connection loop's own paths on raw sockets: pipelined requests, a keep-alive connection
// handed back to the loop between requests, a body that trickles in, "Expect: 100-continue", and
// a declared body over the cap refused before it is sent.

#include <poll.h>

#include "server_fixture.h"

namespace cobuy {
namespace {

/// Everything the server sends on `fd` until it closes the connection or stays silent for
/// `quiet_ms`.
std::string read_until_quiet(int fd, int quiet_ms = 1000) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, quiet_ms) != 1) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

/// The head of a POST /v1/recommendations whose JSON body has `body_bytes` bytes, with
/// `extra` header lines (each ending in CRLF) before the blank line.
std::string recommendations_head(std::size_t body_bytes, const std::string& extra) {
  return "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body_bytes) + "\r\n" + extra + "\r\n";
}

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

TEST(ConnectionLoop, PipelinedRequestsAreAnsweredInOrder) {
  Running running(make_model(), Running::test_options());
  const int fd = connect_loopback(running.port());
  ASSERT_GE(fd, 0);
  send_text(fd,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
            "GET /v1/items/tea/bought-together?limit=2 HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n"
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\nConnection: close\r\n\r\n");
  const std::string answers = read_until_quiet(fd);
  ::close(fd);
  EXPECT_EQ(count(answers, "HTTP/1.1 200"), 3u) << answers;
  const auto first = answers.find("X-Request-Id: first");
  const auto second = answers.find("X-Request-Id: second");
  const auto third = answers.find("X-Request-Id: third");
  ASSERT_NE(third, std::string::npos) << answers;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST(ConnectionLoop, AKeepAliveConnectionServesRequestsSentAfterPauses) {
  Running running(make_model(), Running::test_options());
  const int fd = connect_loopback(running.port());
  ASSERT_GE(fd, 0);
  std::string answers;
  for (int k = 0; k < 3; ++k) {
    // 100 ms is past the worker's 5 ms wait: the loop holds the connection between requests.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    answers += read_until_quiet(fd, 300);
  }
  ::close(fd);
  EXPECT_EQ(count(answers, "HTTP/1.1 200"), 3u) << answers;
}

TEST(ConnectionLoop, ABodyThatTricklesInWithinItsDeadlineIsRead) {
  Running running(make_model(), Running::test_options());
  const int fd = connect_loopback(running.port());
  ASSERT_GE(fd, 0);
  const std::string body = R"({"items": ["tea"], "limit": 2})";
  send_text(fd, recommendations_head(body.size(), "Connection: close\r\n"));
  for (std::size_t at = 0; at < body.size(); at += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    send_text(fd, body.substr(at, 10));
  }
  const std::string answer = read_until_quiet(fd);
  ::close(fd);
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"items\""), std::string::npos) << answer;
}

TEST(ConnectionLoop, ExpectContinueGetsA100ThenTheAnswer) {
  Running running(make_model(), Running::test_options());
  const int fd = connect_loopback(running.port());
  ASSERT_GE(fd, 0);
  const std::string body = R"({"items": ["tea"], "limit": 2})";
  send_text(fd, recommendations_head(body.size(), "Expect: 100-continue\r\nConnection: close\r\n"));
  const std::string interim = read_until_quiet(fd, 1000);
  EXPECT_NE(interim.find("HTTP/1.1 100 Continue"), std::string::npos) << interim;
  send_text(fd, body);
  const std::string answer = interim + read_until_quiet(fd);
  ::close(fd);
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
}

TEST(ConnectionLoop, ADeclaredBodyOverTheCapIs413BeforeItIsSent) {
  ServerOptions options = Running::test_options();
  options.max_body_bytes = 1000;
  Running running(make_model(), options);
  const std::string answer = raw_exchange(
      running.port(),
      "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n");
  EXPECT_NE(answer.find("HTTP/1.1 413"), std::string::npos) << answer;
  EXPECT_NE(answer.find("over 1000 bytes"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
}

TEST(ConnectionLoop, RejectionsAreCountedInTheMetricsByReason) {
  ServerOptions options = Running::test_options();
  options.max_headers = 5;
  Running running(make_model(), options);
  std::string request = "GET /healthz HTTP/1.1\r\n";
  for (int i = 0; i < 10; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_NE(raw_exchange(running.port(), request + "\r\n").find("HTTP/1.1 431"), std::string::npos);
  auto c = running.client();
  const auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("cobuy_http_rejected_total{reason=\"headers_too_large\"} 1"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("cobuy_http_rejected_total{reason=\"queue_full\"} 0"), std::string::npos);
}

}  // namespace
}  // namespace cobuy
