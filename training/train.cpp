#include "training/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include <tbb/global_control.h>

#include "core/error.h"
#include "core/fnv.h"
#include "core/log.h"
#include "core/next_order.h"
#include "core/time_util.h"
#include "index/vector_index.h"
#include "training/blend.h"
#include "training/cooccurrence.h"
#include "training/ease.h"
#include "training/embedding_neighbors.h"
#include "training/next_order_fit.h"
#include "training/reranker_fit.h"
#include "training/sgns.h"
#include "training/validation_carve.h"

namespace cobuy {
namespace {

void report(const ProgressFn& progress, std::string_view stage, std::uint64_t done, std::uint64_t total) {
  if (progress) progress(stage, done, total);
}

/// The item-item tables: "bought together" blends the weighted sources (a source with weight 0
/// is not trained) and drops each item's substitutes; "similar" holds the substitutes.
void build_item_tables(const Baskets& baskets, const PairCounts& pairs, const TrainConfig& config, Model& m,
                       const ProgressFn& progress, SourceCache* cache) {
  const auto top_k = config.cooccurrence.top_k;
  NeighborTable cooc, emb;
  EaseTables ease;
  // A source from the cache when one was built with the same settings, else built (and cached).
  auto cached = [&](auto* shelf, const std::string& key, auto& out, auto build) {
    if (shelf) {
      if (auto it = shelf->find(key); it != shelf->end()) {
        out = it->second;
        return;
      }
    }
    out = build();
    if (shelf) shelf->emplace(key, out);
  };
  std::vector<WeightedTable> sources;
  nlohmann::json settings;
  to_json(settings, config);
  if (config.blend.cooccurrence > 0) {
    cached(cache ? &cache->tables : nullptr, "cooccurrence " + settings["cooccurrence"].dump(), cooc,
           [&] { return top_k_neighbors(pairs, m.item_orders, baskets.size(), config.cooccurrence); });
    sources.push_back({&cooc, config.blend.cooccurrence});
  }
  if (config.blend.ease > 0) {
    cached(cache ? &cache->ease : nullptr, ease_cache_key(config), ease,
           [&] { return train_ease(baskets, pairs, config.ease, top_k, config.cooccurrence.max_basket); });
    sources.push_back({&ease.positive, config.blend.ease});
    m.penalties = scaled(ease.negative, config.blend.ease / table_scale(ease.positive));
  }
  if (config.embedding.epochs > 0) {
    SgnsEmbeddings trained;
    if (!cache || !cache->embeddings) {
      trained = train_sgns(baskets, sgns_config(config.embedding, config.threads), [&](const SgnsEpochStats& s) {
        report(progress, "embed", static_cast<std::uint64_t>(s.epoch), config.embedding.epochs);
        log::debug("embedding epoch", {{"epoch", s.epoch}, {"loss", s.loss}, {"pairs_per_s", s.pairs_per_second}});
      });
    }
    const SgnsEmbeddings& vectors = cache && cache->embeddings ? *cache->embeddings : trained;
    m.embeddings = item_embeddings(vectors, config.embedding.index, config.embedding.index_search);
    const auto lookalikes = embedding_lookalikes(vectors, top_k, config.embedding.index, config.embedding.index_search);
    m.similar = substitutes_from_lookalikes(lookalikes, pairs, m.item_orders, baskets.size(),
                                            config.embedding.substitute_max_lift,
                                            config.embedding.substitute_min_similarity,
                                            config.embedding.substitute_min_expected);
    if (config.blend.embedding > 0) {
      emb = embedding_complements(vectors, top_k, config.embedding.index, config.embedding.index_search);
      sources.push_back({&emb, config.blend.embedding});
    }
  } else {
    m.similar.offsets.assign(baskets.n_items + 1, 0);
  }
  m.bought_together = without_pairs(blend_tables(sources, top_k), m.similar);
  if (m.penalties.items() == 0) m.penalties.offsets.assign(baskets.n_items + 1, 0);
}

}  // namespace

SgnsConfig sgns_config(const EmbeddingConfig& e, std::uint32_t threads) {
  SgnsConfig s;
  s.dim = static_cast<int>(e.dim);
  s.epochs = static_cast<int>(e.epochs);
  s.negatives = static_cast<int>(e.negatives);
  s.ns_exponent = e.ns_exponent;
  s.learning_rate = e.learning_rate;
  s.min_learning_rate = e.min_learning_rate;
  s.subsample = e.subsample;
  s.min_count = e.min_count;
  s.window = static_cast<int>(e.window);
  s.max_contexts = e.max_contexts;
  s.seed = e.seed;
  s.deterministic = e.deterministic;
  s.threads = threads;
  return s;
}

std::string ease_cache_key(const TrainConfig& config) {
  nlohmann::json settings;
  to_json(settings, config);
  return "ease " + settings["ease"].dump() + " " + settings["cooccurrence"].dump();
}

std::string data_fingerprint(const OrderData& data) {
  std::uint64_t h = kFnvOffsetBasis;
  for (const auto& o : data.orders) {
    h = fnv1a(h, o.id.data(), o.id.size());
    h = fnv1a(h, &o.time, sizeof o.time);
    for (const auto& l : o.lines) {
      const auto& id = data.catalog.ids[l.item];
      h = fnv1a(h, id.data(), id.size() + 1);  // includes the terminating NUL as a separator
      h = fnv1a(h, &l.quantity, sizeof l.quantity);
    }
    if (o.customer != kNoCustomer) {
      const auto& c = data.customer_ids[static_cast<std::size_t>(o.customer)];
      h = fnv1a(h, c.data(), c.size() + 1);
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Timestamp decay_origin(const OrderData& data) {
  std::vector<Timestamp> times;
  times.reserve(data.orders.size());
  for (const auto& o : data.orders) {
    if (o.time != kNoTime) times.push_back(o.time);
  }
  if (times.empty()) return kNoTime;
  if (times.size() == 1) return times.front();
  // The newest 0.1% of the orders (at least one) do not count: however far ahead they are, the
  // origin stays where the bulk of the orders is, so no single row can age every other order.
  const std::size_t skipped = std::max<std::size_t>(1, times.size() / 1000);
  const auto k = times.begin() + static_cast<std::ptrdiff_t>(times.size() - 1 - skipped);
  std::nth_element(times.begin(), k, times.end());
  return *k;
}

void build_popularity(const OrderData& data, const PopularityConfig& config, Model& model) {
  const std::size_t n = data.catalog.size();
  std::vector<double> score(n, 0.0);
  const Timestamp origin = decay_origin(data);
  const bool decay = config.half_life_days > 0 && origin != kNoTime;
  for (const auto& o : data.orders) {
    double w = 1.0;
    if (decay && o.time != kNoTime) {
      // Orders after the origin (the newest few) count as of age 0, never more than 1.
      const double age_days = static_cast<double>(std::max<Timestamp>(0, origin - o.time)) / kSecondsPerDay;
      w = std::exp2(-age_days / config.half_life_days);
    }
    for (const auto& l : o.lines) score[l.item] += w;
  }
  std::vector<ItemIndex> order(n);
  std::iota(order.begin(), order.end(), ItemIndex{0});
  const auto k = std::min<std::size_t>(config.top_n, n);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](ItemIndex a, ItemIndex b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
  order.resize(k);
  while (!order.empty() && score[order.back()] <= 0) order.pop_back();
  model.popular = order;
  model.popular_scores.clear();
  const double top = order.empty() ? 1.0 : score[order.front()];
  for (ItemIndex i : order) model.popular_scores.push_back(static_cast<float>(score[i] / top));
}

CustomerHistory build_customer_history(const OrderData& data) {
  CustomerHistory h;
  h.ids = data.customer_ids;
  for (std::size_t c = 0; c < h.ids.size(); ++c) h.index.emplace(h.ids[c], static_cast<std::uint32_t>(c));
  // Orders are sorted by time, so each customer's list comes out in time order.
  std::vector<std::vector<std::size_t>> per_customer(h.ids.size());
  for (std::size_t o = 0; o < data.orders.size(); ++o) {
    const auto c = data.orders[o].customer;
    if (c != kNoCustomer) per_customer[static_cast<std::size_t>(c)].push_back(o);
  }
  h.order_offsets.assign(1, 0);
  h.item_offsets.assign(1, 0);
  for (const auto& list : per_customer) {
    for (std::size_t o : list) {
      const auto& order = data.orders[o];
      h.order_times.push_back(order.time);
      h.order_keys.push_back(fnv1a(order.id));
      double value = 0.0;  // summed in double: bulk orders hold many lines
      for (const auto& l : order.lines) {
        h.items.push_back(l.item);
        if (!std::isnan(l.price)) value += static_cast<double>(l.quantity) * static_cast<double>(l.price);
      }
      h.order_values.push_back(static_cast<float>(value));
      h.item_offsets.push_back(h.items.size());
    }
    h.order_offsets.push_back(h.order_times.size());
  }
  return h;
}

Model train_model(const OrderData& data, const TrainConfig& config, const nlohmann::json& ingest_summary,
                  const ProgressFn& progress, SourceCache* cache) {
  validate(config);
  COBUY_CHECK(!data.orders.empty(), ErrorCode::bad_data, "no orders left after cleaning: nothing to train on");
  // A bad index or search parameter is refused now, not after the embeddings have trained.
  if (config.embedding.epochs > 0) {
    make_faiss_index(static_cast<int>(config.embedding.dim), config.embedding.index, config.embedding.index_search);
  }
  std::unique_ptr<tbb::global_control> threads;
  if (config.threads > 0) {
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, config.threads);
  }

  Model m;
  m.config = config;
  m.ingest_summary = ingest_summary;
  m.catalog = data.catalog;
  m.data_fingerprint = data_fingerprint(data);
  const auto now = std::chrono::system_clock::now();
  m.created_at = format_timestamp(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  m.version = m.created_at.substr(0, 10) + "-" + m.data_fingerprint.substr(0, 8) + "-" +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 100000);

  report(progress, "count", 0, 3);
  const Baskets baskets = baskets_from_orders(data);
  m.item_orders = item_order_counts(baskets);
  // Every co-purchased pair, even once: EASE and the substitute test need the true counts (a
  // rare item's real partner must not look never-bought-with-it); the co-occurrence table
  // applies min_support itself.
  PairCounts counted;
  if (!cache || !cache->pairs) counted = count_pairs(baskets, 1, config.cooccurrence.max_basket);
  const PairCounts& pairs = cache && cache->pairs ? *cache->pairs : counted;
  report(progress, "count", 1, 3);
  build_item_tables(baskets, pairs, config, m, progress, cache);
  report(progress, "count", 2, 3);
  build_popularity(data, config.popularity, m);
  m.customers = build_customer_history(data);
  report(progress, "count", 3, 3);

  m.stats.orders = data.orders.size();
  m.stats.items = data.catalog.size();
  m.stats.customers = data.customer_ids.size();
  m.stats.pairs = static_cast<std::uint64_t>(std::count_if(pairs.counts.begin(), pairs.counts.end(), [&](std::uint32_t c) {
                    return c >= config.cooccurrence.min_support;
                  })) / 2;
  for (const auto& o : data.orders) {
    if (o.time == kNoTime) continue;
    if (m.stats.first_order == kNoTime || o.time < m.stats.first_order) m.stats.first_order = o.time;
    if (m.stats.last_order == kNoTime || o.time > m.stats.last_order) m.stats.last_order = o.time;
  }
  m.repurchase = repurchase_stats(m.customers, m.catalog.size());
  if (config.rerank.enabled || config.next_order.fit) {
    const ValidationCarve carve = carve_validation(data, config, nullptr, cache ? cache->carve : nullptr);
    if (config.rerank.enabled) m.reranker = fit_reranker(carve, config, progress);
    if (config.next_order.fit) m.next_order = fit_next_order(carve, config, progress);
  }
  log::info("trained", {{"orders", m.stats.orders}, {"items", m.stats.items}, {"pairs", m.stats.pairs}});
  return m;
}

}  // namespace cobuy
