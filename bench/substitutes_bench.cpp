// Substitutes (`GET /v1/items/{id}/similar`) against a ground truth the training never sees: the
// catalogue's aisles. A grocery item's substitute is normally in its own aisle, so for every item
// with an answer, the share of its top 5 answers in the item's category ("department/aisle") is
// scored, against chance and against a baseline without embeddings. Trains once on all orders (no
// split: the truth is the catalogue, not held-out orders). Prints a markdown table.
//   build/bench/cobuy_substitutes_bench [ORDERS_FILE]   (default: the shared Instacart train file)
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/bench_data.h"
#include "core/bootstrap.h"
#include "core/log.h"
#include "core/recommender.h"
#include "training/embedding_neighbors.h"
#include "training/train.h"

namespace {

using namespace cobuy;
constexpr std::size_t kTop = 5;

/// One list of answers per item (empty = no answer).
using Answers = std::vector<std::vector<ItemIndex>>;

Answers top_of(const NeighborTable& t, std::size_t n) {
  Answers a(t.items());
  for (ItemIndex i = 0; i < t.items(); ++i) {
    for (const auto& nb : t.row(i)) {
      if (a[i].size() == n) break;
      a[i].push_back(nb.item);
    }
  }
  return a;
}

/// Second-order co-occurrence: per item i, the top_k items j != i by the cosine of their rows of
/// the co-occurrence neighbour table `cooc` (the neighbours' jaccard scores, zero off the row),
/// i.e. sum over shared neighbours k of w_ik * w_jk / (|w_i| |w_j|). Cosine 0 is never kept.
NeighborTable second_order(const NeighborTable& cooc, std::uint32_t top_k) {
  const std::size_t n = cooc.items();
  std::vector<double> norm(n, 0.0);
  std::vector<std::vector<Neighbor>> holders(n);  // column k: the items whose row holds k, with w_ik
  for (ItemIndex i = 0; i < n; ++i) {
    for (const auto& nb : cooc.row(i)) {
      norm[i] += static_cast<double>(nb.score) * nb.score;
      holders[nb.item].push_back({i, nb.score, 0});
    }
  }
  std::vector<std::vector<Neighbor>> rows(n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
    std::vector<double> dot(n, 0.0);
    std::vector<ItemIndex> touched;
    std::vector<Neighbor> row;  // scratch: rows[i] gets only its top_k (a resized vector keeps its capacity)
    for (std::size_t i = r.begin(); i < r.end(); ++i) {
      touched.clear();
      for (const auto& nb : cooc.row(static_cast<ItemIndex>(i))) {
        for (const auto& h : holders[nb.item]) {
          if (h.item == i) continue;
          if (dot[h.item] == 0.0) touched.push_back(h.item);
          dot[h.item] += static_cast<double>(nb.score) * h.score;
        }
      }
      row.clear();
      for (ItemIndex j : touched) {
        row.push_back({j, static_cast<float>(dot[j] / std::sqrt(norm[i] * norm[j])), 0});
        dot[j] = 0.0;
      }
      const auto k = std::min<std::size_t>(top_k, row.size());
      std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k), row.end(),
                        [](const Neighbor& a, const Neighbor& b) {
                          return a.score != b.score ? a.score > b.score : a.item < b.item;
                        });
      rows[i].assign(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k));
    }
  });
  return NeighborTable::from_rows(rows);
}

struct Scored {
  std::vector<ItemIndex> items;  ///< items with an answer (and a category)
  std::vector<double> share;     ///< same-aisle share of their top answers, per item
  std::vector<double> chance;    ///< chance's share on the same item
  double answers = 0;            ///< answers summed over the items (at most kTop each)
};

Scored score(const Answers& answers, const Catalog& catalog, const std::vector<double>& chance) {
  Scored s;
  for (ItemIndex i = 0; i < answers.size(); ++i) {
    if (answers[i].empty() || catalog.categories[i].empty()) continue;
    std::size_t same = 0;
    for (ItemIndex j : answers[i]) same += catalog.categories[j] == catalog.categories[i] ? 1 : 0;
    s.items.push_back(i);
    s.share.push_back(static_cast<double>(same) / static_cast<double>(answers[i].size()));
    s.chance.push_back(chance[i]);
    s.answers += static_cast<double>(answers[i].size());
  }
  return s;
}

std::string ci(const Interval& v, const char* format = "%.3f [%.3f, %.3f]") {
  char buf[96];
  std::snprintf(buf, sizeof buf, format, v.mean, v.low, v.high);
  return buf;
}

/// a minus b, paired on the items both answer.
std::string paired(const Scored& a, const Scored& b, std::size_t* common) {
  std::unordered_map<ItemIndex, double> in_b;
  for (std::size_t t = 0; t < b.items.size(); ++t) in_b.emplace(b.items[t], b.share[t]);
  std::vector<double> x, y;
  for (std::size_t t = 0; t < a.items.size(); ++t) {
    if (auto it = in_b.find(a.items[t]); it != in_b.end()) {
      x.push_back(a.share[t]);
      y.push_back(it->second);
    }
  }
  *common = x.size();
  return x.empty() ? std::string("-") : ci(bootstrap_mean_difference(x, y), "%+.3f [%+.3f, %+.3f]");
}

}  // namespace

