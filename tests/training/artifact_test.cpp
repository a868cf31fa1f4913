#include "core/artifact.h"
#include "core/next_order.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "support/artifact_rewrite.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

class ArtifactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-artifact-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    OrderData data;
    testing::add_order(data, "o1", {"tea", "saucer", "spoon"}, "c1", "2011-01-01");
    testing::add_order(data, "o2", {"tea", "saucer"}, "c2", "2011-01-02");
    testing::add_order(data, "o3", {"tea", "saucer", "cake"}, "c1", "2011-02-01");
    testing::add_order(data, "o4", {"cake", "spoon"}, "", "2011-02-03");
    testing::describe(data, "tea", "Green teacup", 2.95f, "kitchen");
    data.catalog.in_stock[*data.catalog.find("spoon")] = 0;
    // o1: 2 x 2.95 + 1 x 1.5 + an unpriced spoon.
    data.orders[0].lines[0] = {*data.catalog.find("tea"), 2.0f, 2.95f};
    data.orders[0].lines[1].price = 1.5f;
    data.orders[0].lines[2].price = std::nanf("");
    TrainConfig config;
    config.cooccurrence.min_support = 1;
    model_ = train_model(data, config);
    model_dir_ = (dir_ / "model").string();
    save_model(model_, model_dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void expect_refused(const std::string& needle) {
    try {
      load_model(model_dir_);
      FAIL() << "a broken artifact was loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }

  fs::path dir_;
  std::string model_dir_;
  Model model_;
};

TEST_F(ArtifactTest, RoundTripKeepsEverything) {
  auto loaded = load_model(model_dir_);
  EXPECT_EQ(loaded->version, model_.version);
  EXPECT_EQ(loaded->data_fingerprint, model_.data_fingerprint);
  EXPECT_EQ(loaded->catalog.ids, model_.catalog.ids);
  EXPECT_EQ(loaded->catalog.titles, model_.catalog.titles);
  EXPECT_EQ(loaded->catalog.categories, model_.catalog.categories);
  EXPECT_EQ(loaded->item_orders, model_.item_orders);
  EXPECT_EQ(loaded->popular, model_.popular);
  EXPECT_EQ(loaded->popular_scores, model_.popular_scores);
  EXPECT_EQ(loaded->bought_together.offsets, model_.bought_together.offsets);
  ASSERT_EQ(loaded->bought_together.entries.size(), model_.bought_together.entries.size());
  for (std::size_t k = 0; k < model_.bought_together.entries.size(); ++k) {
    EXPECT_EQ(loaded->bought_together.entries[k].item, model_.bought_together.entries[k].item);
    EXPECT_EQ(loaded->bought_together.entries[k].score, model_.bought_together.entries[k].score);
    EXPECT_EQ(loaded->bought_together.entries[k].count, model_.bought_together.entries[k].count);
  }
  EXPECT_EQ(loaded->customers.ids, model_.customers.ids);
  EXPECT_EQ(loaded->customers.order_times, model_.customers.order_times);
  EXPECT_EQ(loaded->customers.items, model_.customers.items);
  EXPECT_EQ(loaded->stats.orders, 4u);
  EXPECT_EQ(loaded->stats.first_order, model_.stats.first_order);
  EXPECT_EQ(loaded->config.cooccurrence.min_support, 1u);
  EXPECT_EQ(manifest_json(*loaded)["counts"], manifest_json(model_)["counts"]);
  EXPECT_FLOAT_EQ(loaded->catalog.prices[*loaded->catalog.find("tea")], 2.95f);
}

TEST_F(ArtifactTest, RoundTripKeepsTheCataloguesItemFields) {
  EXPECT_TRUE(load_model(model_dir_)->catalog.field_names.empty());
  Model with = model_;
  with.catalog.field_names = {"image_url", "brand"};
  with.catalog.field_values = {std::vector<std::string>(with.catalog.size()), std::vector<std::string>(with.catalog.size())};
  with.catalog.field_values[0][*with.catalog.find("tea")] = "https://shop.example/tea.jpg";
  with.catalog.field_values[1][*with.catalog.find("cake")] = "Bäckerei, \"Süß\"";
  const std::string dir = (dir_ / "with-fields").string();
  save_model(with, dir);
  const auto loaded = load_model(dir);
  EXPECT_EQ(loaded->catalog.field_names, with.catalog.field_names);
  EXPECT_EQ(loaded->catalog.field_values, with.catalog.field_values);
  EXPECT_EQ(loaded->catalog.field(*loaded->catalog.find("tea"), "image_url"), "https://shop.example/tea.jpg");
}

TEST_F(ArtifactTest, RoundTripKeepsStockFlagsAndOrderValues) {
  ASSERT_EQ(model_.catalog.in_stock.size(), model_.catalog.size());
  ASSERT_EQ(model_.customers.order_values.size(), model_.customers.order_times.size());
  auto loaded = load_model(model_dir_);
  EXPECT_EQ(testing::read_manifest(model_dir_)["format_version"], "1.9");
  EXPECT_EQ(loaded->catalog.in_stock, model_.catalog.in_stock);
  EXPECT_EQ(loaded->catalog.in_stock[*loaded->catalog.find("spoon")], 0);
  EXPECT_EQ(loaded->catalog.in_stock[*loaded->catalog.find("tea")], 1);
  EXPECT_EQ(loaded->customers.order_values, model_.customers.order_values);
  // c1's orders in time order: o1 (2 x 2.95 + 1.5, the spoon has no price), then o3 (3 lines at 1).
  const auto c1 = loaded->customers.index.at("c1");
  const auto first = loaded->customers.order_offsets[c1];
  ASSERT_EQ(loaded->customers.order_offsets[c1 + 1] - first, 2u);
  EXPECT_FLOAT_EQ(loaded->customers.order_values[first], 2 * 2.95f + 1.5f);
  EXPECT_FLOAT_EQ(loaded->customers.order_values[first + 1], 3.0f);
}

TEST_F(ArtifactTest, TheNextOrderWeightsRoundTripAndRepurchaseStatsAreDerivedOnLoad) {
  Model m = model_;
  m.next_order.weights.assign(kNextOrderFeatures, 0.25);
  m.next_order.weights[2] = -1.5;
  m.next_order.bias = -3;
  m.next_order.fit = {{"validation_customers", 12}};
  save_model(m, model_dir_);
  auto loaded = load_model(model_dir_);
  EXPECT_EQ(loaded->next_order.weights, m.next_order.weights);
  EXPECT_EQ(loaded->next_order.bias, -3);
  EXPECT_EQ(loaded->next_order.fit, m.next_order.fit);
  const auto stats = repurchase_stats(m.customers, m.catalog.size());
  EXPECT_EQ(loaded->repurchase.return_rate, stats.return_rate);
  ASSERT_EQ(loaded->repurchase.return_rate.size(), m.catalog.size());

  // A 1.5 manifest has no next_order: the default rule scores.
  testing::downgrade_to_format_1_7(model_dir_);
  auto manifest = testing::read_manifest(model_dir_);
  manifest.erase("next_order");
  manifest["format_version"] = "1.5";
  testing::write_manifest(model_dir_, manifest);
  EXPECT_FALSE(load_model(model_dir_)->next_order.fitted());
}

TEST_F(ArtifactTest, AFormat11ArtifactLoadsWithEveryItemInStockAndNoOrderValues) {
  testing::downgrade_to_format_1_1(model_dir_, model_);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  auto loaded = load_model(model_dir_);
  EXPECT_EQ(loaded->catalog.in_stock, std::vector<std::uint8_t>(model_.catalog.size(), 1))
      << "a 1.1 artifact says nothing about stock";
  EXPECT_EQ(loaded->customers.order_values, std::vector<float>(model_.customers.order_times.size(), 0.0f));
  // Everything around the two new arrays is still read in its place.
  EXPECT_EQ(loaded->catalog.prices.size(), model_.catalog.size());
  EXPECT_FLOAT_EQ(loaded->catalog.prices[*loaded->catalog.find("tea")], 2.95f);
  EXPECT_EQ(loaded->item_orders, model_.item_orders);
  EXPECT_EQ(loaded->customers.order_times, model_.customers.order_times);
  EXPECT_EQ(loaded->customers.item_offsets, model_.customers.item_offsets);
  EXPECT_EQ(loaded->customers.items, model_.customers.items);

  // The same 1.1 files under a 1.2 manifest are refused: the arrays are not where 1.2 has them.
  auto manifest = testing::read_manifest(model_dir_);
  manifest["format_version"] = "1.2";
  testing::write_manifest(model_dir_, manifest);
  expect_refused("items.bin");
}

TEST_F(ArtifactTest, RefusesStockFlagsOrOrderValuesOfTheWrongSize) {
  Model m = model_;
  m.catalog.in_stock.pop_back();
  save_model(m, model_dir_);
  expect_refused("items.bin holds 3 stock flags for 4 items");

  m = model_;
  m.customers.order_values.push_back(1.0f);
  save_model(m, model_dir_);
  expect_refused("customers.bin holds 4 order values for 3 orders");
}

TEST_F(ArtifactTest, RoundTripKeepsTheRerankerAndAnOlderManifestHasItOff) {
  EXPECT_FALSE(load_model(model_dir_)->reranker.enabled()) << "four orders are too few to fit one";
  model_.reranker.weights = {2.0, 0.5, -0.4, 1.1, 1.0, 0.9};
  model_.reranker.candidates = 60;
  model_.reranker.fit = {{"validation_baskets", 3}};
  save_model(model_, model_dir_);
  const auto loaded = load_model(model_dir_);
  EXPECT_EQ(loaded->reranker.weights, model_.reranker.weights);
  EXPECT_EQ(loaded->reranker.candidates, 60u);
  EXPECT_EQ(loaded->reranker.fit, model_.reranker.fit);

  testing::downgrade_to_format_1_4(model_dir_, model_);  // customers.bin without order keys
  auto manifest = testing::read_manifest(model_dir_);
  manifest.erase("reranker");  // as a 1.2 artifact has it
  manifest["format_version"] = "1.2";
  testing::write_manifest(model_dir_, manifest);
  EXPECT_FALSE(load_model(model_dir_)->reranker.enabled());

  manifest["reranker"] = {{"weights", {1, 2}}};
  testing::write_manifest(model_dir_, manifest);
  expect_refused("reranker");
}

TEST_F(ArtifactTest, RoundTripKeepsThePenaltiesAndA13ArtifactHasNone) {
  const auto tea = *model_.catalog.find("tea"), cake = *model_.catalog.find("cake");
  std::vector<std::vector<Neighbor>> rows(model_.catalog.size());
  rows[tea] = {{cake, -0.25f, 1}};
  model_.penalties = NeighborTable::from_rows(rows);
  save_model(model_, model_dir_);
  const auto loaded = load_model(model_dir_);
  EXPECT_EQ(loaded->penalties.offsets, model_.penalties.offsets);
  ASSERT_EQ(loaded->penalties.row(tea).size(), 1u);
  EXPECT_EQ(loaded->penalties.row(tea)[0].item, cake);
  EXPECT_EQ(loaded->penalties.row(tea)[0].score, -0.25f);

  testing::downgrade_to_format_1_4(model_dir_, model_);  // customers.bin without order keys
  auto manifest = testing::read_manifest(model_dir_);
  manifest["files"].erase("penalties.bin");  // as a 1.3 artifact has it
  manifest["format_version"] = "1.3";
  fs::remove(fs::path(model_dir_) / "penalties.bin");
  testing::write_manifest(model_dir_, manifest);
  const auto older = load_model(model_dir_);
  EXPECT_EQ(older->penalties.items(), model_.catalog.size());
  EXPECT_TRUE(older->penalties.entries.empty());

  manifest["format_version"] = "1.4";  // 1.4 must have the file
  testing::write_manifest(model_dir_, manifest);
  expect_refused("penalties.bin");

  rows[tea][0].score = 0.25f;  // a penalty that rewards
  model_.penalties = NeighborTable::from_rows(rows);
  save_model(model_, model_dir_);
  expect_refused("penalties.bin: a penalty must be negative, got 0.25");
}

TEST_F(ArtifactTest, SaveReplacesAnExistingModelAndLeavesNoTemporaries) {
  save_model(model_, model_dir_);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "model");
  }
  EXPECT_EQ(entries, 1u);
  EXPECT_NO_THROW(load_model(model_dir_));
}

