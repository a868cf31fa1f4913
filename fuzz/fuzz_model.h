#pragma once
/// The small fixed shop the request and query fuzz targets answer against: a few items with
/// categories, prices and one out of stock, "bought together" rows, a substitute, popular items,
/// two customers with histories, and a stand-in embedding search so the fill path runs too.

#include <memory>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/recommender.h"
#include "support/model_builder.h"

namespace cobuy::fuzz {

/// The shop (ids chosen to match the README's Online Retail examples).
inline std::shared_ptr<const Model> fuzz_model() {
  testing::ModelBuilder b;
  b.item("22697", "kitchen", 2.95f).item("22698", "kitchen", 2.95f).item("22699", "kitchen", 2.95f);
  b.item("85123A", "home", 2.55f).item("71053", "home", 3.39f).item("84406B", "home");
  b.item("tea", "drinks", 3.0f).item("kettle", "kitchen", 30.0f, /*in_stock=*/false).item("1", "", 0.5f);
  b.bought_with("22697", {"22698", "22699", "85123A", "kettle"});
  b.bought_with("22699", {"22697", "22698", "tea"});
  b.bought_with("tea", {"kettle", "22697"});
  b.substitutes("22697", {"22698"});
  b.popular({"85123A", "22697", "71053", "tea", "1"});
  b.order("17850", "2010-12-01T08:26:00", {"85123A", "71053"}, 20.0f);
  b.order("17850", "2011-01-10", {"85123A", "tea"}, 5.0f);
  b.order("17850", "2011-02-10", {"tea", "22697"}, 8.0f);
  b.order("13047", "2011-03-01T10:00:00", {"22699"}, 3.0f);
  Model m = b.build();
  testing::add_item_vectors(m);
  return std::make_shared<const Model>(std::move(m));
}

/// An embedding search over `model` (its items have add_item_vectors vectors): for a query, the
/// items after the one it is (item_of_query) in index order, with falling affinities (what a
/// Faiss search returns in shape, without Faiss).
inline ComplementSearch fuzz_complements(std::shared_ptr<const Model> model) {
  return [model](std::span<const float> query, std::size_t k) {
    std::vector<std::pair<ItemIndex, float>> out;
    const ItemIndex item = testing::item_of_query(query);
    const auto n = static_cast<ItemIndex>(model->catalog.size());
    for (ItemIndex d = 1; d < n && out.size() < k; ++d) {
      out.emplace_back(static_cast<ItemIndex>((item + d) % n), 1.0f / static_cast<float>(d));
    }
    return out;
  };
}

}  // namespace cobuy::fuzz
