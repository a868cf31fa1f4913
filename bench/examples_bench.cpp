// What the model says for a handful of well-known Online Retail items, as titles side by side:
// its "bought together" complements and its "similar" substitutes. Not a timing benchmark: the
// table in bench/RESULTS.md is its output, for a person to judge whether the lists read right.
//   build/bench/cobuy_examples_bench [ITEM_ID...]             (Online Retail)
//   COBUY_DATA=instacart build/bench/cobuy_examples_bench [ITEM_ID...]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "core/log.h"
#include "core/recommender.h"
#include "training/train.h"

int main(int argc, char** argv) {
  using namespace cobuy;
  log::set_level(log::Level::error);
  std::vector<std::string> items(argv + 1, argv + argc);
  const char* which = std::getenv("COBUY_DATA");
  const bool instacart = which && std::string(which) == "instacart";
  if (instacart && bench::instacart_path().empty()) {
    std::fprintf(stderr, "the Instacart files are not in ../shared/datasets\n");
    return 1;
  }
  if (items.empty() && instacart) items = {"24852", "27845", "21137", "47209", "21903", "26209"};
  if (items.empty()) items = {"22697", "85123A", "20725", "22386", "47566", "84879", "21733", "22138"};
  IngestOptions options;
  options.format = instacart ? OrderFormat::instacart : OrderFormat::online_retail;
  const OrderData data = load_orders({instacart ? bench::instacart_path() : bench::online_retail_path()}, options);
  // COBUY_CONFIG=FILE trains with that config; by default, the default config with the tuned
  // embeddings of bench/RESULTS.md turned on (they give the substitutes).
  TrainConfig config;
  if (const char* file = std::getenv("COBUY_CONFIG")) {
    config = load_train_config(file);
  } else {
    config.embedding.epochs = 20;
    config.embedding.subsample = 0;
  }
  const Model model = train_model(data, config);
  auto titles = [&](const std::vector<Recommendation>& recs) {
    std::string out;
    for (const auto& r : recs) out += (out.empty() ? "" : "; ") + model.catalog.titles[r.item];
    return out.empty() ? std::string("(none)") : out;
  };
  // Also the most ordered items that have substitutes at all (few do: see the count).
  std::size_t with_substitutes = 0;
  std::vector<ItemIndex> by_orders;
  for (ItemIndex i = 0; i < model.catalog.size(); ++i) {
    if (!model.similar.row(i).empty()) {
      ++with_substitutes;
      by_orders.push_back(i);
    }
  }
  std::sort(by_orders.begin(), by_orders.end(),
            [&](ItemIndex a, ItemIndex b) { return model.item_orders[a] > model.item_orders[b]; });
  if (argc == 1) {
    for (std::size_t r = 0; r < by_orders.size() && r < 8; ++r) items.push_back(model.catalog.ids[by_orders[r]]);
  }
  std::printf("%zu of %zu items have substitutes\n\n", with_substitutes, model.catalog.size());
  std::printf("| item | bought together (top 5) | similar: substitutes (top 3) |\n|---|---|---|\n");
  for (const auto& id : items) {
    const auto i = model.catalog.find(id);
    if (!i) {
      std::fprintf(stderr, "unknown item %s\n", id.c_str());
      continue;
    }
    std::printf("| %s %s | %s | %s |\n", id.c_str(), model.catalog.titles[*i].c_str(),
                titles(bought_together(model, *i, 5)).c_str(), titles(similar_items(model, *i, 3)).c_str());
  }
}
