// The Faiss-backed ComplementSearch over a model's embeddings, against a brute-force reference.
#include "index/complement_search.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "index/vector_index.h"

namespace cobuy {
namespace {

constexpr int kDim = 6;

/// A model of n items with random vectors; the items in `untrained` get zero rows.
std::shared_ptr<Model> model_with_vectors(std::size_t n, const std::vector<ItemIndex>& untrained,
                                          std::vector<float>& output) {
  auto m = std::make_shared<Model>();
  for (std::size_t i = 0; i < n; ++i) m->catalog.add("item" + std::to_string(i));
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0.0f, 1.0f);
  m->embeddings.dim = kDim;
  m->embeddings.input.resize(n * kDim);
  output.resize(n * kDim);
  for (auto& x : m->embeddings.input) x = g(rng);
  for (auto& x : output) x = g(rng);
  for (ItemIndex i : untrained) {
    std::fill_n(m->embeddings.input.begin() + static_cast<std::ptrdiff_t>(i * kDim), kDim, 0.0f);
    std::fill_n(output.begin() + static_cast<std::ptrdiff_t>(i * kDim), kDim, 0.0f);
  }
  auto index = make_faiss_index(kDim, "Flat");
  index->add(output);
  m->embeddings.complement_index = index->serialize();
  return m;
}

TEST(ComplementSearch, MatchesBruteForceSkippingUntrainedItems) {
  const std::size_t n = 40;
  const std::vector<ItemIndex> untrained = {3, 17};
  std::vector<float> output;
  auto model = model_with_vectors(n, untrained, output);
  const auto search = make_complement_search(model);
  ASSERT_TRUE(search);

  auto exact = make_brute_force_index(kDim);
  exact->add(output);
  // Item vectors, and a customer-like mean of three of them, as queries.
  std::vector<std::vector<float>> queries;
  for (ItemIndex item = 0; item < n; ++item) {
    if (item == 3 || item == 17) continue;  // zero rows: every affinity ties at 0
    const auto row = model->embeddings.input_row(item);
    queries.emplace_back(row.begin(), row.end());
  }
  std::vector<float> mean(kDim, 0.0f);
  for (ItemIndex item : {1, 5, 9}) {
    for (int d = 0; d < kDim; ++d) mean[d] += model->embeddings.input_row(item)[d] / 3.0f;
  }
  queries.push_back(mean);
  for (std::size_t q = 0; q < queries.size(); ++q) {
    const auto got = search(queries[q], 5);
    std::vector<std::pair<ItemIndex, float>> want;
    for (const auto& h : exact->search(queries[q], static_cast<int>(n))) {
      const auto other = static_cast<ItemIndex>(h.id);
      if (other != 3 && other != 17 && want.size() < 5) want.emplace_back(other, h.score);
    }
    ASSERT_EQ(got.size(), want.size()) << "query " << q;
    for (std::size_t r = 0; r < got.size(); ++r) {
      EXPECT_EQ(got[r].first, want[r].first) << "query " << q << " rank " << r;
      EXPECT_NEAR(got[r].second, want[r].second, 1e-4);
    }
  }
  EXPECT_TRUE(search(queries[0], 0).empty());
  EXPECT_TRUE(search(std::vector<float>(kDim + 1, 1.0f), 5).empty()) << "a query of another dimension";
  EXPECT_EQ(search(queries[0], 1000).size(), n - 2) << "every item with a vector, never more";
  // A query every affinity is negative for still finds trained items only (zero rows score 0).
  std::vector<float> negative(kDim, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    for (int d = 0; d < kDim; ++d) negative[d] -= output[i * kDim + d];
  }
  for (const auto& [item, affinity] : search(negative, n)) {
    EXPECT_NE(item, 3u);
    EXPECT_NE(item, 17u);
  }
}

TEST(ComplementSearch, IsEmptyWithoutEmbeddings) {
  auto m = std::make_shared<Model>();
  m->catalog.add("a");
  EXPECT_FALSE(make_complement_search(m));
}

TEST(ComplementSearch, RefusesAnIndexThatDoesNotMatchTheModel) {
  std::vector<float> output;
  auto m = model_with_vectors(10, {}, output);
  auto other = make_faiss_index(kDim, "Flat");
  other->add(std::span(output).first(9 * kDim));
  m->embeddings.complement_index = other->serialize();
  try {
    make_complement_search(m);
    FAIL() << "an index of 9 vectors was accepted for 10 items";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_NE(std::string(e.what()).find("holds 9 vectors"), std::string::npos) << e.what();
  }
  m->embeddings.complement_index.resize(20);
  try {
    make_complement_search(m);
    FAIL() << "truncated index bytes were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_NE(std::string(e.what()).find("complements.faiss"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cobuy
