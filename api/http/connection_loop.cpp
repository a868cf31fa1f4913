#include "api/http/connection_loop.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/http/connection.h"
#include "api/http/listen_socket.h"
#include "core/error.h"
#include "core/log.h"

namespace cobuy::http {
namespace {

bool has_lf(std::string_view s) { return s.find('\n') != std::string_view::npos; }

/// Makes an eventfd readable.
void signal(int event_fd) {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(event_fd, &one, sizeof one);
}

/// Makes a non-blocking eventfd unreadable again.
void drain(int event_fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto n = ::read(event_fd, &count, sizeof count);
}

}  // namespace

struct ConnectionLoop::Impl {
  Impl(int listen, LoopOptions o, RequestRunner r, std::function<void(Rejection)> rej)
      : listen_fd(listen),
        options(std::move(o)),
        runner(std::move(r)),
        on_rejection(std::move(rej)),
        epoll_fd(::epoll_create1(EPOLL_CLOEXEC)),
        wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        wanted_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    COBUY_CHECK(epoll_fd >= 0 && wake_fd >= 0 && wanted_fd >= 0, ErrorCode::io,
                "cannot create the server's event loop: " << std::strerror(errno));
  }
  ~Impl() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (wake_fd >= 0) ::close(wake_fd);
    if (wanted_fd >= 0) ::close(wanted_fd);
  }

  int listen_fd;
  const LoopOptions options;
  const RequestRunner runner;
  const std::function<void(Rejection)> on_rejection;
  int epoll_fd = -1;
  int wake_fd = -1;    ///< readable: the loop has connections handed back, or must stop
  int wanted_fd = -1;  ///< readable: a request waits and no worker is free (lingering ones give up)
  std::atomic<bool> stop_requested{false};
  std::atomic<std::size_t> open{0};  ///< client connections open, watched or at a worker

  // The loop thread's own: the connections it watches, by socket.
  std::unordered_map<int, ConnPtr> watched;
  Clock::time_point accept_paused_until{};
  Clock::time_point last_expiry{};

  // Shared with the workers, under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable ready;
  std::deque<ConnPtr> queue;      ///< complete requests waiting for a worker
  std::atomic<std::size_t> waiting{0};  ///< queue.size(), read without the mutex by lingering workers
  std::vector<ConnPtr> returned;  ///< keep-alive connections handed back by workers
  unsigned busy = 0;
  bool closing = false;           ///< stop: every connection is closed after its answer
  bool draining_workers = false;  ///< stop, once no body is arriving: workers finish the queue and end
  std::vector<std::thread> workers;

  void run();
  void step();  ///< one wait for events, then their handling and the expiry of deadlines
  void accept_all();
  void watch(ConnPtr c);
  void on_readable(Conn& c);
  void evaluate(int fd);
  void dispatch(int fd);
  void reject(int fd, Rejection why);
  void close_watched(int fd);
  void expire(Clock::time_point now);
  void take_returned();
  void worker();
  void serve(ConnPtr c);
  /// True when `c.in` holds a whole request a worker can run without waiting.
  bool whole_request(const Conn& c) const;
  /// After an answer: true when the connection's next request has fully arrived, now or within
  /// options.keep_alive_linger while no request waits for a worker.
  bool next_request_arrives(Conn& c);
  void wake() const { signal(wake_fd); }
  void epoll_add(int fd) const {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  }
  void count(Rejection r) const {
    if (on_rejection) on_rejection(r);
  }
};

