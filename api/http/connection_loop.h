#pragma once
/// The server's connections: one event-loop thread owns every socket while it waits (for a
/// request head, a body, or the next request of a keep-alive connection), and a bounded pool of
/// workers runs only requests that have fully arrived. A slow or idle client therefore costs a
/// file descriptor and a buffer, never a worker; when every worker is busy and the queue is full,
/// a new request is answered 503 at once. Heads over the limits are answered 431 (414 for the
/// request line) before any worker sees them.
///
/// httplib parses and answers the request (Server::process_request over our Stream); this file
/// includes httplib and must stay out of sources that include Eigen (see DESIGN.md).

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "api/http/request_head.h"

namespace cobuy::http {

using Millis = std::chrono::milliseconds;

/// Limits and timeouts of the connection loop.
struct LoopOptions {
  unsigned workers = 8;            ///< threads that run requests
  std::size_t max_queue = 256;     ///< complete requests waiting for a worker; past it: 503
  std::size_t max_connections = 10000;  ///< open client connections; past it new ones get 503
  Millis header_timeout{2000};     ///< a request head must arrive within this of its first byte
  Millis body_timeout{10000};      ///< a body must arrive within this of its head
  Millis keep_alive_timeout{5000}; ///< an idle keep-alive connection is closed after this
  /// After an answer, a worker waits this long for the connection's next request (while no other
  /// request waits for a worker) before it gives the connection back to the loop.
  Millis keep_alive_linger{5};
  Millis write_timeout{5000};      ///< a worker gives up on a client that does not read its answer
  std::size_t keep_alive_max_requests = 10000;  ///< requests on one connection before it is closed
  std::size_t max_body_bytes = 1 << 20;  ///< a Content-Length over this is answered 413 at once
  HeadLimits head;
};

/// Runs one request read from `stream`; returns false when the connection cannot go on. It must
/// set `connection_closed` when the answer said "Connection: close" or the client asked for it.
using RequestRunner = std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;

class ConnectionLoop {
 public:
  /// Takes ownership of `listen_fd`, a bound, listening, non-blocking socket.
  ConnectionLoop(int listen_fd, LoopOptions options, RequestRunner runner,
                 std::function<void(Rejection)> on_rejection = {});
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  /// Serves on the calling thread until stop(); then stops accepting, closes idle connections,
  /// lets queued and running requests finish (each closing its connection) and returns.
  void run();
  /// Asks run() to return; safe from any thread and from before run().
  void stop();
  /// Requests waiting for a worker now (for tests and metrics).
  std::size_t queued() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cobuy::http
