// The in-stock rule through the API and `cobuy recommend`: out-of-stock items are left out of
// bought-together, similar, recommendations (basket and next order) and offers, the lists stay full,
// `filters.in_stock: false` (or `?in_stock=false`) brings them back, every item answer says
// `in_stock` where a catalogue said it, and bad values are 400s naming the field.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/artifact.h"
#include "server_fixture.h"
#include "support/model_builder.h"
#include "support/run_cobuy.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// kettle and sugar are out of stock, mug is said to be in stock, the rest say nothing.
std::shared_ptr<Model> stock_shop() {
  testing::ModelBuilder b;
  b.item("tea", "drinks", 3).item("saucer", "kitchen", 2).item("kettle", "kitchen", 30, false);
  b.item("cake", "food", 3).item("spoon", "kitchen", 1).item("mug", "kitchen", 5, true);
  b.item("sugar", "food", 1, false).item("biscuit", "food", 2);
  b.bought_with("tea", {"kettle", "saucer", "cake"});
  b.substitutes("tea", {"sugar", "mug"});
  b.popular({"sugar", "spoon", "biscuit", "kettle", "mug"});
  b.order("c", "2011-02-01", {"tea", "kettle"});
  auto m = std::make_shared<Model>(b.build());
  m->created_at = "2011-12-10T00:00:00Z";
  m->ingest_summary = json::object();
  return m;
}

/// item_id -> the item's "in_stock" field (null when absent), for every item of `items`.
std::map<std::string, json> stock_fields(const json& items) {
  std::map<std::string, json> out;
  for (const auto& i : items) out[i.at("item_id").get<std::string>()] = i.value("in_stock", json());
  return out;
}

class InStockApiTest : public ServerTest {
 protected:
  void SetUp() override {
    model_ = stock_shop();
    running_ = std::make_unique<Running>(model_);
  }
};

TEST_F(InStockApiTest, BoughtTogetherLeavesOutOfStockItemsOutUnlessAskedAndSaysInStock) {
  const auto in = get("/v1/items/tea/bought-together?limit=2");
  EXPECT_EQ(item_ids(in["items"]), (std::vector<std::string>{"saucer", "cake"}));
  EXPECT_EQ(stock_fields(in["items"]), (std::map<std::string, json>{{"saucer", nullptr}, {"cake", nullptr}}))
      << "no catalogue said anything of them: no field";
  EXPECT_EQ(item_ids(get("/v1/items/tea/bought-together?limit=2&in_stock=true")["items"]),
            (std::vector<std::string>{"saucer", "cake"}));
  const auto all = get("/v1/items/tea/bought-together?limit=2&in_stock=false");
  EXPECT_EQ(item_ids(all["items"]), (std::vector<std::string>{"kettle", "saucer"}));
  EXPECT_EQ(all["items"][0]["in_stock"], false);
  const auto bad = get("/v1/items/tea/bought-together?in_stock=no", 400);
  EXPECT_EQ(bad["error"]["code"], "bad_request");
  EXPECT_EQ(bad["error"]["message"], "parameter 'in_stock' must be true or false, got 'no'");
  EXPECT_EQ(get("/v1/items/kettle/bought-together")["item_id"], "kettle") << "an out-of-stock item may be asked about";
}

TEST_F(InStockApiTest, SimilarLeavesOutOfStockSubstitutesOut) {
  const auto in = get("/v1/items/tea/similar?limit=1");
  EXPECT_EQ(stock_fields(in["items"]), (std::map<std::string, json>{{"mug", true}}));
  const auto all = get("/v1/items/tea/similar?limit=1&in_stock=false");
  EXPECT_EQ(stock_fields(all["items"]), (std::map<std::string, json>{{"sugar", false}}));
  EXPECT_EQ(get("/v1/items/tea/similar?in_stock=1", 400)["error"]["message"],
            "parameter 'in_stock' must be true or false, got '1'");
}