TEST_F(ArtifactTest, RefusesAFlippedByte) {
  const auto p = fs::path(model_dir_) / "bought_together.bin";
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(20);
  char c = 0;
  f.read(&c, 1);
  f.seekp(20);
  c = static_cast<char>(c ^ 0x40);
  f.write(&c, 1);
  f.close();
  expect_refused("bought_together.bin fails its checksum");
}

TEST_F(ArtifactTest, RefusesATruncatedFile) {
  const auto p = fs::path(model_dir_) / "items.bin";
  fs::resize_file(p, fs::file_size(p) / 2);
  expect_refused("items.bin has");
}

TEST_F(ArtifactTest, RefusesAMissingFile) {
  fs::remove(fs::path(model_dir_) / "customers.bin");
  expect_refused("customers.bin is missing");
}

TEST_F(ArtifactTest, RefusesAnotherMajorVersion) {
  const auto p = fs::path(model_dir_) / "manifest.json";
  std::ifstream in(p);
  auto j = nlohmann::json::parse(in);
  in.close();
  j["format_version"] = "2.0";
  std::ofstream(p) << j.dump();
  expect_refused("format version '2.0'");
}

TEST_F(ArtifactTest, RefusesAForeignDirectory) {
  std::ofstream(fs::path(model_dir_) / "manifest.json") << R"({"format": "something-else"})";
  expect_refused("is not a cobuy model");
  fs::remove(fs::path(model_dir_) / "manifest.json");
  expect_refused("manifest.json is missing");
  std::ofstream(fs::path(model_dir_) / "manifest.json") << "{not json";
  expect_refused("not valid JSON");
}

}  // namespace
}  // namespace cobuy

