#include "api/serve_loop.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <thread>

#include "core/log.h"

namespace cobuy::cli {

void serve_until_signal(Server& server) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  // Threads started from here on (the server's workers) inherit the blocked mask.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    const timespec tick{0, 200'000'000};
    while (!done.load()) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        log::info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        server.stop();
        return;
      }
    }
  });
  server.run();
  done.store(true);
  waiter.join();
}

}  // namespace cobuy::cli
