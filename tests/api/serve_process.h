#pragma once
/// `cobuy serve` in a child process, for tests of signals and crashes.

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "server_fixture.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// `cobuy serve` in a child process, up and answering /healthz when the constructor returns.
class ServeProcess {
 public:
  /// `db` empty = no --orders-db.
  ServeProcess(const fs::path& model, const fs::path& db) : port_(free_port()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = std::to_string(port_);
      if (db.empty()) {
        ::execl(COBUY_BINARY, COBUY_BINARY, "--log-level", "error", "serve", "--model", model.c_str(), "--port",
                port.c_str(), static_cast<char*>(nullptr));
      } else {
        ::execl(COBUY_BINARY, COBUY_BINARY, "--log-level", "error", "serve", "--model", model.c_str(), "--port",
                port.c_str(), "--orders-db", db.c_str(), static_cast<char*>(nullptr));
      }
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      auto c = client();
      if (auto res = c.Get("/healthz"); res && res->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "cobuy serve did not come up on port " << port_;
  }
  ~ServeProcess() { kill(SIGTERM); }
  /// Sends `sig` and returns at once (the process keeps running if it handles the signal).
  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  /// Sends `sig` and waits for the process to end.
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(5, 0);
    return c;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

}  // namespace
}  // namespace cobuy
