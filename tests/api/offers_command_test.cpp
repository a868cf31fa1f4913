// `cobuy offers` end to end (the built binary against in-process answers), its sharding, its
// all-or-nothing output, its argument errors, and run_offers_batch itself.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/slurp.h"
#include "api/http/offer_codec.h"
#include "api/http/offer_routes.h"
#include "api/cli/offers_batch.h"
#include "api/store/order_store.h"
#include "core/artifact.h"
#include "core/error.h"
#include "core/time_util.h"
#include "datasets/synthetic_orders.h"
#include "training/train.h"

namespace cobuy {
#include "support/run_cobuy.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using Run = cobuy::testing::CobuyRun;
Run run(const std::string& args) { return cobuy::testing::run_cobuy(args); }

std::vector<json> read_lines(const fs::path& p) {
  std::vector<json> out;
  std::ifstream f(p);
  for (std::string line; std::getline(f, line);) out.push_back(json::parse(line));
  return out;
}

using ::cobuy::test::slurp;

/// One model for the whole suite: 40 customers with 1-4 orders over 16 items in 4 categories.
class OffersCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cobuy-offers-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream orders(dir_ / "orders.csv");
    orders << "order_id,item_id,customer_id,timestamp,quantity,price,title,category\n";
    std::uint32_t state = 7;
    auto next = [&](std::uint32_t n) { return (state = state * 1103515245u + 12345u) / 65536u % n; };
    for (int c = 0; c < 40; ++c) {
      for (std::uint32_t k = 0, n = 1 + next(4); k < n; ++k) {
        const auto month = 1 + next(9), day = 1 + next(28), first = next(16);
        for (std::uint32_t l = 0, m = 1 + next(4); l < m; ++l) {
          const auto item = (first + l * (1 + next(2))) % 16;
          orders << "o" << c << "-" << k << ",i" << item << ",c" << c << ",2011-0" << month << "-" << (day < 10 ? "0" : "")
                 << day << "," << 1 + next(3) << "," << 1 + item * 0.5 << ",Item " << item << ",cat" << item % 4 << "\n";
        }
      }
    }
    orders.close();
    auto r = run("train --orders " + (dir_ / "orders.csv").string() + " --out " + (dir_ / "model").string());
    ASSERT_EQ(r.status, 0) << r.output;
    model_ = load_model((dir_ / "model").string());
  }
  static void TearDownTestSuite() {
    model_.reset();
    fs::remove_all(dir_);
  }
  void TearDown() override {
    for (const auto& e : fs::directory_iterator(dir_)) {
      EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << "temporary file left: " << e.path();
    }
  }
  static std::string offers_args(const std::string& rest, const std::string& out = "out.jsonl") {
    return "offers --model " + (dir_ / "model").string() + " --out " + (dir_ / out).string() + " " + rest;
  }
  static std::vector<std::string> ids(const std::vector<json>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(l["customer_id"]);
    return out;
  }

  static inline fs::path dir_;
  static inline std::shared_ptr<const Model> model_;
};

