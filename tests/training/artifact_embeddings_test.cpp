// The embedding part of the model artifact: embeddings.bin and complements.faiss.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/artifact.h"
#include "core/error.h"
#include "index/complement_search.h"
#include "index/vector_index.h"
#include "support/artifact_rewrite.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

OrderData small_orders() {
  OrderData data;
  for (int k = 0; k < 4; ++k) {
    testing::add_order(data, "a" + std::to_string(k), {"tea", "saucer", "spoon"}, "c1", "2011-01-01");
    testing::add_order(data, "b" + std::to_string(k), {"pen", "paper"}, "c2", "2011-01-02");
  }
  testing::add_order(data, "o1", {"tea", "cake"}, "c1", "2011-02-01");
  testing::add_order(data, "o2", {"lonely"}, "", "2011-02-03");  // one basket: no vector
  return data;
}

class ArtifactEmbeddingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-artifact-emb-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    model_dir_ = (dir_ / "model").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Model train(std::uint32_t epochs) {
    TrainConfig config;
    config.cooccurrence.min_support = 1;
    config.embedding.epochs = epochs;
    config.embedding.dim = 8;
    config.embedding.subsample = 0;
    config.embedding.deterministic = true;
    return train_model(small_orders(), config);
  }

  void expect_refused(const std::string& needle) {
    try {
      load_model(model_dir_);
      FAIL() << "a broken artifact was loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
  nlohmann::json manifest() const {
    std::ifstream in(fs::path(model_dir_) / "manifest.json");
    return nlohmann::json::parse(in);
  }

  fs::path dir_;
  std::string model_dir_;
};

TEST_F(ArtifactEmbeddingsTest, TrainingKeepsInputVectorsAndAnIndexOverEveryItem) {
  const Model m = train(5);
  const auto n = m.catalog.size();
  ASSERT_EQ(m.embeddings.dim, 8u);
  ASSERT_EQ(m.embeddings.input.size(), n * 8);
  const auto lonely = m.embeddings.input_row(*m.catalog.find("lonely"));
  EXPECT_TRUE(std::all_of(lonely.begin(), lonely.end(), [](float x) { return x == 0.0f; }));
  const auto tea = m.embeddings.input_row(*m.catalog.find("tea"));
  EXPECT_TRUE(std::any_of(tea.begin(), tea.end(), [](float x) { return x != 0.0f; }));
  const auto index = index_from_bytes(m.embeddings.complement_index);
  EXPECT_EQ(index->size(), static_cast<std::int64_t>(n)) << "row id == item index";
  EXPECT_EQ(index->dim(), 8);
}

TEST_F(ArtifactEmbeddingsTest, SearchParametersTheIndexDoesNotHaveAreRefusedBeforeTraining) {
  TrainConfig config;
  config.embedding.epochs = 1000;  // would train for long: the refusal must come first
  config.embedding.index = "Flat";
  config.embedding.index_search = "nprobe=16";
  std::size_t reported = 0;
  try {
    train_model(small_orders(), config, nlohmann::json::object(), [&](std::string_view, std::uint64_t, std::uint64_t) { ++reported; });
    FAIL() << "Flat took nprobe";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find("nprobe=16"), std::string::npos) << e.what();
  }
  EXPECT_EQ(reported, 0u);
}

TEST_F(ArtifactEmbeddingsTest, RoundTripKeepsVectorsAndIndexBytes) {
  const Model m = train(5);
  save_model(m, model_dir_);
  const auto loaded = load_model(model_dir_);
  EXPECT_EQ(loaded->embeddings.dim, m.embeddings.dim);
  EXPECT_EQ(loaded->embeddings.input, m.embeddings.input);
  EXPECT_EQ(loaded->embeddings.complement_index, m.embeddings.complement_index);
  const auto files = manifest()["files"];
  EXPECT_EQ(files["complements.faiss"]["bytes"].get<std::size_t>(), m.embeddings.complement_index.size());
  EXPECT_EQ(manifest()["format_version"], "1.9");
  EXPECT_EQ(manifest()["counts"]["items_with_vectors"], m.catalog.size() - 2) << "all but 'cake' and 'lonely'";

  // The loaded bytes search like the trained ones.
  const auto search = make_complement_search(loaded);
  ASSERT_TRUE(search);
  const auto hits = search(loaded->embeddings.input_row(*loaded->catalog.find("tea")), 3);
  ASSERT_EQ(hits.size(), 3u);
  for (const auto& [item, affinity] : hits) {
    EXPECT_NE(loaded->catalog.ids[item], "lonely") << "an item without a vector is never found";
  }
}