void ConnectionLoop::Impl::run() {
  epoll_add(listen_fd);
  epoll_add(wake_fd);
  for (unsigned i = 0; i < std::max(1u, options.workers); ++i) workers.emplace_back([this] { worker(); });

  while (!stop_requested.load()) step();

  // Stop: no new connections; idle and half-arrived heads are closed; a request whose body is
  // arriving is still read (within its deadline) and answered, as are queued and running ones,
  // each closing its connection.
  ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
  ::close(listen_fd);
  listen_fd = -1;
  {
    std::lock_guard lock(mutex);
    closing = true;
  }
  while (true) {
    take_returned();
    std::vector<int> done;
    for (const auto& [fd, c] : watched) {
      if (c->phase != Phase::body) done.push_back(fd);
    }
    for (const int fd : done) close_watched(fd);
    if (watched.empty()) break;
    step();
  }
  {
    std::lock_guard lock(mutex);
    draining_workers = true;
  }
  ready.notify_all();
  for (auto& t : workers) t.join();
  workers.clear();
  std::lock_guard lock(mutex);
  returned.clear();
}

void ConnectionLoop::Impl::step() {
  std::array<epoll_event, 256> events;
  const int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 50);
  for (int i = 0; i < n; ++i) {
    const int fd = events[static_cast<std::size_t>(i)].data.fd;
    if (fd == listen_fd) {
      accept_all();
    } else if (fd == wake_fd) {
      drain(wake_fd);
    } else if (const auto it = watched.find(fd); it != watched.end()) {
      on_readable(*it->second);
    }
  }
  take_returned();
  const auto now = Clock::now();
  if (listen_fd >= 0 && accept_paused_until != Clock::time_point{} && now >= accept_paused_until) {
    accept_paused_until = {};
    epoll_add(listen_fd);
  }
  if (now - last_expiry >= Millis(50)) {
    expire(now);
    last_expiry = now;
  }
}

void ConnectionLoop::Impl::accept_all() {
  while (true) {
    sockaddr_storage remote{};
    socklen_t len = sizeof remote;
    const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&remote), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop polling the listening socket for a moment instead of spinning.
        log::warn("cannot accept a connection", {{"error", std::strerror(errno)}});
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
        accept_paused_until = Clock::now() + Millis(100);
      }
      return;
    }
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    address_of(remote, c->remote_ip, c->remote_port);
    sockaddr_storage local{};
    len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) address_of(local, c->local_ip, c->local_port);
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    open.fetch_add(1);
    c->deadline = Clock::now() + options.header_timeout;
    const bool over = open.load() > options.max_connections;
    watched.emplace(fd, std::move(c));
    epoll_add(fd);
    if (over) reject(fd, Rejection::too_many_connections);
  }
}

void ConnectionLoop::Impl::watch(ConnPtr c) {
  const int fd = c->fd;
  c->phase = Phase::idle;
  c->deadline = Clock::now() + options.keep_alive_timeout;
  watched.emplace(fd, std::move(c));
  epoll_add(fd);
  evaluate(fd);  // the client may have sent (part of) its next request already
}

void ConnectionLoop::Impl::on_readable(Conn& c) {
  // Read no more than one request can hold: its head and its largest body.
  const std::size_t cap = options.head.max_request_line + options.head.max_header_bytes + options.max_body_bytes + 8;
  char buf[16384];
  bool new_line = false;
  while (true) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (c.phase == Phase::draining) continue;
      const std::string_view got(buf, static_cast<std::size_t>(n));
      new_line = new_line || has_lf(got);
      c.in.append(got);
      if (c.in.size() >= cap) break;
      continue;
    }
    if (n == 0) {
      c.peer_closed = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) c.peer_closed = true;
    break;
  }
  const int fd = c.fd;
  if (c.phase == Phase::draining) {
    if (c.peer_closed) close_watched(fd);
    return;
  }
  // A head's verdict changes only with a new line end, or when the bytes pass a limit.
  const bool may_change = new_line || c.phase == Phase::body || c.in.size() > options.head.max_request_line;
  if (may_change) {
    evaluate(fd);  // may hand `c` to a worker: look it up again
  } else if (c.phase == Phase::idle && !c.in.empty()) {
    c.phase = Phase::head;
    c.deadline = std::min(c.deadline, Clock::now() + options.header_timeout);
  }
  const auto it = watched.find(fd);
  if (it != watched.end() && it->second->peer_closed && it->second->phase != Phase::draining) close_watched(fd);
}

