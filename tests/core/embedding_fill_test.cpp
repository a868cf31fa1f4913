// Short "bought together" rows filled from an injected complement search (a fake here; the real
// Faiss-backed one is tested in tests/index and tests/api).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "core/recommender.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

using Hits = std::vector<std::pair<ItemIndex, float>>;

/// tea -> saucer (table); rare has an empty row; mug is a substitute of rare; pen is popular.
class EmbeddingFillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& c = m_.catalog;
    for (const char* id : {"tea", "saucer", "rare", "mug", "cake", "pen", "spoon"}) c.add(id);
    c.categories[cake_] = "food";
    c.prices[cake_] = 9.0f;
    const std::vector<std::vector<Neighbor>> rows = {
        {{saucer_, 0.9f, 5}}, {{tea_, 0.9f, 5}}, {}, {}, {}, {}, {}};
    for (const auto& row : rows) {
      m_.bought_together.entries.insert(m_.bought_together.entries.end(), row.begin(), row.end());
      m_.bought_together.offsets.push_back(m_.bought_together.entries.size());
    }
    m_.similar.entries = {{mug_, 0.95f, 0}};  // rare's only substitute
    m_.similar.offsets = {0, 0, 0, 1, 1, 1, 1, 1};
    m_.popular = {pen_, tea_, saucer_};
    m_.popular_scores = {1.0f, 0.5f, 0.25f};
    m_.item_orders.assign(c.size(), 1);
    // What the embedding index would say, best first; it knows nothing of substitutes.
    hits_[rare_] = {{rare_, 3.0f}, {mug_, 2.5f}, {cake_, 2.0f}, {tea_, 1.0f}, {spoon_, 0.5f}, {pen_, -0.5f}};
    hits_[tea_] = {{spoon_, 1.5f}, {saucer_, 1.2f}, {cake_, 0.2f}};
    testing::add_item_vectors(m_);
  }

  ComplementSearch search() {
    return [this](std::span<const float> query, std::size_t k) {
      ++calls_;
      const ItemIndex item = testing::item_of_query(query);
      Hits out = hits_.count(item) ? hits_.at(item) : Hits{};
      if (out.size() > k) out.resize(k);
      return out;
    };
  }
  std::vector<std::string> ids(const std::vector<Recommendation>& r) const {
    std::vector<std::string> out;
    for (const auto& x : r) out.push_back(m_.catalog.ids[x.item]);
    return out;
  }

  Model m_;
  std::map<ItemIndex, Hits> hits_;
  std::atomic<int> calls_{0};
  const ItemIndex tea_ = 0, saucer_ = 1, rare_ = 2, mug_ = 3, cake_ = 4, pen_ = 5, spoon_ = 6;
};

TEST_F(EmbeddingFillTest, AnEmptyRowIsFilledFromTheSearchWithoutTheAnchorOrItsSubstitutes) {
  const auto r = bought_together(m_, rare_, 10, search());
  // rare itself and mug (its substitute) are skipped; a negative affinity still ranks.
  EXPECT_EQ(ids(r), (std::vector<std::string>{"cake", "tea", "spoon", "pen"}));
  for (const auto& x : r) {
    EXPECT_EQ(x.source, Source::embedding);
    EXPECT_EQ(x.relation, Relation::complement);
    EXPECT_EQ(x.reason, "rare");
    EXPECT_GT(x.score, 0.0f);
    EXPECT_LT(x.score, 1.0f);
  }
  for (std::size_t k = 1; k < r.size(); ++k) EXPECT_GT(r[k - 1].score, r[k].score);
  EXPECT_EQ(bought_together(m_, rare_, 2, search()).size(), 2u);
}

TEST_F(EmbeddingFillTest, WithoutASearchAnEmptyRowStaysEmpty) {
  EXPECT_TRUE(bought_together(m_, rare_, 10).empty());
  EXPECT_TRUE(bought_together(m_, rare_, 10, ComplementSearch{}).empty());
}