TEST_F(ArtifactEmbeddingsTest, WithoutEmbeddingsBothFilesAreWrittenEmpty) {
  const Model m = train(0);
  EXPECT_TRUE(m.embeddings.empty());
  save_model(m, model_dir_);
  EXPECT_TRUE(fs::exists(fs::path(model_dir_) / "embeddings.bin"));
  EXPECT_EQ(fs::file_size(fs::path(model_dir_) / "complements.faiss"), 0u);
  const auto loaded = load_model(model_dir_);
  EXPECT_TRUE(loaded->embeddings.empty());
  EXPECT_TRUE(loaded->embeddings.input.empty());
  EXPECT_TRUE(loaded->embeddings.complement_index.empty());
  EXPECT_FALSE(make_complement_search(loaded));
}

TEST_F(ArtifactEmbeddingsTest, ATruncatedIndexIsRefusedNamingTheFile) {
  save_model(train(5), model_dir_);
  const auto p = fs::path(model_dir_) / "complements.faiss";
  fs::resize_file(p, fs::file_size(p) / 2);
  expect_refused("complements.faiss has");
}

TEST_F(ArtifactEmbeddingsTest, ACorruptOrMissingEmbeddingsFileIsRefused) {
  save_model(train(5), model_dir_);
  const auto p = fs::path(model_dir_) / "embeddings.bin";
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);
    const char c = static_cast<char>(f.get() ^ 0x40);
    f.seekp(40);
    f.put(c);
  }
  expect_refused("embeddings.bin fails its checksum");
  save_model(train(5), model_dir_);
  fs::remove(fs::path(model_dir_) / "complements.faiss");
  expect_refused("complements.faiss is missing");
}

TEST_F(ArtifactEmbeddingsTest, IndexBytesWithoutVectorsAreRefused) {
  Model m = train(0);
  m.embeddings.complement_index = {1, 2, 3};
  save_model(m, model_dir_);
  expect_refused("complements.faiss has 3 bytes");
}

TEST_F(ArtifactEmbeddingsTest, AFormat10ArtifactStillLoadsWithoutEmbeddings) {
  const Model m = train(5);
  save_model(m, model_dir_);
  testing::downgrade_to_format_1_1(model_dir_, m);  // 1.0 is 1.1 without the embedding files
  ASSERT_FALSE(HasFatalFailure());
  auto j = manifest();
  j["format_version"] = "1.0";
  j["files"].erase("embeddings.bin");
  j["files"].erase("complements.faiss");
  std::ofstream(fs::path(model_dir_) / "manifest.json") << j.dump();
  fs::remove(fs::path(model_dir_) / "embeddings.bin");
  fs::remove(fs::path(model_dir_) / "complements.faiss");
  const auto loaded = load_model(model_dir_);
  EXPECT_TRUE(loaded->embeddings.empty());
  EXPECT_EQ(loaded->catalog.in_stock, std::vector<std::uint8_t>(m.catalog.size(), 1));
  EXPECT_EQ(loaded->customers.order_values, std::vector<float>(m.customers.order_times.size(), 0.0f));
  EXPECT_EQ(loaded->customers.items, m.customers.items);

  j["format_version"] = "1.1";  // but 1.1 must have them
  std::ofstream(fs::path(model_dir_) / "manifest.json") << j.dump();
  expect_refused("manifest.json does not list embeddings.bin");
}

}  // namespace
}  // namespace cobuy
