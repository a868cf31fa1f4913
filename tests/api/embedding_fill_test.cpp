// Short bought-together lists filled from the model's Faiss index, through the server and the
// batch command, on a small model trained with embeddings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/server_fixture.h"
#include "core/artifact.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

/// "rare" is bought twice with tea and saucer: too few for its pairs to pass min_support, so its
/// table row is empty, but enough for an embedding vector.
Model train_small_model() {
  OrderData d;
  for (int k = 0; k < 8; ++k) testing::add_order(d, "a" + std::to_string(k), {"tea", "saucer"});
  for (int k = 0; k < 6; ++k) testing::add_order(d, "b" + std::to_string(k), {"pen", "paper"});
  for (int k = 0; k < 5; ++k) testing::add_order(d, "c" + std::to_string(k), {"mug", "spoon", "cake"});
  for (int k = 0; k < 2; ++k) testing::add_order(d, "r" + std::to_string(k), {"rare", "tea", "saucer"});
  TrainConfig c;
  c.cooccurrence.min_support = 3;
  c.blend.ease = 0;
  c.embedding.epochs = 60;
  c.embedding.dim = 8;
  c.embedding.subsample = 0;
  c.embedding.min_count = 2;
  c.embedding.deterministic = true;
  c.popularity.half_life_days = 0;
  return train_model(d, c);
}

class EmbeddingFillServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("cobuy-embedding-fill-test-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    save_model(train_small_model(), (*dir_ / "model").string());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    model_ = load_model((*dir_ / "model").string());
    running_ = std::make_unique<Running>(model_);
  }

  json get(const std::string& path) {
    auto res = running_->client().Get(path.c_str());
    EXPECT_TRUE(res);
    if (!res) return nullptr;
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }
  json post(const std::string& body) {
    auto res = running_->client().Post("/v1/recommendations", body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return nullptr;
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }
  /// Ids of the anchor's substitutes in the model.
  std::vector<std::string> substitutes_of(const std::string& id) const {
    std::vector<std::string> out;
    for (const auto& s : model_->similar.row(*model_->catalog.find(id))) out.push_back(model_->catalog.ids[s.item]);
    return out;
  }

  static fs::path* dir_;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Running> running_;
};
fs::path* EmbeddingFillServerTest::dir_ = nullptr;

TEST_F(EmbeddingFillServerTest, ARareItemsEmptyRowIsFilledFromTheFaissIndex) {
  const auto rare = *model_->catalog.find("rare");
  ASSERT_TRUE(model_->bought_together.row(rare).empty()) << "precondition: no table row for 'rare'";
  ASSERT_FALSE(model_->embeddings.empty());

  const json j = get("/v1/items/rare/bought-together?limit=3");
  const auto& items = j["items"];
  ASSERT_FALSE(items.empty()) << j;
  const auto subs = substitutes_of("rare");
  for (const auto& it : items) {
    EXPECT_EQ(it["source"], "embedding") << it;
    EXPECT_EQ(it["relation"], "complement") << it;
    EXPECT_EQ(it["reason"], "rare") << it;
    EXPECT_NE(it["item_id"], "rare");
    EXPECT_EQ(std::count(subs.begin(), subs.end(), it["item_id"].get<std::string>()), 0) << "a substitute: " << it;
  }
  // What rare was bought with ranks first.
  const auto first = items[0]["item_id"].get<std::string>();
  EXPECT_TRUE(first == "tea" || first == "saucer") << j;
}

TEST_F(EmbeddingFillServerTest, FullTableRowsCarryNoSource) {
  const json j = get("/v1/items/tea/bought-together?limit=1");
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["item_id"], "saucer");
  EXPECT_FALSE(j["items"][0].contains("source"));
}

TEST_F(EmbeddingFillServerTest, BasketsGetEmbeddingItemsBeforePopularOnes) {
  const json j = post(R"({"id": "q", "items": ["rare"], "limit": 6})");
  const auto& items = j["items"];
  ASSERT_EQ(items.size(), 6u) << j;
  EXPECT_EQ(items[0]["source"], "embedding") << j;
  bool seen_popular = false;
  for (const auto& it : items) {
    EXPECT_NE(it["item_id"], "rare");
    if (it["relation"] == "popular") seen_popular = true;
    if (seen_popular) {
      EXPECT_FALSE(it.contains("source")) << "an embedding item after a popular one: " << j;
    }
  }
}

TEST_F(EmbeddingFillServerTest, BatchAnswersEqualTheApis) {
  const auto queries = *dir_ / "queries.jsonl";
  const auto results = *dir_ / "results.jsonl";
  const std::vector<std::string> lines = {
      R"({"id": "q1", "items": ["rare"], "limit": 5})",
      R"({"id": "q2", "items": ["rare", "pen"], "limit": 7, "exclude": ["saucer"]})",
      R"({"id": "q3", "items": ["tea"], "limit": 8})",
  };
  {
    std::ofstream f(queries);
    for (const auto& l : lines) f << l << "\n";
  }
  const std::string cmd = std::string(COBUY_BINARY) + " --log-level error recommend --model " +
                          (*dir_ / "model").string() + " --queries " + queries.string() + " --out " + results.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(results);
  std::size_t k = 0;
  bool any_embedding = false;
  for (std::string line; std::getline(in, line); ++k) {
    ASSERT_LT(k, lines.size());
    const json batch = json::parse(line);
    EXPECT_EQ(batch, post(lines[k])) << "query " << k;
    for (const auto& it : batch["items"]) any_embedding = any_embedding || it.contains("source");
  }
  EXPECT_EQ(k, lines.size());
  EXPECT_TRUE(any_embedding) << "the batch path used the embedding index too";
}

TEST(EmbeddingFillServer, AnUnusableIndexIsRefusedAndTheOldModelKeepsServing) {
  auto good = std::make_shared<Model>(train_small_model());
  auto bad = std::make_shared<Model>(*good);
  bad->version = "bad";
  bad->embeddings.complement_index.resize(bad->embeddings.complement_index.size() / 2);
  try {
    Server s(bad, Running::test_options());
    FAIL() << "a server started with a truncated index";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_NE(std::string(e.what()).find("complements.faiss"), std::string::npos) << e.what();
  }
  Running running(good);
  EXPECT_THROW(running.server().set_model(bad), Error);
  auto res = running.client().Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["model_version"], good->version);
  res = running.client().Get("/v1/items/rare/bought-together?limit=2");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["items"][0]["source"], "embedding");
}

}  // namespace
}  // namespace cobuy
