// The listening socket takes a burst of connections at once: with httplib's default backlog of 5,
// connections beyond the accept queue lost their handshake and waited for a SYN retransmit
// (1 s, then 3 s), which is what bench/load_test.sh saw as a p99 of 2 s at 64 connections.

#include <fcntl.h>
#include <poll.h>

#include "server_fixture.h"

namespace cobuy {
namespace {

TEST(ListenBacklog, SixtyFourConnectionsCompleteBeforeTheServerAcceptsAny) {
  // Bound and listening, but not accepting yet: every handshake has to wait in the accept queue.
  Server server(make_model(), Running::test_options());
  server.bind();
  constexpr int kConnections = 64;
  std::vector<int> fds;
  for (int k = 0; k < kConnections; ++k) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    ASSERT_TRUE(rc == 0 || errno == EINPROGRESS) << std::strerror(errno);
  }
  // Well under the first SYN retransmit (1 s): a dropped handshake would still be pending.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int connected = 0;
  for (const int fd : fds) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) ++connected;
    }
  }
  for (const int fd : fds) ::close(fd);
  EXPECT_EQ(connected, kConnections);
}

}  // namespace
}  // namespace cobuy
