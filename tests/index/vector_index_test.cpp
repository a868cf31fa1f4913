#include "index/vector_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/error.h"
#include "support/random_vectors.h"

namespace cobuy {
namespace {

using testing::random_vectors;

TEST(VectorIndex, FaissFlatMatchesBruteForce) {
  const int dim = 16, k = 10;
  const auto base = random_vectors(2000, dim, 1);
  const auto queries = random_vectors(50, dim, 2);
  auto exact = make_brute_force_index(dim);
  auto flat = make_faiss_index(dim, "Flat");
  exact->add(base);
  flat->add(base);
  EXPECT_EQ(flat->size(), 2000);
  const auto want = exact->search(queries, k);
  const auto got = flat->search(queries, k);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id) << "hit " << i;
    EXPECT_NEAR(got[i].score, want[i].score, 1e-4);
  }
  EXPECT_DOUBLE_EQ(recall_at_k(want, got, k), 1.0);
}

TEST(VectorIndex, HnswRecallAgainstBruteForce) {
  const int dim = 16, k = 10;
  const auto base = random_vectors(5000, dim, 3);
  const auto queries = random_vectors(100, dim, 4);
  auto exact = make_brute_force_index(dim);
  auto hnsw = make_faiss_index(dim, "HNSW32");
  exact->add(base);
  hnsw->add(base);
  const double recall = recall_at_k(exact->search(queries, k), hnsw->search(queries, k), k);
  EXPECT_GT(recall, 0.8) << "HNSW32 recall@10 against brute force";
}

TEST(VectorIndex, SaveLoadRoundTrip) {
  const int dim = 8;
  const auto base = random_vectors(300, dim, 5);
  const auto queries = random_vectors(5, dim, 6);
  auto flat = make_faiss_index(dim, "Flat");
  flat->add(base);
  const auto path = (std::filesystem::temp_directory_path() / "cobuy-index-test.faiss").string();
  flat->save(path);
  auto loaded = load_faiss_index(path);
  EXPECT_EQ(loaded->size(), 300);
  EXPECT_EQ(loaded->dim(), dim);
  const auto a = flat->search(queries, 5);
  const auto b = loaded->search(queries, 5);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  std::filesystem::remove(path);
}

TEST(VectorIndex, FewerVectorsThanKArePadded) {
  auto exact = make_brute_force_index(2);
  auto flat = make_faiss_index(2, "Flat");
  const std::vector<float> base{1, 0, 0, 1};
  exact->add(base);
  flat->add(base);
  const std::vector<float> q{1, 0};
  for (const auto* index : {exact.get(), flat.get()}) {
    const auto hits = index->search(q, 4);
    ASSERT_EQ(hits.size(), 4u);
    EXPECT_EQ(hits[0].id, 0);
    EXPECT_EQ(hits[1].id, 1);
    EXPECT_EQ(hits[2].id, -1) << index->description();
  }
}

TEST(VectorIndex, SearchParametersAreSetAndTravelWithTheIndex) {
  // 8 lists: probing all of them is exact search, probing one (Faiss's default) misses some.
  const int dim = 8, k = 10;
  const auto base = random_vectors(4000, dim, 11);
  const auto queries = random_vectors(200, dim, 12);
  auto exact = make_brute_force_index(dim);
  exact->add(base);
  const auto want = exact->search(queries, k);
  auto one = make_faiss_index(dim, "IVF8,Flat");
  auto all = make_faiss_index(dim, "IVF8,Flat", "nprobe=8");
  one->add(base);
  all->add(base);
  EXPECT_LT(recall_at_k(want, one->search(queries, k), k), 0.95);
  EXPECT_DOUBLE_EQ(recall_at_k(want, all->search(queries, k), k), 1.0);
  // Faiss writes nprobe with the index, so the artifact's copy searches the same way.
  const auto bytes = all->serialize();
  EXPECT_DOUBLE_EQ(recall_at_k(want, index_from_bytes(bytes)->search(queries, k), k), 1.0);

  auto hnsw = make_faiss_index(dim, "HNSW16", "efSearch=64");
  hnsw->add(base);
  EXPECT_GT(recall_at_k(want, hnsw->search(queries, k), k), 0.95);
}

TEST(VectorIndex, SearchParametersTheIndexDoesNotHaveAreRefusedByName) {
  for (const auto& [factory, search] : {std::pair{"Flat", "nprobe=4"}, std::pair{"IVF8,Flat", "efSearch=64"},
                                        std::pair{"IVF8,Flat", "nprobe"}}) {
    try {
      make_faiss_index(8, factory, search);
      ADD_FAILURE() << factory << " took " << search;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      EXPECT_NE(std::string(e.what()).find(search), std::string::npos) << e.what();
    }
  }
}

TEST(VectorIndex, BadInputIsAnError) {
  EXPECT_THROW(make_faiss_index(8, "NoSuchIndex"), Error);
  EXPECT_THROW(make_faiss_index(0, "Flat"), Error);
  auto flat = make_faiss_index(4, "Flat");
  EXPECT_THROW(flat->add(std::vector<float>(5)), Error);
  EXPECT_THROW(load_faiss_index("/nonexistent/index.faiss"), Error);
}

}  // namespace
}  // namespace cobuy
