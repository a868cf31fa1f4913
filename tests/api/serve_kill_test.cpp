// The order log survives a killed server: orders acknowledged by `cobuy serve --orders-db`
// before a SIGKILL are all there, whole, after a restart, and the restarted server uses them.

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "api/order_store.h"
#include "core/artifact.h"
#include "core/time_util.h"
#include "serve_process.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

TEST(ServeKill, OrdersAcknowledgedBeforeASigkillAreThereAfterRestart) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-serve-kill-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  save_model(*make_model(), (dir / "model").string());
  const fs::path db = dir / "orders.db";

  constexpr int kOrders = 40;
  int acked = 0;
  {
    ServeProcess serve(dir / "model", db);
    auto c = serve.client();
    for (int k = 0; k < kOrders; ++k) {
      const json order = {{"order_id", "k" + std::to_string(k)},
                          {"customer_id", "cust" + std::to_string(k % 5)},
                          {"timestamp", 1302000000 + k * 3600},
                          {"items", {{{"item_id", "tea"}, {"quantity", 1}}, {{"item_id", "cake"}, {"price", 4.0}}}}};
      auto res = c.Post("/v1/orders", order.dump(), "application/json");
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 201) << res->body;
      ++acked;
    }
    serve.kill(SIGKILL);
  }
  ASSERT_EQ(acked, kOrders);
  {
    const auto store = OrderStore::open(db.string());
    EXPECT_EQ(store->order_count(), static_cast<std::uint64_t>(kOrders));
    for (const auto& o : store->all_orders()) EXPECT_EQ(o.lines.size(), 2u) << o.order_id;
  }
  // The restarted server knows them: cust1's latest logged order anchors its offers.
  ServeProcess again(dir / "model", db);
  auto c = again.client();
  auto res = c.Post("/v1/offers", R"({"customer_id": "cust1", "context": "shipping", "record": false})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto answer = json::parse(res->body);
  EXPECT_EQ(answer["at"], format_timestamp(1302000000 + 36 * 3600));  // order k36, cust1's last
  EXPECT_FALSE(answer.contains("unknown_customer"));
  auto dup = c.Post("/v1/orders", json({{"order_id", "k3"}, {"customer_id", "cust3"}, {"timestamp", 1302000000 + 3 * 3600},
                                        {"items", {{{"item_id", "tea"}, {"quantity", 1}}, {{"item_id", "cake"}, {"price", 4.0}}}}})
                                      .dump(),
                    "application/json");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 200) << "the same order again is a duplicate, not a new one: " << dup->body;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
