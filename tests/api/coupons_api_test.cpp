// Single-use coupon codes over HTTP (a policy's coupon_codes and an order log): a send's codes
// come from the file in order and stay with its send id, other sends get other codes, a preview
// shows a placeholder and claims nothing, an empty pool sends the offer without its discount
// (counted in /metrics), a restart and a reload keep what was claimed and take appended codes,
// a request that loses a race on its send id puts its codes back, and the server refuses a
// policy with codes but no order log.
#include <fstream>
#include <utility>

#include "api/http/offer_routes.h"
#include "api/store/order_store.h"
#include "core/artifact.h"
#include "core/coupon_codes.h"
#include "server_fixture.h"
#include "support/run_cobuy.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// bob's order of tea (a new customer: 10% off every cross-sell), posted with the offers request.
std::string offers_body(const std::string& customer, const std::string& extra = "") {
  return R"({"customer_id": ")" + customer + R"(", "context": "shipping", "order": {"order_id": "o-)" + customer +
         R"(", "timestamp": "2011-04-10T09:00:00Z", "items": [{"item_id": "tea", "quantity": 2, "price": 2.5}]})" +
         extra + "}";
}

/// The coupon codes of an answer's discounted offers, in order; fails for a discount without one.
std::vector<std::string> codes_of(const json& answer) {
  std::vector<std::string> out;
  for (const auto& o : answer.at("offers")) {
    if (!o.contains("discount_percent")) {
      EXPECT_FALSE(o.contains("coupon_code")) << o;
      continue;
    }
    EXPECT_TRUE(o.contains("coupon_code")) << "a discount without its code: " << o;
    if (o.contains("coupon_code")) out.push_back(o["coupon_code"]);
  }
  return out;
}

class CouponsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-coupons-api-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write_codes(12);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// codes.txt with codes S01 ... S`n` (and a comment), for 10% discounts.
  void write_codes(int n) const {
    std::ofstream f(dir_ / "codes.txt");
    f << "# single-use codes, 10% off\n";
    for (int k = 1; k <= n; ++k) f << "S" << (k < 10 ? "0" : "") << k << "\n";
  }
  /// The first `n` codes of codes.txt, from the `from`-th (1-based).
  static std::vector<std::string> file_codes(int from, int n) {
    std::vector<std::string> out;
    for (int k = from; k < from + n; ++k) out.push_back(std::string("S") + (k < 10 ? "0" : "") + std::to_string(k));
    return out;
  }
  ServerOptions options() const {
    ServerOptions o = Running::test_options();
    o.orders = OrderStore::open(db());
    o.policy.limit = 3;
    o.policy.coupon_codes = {{10.0, (dir_ / "codes.txt").string()}};
    return o;
  }
  std::unique_ptr<Running> start() const { return std::make_unique<Running>(make_model(), options()); }
  std::string db() const { return (dir_ / "orders.db").string(); }

  static json post(Running& r, const std::string& body, int status = 200) {
    auto c = r.client();
    auto res = c.Post("/v1/offers", body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << body << ": " << res->body;
    return json::parse(res->body);
  }
  static std::string metrics(Running& r) {
    auto c = r.client();
    auto res = c.Get("/metrics");
    EXPECT_TRUE(res && res->status == 200);
    return res ? res->body : "";
  }

  fs::path dir_;
};

TEST_F(CouponsApiTest, ASendKeepsItsCodesAndOtherSendsGetTheNextOnes) {
  auto running = start();
  const auto first = post(*running, offers_body("bob", R"(, "send_id": "mail-1")"));
  const auto bob = codes_of(first);
  ASSERT_FALSE(bob.empty()) << first;
  EXPECT_EQ(bob, file_codes(1, static_cast<int>(bob.size()))) << "in file order";
  for (int retry = 0; retry < 2; ++retry) {
    EXPECT_EQ(post(*running, offers_body("bob", R"(, "send_id": "mail-1")")), first) << "the very same codes";
  }
  EXPECT_EQ(post(*running, offers_body("bob", R"(, "send_id": "mail-1", "preview": true)")), first);
  const auto carol = codes_of(post(*running, offers_body("carol", R"(, "send_id": "mail-2")")));
  ASSERT_FALSE(carol.empty());
  EXPECT_EQ(carol, file_codes(1 + static_cast<int>(bob.size()), static_cast<int>(carol.size())))
      << "the next codes: the retries claimed none";
  // Without a send id every answer that is logged claims codes of its own.
  const auto dave = codes_of(post(*running, offers_body("dave")));
  EXPECT_EQ(dave, file_codes(1 + static_cast<int>(bob.size() + carol.size()), static_cast<int>(dave.size())));
  const auto store = OrderStore::open(db());
  EXPECT_EQ(store->coupon_codes_left(),
            (std::vector<std::pair<std::string, std::uint64_t>>{{"10", 12 - bob.size() - carol.size() - dave.size()}}));
}

