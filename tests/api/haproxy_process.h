#pragma once
/// haproxy from Debian in a child process, for the tests of proxied deployments: started in the
/// foreground with one of the repository's deploy/*.cfg files, whose addresses come from the
/// environment; up and answering /healthz when the constructor returns; stopped on destruction.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

namespace cobuy {
namespace {

constexpr const char* kHaproxy = "/usr/sbin/haproxy";

class Haproxy {
 public:
  /// haproxy on 127.0.0.1:`proxy_port` (COBUY_PROXY_BIND) with deploy/`config_name` and the other
  /// variables of `env` set.
  Haproxy(int proxy_port, const std::string& config_name, const std::vector<std::pair<std::string, std::string>>& env)
      : port_(proxy_port) {
    const std::string config = std::string(COBUY_BUNDLED_DATASETS) + "/../deploy/" + config_name;
    const std::string bind = "127.0.0.1:" + std::to_string(proxy_port);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("COBUY_PROXY_BIND", bind.c_str(), 1);
      for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
      ::execl(kHaproxy, kHaproxy, "-db", "-q", "-f", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      httplib::Client c("127.0.0.1", port_);
      c.set_connection_timeout(1, 0);
      if (auto res = c.Get("/healthz"); res && res->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "haproxy did not come up on port " << port_;
  }
  ~Haproxy() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Haproxy(const Haproxy&) = delete;
  Haproxy& operator=(const Haproxy&) = delete;

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(5, 0);
    return c;
  }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

}  // namespace
}  // namespace cobuy