void ConnectionLoop::Impl::evaluate(int fd) {
  Conn& c = *watched.at(fd);
  if (c.in.empty()) return;
  if (c.phase == Phase::idle) {  // the first byte of a request starts its head's clock
    c.phase = Phase::head;
    c.deadline = std::min(c.deadline, Clock::now() + options.header_timeout);
  }
  const HeadScan scan = scan_head(c.in, options.head);
  switch (scan.state) {
    case HeadState::incomplete: return;
    case HeadState::uri_too_long: return reject(fd, Rejection::uri_too_long);
    case HeadState::headers_too_large: return reject(fd, Rejection::headers_too_large);
    case HeadState::complete: break;
  }
  if (scan.expect_continue || scan.chunked || !scan.content_length) return dispatch(fd);
  if (*scan.content_length > options.max_body_bytes) return reject(fd, Rejection::body_too_large);
  c.need = scan.head_bytes + static_cast<std::size_t>(*scan.content_length);
  if (c.in.size() >= c.need) return dispatch(fd);
  if (c.phase != Phase::body) {
    c.phase = Phase::body;
    c.deadline = Clock::now() + options.body_timeout;
  }
}

void ConnectionLoop::Impl::dispatch(int fd) {
  bool queued = false;
  {
    std::lock_guard lock(mutex);
    const std::size_t idle_workers = workers.size() - std::min<std::size_t>(busy, workers.size());
    if (queue.size() < options.max_queue + idle_workers) {
      const auto it = watched.find(fd);
      ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
      queue.push_back(std::move(it->second));
      waiting.store(queue.size());
      watched.erase(it);
      queued = true;
      // More requests wait than workers are free (some may linger on keep-alive connections):
      // call the lingering ones.
      if (queue.size() > idle_workers) signal(wanted_fd);
    }
  }
  if (queued) {
    ready.notify_one();
  } else {
    // Every worker is busy and the queue is full: say so now rather than queue without bound.
    reject(fd, Rejection::queue_full);
  }
}

void ConnectionLoop::Impl::reject(int fd, Rejection why) {
  Conn& c = *watched.at(fd);
  count(why);
  const std::string answer = rejection_response(why, options.head, options.max_body_bytes);
  // Best effort: a short answer fits the socket buffer of a fresh connection.
  [[maybe_unused]] const auto n = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  // Read and drop what the client still sends until it closes, so that closing does not reset
  // the connection before it has read the answer.
  c.phase = Phase::draining;
  c.in.clear();
  c.in.shrink_to_fit();
  c.deadline = Clock::now() + Millis(1000);
  if (c.peer_closed) close_watched(fd);
}

void ConnectionLoop::Impl::close_watched(int fd) {
  const auto it = watched.find(fd);
  if (it == watched.end()) return;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  watched.erase(it);
  open.fetch_sub(1);
}

void ConnectionLoop::Impl::expire(Clock::time_point now) {
  std::vector<std::pair<int, Phase>> due;
  for (const auto& [fd, c] : watched) {
    if (now >= c->deadline) due.emplace_back(fd, c->phase);
  }
  for (const auto& [fd, phase] : due) {
    switch (phase) {
      case Phase::idle:
      case Phase::draining: close_watched(fd); break;
      case Phase::head: reject(fd, Rejection::head_timeout); break;
      case Phase::body: reject(fd, Rejection::body_timeout); break;
    }
  }
}

void ConnectionLoop::Impl::take_returned() {
  std::vector<ConnPtr> back;
  {
    std::lock_guard lock(mutex);
    back.swap(returned);
  }
  for (auto& c : back) watch(std::move(c));
}

void ConnectionLoop::Impl::worker() {
  while (true) {
    ConnPtr c;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return !queue.empty() || draining_workers; });
      if (queue.empty()) return;
      c = std::move(queue.front());
      queue.pop_front();
      waiting.store(queue.size());
      if (queue.empty()) drain(wanted_fd);
      ++busy;
    }
    serve(std::move(c));
    std::lock_guard lock(mutex);
    --busy;
  }
}