TEST_F(CouponsApiTest, APreviewShowsAPlaceholderAndClaimsNothing) {
  auto running = start();
  const auto preview = post(*running, offers_body("bob", R"(, "send_id": "mail-1", "preview": true)"));
  const auto shown = codes_of(preview);
  ASSERT_FALSE(shown.empty());
  for (const auto& c : shown) EXPECT_EQ(c, kPreviewCouponCode);
  const auto sent = codes_of(post(*running, offers_body("bob", R"(, "send_id": "mail-1")")));
  EXPECT_EQ(sent, file_codes(1, static_cast<int>(shown.size()))) << "the preview used up no code";
}

TEST_F(CouponsApiTest, AnEmptyPoolSendsTheOfferWithoutItsDiscountAndIsCounted) {
  write_codes(1);
  auto running = start();
  const auto answer = post(*running, offers_body("bob"));
  std::size_t discounted = 0, plain_cross_sells = 0;
  for (const auto& o : answer["offers"]) {
    if (o.contains("discount_percent")) ++discounted;
    if (o["kind"] == "cross_sell" && !o.contains("discount_percent")) {
      ++plain_cross_sells;
      EXPECT_FALSE(o.contains("discounted_price")) << o;
      EXPECT_FALSE(o.contains("valid_until")) << o;
    }
  }
  EXPECT_EQ(codes_of(answer), file_codes(1, 1));
  EXPECT_EQ(discounted, 1u);
  ASSERT_GE(plain_cross_sells, 1u) << "the test needs two cross-sells for one code: " << answer;
  const std::string text = metrics(*running);
  EXPECT_NE(text.find("cobuy_offers_without_coupon_total " + std::to_string(plain_cross_sells)), std::string::npos)
      << text;
  EXPECT_NE(text.find("cobuy_coupon_codes_left{pool=\"10\"} 0"), std::string::npos) << text;
}

TEST_F(CouponsApiTest, ARestartKeepsTheClaimsAndAReloadTakesCodesAppendedToTheFile) {
  std::vector<std::string> before;
  {
    auto running = start();
    before = codes_of(post(*running, offers_body("bob")));
    ASSERT_FALSE(before.empty());
  }
  write_codes(12);  // the file as it was: importing it again at start adds nothing
  const std::string model_dir = (dir_ / "model").string();
  save_model(*make_model(), model_dir);
  ServerOptions o = options();
  o.model_dir = model_dir;
  const auto store = o.orders;
  Running running(make_model(), o);
  const auto after = codes_of(post(running, offers_body("carol")));
  EXPECT_EQ(after, file_codes(1 + static_cast<int>(before.size()), static_cast<int>(after.size())));
  // Use the pool up, then append codes and reload: they join the pool.
  for (int k = 0; k < 20 && !store->coupon_codes_left().empty(); ++k) {
    post(running, offers_body("d" + std::to_string(k)));
  }
  ASSERT_TRUE(store->coupon_codes_left().empty());
  write_codes(14);
  auto c = running.client();
  auto res = c.Post("/v1/admin/reload", "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_NE(metrics(running).find("cobuy_coupon_codes_left{pool=\"10\"} 2"), std::string::npos);
  EXPECT_EQ(codes_of(post(running, offers_body("erin")))[0], "S13");
}

/// An order log that misses one send on its first look-up, as if another request (a replica, a
/// retry) stored it just after: the request then loses the race on record_send.
class RacingStore : public OrderStore {
 public:
  explicit RacingStore(std::unique_ptr<OrderStore> log) : log_(std::move(log)) {}
  std::optional<Send> find_send(std::string_view id) const override {
    return std::exchange(missed_, true) ? log_->find_send(id) : std::nullopt;
  }
  HistoryChanges history_changes() const override { return log_->history_changes(); }
  std::vector<PlacedOrder> customer_orders(std::string_view c, const OrderFilter& f) const override {
    return log_->customer_orders(c, f);
  }
  std::vector<PlacedOrder> all_orders() const override { return log_->all_orders(); }
  std::uint64_t order_count() const override { return log_->order_count(); }
  std::vector<Send> sends_between(Timestamp a, Timestamp b) const override { return log_->sends_between(a, b); }
  std::vector<OfferEvent> events_between(Timestamp a, Timestamp b) const override { return log_->events_between(a, b); }
  /// Nothing: the loser read the log before the winner logged its offers.
  std::vector<std::pair<std::string, Timestamp>> offered_since(std::string_view, Timestamp) const override {
    return {};
  }
  std::vector<std::pair<std::string, std::uint64_t>> coupon_codes_left() const override {
    return log_->coupon_codes_left();
  }

