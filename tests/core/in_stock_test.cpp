// The in-stock rule: an item a catalogue marks out of stock is never shown by basket completion,
// next order, bought-together, similar or offers unless the request's filters.in_stock is false;
// the lists stay full from the next candidates; the stock flags survive the artifact.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "core/artifact.h"
#include "core/offers.h"
#include "core/recommender.h"
#include "core/time_util.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

/// kettle, teacup and sugar are out of stock; mug is said to be in stock; the rest say nothing.
std::shared_ptr<const Model> stock_shop() {
  testing::ModelBuilder b;
  b.item("tea", "drinks", 3).item("saucer", "kitchen", 2).item("kettle", "kitchen", 30, false);
  b.item("cake", "food", 3).item("spoon", "kitchen", 1).item("mug", "kitchen", 5, true);
  b.item("teacup", "kitchen", 4, false).item("sugar", "food", 1, false).item("biscuit", "food", 2);
  b.bought_with("tea", {"kettle", "saucer", "cake"});
  b.bought_with("kettle", {"sugar", "tea"});
  b.substitutes("tea", {"teacup", "mug"});
  b.popular({"sugar", "spoon", "biscuit", "kettle", "mug"});
  b.order("c", "2011-02-01", {"tea", "kettle"});
  return std::make_shared<const Model>(b.build());
}

std::vector<std::string> ids(const Model& m, const std::vector<Recommendation>& recs) {
  std::vector<std::string> out;
  for (const auto& r : recs) out.push_back(m.catalog.ids[r.item]);
  return out;
}

using Ids = std::vector<std::string>;

TEST(InStock, CatalogSaysInOutOrNothing) {
  const auto m = stock_shop();
  const auto& c = m->catalog;
  EXPECT_EQ(c.stock_said(*c.find("kettle")), false);
  EXPECT_EQ(c.stock_said(*c.find("mug")), true);
  EXPECT_EQ(c.stock_said(*c.find("tea")), std::nullopt);
  EXPECT_TRUE(c.out_of_stock(*c.find("kettle")));
  EXPECT_FALSE(c.out_of_stock(*c.find("mug")));
  EXPECT_FALSE(c.out_of_stock(*c.find("tea"))) << "not said counts as in stock";
}

TEST(InStock, BasketCompletionSkipsOutOfStockItemsAndStaysFull) {
  const auto m = stock_shop();
  Query q;
  q.items = {"tea"};
  q.limit = 3;
  const auto r = recommend(*m, q);
  // kettle (the best complement) is out, sugar (the most popular item) too: the next ones fill in.
  EXPECT_EQ(ids(*m, r.items), (Ids{"saucer", "cake", "spoon"}));
  EXPECT_TRUE(r.fallback);
  q.filters.in_stock = true;
  EXPECT_EQ(ids(*m, recommend(*m, q).items), (Ids{"saucer", "cake", "spoon"})) << "true is the default";
  q.filters.in_stock = false;
  EXPECT_EQ(ids(*m, recommend(*m, q).items), (Ids{"kettle", "saucer", "cake"}));
}

TEST(InStock, NextOrderSkipsOutOfStockRepeatsAndStaysFull) {
  const auto m = stock_shop();
  Query q;
  q.customer_id = "c";
  q.limit = 4;
  const auto got = ids(*m, recommend(*m, q).items);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], "tea");
  for (const char* out : {"kettle", "sugar", "teacup"}) {
    EXPECT_EQ(std::count(got.begin(), got.end(), out), 0) << out;
  }
  q.filters.in_stock = false;
  const auto all = ids(*m, recommend(*m, q).items);
  EXPECT_EQ(std::count(all.begin(), all.end(), "kettle"), 1) << "the customer's own kettle is back";
  EXPECT_EQ(all.size(), 4u);
}