bool ConnectionLoop::Impl::whole_request(const Conn& c) const {
  const HeadScan next = scan_head(c.in, options.head);
  return next.state == HeadState::complete &&
         (next.expect_continue || next.chunked || !next.content_length ||
          (*next.content_length <= options.max_body_bytes && c.in.size() >= next.head_bytes + *next.content_length));
}

bool ConnectionLoop::Impl::next_request_arrives(Conn& c) {
  // A keep-alive client usually sends its next request as soon as it has read the answer; handing
  // the connection to the loop and back costs more than the request (about a fifth of the
  // throughput of GET /v1/constant). So a worker waits a little for it, while no request waits
  // for a worker, and gives the connection back at once when one does.
  if (whole_request(c)) return true;
  const auto until = Clock::now() + options.keep_alive_linger;
  char buf[16384];
  while (true) {
    const auto left = std::chrono::ceil<Millis>(until - Clock::now()).count();
    if (left <= 0 || waiting.load() > 0) return false;
    std::array<pollfd, 2> p{{{c.fd, POLLIN, 0}, {wanted_fd, POLLIN, 0}}};
    const int rc = ::poll(p.data(), p.size(), static_cast<int>(left));
    if (rc == 0 || (rc < 0 && errno == EINTR)) continue;
    if (rc < 0) return false;
    if (p[1].revents & POLLIN) {
      if (waiting.load() > 0) return false;  // a request waits for a worker: it goes first
      drain(wanted_fd);                       // a stale signal: its request was taken already
    }
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    while (true) {
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c.in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) c.peer_closed = true;
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    if (c.peer_closed) return false;
    const HeadScan next = scan_head(c.in, options.head);
    if (next.state == HeadState::uri_too_long || next.state == HeadState::headers_too_large) return false;
    if (whole_request(c)) return true;
  }
}

void ConnectionLoop::Impl::serve(ConnPtr c) {
  ConnStream stream(*c, options);
  while (true) {
    bool stopping = false;
    {
      std::lock_guard lock(mutex);
      stopping = closing;
    }
    const bool close = stopping || c->peer_closed || c->served + 1 >= options.keep_alive_max_requests;
    bool closed = false;
    stream.start_request();
    bool ok = false;
    try {
      ok = runner(stream, close, closed);
      ok = stream.flush() && ok;
    } catch (const std::exception& e) {  // httplib answers handler errors itself; this is anything else
      log::error("connection failed", {{"error", e.what()}});
    }
    ++c->served;
    c->in.erase(0, c->pos);
    c->pos = 0;
    if (!ok || closed || close) break;
    // The next request, pipelined or arriving within the linger, runs on this worker; anything
    // else waits in the loop.
    if (next_request_arrives(*c)) continue;
    c->in.shrink_to_fit();
    bool handed_back = false;
    {
      std::lock_guard lock(mutex);
      if (!closing) {
        returned.push_back(std::move(c));
        handed_back = true;
      }
    }
    if (handed_back) {
      wake();
      return;
    }
    break;
  }
  open.fetch_sub(1);  // c's destructor closes the socket
}

ConnectionLoop::ConnectionLoop(int listen_fd, LoopOptions options, RequestRunner runner,
                               std::function<void(Rejection)> on_rejection)
    : impl_(std::make_unique<Impl>(listen_fd, std::move(options), std::move(runner), std::move(on_rejection))) {}

ConnectionLoop::~ConnectionLoop() = default;

void ConnectionLoop::run() {
  if (impl_->stop_requested.load()) return;
  impl_->run();
}

void ConnectionLoop::stop() {
  impl_->stop_requested.store(true);
  impl_->wake();
}

std::size_t ConnectionLoop::queued() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->queue.size();
}

}  // namespace cobuy::http
