#include "api/http/serve_loop.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <exception>
#include <thread>

#include "core/log.h"

namespace cobuy::cli {
namespace {

// Set by the handler. Threads started before serve_until_signal (OpenBLAS starts its pool when
// the library loads) do not block the signals, so the kernel may deliver one there: the handler
// turns that into a flag instead of the default action (SIGHUP would end the process).
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_reload{false};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int sig) {
  if (sig == SIGHUP) {
    g_reload.store(true);
  } else {
    g_stop_signal.store(sig);
  }
}

}  // namespace

void serve_until_signal(Server& server) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old[3];
  const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &action, &old[i]);
  // Threads started from here on (the server's workers) inherit the blocked mask; a signal no
  // thread accepts stays pending for sigtimedwait below.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    const timespec tick{0, 100'000'000};
    while (!done.load()) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig > 0) on_signal(sig);
      if (g_reload.exchange(false)) {
        // Reload on this thread: the server keeps answering on the old model meanwhile, and a
        // bad artifact is logged (by Server::reload) and leaves the old one serving.
        try {
          server.reload();
        } catch (const std::exception&) {
        }
        try {
          server.reload_keys();  // keys created or revoked since start-up; a bad file keeps the old keys
        } catch (const std::exception&) {
        }
      }
      if (const int stop = g_stop_signal.exchange(0); stop != 0) {
        log::info("shutting down", {{"signal", stop == SIGINT ? "SIGINT" : "SIGTERM"}});
        server.stop();
        return;
      }
    }
  });
  server.run();
  done.store(true);
  waiter.join();
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &old[i], nullptr);
}

}  // namespace cobuy::cli
