// A model whose arrays hold NaN or infinity, with checksums that match, is refused at load with
// Error(bad_data) naming the file, the array and the row; served, a NaN would be "score": null.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/artifact.h"
#include "core/error.h"
#include "support/artifact_rewrite.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

class ArtifactFiniteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-artifact-finite-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// A small model with every array filled: neighbours, substitutes, penalties, popularity,
  /// customer order values and embeddings.
  static Model good_model() {
    Model m = testing::ModelBuilder()
                  .item("tea", "kitchen", 2.5f)
                  .item("saucer", "kitchen", 1.5f)
                  .item("cake")  // price unknown: NaN is allowed there
                  .bought_with("tea", {"saucer", "cake"})
                  .bought_with("saucer", {"tea"})
                  .substitutes("cake", {"saucer"})
                  .popular({"tea", "saucer"})
                  .order("c1", "2011-01-01T10:00:00Z", {"tea", "saucer"}, 4.0f)
                  .order("c2", "2011-01-02T10:00:00Z", {"cake"}, 3.0f)
                  .order("c2", "2011-01-03T10:00:00Z", {"tea", "cake"}, 5.0f)
                  .build();
    m.penalties = NeighborTable::from_rows({{}, {{2, -0.5f, 0}}, {}});
    m.embeddings.dim = 2;
    m.embeddings.input = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    m.embeddings.complement_index = {1, 2, 3};  // opaque to core; index/ reads it
    return m;
  }

  /// Saves `m` (save_model writes whatever it is given, with right checksums) and expects
  /// load_model to refuse it with a message holding `reason`.
  void expect_refused(const Model& m, const std::string& reason) {
    const auto dir = (dir_ / "model").string();
    save_model(m, dir);
    try {
      load_model(dir);
      ADD_FAILURE() << "loaded a model with a non-finite value; expected '" << reason << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data) << e.what();
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << "'" << e.what() << "' lacks '" << reason << "'";
    }
  }

  fs::path dir_;
};

TEST_F(ArtifactFiniteTest, TheGoodModelLoadsWithItsUnknownPrice) {
  save_model(good_model(), (dir_ / "model").string());
  const auto m = load_model((dir_ / "model").string());
  EXPECT_TRUE(std::isnan(m->catalog.prices[2]));
  EXPECT_EQ(m->penalties.entries.size(), 1u);
  EXPECT_EQ(m->embeddings.input.size(), 6u);
}

TEST_F(ArtifactFiniteTest, ANonFiniteNeighbourScoreIsRefusedNamingTheFileAndItem) {
  for (float bad : {kNaN, kInf, -kInf}) {
    Model m = good_model();
    m.bought_together.entries[1].score = bad;  // tea's second neighbour
    expect_refused(m, "bought_together.bin: neighbour 1 of item 'tea' has score");
    m = good_model();
    m.similar.entries[0].score = bad;
    expect_refused(m, "similar.bin: neighbour 0 of item 'cake' has score");
    m = good_model();
    m.penalties.entries[0].score = bad;
    expect_refused(m, "penalties.bin: neighbour 0 of item 'saucer' has score");
  }
}

TEST_F(ArtifactFiniteTest, ANonFinitePopularityIsRefused) {
  Model m = good_model();
  m.popular_scores[1] = kNaN;
  expect_refused(m, "popular.bin: popular_scores[1] is nan, not a finite number");
}

TEST_F(ArtifactFiniteTest, ANonFiniteOrderValueIsRefusedNamingTheCustomer) {
  Model m = good_model();
  m.customers.order_values[2] = kNaN;  // c2's second order
  expect_refused(m, "customers.bin: order 1 of customer 'c2' has value nan");
  m.customers.order_values[2] = kInf;
  expect_refused(m, "customers.bin: order 1 of customer 'c2' has value inf");
}

TEST_F(ArtifactFiniteTest, ANonFiniteEmbeddingIsRefusedNamingTheItem) {
  Model m = good_model();
  m.embeddings.input[3] = kNaN;  // saucer, dimension 1
  expect_refused(m, "embeddings.bin: the vector of item 'saucer' holds nan at dimension 1");
}

TEST_F(ArtifactFiniteTest, AnInfinitePriceIsRefusedButAnUnknownOneLoads) {
  Model m = good_model();
  m.catalog.prices[0] = kInf;
  expect_refused(m, "items.bin: the price of item 'tea' is inf");
}

TEST_F(ArtifactFiniteTest, ARerankerWeightTooLargeOrOverflowingIsRefusedNamingTheManifest) {
  const auto dir = (dir_ / "model").string();
  save_model(good_model(), dir);
  auto manifest = testing::read_manifest(dir);
  manifest["reranker"] = {{"features", {"log1p_blend_sum", "log1p_blend_max", "log1p_item_orders", "history",
                                        "recency_90d", "bought_before"}},
                          {"weights", {1, 1, 1, 1, 1, 1}},
                          {"candidates", 50}};
  testing::write_manifest(dir, manifest);
  ASSERT_NO_THROW(load_model(dir));
  auto expect_refused_manifest = [&](const std::string& weight, const std::string& reason) {
    auto text = manifest.dump();
    const std::string ones = "[1,1,1,1,1,1]";
    const auto at = text.find(ones);
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, ones.size(), "[1,1," + weight + ",1,1,1]");
    std::ofstream(fs::path(dir) / "manifest.json") << text;
    try {
      load_model(dir);
      ADD_FAILURE() << "loaded a re-ranker weight of " << weight;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data) << e.what();
      EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  };
  // JSON has no NaN, and the parser refuses a number past a double's range rather than read infinity.
  expect_refused_manifest("1e999", "number overflow");
  expect_refused_manifest("1e300", "'reranker.weights' holds 1e+300");
}

}  // namespace
}  // namespace cobuy
