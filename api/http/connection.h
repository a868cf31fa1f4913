#pragma once
/// One client connection of the connection loop (api/http/connection_loop), and httplib's view of
/// it: the bytes the loop buffered, then the socket, with the response held back until the
/// request is done so that it leaves in one send.

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include <httplib.h>

#include "api/http/connection_loop.h"

namespace cobuy::http {

using Clock = std::chrono::steady_clock;

/// What a watched connection is waiting for.
enum class Phase {
  idle,      ///< the first byte of its next request
  head,      ///< the rest of a request head
  body,      ///< the rest of a body whose head has arrived
  draining,  ///< nothing: we answered and closed our side; its input is read and dropped
};

struct Conn {
  int fd = -1;
  std::string in;       ///< input not yet consumed by a request
  std::size_t pos = 0;  ///< while a worker runs a request: bytes of `in` the parser has read
  Phase phase = Phase::idle;
  Clock::time_point deadline;
  std::size_t need = 0;  ///< body phase: bytes of `in` (head and body) needed to start
  std::size_t served = 0;
  bool peer_closed = false;  ///< the client shut down its side (it may still read our answer)
  std::string remote_ip;
  int remote_port = 0;
  std::string local_ip;
  int local_port = 0;

  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
};
using ConnPtr = std::unique_ptr<Conn>;

/// Waits until `fd` is ready for `events` or `deadline` passes; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline);


/// httplib's view of a connection: the bytes the loop buffered first, then the socket itself
/// (a chunked body, or one that waited for "100 Continue"), within the body's deadline.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(Conn& c, const LoopOptions& o) : c_(c), o_(o) {}
  void start_request() { body_deadline_ = Clock::now() + o_.body_timeout; }

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    if (!flush()) return -1;  // e.g. "100 Continue" before the body is read
    if (c_.pos < c_.in.size()) {
      const std::size_t n = std::min(size, c_.in.size() - c_.pos);
      std::memcpy(ptr, c_.in.data() + c_.pos, n);
      c_.pos += n;
      return static_cast<ssize_t>(n);
    }
    while (true) {
      const ssize_t n = ::recv(c_.fd, ptr, size, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_for(c_.fd, POLLIN, body_deadline_)) return -1;
    }
  }
  /// Buffers what httplib writes (a head, then a body: two writes) so that a response leaves in
  /// one send when the request is done: a process killed between the two would leave a proxy
  /// with a head and no body, which it cannot send again elsewhere. Past kMaxBuffered (a large
  /// or streamed body) the buffer is sent and writing goes on directly.
  ssize_t write(const char* ptr, size_t size) override {
    if (out_.size() + size <= kMaxBuffered) {
      out_.append(ptr, size);
      return static_cast<ssize_t>(size);
    }
    if (!flush() || !send_all(ptr, size)) return -1;
    return static_cast<ssize_t>(size);
  }
  /// Sends what write() buffered; false when the socket failed or timed out.
  bool flush() {
    if (out_.empty()) return true;
    const bool ok = send_all(out_.data(), out_.size());
    out_.clear();
    return ok;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.remote_ip;
    port = c_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.local_ip;
    port = c_.local_port;
  }
  // httplib 0.11 (built for select()) answers 500 to a socket numbered FD_SETSIZE or more; this
  // stream never uses select(), so such a socket is reported as "none".
  socket_t socket() const override { return c_.fd < FD_SETSIZE ? c_.fd : INVALID_SOCKET; }

 private:
  static constexpr std::size_t kMaxBuffered = 256 * 1024;

  bool send_all(const char* ptr, std::size_t size) {
    std::size_t done = 0;
    const auto deadline = Clock::now() + o_.write_timeout;
    while (done < size) {
      const ssize_t n = ::send(c_.fd, ptr + done, size - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(c_.fd, POLLOUT, deadline)) {
        continue;
      } else {
        return false;
      }
    }
    return true;
  }

  Conn& c_;
  const LoopOptions& o_;
  Clock::time_point body_deadline_;
  std::string out_;  // the response so far, sent by flush()
};

}  // namespace cobuy::http
