// Graceful shutdown of `cobuy serve`: SIGTERM stops accepting, still answers a request that was
// in flight (its body half sent when the signal came), exits 0, and closes the order log cleanly
// (SQLite folds its write-ahead log back into the database file on a clean close).

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "api/store/order_store.h"
#include "core/artifact.h"
#include "serve_process.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

int connect_to(int port) {
  const int fd = connect_loopback(port);
  if (fd < 0) return -1;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << "send failed";
    sent += static_cast<std::size_t>(n);
  }
}

/// Everything the server sends until it closes the connection (or 10 s pass).
std::string read_to_close(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST(ServeShutdown, SigtermFinishesTheRequestInFlightThenClosesTheOrderLogAndExitsZero) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-serve-shutdown-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  save_model(*make_model(), (dir / "model").string());
  const fs::path db = dir / "orders.db";

  ServeProcess serve(dir / "model", db);
  {
    // An order recorded before the signal: the log has a write-ahead log file while it is open.
    auto c = serve.client();
    const json first = {{"order_id", "before"}, {"customer_id", "bob"}, {"timestamp", 1302000000},
                        {"items", {{{"item_id", "tea"}, {"quantity", 1}, {"price", 2.5}}}}};
    auto res = c.Post("/v1/orders", first.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
  }
  ASSERT_TRUE(fs::exists(fs::path(db.string() + "-wal"))) << "the order log is not in WAL mode";

  const std::string body = json{{"order_id", "in-flight"},
                                {"customer_id", "bob"},
                                {"timestamp", 1302003600},
                                {"items", {{{"item_id", "cake"}, {"quantity", 2}, {"price", 4.0}}}}}
                               .dump();
  const int fd = connect_to(serve.port());
  ASSERT_GE(fd, 0);
  const std::size_t half = body.size() / 2;
  send_all(fd, "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, half));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server is reading the body
  serve.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // It no longer accepts new connections...
  EXPECT_EQ(connect_to(serve.port()), -1) << "still accepting after SIGTERM";
  // ... but answers the request it was reading.
  send_all(fd, body.substr(half));
  const std::string answer = read_to_close(fd);
  ::close(fd);
  EXPECT_NE(answer.find("HTTP/1.1 201"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"recorded\""), std::string::npos) << answer;

  const int status = serve.wait();
  ASSERT_TRUE(WIFEXITED(status)) << "did not exit normally, wait status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // Closed cleanly: SQLite removed the write-ahead log after checkpointing it.
  EXPECT_FALSE(fs::exists(fs::path(db.string() + "-wal"))) << "the order log was not closed cleanly";
  const auto store = OrderStore::open(db.string());
  std::vector<std::string> ids;
  for (const auto& o : store->all_orders()) ids.push_back(o.order_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"before", "in-flight"}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
