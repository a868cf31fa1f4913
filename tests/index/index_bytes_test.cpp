// Vector indexes to bytes and back (how the model artifact carries them), and bad bytes refused.
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "support/random_vectors.h"
#include "index/vector_index.h"

namespace cobuy {
namespace {

using testing::random_vectors;

void expect_same_search(const VectorIndex& a, const VectorIndex& b, std::span<const float> queries, int k) {
  const auto want = a.search(queries, k);
  const auto got = b.search(queries, k);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id) << "hit " << i;
    EXPECT_EQ(got[i].score, want[i].score) << "hit " << i;
  }
}

void expect_bad_data(std::span<const std::uint8_t> bytes, const std::string& needle) {
  try {
    index_from_bytes(bytes);
    FAIL() << "bad bytes were accepted (" << needle << ")";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

class IndexBytes : public ::testing::TestWithParam<std::string> {};

TEST_P(IndexBytes, RoundTripGivesTheSameSearchResults) {
  const int dim = 12, k = 7;
  const auto base = random_vectors(600, dim, 11);
  const auto queries = random_vectors(20, dim, 12);
  auto index = GetParam() == "brute-force" ? make_brute_force_index(dim) : make_faiss_index(dim, GetParam());
  index->add(base);
  const auto bytes = index->serialize();
  ASSERT_FALSE(bytes.empty());
  const auto loaded = index_from_bytes(bytes);
  EXPECT_EQ(loaded->dim(), dim);
  EXPECT_EQ(loaded->size(), 600);
  expect_same_search(*index, *loaded, queries, k);
  EXPECT_EQ(loaded->serialize(), bytes) << "serializing the loaded index gives the same bytes";
}

TEST_P(IndexBytes, TruncatedOrPaddedBytesAreRefused) {
  const int dim = 4;
  auto index = GetParam() == "brute-force" ? make_brute_force_index(dim) : make_faiss_index(dim, GetParam());
  index->add(random_vectors(50, dim, 13));
  auto bytes = index->serialize();
  for (const std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{9}, std::size_t{3}}) {
    SCOPED_TRACE(keep);
    expect_bad_data(std::span(bytes).first(keep), "");
  }
  bytes.push_back(0);
  expect_bad_data(bytes, "");
}

INSTANTIATE_TEST_SUITE_P(Kinds, IndexBytes, ::testing::Values("Flat", "HNSW16", "brute-force"),
                         [](const auto& info) { return info.param == "brute-force" ? std::string("BruteForce") : info.param; });

TEST(IndexFromBytes, RefusesEmptyAndForeignBytesWithAClearMessage) {
  expect_bad_data({}, "0 bytes");
  const std::string text = "this is not an index at all, just some text";
  const std::vector<std::uint8_t> garbage(text.begin(), text.end());
  expect_bad_data(garbage, "cannot read Faiss index");
}

TEST(IndexFromBytes, RefusesACorruptFaissHeader) {
  auto index = make_faiss_index(4, "Flat");
  index->add(random_vectors(10, 4, 14));
  auto bytes = index->serialize();
  bytes[0] ^= 0x5A;  // the four-character index type code
  expect_bad_data(bytes, "cannot read Faiss index");
}

TEST(IndexFromBytes, RefusesABruteForceIndexWhoseSizesDoNotAddUp) {
  auto index = make_brute_force_index(3);
  index->add(random_vectors(5, 3, 15));
  auto bytes = index->serialize();
  bytes[8] = 6;  // claims 6 vectors, holds 5
  expect_bad_data(bytes, "does not fit");
}

}  // namespace
}  // namespace cobuy