namespace cobuy {
namespace {

// Format 1.9: catalogue items no order holds (a --catalog file's new items) are trained past and
// stored like any other item, with an order count of 0, and come back from the artifact.
TEST(ArtifactNewItems, ItemsWithoutOrdersSurviveTheRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / ("cobuy-artifact-new-items-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  OrderData data;
  testing::add_order(data, "o1", {"tea", "cup"}, "c1", "2011-01-01");
  testing::add_order(data, "o2", {"tea", "cup"}, "c2", "2011-01-02");
  const ItemIndex fresh = data.catalog.add("oolong");  // as apply_catalog_file adds a new item
  data.catalog.titles[fresh] = "Oolong tea";
  data.catalog.categories[fresh] = "tea";
  data.catalog.prices[fresh] = 8.2f;
  data.catalog.in_stock[fresh] = kInStock;
  data.catalog.field_names = {"url"};
  data.catalog.field_values = {{"", "", "https://x/oolong"}};
  TrainConfig config;
  config.cooccurrence.min_support = 1;
  const Model model = train_model(data, config);
  save_model(model, (dir / "m").string());
  const auto loaded = load_model((dir / "m").string());
  const auto i = loaded->catalog.find("oolong");
  ASSERT_TRUE(i);
  EXPECT_EQ(loaded->catalog.titles[*i], "Oolong tea");
  EXPECT_EQ(loaded->catalog.categories[*i], "tea");
  EXPECT_FLOAT_EQ(loaded->catalog.prices[*i], 8.2f);
  EXPECT_EQ(loaded->catalog.in_stock[*i], kInStock);
  EXPECT_EQ(loaded->catalog.field(*i, "url"), "https://x/oolong");
  EXPECT_EQ(loaded->item_orders[*i], 0u);
  EXPECT_TRUE(loaded->bought_together.row(*i).empty());
  EXPECT_EQ(std::count(loaded->popular.begin(), loaded->popular.end(), *i), 0) << "never popular";
  EXPECT_EQ(testing::read_manifest((dir / "m").string())["counts"]["items_without_orders"], 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