int main(int argc, char** argv) {
  log::set_level(log::Level::error);
  // Online Retail has no category column (its preset maps none), so there is no truth to score.
  {
    IngestOptions o;
    o.format = OrderFormat::online_retail;
    const OrderData retail = load_orders({bench::online_retail_path()}, o);
    const auto with = std::count_if(retail.catalog.categories.begin(), retail.catalog.categories.end(),
                                    [](const std::string& c) { return !c.empty(); });
    std::printf("Online Retail: %zu of %zu items have a category: %s\n\n", static_cast<std::size_t>(with),
                retail.catalog.size(), with == 0 ? "skipped" : "not scored by this program");
  }
  const std::string path = argc > 1 ? argv[1] : bench::instacart_path();
  if (path.empty()) {
    std::printf("../shared/datasets/instacart-train is absent: nothing to measure\n");
    return 0;
  }
  IngestOptions options;
  options.format = OrderFormat::instacart;
  const OrderData data = load_orders({path}, options);

  TrainConfig config;
  config.embedding.epochs = 10;
  config.embedding.max_contexts = 10;
  config.rerank.enabled = false;   // neither touches the "similar" table
  config.next_order.fit = false;
  config.blend.ease = 0;           // only "bought together" uses EASE
  const Baskets baskets = baskets_from_orders(data);
  const auto item_orders = item_order_counts(baskets);
  const PairCounts pairs = count_pairs(baskets, 1, config.cooccurrence.max_basket);
  const SgnsEmbeddings vectors = train_sgns(baskets, sgns_config(config.embedding, config.threads));
  SourceCache cache;  // train_model reuses these counts and vectors: the look-alikes are of the same ones
  cache.pairs = &pairs;
  cache.embeddings = &vectors;
  const Model model = train_model(data, config, nlohmann::json::object(), nullptr, &cache);
  const Catalog& catalog = model.catalog;
  const std::size_t n = catalog.size();

  // Chance: 5 items drawn in proportion to their orders, the item itself left out.
  std::unordered_map<std::string, double> aisle_orders;
  double all_orders = 0;
  for (ItemIndex i = 0; i < n; ++i) {
    aisle_orders[catalog.categories[i]] += item_orders[i];
    all_orders += item_orders[i];
  }
  std::vector<double> chance(n);
  for (ItemIndex i = 0; i < n; ++i) {
    chance[i] = (aisle_orders[catalog.categories[i]] - item_orders[i]) / (all_orders - item_orders[i]);
  }

  Answers similar(n);
  for (ItemIndex i = 0; i < n; ++i) {
    for (const auto& r : similar_items(model, i, kTop)) similar[i].push_back(r.item);
  }
  const auto& e = config.embedding;
  const auto top_k = config.cooccurrence.top_k;
  const NeighborTable cooc = top_k_neighbors(pairs, item_orders, baskets.size(), config.cooccurrence);
  const NeighborTable second = second_order(cooc, top_k);
  const NeighborTable second_subs = substitutes_from_lookalikes(second, pairs, item_orders, baskets.size(),
                                                                e.substitute_max_lift, e.substitute_min_similarity,
                                                                e.substitute_min_expected);
  struct Row {
    std::string name;
    Scored s;
  };
  std::vector<Row> rows;
  rows.push_back({"cobuy /similar", score(similar, catalog, chance)});
  rows.push_back({"embedding look-alikes, unfiltered",
                  score(top_of(embedding_lookalikes(vectors, kTop, e.index), kTop), catalog, chance)});
  rows.push_back({"second-order co-occurrence, filtered",
                  score(top_of(second_subs, kTop), catalog, chance)});
  rows.push_back({"second-order co-occurrence, unfiltered", score(top_of(second, kTop), catalog, chance)});

  std::size_t categorised = 0;
  for (ItemIndex i = 0; i < n; ++i) categorised += catalog.categories[i].empty() ? 0 : 1;
  std::printf("Instacart: %zu orders, %zu items (%zu with a category), %zu with an embedding vector, "
              "trained once on all orders; same-aisle share of each item's top %zu answers\n\n",
              baskets.size(), n, categorised,
              static_cast<std::size_t>(std::count(vectors.trained.begin(), vectors.trained.end(), 1)), kTop);
  std::printf("| list | items answered | answers per item | same-aisle share [95%%] | chance, same items | "
              "minus chance, paired |\n|---|---|---|---|---|---|\n");
  for (const auto& r : rows) {
    const auto& s = r.s;
    const double per_item = s.items.empty() ? 0 : s.answers / static_cast<double>(s.items.size());
    std::printf("| %s | %zu | %.2f | %s | %s | %s |\n", r.name.c_str(), s.items.size(), per_item,
                s.items.empty() ? "-" : ci(bootstrap_mean(s.share)).c_str(),
                s.items.empty() ? "-" : ci(bootstrap_mean(s.chance)).c_str(),
                s.items.empty() ? "-" : ci(bootstrap_mean_difference(s.share, s.chance), "%+.3f [%+.3f, %+.3f]").c_str());
  }
  std::printf("\n| paired on the items both answer | items | difference in same-aisle share [95%%] |\n|---|---|---|\n");
  const std::pair<std::size_t, std::size_t> pairs_of[] = {{0, 2}, {0, 1}, {1, 3}, {2, 3}};
  for (const auto& [a, b] : pairs_of) {
    std::size_t common = 0;
    const std::string d = paired(rows[a].s, rows[b].s, &common);
    std::printf("| %s minus %s | %zu | %s |\n", rows[a].name.c_str(), rows[b].name.c_str(), common, d.c_str());
  }
  std::printf("\npeak RSS %.0f MiB\n", bench::peak_rss_mib());
  return 0;
}