TEST_F(OffersCommandTest, EachLineEqualsTheInProcessAnswer) {
  std::ofstream(dir_ / "customers.txt") << "c3\n\n  c1 \r\nnobody\nc17\nc3\n";
  auto r = run(offers_args("--customers " + (dir_ / "customers.txt").string() +
                           " --context shipping --at 2011-10-01T08:00:00 --limit 3"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("5 customers"), std::string::npos) << "summary: " << r.output;
  const auto lines = read_lines(dir_ / "out.jsonl");
  const std::vector<std::string> want = {"c3", "c1", "nobody", "c17", "c3"};
  ASSERT_EQ(ids(lines), want) << "one line per listed customer, in file order";
  const OfferEngine engine(model_, OfferPolicy());
  for (std::size_t i = 0; i < want.size(); ++i) {
    OfferRequest q;
    q.customer_id = want[i];
    q.context = OfferContext::shipping;
    q.at = parse_timestamp("2011-10-01T08:00:00");
    q.limit = 3;
    EXPECT_EQ(lines[i], json::parse(offer_result_to_json(*model_, engine.offers(q, {})).dump())) << want[i];
    EXPECT_LE(lines[i]["offers"].size(), 3u);
  }
  EXPECT_EQ(lines[2]["unknown_customer"], true);

  // Defaults (order_confirmation, the engine's own time and limit) over every customer.
  r = run(offers_args("--all-customers", "all.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto all = read_lines(dir_ / "all.jsonl");
  ASSERT_EQ(ids(all), model_->customers.ids);
  for (std::size_t i = 0; i < all.size(); ++i) {
    OfferRequest q;
    q.customer_id = model_->customers.ids[i];
    EXPECT_EQ(all[i], json::parse(offer_result_to_json(*model_, engine.offers(q, {})).dump())) << q.customer_id;
    EXPECT_EQ(all[i]["context"], "order_confirmation");
    EXPECT_FALSE(all[i]["offers"].empty());
  }
}

TEST_F(OffersCommandTest, ShardsCoverAllCustomersExactlyOnce) {
  ASSERT_EQ(run(offers_args("--all-customers", "all.jsonl")).status, 0);
  const auto all = read_lines(dir_ / "all.jsonl");
  std::map<std::string, json> by_id;
  for (const auto& l : all) by_id[l["customer_id"]] = l;
  std::set<std::string> seen;
  for (int s = 0; s < 3; ++s) {
    const std::string out = "shard" + std::to_string(s) + ".jsonl";
    const auto r = run(offers_args("--all-customers --shard " + std::to_string(s) + "/3", out));
    ASSERT_EQ(r.status, 0) << r.output;
    const auto part = read_lines(dir_ / out);
    EXPECT_FALSE(part.empty()) << "40 customers leave no shard of 3 empty";
    for (const auto& l : part) {
      const std::string id = l["customer_id"];
      EXPECT_TRUE(seen.insert(id).second) << id << " is in two shards";
      EXPECT_EQ(l, by_id.at(id)) << "a shard's line equals the unsharded one";
      EXPECT_TRUE(in_shard(id, Shard{static_cast<std::uint32_t>(s), 3}));
    }
  }
  EXPECT_EQ(seen.size(), all.size());

  // Membership depends on the id alone, not on the list's order.
  std::ofstream list(dir_ / "reversed.txt");
  for (auto it = model_->customers.ids.rbegin(); it != model_->customers.ids.rend(); ++it) list << *it << "\n";
  list.close();
  ASSERT_EQ(run(offers_args("--customers " + (dir_ / "reversed.txt").string() + " --shard 1/3", "r.jsonl")).status, 0);
  const auto shard1 = ids(read_lines(dir_ / "shard1.jsonl"));
  auto reversed = ids(read_lines(dir_ / "r.jsonl"));
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(reversed, shard1);
}

TEST_F(OffersCommandTest, AFailedRunLeavesNoFileAndKeepsThePreviousOne) {
  auto r = run(offers_args("--all-customers --context bogus", "fresh.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_FALSE(fs::exists(dir_ / "fresh.jsonl"));
  r = run("offers --model " + (dir_ / "model").string() + " --all-customers --out " +
          (dir_ / "no-such-dir" / "out.jsonl").string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("cannot write"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "no-such-dir"));

  ASSERT_EQ(run(offers_args("--all-customers", "kept.jsonl")).status, 0);
  const std::string before = slurp(dir_ / "kept.jsonl");
  ASSERT_FALSE(before.empty());
  EXPECT_NE(run(offers_args("--all-customers --shard 3/2", "kept.jsonl")).status, 0);
  EXPECT_NE(run(offers_args("--all-customers --policy " + (dir_ / "no-policy.json").string(), "kept.jsonl")).status, 0);
  EXPECT_EQ(slurp(dir_ / "kept.jsonl"), before);

  // A failure after the whole batch was written (the rename onto a directory) removes the temp file.
  fs::create_directories(dir_ / "taken" / "sub");
  r = run(offers_args("--all-customers", "taken"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("cannot rename"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_directory(dir_ / "taken" / "sub"));
}

TEST_F(OffersCommandTest, BadArgumentsGiveOneClearLine) {
  fs::remove(dir_ / "out.jsonl");
  std::ofstream(dir_ / "empty.txt") << "\n  \n";
  const std::string list = " --customers " + (dir_ / "missing.txt").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--all-customers --context bogus", "win_back"},
      {"--all-customers --shard 3/2", "'3/2'"},
      {"--all-customers --shard x", "'x'"},
      {"--all-customers --shard 1/0", "'1/0'"},
      {"--all-customers --at yesterday", "'yesterday'"},
      {list, "missing.txt"},
      {"--customers " + (dir_ / "empty.txt").string(), "no customer ids"},
      {"--all-customers" + list, "exclude each other"},
      {"", "--all-customers"},
      {"--all-customers --limit 51", "max_limit 50"},
      {"--all-customers --orders-db " + (dir_ / "nowhere.db").string(), "nowhere.db"},
  };
  for (const auto& [args, needle] : cases) {
    const auto r = run(offers_args(args));
    EXPECT_NE(r.status, 0) << args;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << args << ": " << r.output;
  }
  EXPECT_NE(run(offers_args("--all-customers --context bogus")).output.find("order_confirmation"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "out.jsonl"));
}

TEST_F(OffersCommandTest, OrdersDbOrdersAnchorTheOffers) {
  const auto db = (dir_ / "orders.db").string();
  {
    auto store = OrderStore::open(db);
    PlacedOrder o;
    o.order_id = "new-1";
    o.customer_id = "c5";
    o.time = model_->stats.last_order + 86400;
    o.lines = {{"i2", 1.0, 1.5}, {"i9", 2.0, std::nullopt}};
    ASSERT_EQ(store->record_order(o), RecordResult::recorded);
    store->record_offers("c5", {{"i3", "x"}}, "shipping", o.time);
  }
  std::ofstream(dir_ / "c5.txt") << "c5\nc6\n";
  const auto r = run(offers_args("--customers " + (dir_ / "c5.txt").string() + " --orders-db " + db, "db.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto lines = read_lines(dir_ / "db.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  auto store = OrderStore::open(db);
  const OfferEngine engine(model_, OfferPolicy());
  for (const auto& l : lines) {
    OfferRequest q;
    q.customer_id = l["customer_id"];
    const auto want = engine.offers(q, customer_log(store.get(), *model_, q.customer_id));
    EXPECT_EQ(l, json::parse(offer_result_to_json(*model_, want).dump()));
  }
  EXPECT_EQ(lines[0]["at"], format_timestamp(model_->stats.last_order + 86400)) << "anchored on the logged order";
  for (const auto& o : lines[0]["offers"]) EXPECT_NE(o["item_id"], "i3") << "offered too recently";
}

/// The coupon codes of a batch's (or an answer's) discounted offers; fails for a discount without one.
std::vector<std::string> coupon_codes(const std::vector<json>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    for (const auto& o : l["offers"]) {
      EXPECT_EQ(o.contains("discount_percent"), o.contains("coupon_code")) << o;
      if (o.contains("coupon_code")) out.push_back(o["coupon_code"]);
    }
  }
  return out;
}

// A batch with single-use codes needs the order log, and claims its codes there: a server on the
// same log, and the next batch, get other codes.
TEST_F(OffersCommandTest, SingleUseCouponCodesAreClaimedFromTheOrderLogOnce) {
  {
    std::ofstream codes(dir_ / "batch_codes.txt");
    for (int k = 0; k < 400; ++k) codes << "B" << k << "\n";
  }
  const std::string policy = (dir_ / "coupon_policy.json").string();
  std::ofstream(policy) << R"({"coupon_codes": "batch_codes.txt"})";
  auto r = run(offers_args("--all-customers --policy " + policy, "coupons.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("coupon_codes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--orders-db"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "coupons.jsonl"));

  const auto db = (dir_ / "coupons.db").string();
  OrderStore::open(db).reset();
  r = run(offers_args("--all-customers --policy " + policy + " --orders-db " + db, "coupons.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto lines = read_lines(dir_ / "coupons.jsonl");
  const auto first = coupon_codes(lines);
  ASSERT_FALSE(first.empty()) << "the test needs customers with a discount";
  EXPECT_NE(r.output.find("coupon codes: " + std::to_string(first.size()) + " claimed"), std::string::npos) << r.output;
  std::set<std::string> used(first.begin(), first.end());
  EXPECT_EQ(used.size(), first.size()) << "no code twice";
  auto store = OrderStore::open(db);
  EXPECT_EQ(store->coupon_codes_left(),
            (std::vector<std::pair<std::string, std::uint64_t>>{{"any", 400 - first.size()}}));

  // The server's answer for a customer of the batch: the same discounts, other codes.
  const auto with_code =
      std::find_if(lines.begin(), lines.end(), [](const json& l) { return !coupon_codes({l}).empty(); });
  const OfferEngine engine(model_, load_offer_policy(policy));
  const json served = answer_offers(engine, store.get(), {{"customer_id", (*with_code)["customer_id"]}});
  const auto server_codes = coupon_codes({served});
  EXPECT_EQ(server_codes.size(), coupon_codes({*with_code}).size());
  for (const auto& c : server_codes) EXPECT_TRUE(used.insert(c).second) << c << " was given by the batch";

  r = run(offers_args("--all-customers --policy " + policy + " --orders-db " + db, "coupons2.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto second = coupon_codes(read_lines(dir_ / "coupons2.jsonl"));
  EXPECT_EQ(second.size(), first.size());
  for (const auto& c : second) EXPECT_TRUE(used.insert(c).second) << c << " was given before";
}

TEST(OffersBatch, ParallelBlocksKeepInputOrderAndCarryErrorsBack) {
  datasets::SyntheticOrdersConfig sc;
  sc.customers = 1500;
  sc.items = 400;
  const OrderData data = datasets::synthetic_orders(sc);
  ASSERT_TRUE(std::is_sorted(data.orders.begin(), data.orders.end(),
                             [](const Order& a, const Order& b) { return a.time < b.time; }));
  for (const auto& order : data.orders) ASSERT_TRUE(!order.lines.empty() && order.lines.size() <= sc.max_items);
  const OrderData again = datasets::synthetic_orders(sc);
  ASSERT_EQ(again.orders.size(), data.orders.size()) << "seeded";
  EXPECT_EQ(again.orders.back().time, data.orders.back().time);
  EXPECT_EQ(again.orders.back().lines.size(), data.orders.back().lines.size());
  TrainConfig config;
  config.blend.ease = 0;
  auto model = std::make_shared<const Model>(train_model(data, config));
  const OfferEngine engine(model, OfferPolicy());
  const std::vector<std::string> customers = all_customers(*model);
  ASSERT_EQ(customers.size(), 1500u);
  OffersBatchOptions o;
  o.block = 7;
  std::ostringstream serial, parallel;
  o.threads = 1;
  run_offers_batch(engine, customers, o, serial);
  o.threads = 2;
  std::atomic<int> calls{0};
  const LogLookup count = [&](const std::string&) {
    ++calls;
    return CustomerLog{};
  };
  const auto stats = run_offers_batch(engine, customers, o, parallel, nullptr, &count);
  EXPECT_EQ(parallel.str(), serial.str());
  EXPECT_EQ(calls.load(), 1500);
  EXPECT_EQ(stats.customers, 1500u);
  EXPECT_EQ(stats.offers, 1500u * 5) << "the policy's limit, filled with popular items where short";
  EXPECT_EQ(stats.bytes, serial.str().size());
  EXPECT_EQ(serial.str().rfind("{\"arm\":\"cobuy\",\"at\":", 0), 0u) << serial.str().substr(0, 80);

  const LogLookup failing = [](const std::string& id) {
    COBUY_CHECK(id != "c700", ErrorCode::io, "log unreadable");
    return CustomerLog{};
  };
  std::ostringstream sink;
  try {
    run_offers_batch(engine, customers, o, sink, nullptr, &failing);
    FAIL() << "the worker's exception must reach the caller";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find("customer 'c700': log unreadable"), std::string::npos) << e.what();
  }
}

TEST(OffersBatch, ShardsAreFnv1aOfTheIdModuloN) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  const Shard s = parse_shard("2/5");
  EXPECT_EQ(s.index, 2u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(in_shard("a", s), 0xaf63dc4c8601ec8cULL % 5 == 2);
  for (const char* bad : {"5/5", "-1/3", "1/", "/3", "1/3/4", "a/b", " 1/3", "0/0"}) {
    EXPECT_THROW(parse_shard(bad), Error) << bad;
  }
  const std::vector<std::string> ids = {"x", "y", "z", "w"};
  EXPECT_EQ(shard_customers(ids, Shard{}), ids);
}

}  // namespace
}  // namespace cobuy

namespace cobuy {
namespace {

// The A/B holdout in batch: each customer's arm is the one the holdout's hash gives (as in the
// server: tests/api/feedback_api_test.cpp), held-out customers get the popular baseline, and each
// line is still the in-process answer under the same policy.
TEST_F(OffersCommandTest, HoldoutCustomersGetTheBaselineAsInTheServer) {
  const fs::path policy = dir_ / "holdout_policy.json";
  std::ofstream(policy) << R"({"holdout": {"share": 0.5, "salt": "batch-test", "baseline": "popular"}})";
  auto r = run(offers_args("--all-customers --policy " + policy.string(), "holdout.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto lines = read_lines(dir_ / "holdout.jsonl");
  const OfferPolicy p = load_offer_policy(policy.string());
  const OfferEngine engine(model_, p);
  int held = 0;
  ASSERT_EQ(lines.size(), model_->customers.ids.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& id = model_->customers.ids[i];
    const Arm arm = assign_arm(p.holdout, id);
    EXPECT_EQ(lines[i]["arm"], arm_name(arm)) << id;
    OfferRequest q;
    q.customer_id = id;
    EXPECT_EQ(lines[i], json::parse(offer_result_to_json(*model_, engine.offers(q, {})).dump())) << id;
    if (arm == Arm::holdout) {
      ++held;
      for (const auto& o : lines[i]["offers"]) EXPECT_EQ(o["kind"], "popular") << id;
    }
  }
  EXPECT_GT(held, 5) << "about half of 40 customers";
  EXPECT_LT(held, 35);
}

}  // namespace
}  // namespace cobuy
