#include "core/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace cobuy {
namespace {

TEST(TrainConfig, ShippedExampleEqualsTheDefaults) {
  const std::string path = std::string(COBUY_BUNDLED_DATASETS) + "/../config/train.example.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  nlohmann::json shipped, defaults;
  to_json(shipped, load_train_config(path));
  to_json(defaults, TrainConfig{});
  EXPECT_EQ(shipped, defaults) << "edit config/train.example.json to match the defaults in core/config.h";
}

TEST(TrainConfig, JsonRoundTrip) {
  TrainConfig c;
  c.cooccurrence.score = PairScore::jaccard;
  c.cooccurrence.top_k = 7;
  c.popularity.half_life_days = 0;
  c.embedding.index = "IVF64,Flat";
  c.embedding.index_search = "nprobe=8";
  nlohmann::json j;
  to_json(j, c);
  nlohmann::json back;
  to_json(back, train_config_from_json(j));
  EXPECT_EQ(j, back);
}

TEST(TrainConfig, ErrorsNameTheField) {
  auto message = [](const nlohmann::json& j) {
    try {
      train_config_from_json(j);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"cooccurrence", {{"top_kk", 3}}}}).find("cooccurrence.top_kk"), std::string::npos);
  EXPECT_NE(message({{"cooccurrence", {{"top_k", "many"}}}}).find("cooccurrence.top_k"), std::string::npos);
  EXPECT_NE(message({{"cooccurrence", {{"top_k", 0}}}}).find("top_k"), std::string::npos);
  EXPECT_NE(message({{"cooccurrence", {{"score", "magic"}}}}).find("magic"), std::string::npos);
  EXPECT_NE(message({{"popularity", {{"half_life_days", -1}}}}).find("half_life_days"), std::string::npos);
  EXPECT_NE(message({{"next_order", {{"max_customers", 0}}}}).find("next_order.max_customers"), std::string::npos);
  EXPECT_NE(message({{"next_order", {{"fit", "yes"}}}}).find("next_order.fit"), std::string::npos);
  // The retired hand-set mix of older manifests is read and ignored.
  EXPECT_EQ(message({{"next_order", {{"repeat_weight", 0}, {"complement_weight", 0}}}}), "no error");
  EXPECT_NE(message({{"threads", -2}}).find("threads"), std::string::npos);
  EXPECT_NE(message({{"embedding", {{"max_contexts", 20000}}}}).find("embedding.max_contexts"), std::string::npos);
  EXPECT_EQ(train_config_from_json({{"embedding", {{"max_contexts", 10}}}}).embedding.max_contexts, 10u);
  EXPECT_NE(message({{"rerank", {{"candidates", 1}}}}).find("rerank.candidates"), std::string::npos);
  EXPECT_NE(message({{"rerank", {{"validation_fraction", 1.0}}}}).find("rerank.validation_fraction"), std::string::npos);
  EXPECT_NE(message({{"rerank", {{"enabled", "yes"}}}}).find("rerank.enabled"), std::string::npos);
  EXPECT_NE(message({{"rerank", {{"max_queries", 0}}}}).find("rerank.max_queries"), std::string::npos);
  EXPECT_NE(message({{"rerank", {{"candidate", 5}}}}).find("rerank.candidate"), std::string::npos);
}

TEST(TrainConfig, FileErrorsNameTheFile) {
  const auto path = std::filesystem::temp_directory_path() / "cobuy-bad-config.json";
  std::ofstream(path) << "{ not json";
  try {
    load_train_config(path.string());
    FAIL() << "bad JSON accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
  }
  std::filesystem::remove(path);
  EXPECT_THROW(load_train_config("/nonexistent/cobuy.json"), Error);
}

}  // namespace
}  // namespace cobuy