TEST_F(EmbeddingFillTest, AnItemWithoutAVectorIsNotSearchedFrom) {
  std::fill_n(m_.embeddings.input.begin() + rare_, 1, 0.0f);  // rare was not trained
  EXPECT_TRUE(bought_together(m_, rare_, 10, search()).empty());
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(EmbeddingFillTest, TableItemsComeFirstAndAFullRowNeverSearches) {
  auto r = bought_together(m_, tea_, 1, search());
  EXPECT_EQ(ids(r), (std::vector<std::string>{"saucer"}));
  EXPECT_EQ(r[0].source, Source::precomputed);
  EXPECT_EQ(calls_.load(), 0);

  r = bought_together(m_, tea_, 3, search());
  // saucer from the table, then spoon and cake from the search (saucer is not repeated).
  EXPECT_EQ(ids(r), (std::vector<std::string>{"saucer", "spoon", "cake"}));
  EXPECT_EQ(r[1].source, Source::embedding);
  EXPECT_LT(r[1].score, r[0].score);
  EXPECT_GT(r[1].score, r[2].score);
}

TEST_F(EmbeddingFillTest, BasketsAreFilledBeforeThePopularFallback) {
  Query q;
  q.items = {"rare"};
  q.limit = 5;
  const auto r = recommend(m_, q, search());
  const auto got = ids(r.items);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got, (std::vector<std::string>{"cake", "tea", "spoon", "pen", "saucer"}));
  EXPECT_EQ(r.items[3].source, Source::embedding);
  EXPECT_EQ(r.items[4].relation, Relation::popular);
  EXPECT_EQ(r.items[4].source, Source::precomputed);
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(std::count(got.begin(), got.end(), "rare"), 0);
  EXPECT_EQ(std::count(got.begin(), got.end(), "mug"), 0) << "a substitute of the basket";
  for (std::size_t k = 1; k < r.items.size(); ++k) EXPECT_GE(r.items[k - 1].score, r.items[k].score);

  // Enough from the search: no popular fallback.
  q.limit = 4;
  EXPECT_FALSE(recommend(m_, q, search()).fallback);
}

TEST_F(EmbeddingFillTest, BasketFillRespectsExcludesFiltersAndNamesTheBestAnchor) {
  Query q;
  q.items = {"rare", "tea"};
  q.limit = 4;
  q.exclude = {"spoon"};
  q.filters.exclude_categories = {"food"};
  const auto r = recommend(m_, q, search());
  const auto got = ids(r.items);
  // saucer from tea's row; cake is filtered, spoon excluded, tea and rare are in the basket.
  EXPECT_EQ(std::count(got.begin(), got.end(), "spoon"), 0);
  EXPECT_EQ(std::count(got.begin(), got.end(), "cake"), 0);
  EXPECT_EQ(std::count(got.begin(), got.end(), "tea"), 0);
  EXPECT_EQ(std::count(got.begin(), got.end(), "mug"), 0);
  // What is left: saucer (tea's row), then pen (rare's only allowed hit).
  EXPECT_EQ(got, (std::vector<std::string>{"saucer", "pen"}));
  EXPECT_EQ(r.items[1].source, Source::embedding);

  // cake is a hit of both anchors: its best affinity names the anchor.
  Query b;
  b.items = {"tea", "rare"};
  b.limit = 2;
  const auto rb = recommend(m_, b, search());
  ASSERT_EQ(rb.items.size(), 2u);
  EXPECT_EQ(m_.catalog.ids[rb.items[1].item], "cake");
  EXPECT_EQ(rb.items[1].reason, "rare") << "cake's affinity with rare is 2.0, with tea 0.2";
}

TEST(SourceName, NamesBothSources) {
  EXPECT_EQ(source_name(Source::embedding), "embedding");
  EXPECT_EQ(source_name(Source::precomputed), "precomputed");
}

}  // namespace
}  // namespace cobuy