 private:
  RecordResult insert_order(const PlacedOrder& o) override { return log_->record_order(o); }
  void insert_offers(std::string_view c, const std::vector<std::pair<std::string, std::string>>& ids,
                     std::string_view context, Timestamp at) override {
    log_->record_offers(c, ids, context, at);
  }
  std::optional<Send> insert_send(const Send& s, const std::vector<std::pair<std::string, std::string>>& ids) override {
    return log_->record_send(s, ids);
  }
  RecordResult insert_event(const OfferEvent& e, Timestamp) override { return log_->record_event(e); }
  std::uint64_t insert_coupon_codes(std::string_view pool, const std::vector<std::string>& codes, Timestamp) override {
    return log_->import_coupon_codes(pool, codes);
  }
  std::vector<std::optional<std::string>> take_coupon_codes(const std::vector<CouponClaim>& claims,
                                                            std::string_view send_id, Timestamp) override {
    return log_->claim_coupon_codes(claims, send_id);
  }
  std::uint64_t return_coupon_codes(const std::vector<std::string>& codes, std::string_view send_id) override {
    released += log_->release_coupon_codes(codes, send_id);
    return released;
  }

 public:
  std::uint64_t released = 0;  ///< codes put back

 private:
  CancelResult mark_cancelled(std::string_view id) override { return log_->cancel_order(id); }
  RecordResult insert_return(const OrderReturn& r) override { return log_->record_return(r); }
  Erasure delete_customer(std::string_view id, std::string_view) override { return log_->erase_customer(id); }
  bool erased_key_known(std::string_view) const override { return false; }  // nobody is erased here

  std::unique_ptr<OrderStore> log_;
  mutable bool missed_ = false;
};

TEST_F(CouponsApiTest, ARequestThatLosesTheRaceOnItsSendIdPutsItsCodesBack) {
  auto o = options();
  const OfferEngine engine(make_model(), o.policy);
  import_policy_coupons(o.orders.get(), o.policy);
  const json body = json::parse(offers_body("bob", R"(, "send_id": "mail-1")"));
  const json won = answer_offers(engine, o.orders.get(), body);
  const auto codes = codes_of(won);
  ASSERT_FALSE(codes.empty());
  RacingStore racing(OrderStore::open(db()));
  const json lost = answer_offers(engine, &racing, body);
  EXPECT_EQ(lost, won) << "the loser answers what the winner stored";
  EXPECT_EQ(racing.released, codes.size()) << "the loser claimed codes of its own, and put them back";
  EXPECT_EQ(o.orders->coupon_codes_left(),
            (std::vector<std::pair<std::string, std::uint64_t>>{{"10", 12 - codes.size()}}))
      << "the loser's codes went back";
  const auto next = codes_of(answer_offers(engine, o.orders.get(), json::parse(offers_body("carol"))));
  EXPECT_EQ(next, file_codes(1 + static_cast<int>(codes.size()), static_cast<int>(next.size())))
      << "and go out next, in file order";
}

TEST_F(CouponsApiTest, ErasingACustomerKeepsTheirCodesUsed) {
  auto running = start();
  const auto bob = codes_of(post(*running, offers_body("bob", R"(, "send_id": "mail-1")")));
  ASSERT_FALSE(bob.empty());
  auto c = running->client();
  auto res = c.Delete("/v1/customers/bob");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  const auto carol = codes_of(post(*running, offers_body("carol")));
  EXPECT_EQ(carol, file_codes(1 + static_cast<int>(bob.size()), static_cast<int>(carol.size())));
}

TEST_F(CouponsApiTest, CodesWithoutAnOrderLogAreRefused) {
  ServerOptions o = options();
  o.orders.reset();
  try {
    Server server(make_model(), o);
    ADD_FAILURE() << "a server without an order log took single-use codes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find("--orders-db"), std::string::npos) << e.what();
  }
  // In process, a preview needs no log (the placeholder), an answer to send does.
  const OfferEngine engine(make_model(), o.policy);
  EXPECT_EQ(codes_of(answer_offers(engine, nullptr, json::parse(offers_body("bob", R"(, "preview": true)"))))[0],
            kPreviewCouponCode);
  EXPECT_THROW(answer_offers(engine, nullptr, json::parse(offers_body("bob"))), Error);

  // `cobuy serve` refuses to start, naming the flag.
  save_model(*make_model(), (dir_ / "model").string());
  std::ofstream(dir_ / "policy.json") << R"({"coupon_codes": {"10": "codes.txt"}})";
  const auto run = testing::run_cobuy("serve --port 0 --model " + (dir_ / "model").string() + " --policy " +
                                      (dir_ / "policy.json").string());
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("coupon_codes"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("--orders-db"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace cobuy