TEST_F(InStockApiTest, BasketCompletionStaysFullWithoutOutOfStockItems) {
  const auto in = post("/v1/recommendations", R"({"items": ["tea"], "limit": 3})");
  EXPECT_EQ(item_ids(in["items"]), (std::vector<std::string>{"saucer", "cake", "spoon"}));
  const auto all = post("/v1/recommendations", R"({"items": ["tea"], "limit": 3, "filters": {"in_stock": false}})");
  EXPECT_EQ(item_ids(all["items"]), (std::vector<std::string>{"kettle", "saucer", "cake"}));
  EXPECT_EQ(all["items"][0]["in_stock"], false);
  EXPECT_EQ(item_ids(post("/v1/recommendations", R"({"items": ["tea"], "limit": 3, "filters": {"in_stock": null}})")["items"]),
            item_ids(in["items"]))
      << "null is the default";
  const auto bad = post("/v1/recommendations", R"({"items": ["tea"], "filters": {"in_stock": "no"}})", 400);
  EXPECT_EQ(bad["error"]["message"], "field 'filters.in_stock' must be true, false or null, got string \"no\"");
}

TEST_F(InStockApiTest, NextOrderStaysFullWithoutOutOfStockItems) {
  const auto in = post("/v1/recommendations", R"({"customer_id": "c", "limit": 4})");
  const auto stock = stock_fields(in["items"]);
  EXPECT_EQ(in["items"].size(), 4u);
  EXPECT_FALSE(stock.count("kettle"));
  EXPECT_FALSE(stock.count("sugar"));
  const auto all = post("/v1/recommendations", R"({"customer_id": "c", "limit": 4, "filters": {"in_stock": false}})");
  EXPECT_EQ(stock_fields(all["items"]).at("kettle"), false) << all.dump();
}

TEST_F(InStockApiTest, OffersLeaveOutOfStockItemsOutUnlessTheRequestSays) {
  const std::string order = R"("order": {"order_id": "o9", "timestamp": "2011-03-01", "items": [{"item_id": "tea"}]})";
  const auto in = post("/v1/offers", R"({"customer_id": "c", "limit": 4, )" + order + "}");
  const auto stock = stock_fields(in["offers"]);
  EXPECT_EQ(in["offers"].size(), 4u) << in.dump();
  EXPECT_FALSE(stock.count("kettle"));
  EXPECT_FALSE(stock.count("sugar"));
  if (stock.count("mug")) {
    EXPECT_EQ(stock.at("mug"), true);
  }
  const auto all = post("/v1/offers", R"({"customer_id": "c", "limit": 5, "filters": {"in_stock": false}, )" + order + "}");
  EXPECT_EQ(stock_fields(all["offers"]).at("kettle"), false) << all.dump();
}

TEST(InStockAnswers, WithoutACatalogueNoItemHasAnInStockField) {
  Running running(make_model());
  auto cli = running.client();
  for (const char* path : {"/v1/items/tea/bought-together", "/v1/items/tea/similar"}) {
    const auto res = cli.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body.find("in_stock"), std::string::npos) << path << ": " << res->body;
  }
  const auto res = cli.Post("/v1/recommendations", R"({"items": ["tea"], "limit": 8})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body.find("in_stock"), std::string::npos) << res->body;
}

TEST(InStockBatch, CobuyRecommendAppliesTheSameRule) {
  const auto dir = fs::temp_directory_path() / ("cobuy-in-stock-batch-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  save_model(*stock_shop(), (dir / "model").string());
  std::ofstream(dir / "q.jsonl") << R"({"id": "in", "items": ["tea"], "limit": 3})" << "\n"
                                 << R"({"id": "all", "items": ["tea"], "limit": 3, "filters": {"in_stock": false}})"
                                 << "\n"
                                 << R"({"id": "next", "customer_id": "c", "limit": 4})" << "\n";
  const auto run = testing::run_cobuy("recommend --model " + (dir / "model").string() + " --queries " +
                                      (dir / "q.jsonl").string() + " --out " + (dir / "r.jsonl").string());
  ASSERT_EQ(run.status, 0) << run.output;
  std::ifstream in(dir / "r.jsonl");
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  fs::remove_all(dir);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(item_ids(lines[0]["items"]), (std::vector<std::string>{"saucer", "cake", "spoon"}));
  EXPECT_EQ(item_ids(lines[1]["items"]), (std::vector<std::string>{"kettle", "saucer", "cake"}));
  EXPECT_EQ(lines[1]["items"][0]["in_stock"], false);
  EXPECT_EQ(lines[2]["items"].size(), 4u);
  EXPECT_FALSE(stock_fields(lines[2]["items"]).count("kettle"));
}

}  // namespace
}  // namespace cobuy