TEST(InStock, BoughtTogetherTakesTheNextItemsOfTheRow) {
  const auto m = stock_shop();
  const auto tea = *m->catalog.find("tea");
  EXPECT_EQ(ids(*m, bought_together(*m, tea, 2)), (Ids{"saucer", "cake"}));
  Filters all;
  all.in_stock = false;
  EXPECT_EQ(ids(*m, bought_together(*m, tea, 2, {}, all)), (Ids{"kettle", "saucer"}));
  // An out-of-stock item may still be asked about; its out-of-stock partners are left out.
  EXPECT_EQ(ids(*m, bought_together(*m, *m->catalog.find("kettle"), 5)), (Ids{"tea"}));
}

TEST(InStock, BoughtTogetherEmbeddingFillSkipsOutOfStockItems) {
  Model with_vectors = *stock_shop();
  testing::add_item_vectors(with_vectors);
  const auto m = std::make_shared<const Model>(std::move(with_vectors));
  const auto& c = m->catalog;
  const ComplementSearch search = [&](std::span<const float>, std::size_t) {
    return std::vector<std::pair<ItemIndex, float>>{{*c.find("sugar"), 2.0f}, {*c.find("biscuit"), 1.0f}};
  };
  EXPECT_EQ(ids(*m, bought_together(*m, *c.find("tea"), 3, search)), (Ids{"saucer", "cake", "biscuit"}));
  Filters all;
  all.in_stock = false;
  EXPECT_EQ(ids(*m, bought_together(*m, *c.find("tea"), 4, search, all)), (Ids{"kettle", "saucer", "cake", "sugar"}));
}

TEST(InStock, SimilarSkipsOutOfStockSubstitutes) {
  const auto m = stock_shop();
  const auto tea = *m->catalog.find("tea");
  EXPECT_EQ(ids(*m, similar_items(*m, tea, 1)), (Ids{"mug"}));
  Filters all;
  all.in_stock = false;
  EXPECT_EQ(ids(*m, similar_items(*m, tea, 1, all)), (Ids{"teacup"}));
}

TEST(InStock, OffersFollowThePolicyUnlessTheRequestSays) {
  const auto m = stock_shop();
  OfferPolicy p;
  p.rules.max_per_category = 0;
  p.limit = 10;
  OfferRequest q;
  q.customer_id = "c";
  PlacedOrder order;
  order.order_id = "o-new";
  order.customer_id = "c";
  order.time = *parse_timestamp("2011-03-01");
  order.lines.push_back({"tea", 1.0, 3.0});
  q.order = order;
  const auto offered = [&](const OfferPolicy& policy) {
    Ids out;
    for (const auto& o : OfferEngine(m, policy).offers(q, {}).offers) out.push_back(m->catalog.ids[o.item]);
    return std::count(out.begin(), out.end(), "kettle") + std::count(out.begin(), out.end(), "sugar");
  };
  EXPECT_EQ(offered(p), 0) << "the policy's in_stock_only";
  q.filters.in_stock = false;
  EXPECT_EQ(offered(p), 2) << "the request lifts the rule";
  p.rules.in_stock_only = false;
  q.filters.in_stock = true;
  EXPECT_EQ(offered(p), 0) << "the request asks for it where the policy does not";
  q.filters.in_stock.reset();
  EXPECT_EQ(offered(p), 2);
}

TEST(InStock, StockFlagsSurviveTheArtifact) {
  const auto dir = std::filesystem::temp_directory_path() / ("cobuy-in-stock-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto m = std::make_shared<Model>(*stock_shop());
  m->created_at = "2011-12-10T00:00:00Z";
  m->ingest_summary = nlohmann::json::object();
  save_model(*m, dir.string());
  const auto loaded = load_model(dir.string());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(loaded->catalog.in_stock, m->catalog.in_stock);
  EXPECT_EQ(loaded->catalog.stock_said(*loaded->catalog.find("mug")), true);
  EXPECT_EQ(loaded->catalog.stock_said(*loaded->catalog.find("kettle")), false);
  EXPECT_EQ(loaded->catalog.stock_said(*loaded->catalog.find("tea")), std::nullopt);
}

}  // namespace
}  // namespace cobuy
