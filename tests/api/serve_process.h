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
  /// `db` empty = no --orders-db; `extra` = more `cobuy serve` flags.
  ServeProcess(const fs::path& model, const fs::path& db, const std::vector<std::string>& extra = {})
      : port_(free_port()) {
    std::vector<std::string> args = {COBUY_BINARY, "--log-level", "error", "serve", "--model", model.string(),
                                     "--port", std::to_string(port_)};
    if (!db.empty()) args.insert(args.end(), {"--orders-db", db.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execv(COBUY_BINARY, argv.data());
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
  /// Sends `sig` and waits for the process to end; returns its wait status (-1 if not running).
  int kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  /// Waits for the process to end by itself; returns its wait status (-1 if not running).
  int wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  int port() const { return port_; }
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
