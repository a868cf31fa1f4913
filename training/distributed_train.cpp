#include "training/distributed_train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>
#include <unordered_map>

#include "core/byte_packing.h"
#include "core/error.h"
#include "core/fnv.h"
#include "core/log.h"
#include "training/cooccurrence.h"
#include "training/ease.h"
#include "training/train.h"
#include "training/validation_carve.h"

namespace cobuy {
namespace {

/// Where an order stands in the time order load_orders gives: its time, then where it was first
/// read (the rank, whose files come after those of lower ranks, and its place among that rank's
/// orders, which load_orders sorted stably by time).
using OrderKey = std::tuple<Timestamp, int, std::uint64_t>;

/// Where the customer an order names was first seen: the rank and its place among that rank's
/// customers (load_orders lists customers as rows first give an order one).
using CustomerKey = std::pair<int, std::uint32_t>;

struct KeyedOrder {
  OrderKey key;
  CustomerKey customer_key;
  Order order;
};

/// Reads what rank `from` sent about `what`; running past its end is a fault (Error(internal)).
ByteUnpacker from_rank(std::string_view bytes, std::size_t from, std::string_view what) {
  return ByteUnpacker(bytes, std::string(what) + " from rank " + std::to_string(from), ErrorCode::internal);
}

void pack_order(BytePacker& p, const Order& o, std::uint64_t place, std::uint32_t local_customer) {
  p.put_string(o.id);
  p.put<Timestamp>(o.time);
  p.put<CustomerIndex>(o.customer);
  p.put<std::uint32_t>(local_customer);
  p.put<std::uint64_t>(place);
  p.put_array(o.lines);
}

KeyedOrder unpack_order(ByteUnpacker& u, int rank) {
  KeyedOrder k;
  k.order.id = u.get_string();
  k.order.time = u.get<Timestamp>();
  k.order.customer = u.get<CustomerIndex>();
  k.customer_key = {rank, u.get<std::uint32_t>()};
  const auto place = u.get<std::uint64_t>();
  k.order.lines = u.get_array<OrderLine>();
  k.key = {k.order.time, rank, place};
  return k;
}

/// Adds a later piece of one order (rows of the same order id in later files) as ingestion does:
/// the first customer stays, quantities of an item are summed and its last known price kept.
void merge_piece(KeyedOrder& whole, const KeyedOrder& later) {
  Order& into = whole.order;
  const Order& piece = later.order;
  if (into.customer == kNoCustomer) {
    into.customer = piece.customer;
    whole.customer_key = later.customer_key;
  }
  for (const OrderLine& l : piece.lines) {
    auto it = std::find_if(into.lines.begin(), into.lines.end(), [&](const OrderLine& m) { return m.item == l.item; });
    if (it == into.lines.end()) {
      into.lines.push_back(l);
      continue;
    }
    it->quantity += l.quantity;
    if (!std::isnan(l.price)) it->price = l.price;
  }
}

/// The catalogue and customers of every rank's files, in file order, as load_orders would list
/// them; and this rank's local indices mapped to them.
struct Agreed {
  Catalog catalog;
  std::vector<std::string> customer_ids;
  std::vector<ItemIndex> item_of;          ///< local item -> agreed item
  std::vector<CustomerIndex> customer_of;  ///< local customer -> agreed customer
};

Agreed agree(Collective& comm, const OrderData& local) {
  BytePacker p;
  p.put_strings(local.catalog.ids);
  p.put_strings(local.catalog.titles);
  p.put_strings(local.catalog.categories);
  p.put_array(local.catalog.prices);
  p.put_array(local.catalog.in_stock);
  p.put_strings(local.customer_ids);
  const auto parts = comm.all_gather(p.bytes());
  Agreed a;
  StringIndexMap customers;
  for (int r = 0; r < comm.size(); ++r) {
    const auto from = static_cast<std::size_t>(r);
    auto u = from_rank(parts[from], from, "the catalogue");
    const auto ids = u.get_strings(), titles = u.get_strings(), categories = u.get_strings();
    const auto prices = u.get_array<float>();
    const auto stock = u.get_array<std::uint8_t>();
    const auto customer_ids = u.get_strings();
    u.expect_end();
    const bool mine = r == comm.rank();
    // Later files win for titles, categories and prices, as in one pass over every file.
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const ItemIndex g = a.catalog.add(ids[k]);
      if (!titles[k].empty()) a.catalog.titles[g] = titles[k];
      if (!categories[k].empty()) a.catalog.categories[g] = categories[k];
      if (!std::isnan(prices[k])) a.catalog.prices[g] = prices[k];
      if (stock[k] != kStockNotSaid) a.catalog.in_stock[g] = stock[k];
      if (mine) a.item_of.push_back(g);
    }
    for (const auto& c : customer_ids) {
      const auto [it, fresh] = customers.emplace(c, static_cast<std::uint32_t>(a.customer_ids.size()));
      if (fresh) a.customer_ids.push_back(c);
      if (mine) a.customer_of.push_back(static_cast<CustomerIndex>(it->second));
    }
  }
  return a;
}

/// Sends each local order, in agreed indices, to the rank its id hashes to; merges the pieces
/// this rank receives (in rank order, so in file order) into whole orders, in time order.
std::vector<KeyedOrder> route(Collective& comm, OrderData& local, const Agreed& agreed) {
  const auto n = static_cast<std::size_t>(comm.size());
  std::vector<BytePacker> out(n);
  for (std::size_t k = 0; k < local.orders.size(); ++k) {
    Order& o = local.orders[k];
    for (auto& l : o.lines) l.item = agreed.item_of[l.item];
    const auto local_customer = static_cast<std::uint32_t>(o.customer);
    if (o.customer != kNoCustomer) o.customer = agreed.customer_of[local_customer];
    pack_order(out[fnv1a(o.id) % n], o, k, local_customer);
  }
  local.orders.clear();
  local.orders.shrink_to_fit();
  std::vector<std::string> parts(n);
  for (std::size_t r = 0; r < n; ++r) parts[r] = std::move(out[r].bytes());
  parts = comm.all_to_all(parts);
  std::vector<KeyedOrder> owned;
  StringIndexMap index;
  for (std::size_t r = 0; r < n; ++r) {
    auto u = from_rank(parts[r], r, "the orders");
    while (!u.done()) {
      KeyedOrder k = unpack_order(u, static_cast<int>(r));
      const auto [it, fresh] = index.emplace(k.order.id, static_cast<std::uint32_t>(owned.size()));
      if (fresh) {
        owned.push_back(std::move(k));
      } else {
        merge_piece(owned[it->second], k);
      }
    }
    parts[r].clear();
    parts[r].shrink_to_fit();
  }
  std::sort(owned.begin(), owned.end(), [](const KeyedOrder& a, const KeyedOrder& b) { return a.key < b.key; });
  return owned;
}

/// The customers load_orders would list, in its order, and every owned order's customer mapped
/// to them. A customer seen only in a later piece of an order that already has one is not listed,
/// as one pass over the files gives it no order; the rest are ordered by where they first gave an
/// order its customer. (load_orders lists a customer where it first registers it; when a rank
/// first saw a customer in such a later piece and uses it for an order of its own only after
/// meeting another new customer, the two may be listed the other way round.)
std::vector<std::string> settle_customers(Collective& comm, std::vector<KeyedOrder>& owned,
                                          const std::vector<std::string>& agreed) {
  std::unordered_map<CustomerIndex, CustomerKey> first;
  for (const auto& k : owned) {
    if (k.order.customer == kNoCustomer) continue;
    auto [it, fresh] = first.emplace(k.order.customer, k.customer_key);
    if (!fresh) it->second = std::min(it->second, k.customer_key);
  }
  BytePacker p;
  for (const auto& [c, key] : first) {
    p.put<CustomerIndex>(c);
    p.put<std::int32_t>(key.first);
    p.put<std::uint32_t>(key.second);
  }
  std::vector<std::pair<CustomerKey, CustomerIndex>> used(agreed.size(), {{-1, 0}, kNoCustomer});
  const auto parts = comm.all_gather(p.bytes());
  for (std::size_t r = 0; r < parts.size(); ++r) {
    auto u = from_rank(parts[r], r, "the customers");
    while (!u.done()) {
      const auto c = u.get<CustomerIndex>();
      const CustomerKey key{u.get<std::int32_t>(), u.get<std::uint32_t>()};
      auto& slot = used[static_cast<std::size_t>(c)];
      if (slot.second == kNoCustomer || key < slot.first) slot = {key, c};
    }
  }
  std::erase_if(used, [](const auto& u) { return u.second == kNoCustomer; });
  std::sort(used.begin(), used.end());
  std::vector<CustomerIndex> settled(agreed.size(), kNoCustomer);
  std::vector<std::string> ids;
  for (const auto& [key, c] : used) {
    settled[static_cast<std::size_t>(c)] = static_cast<CustomerIndex>(ids.size());
    ids.push_back(agreed[static_cast<std::size_t>(c)]);
  }
  for (auto& k : owned) {
    if (k.order.customer != kNoCustomer) k.order.customer = settled[static_cast<std::size_t>(k.order.customer)];
  }
  return ids;
}

/// Every rank's summary summed, its examples in file order up to `max_examples`.
IngestSummary sum_summaries(Collective& comm, const IngestSummary& mine, std::size_t max_examples) {
  IngestSummary total;
  for (const auto& part : comm.all_gather(summary_json(mine).dump())) {
    const auto j = nlohmann::json::parse(part);
    total.rows_read += j["rows_read"].get<std::uint64_t>();
    total.rows_kept += j["rows_kept"].get<std::uint64_t>();
    total.rows_without_customer += j["rows_without_customer"].get<std::uint64_t>();
    for (const auto& [reason, n] : j["dropped"].items()) total.dropped[reason] += n.get<std::uint64_t>();
    for (const auto& e : j["bad_row_examples"]) {
      if (total.bad_row_examples.size() < max_examples) total.bad_row_examples.push_back(e.get<std::string>());
    }
  }
  return total;
}

/// Rank 0 learns the owned orders of every rank and puts them in load_orders' order.
void gather_orders(Collective& comm, const std::vector<KeyedOrder>& owned, OrderData& all) {
  BytePacker p;
  for (const auto& k : owned) pack_order(p, k.order, std::get<2>(k.key), 0);
  // The key's rank is where the order was first read, not who owns it: send it too.
  BytePacker ranks;
  for (const auto& k : owned) ranks.put<std::int32_t>(std::get<1>(k.key));
  const auto parts = comm.gather(p.bytes()), rank_parts = comm.gather(ranks.bytes());
  if (comm.rank() != 0) return;
  std::vector<KeyedOrder> every;
  for (std::size_t r = 0; r < parts.size(); ++r) {
    auto u = from_rank(parts[r], r, "the owned orders"), ur = from_rank(rank_parts[r], r, "the orders' ranks");
    while (!u.done()) every.push_back(unpack_order(u, ur.get<std::int32_t>()));
    ur.expect_end();  // one rank for each order
  }
  std::sort(every.begin(), every.end(), [](const KeyedOrder& a, const KeyedOrder& b) { return a.key < b.key; });
  all.orders.reserve(every.size());
  for (auto& k : every) all.orders.push_back(std::move(k.order));
}

}  // namespace

std::pair<std::size_t, std::size_t> file_share(std::size_t n_files, int rank, int size) {
  const auto r = static_cast<std::size_t>(rank), n = static_cast<std::size_t>(size);
  return {n_files * r / n, n_files * (r + 1) / n};
}

DistributedOrders exchange_orders(Collective& comm, const std::vector<std::string>& paths,
                                  const IngestOptions& options, const ProgressFn& progress) {
  COBUY_CHECK(options.catalog_path.empty(), ErrorCode::bad_request,
              "--catalog is not supported with --distributed yet: train without --distributed to apply a catalogue");
  COBUY_CHECK(!paths.empty(), ErrorCode::bad_request, "no order files given");
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto [first, last] = file_share(paths.size(), comm.rank(), comm.size());
  OrderData local;
  IngestSummary mine;
  if (first < last) {
    const std::vector<std::string> share(paths.begin() + static_cast<std::ptrdiff_t>(first),
                                         paths.begin() + static_cast<std::ptrdiff_t>(last));
    local = load_orders(share, options, &mine, progress);
  }
  const auto read = clock::now();
  DistributedOrders d;
  Agreed agreed = agree(comm, local);
  auto owned = route(comm, local, agreed);
  d.summary = sum_summaries(comm, mine, options.max_bad_row_examples);
  d.all.catalog = std::move(agreed.catalog);
  d.all.customer_ids = settle_customers(comm, owned, agreed.customer_ids);
  std::uint64_t counts[] = {owned.size()};
  comm.sum(counts);
  d.summary.orders = counts[0];
  d.summary.items = d.all.catalog.size();
  d.summary.customers = d.all.customer_ids.size();
  gather_orders(comm, owned, d.all);
  d.owned.reserve(owned.size());
  for (auto& k : owned) d.owned.push_back(std::move(k.order));
  log::info("orders exchanged", {{"rank", comm.rank()},
                                 {"files", last - first},
                                 {"owned_orders", d.owned.size()},
                                 {"read_seconds", std::chrono::duration<double>(read - start).count()},
                                 {"exchange_seconds", std::chrono::duration<double>(clock::now() - read).count()}});
  return d;
}

namespace {

/// The baskets of `orders` (those timed before `before`, or untimed, when it is not kNoTime).
Baskets baskets_of(const std::vector<Order>& orders, std::size_t n_items, Timestamp before) {
  Baskets b;
  b.n_items = n_items;
  std::vector<ItemIndex> items;
  for (const auto& o : orders) {
    if (before != kNoTime && o.time != kNoTime && o.time >= before) continue;
    items.clear();
    for (const auto& l : o.lines) items.push_back(l.item);
    b.add(items);
  }
  return b;
}

/// Rank 0's sum of every rank's pair counts, row by row.
PairCounts sum_pairs(Collective& comm, const PairCounts& mine) {
  BytePacker p;
  p.put_array(mine.offsets);
  p.put_array(mine.items);
  p.put_array(mine.counts);
  const auto parts = comm.gather(p.bytes());
  if (comm.rank() != 0) return {};
  std::vector<PairCounts> all(parts.size());
  for (std::size_t r = 0; r < parts.size(); ++r) {
    auto u = from_rank(parts[r], r, "the pair counts");
    all[r].offsets = u.get_array<std::uint64_t>();
    all[r].items = u.get_array<ItemIndex>();
    all[r].counts = u.get_array<std::uint32_t>();
    u.expect_end();
  }
  if (all.size() == 1) return std::move(all[0]);
  // Each rank's rows are sorted by item: merge them row by row, summing the counts of an item.
  PairCounts sum;
  const std::size_t n_items = mine.n_items();
  std::vector<std::pair<ItemIndex, std::uint32_t>> row, merged;
  for (std::size_t i = 0; i < n_items; ++i) {
    row.clear();
    for (const auto& part : all) {
      merged.clear();
      auto a = row.begin();
      for (auto e = part.offsets[i]; e < part.offsets[i + 1]; ++e) {
        const ItemIndex j = part.items[e];
        for (; a != row.end() && a->first < j; ++a) merged.push_back(*a);
        if (a != row.end() && a->first == j) {
          merged.emplace_back(j, a->second + part.counts[e]);
          ++a;
        } else {
          merged.emplace_back(j, part.counts[e]);
        }
      }
      merged.insert(merged.end(), a, row.end());
      row.swap(merged);
    }
    for (const auto& [j, c] : row) {
      sum.items.push_back(j);
      sum.counts.push_back(c);
    }
    sum.offsets.push_back(sum.items.size());
  }
  return sum;
}

}  // namespace

CountedSources count_sources(Collective& comm, const std::vector<Order>& owned, std::size_t n_items,
                             const TrainConfig& config, Timestamp before) {
  const Baskets baskets = baskets_of(owned, n_items, before);
  const auto max_basket = config.cooccurrence.max_basket;
  CountedSources sources;
  sources.pairs = sum_pairs(comm, count_pairs(baskets, 1, max_basket));
  if (config.blend.ease > 0) {
    auto counts = item_order_counts(baskets);
    comm.sum(counts);
    const auto items = ease_items(counts, config.ease.max_items);
    auto gram = ease_gram(baskets, items, config.ease, max_basket);
    comm.sum_to_root(gram);
    if (comm.rank() == 0) {
      const auto t0 = std::chrono::steady_clock::now();
      sources.ease = solve_ease(std::move(gram), items, sources.pairs, config.ease, config.cooccurrence.top_k);
      log::info("EASE solved", {{"items", items.size()},
                                {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}});
    }
  }
  return sources;
}

SgnsEmbeddings train_embeddings_data_parallel(Collective& comm, const std::vector<Order>& owned, std::size_t n_items,
                                              const TrainConfig& config, int rounds_per_epoch, Timestamp before) {
  const Baskets baskets = baskets_of(owned, n_items, before);
  SgnsAveraging averaging;
  averaging.item_counts = item_order_counts(baskets);
  comm.sum(averaging.item_counts);
  averaging.rounds_per_epoch = rounds_per_epoch;
  const float share = 1.0f / static_cast<float>(comm.size());
  averaging.average = [&](std::span<float> rows) {
    comm.sum(rows);
    for (float& x : rows) x *= share;
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto vectors = train_sgns(baskets, sgns_config(config.embedding, config.threads), nullptr, &averaging);
  log::info("embeddings trained", {{"rank", comm.rank()},
                                   {"baskets", baskets.size()},
                                   {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}});
  return vectors;
}

std::optional<Model> train_distributed(Collective& comm, const DistributedOrders& orders, const TrainConfig& config,
                                       const nlohmann::json& ingest_summary, const ProgressFn& progress) {
  validate(config);
  std::uint64_t n_orders[] = {orders.owned.size()};
  comm.sum(n_orders);
  COBUY_CHECK(n_orders[0] > 0, ErrorCode::bad_data, "no orders left after cleaning: nothing to train on");
  const std::size_t n_items = orders.all.catalog.size();
  // The validation carve's first stage trains on the orders before the carve's cut, which only
  // rank 0 (holding every order) can place; the others learn it from rank 0.
  Timestamp cut = kNoTime;
  if (config.rerank.enabled || config.next_order.fit) {
    BytePacker p;
    if (comm.rank() == 0) p.put<Timestamp>(carve_cut(orders.all, config));
    const auto parts = comm.all_gather(p.bytes());
    auto u = from_rank(parts[0], 0, "the carve's cut");
    cut = u.get<Timestamp>();
    u.expect_end();
  }
  const auto t0 = std::chrono::steady_clock::now();
  const CountedSources all = count_sources(comm, orders.owned, n_items, config);
  CountedSources before_cut;
  if (cut != kNoTime) before_cut = count_sources(comm, orders.owned, n_items, config, cut);
  log::info("sources counted", {{"rank", comm.rank()},
                                {"pair_entries", all.pairs.entries()},
                                {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}});
  std::optional<SgnsEmbeddings> vectors, vectors_before_cut;
  if (config.embedding.epochs > 0) {
    vectors = train_embeddings_data_parallel(comm, orders.owned, n_items, config, kEmbeddingAveragingRounds);
    if (cut != kNoTime && carve_trains_embeddings(config)) {
      vectors_before_cut =
          train_embeddings_data_parallel(comm, orders.owned, n_items, config, kEmbeddingAveragingRounds, cut);
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  if (comm.rank() != 0) return std::nullopt;
  // train_model takes what was counted from its cache, as if it had counted it itself.
  auto cache = [&](const CountedSources& counted, const std::optional<SgnsEmbeddings>& embeddings) {
    SourceCache c;
    c.pairs = &counted.pairs;
    if (counted.ease) c.ease.emplace(ease_cache_key(config), *counted.ease);
    if (embeddings) c.embeddings = &*embeddings;
    return c;
  };
  SourceCache sources = cache(all, vectors), carve = cache(before_cut, vectors_before_cut);
  if (cut != kNoTime) sources.carve = &carve;
  auto model = train_model(orders.all, config, ingest_summary, progress, &sources);
  log::info("rank 0 trained the rest",
            {{"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count()}});
  return model;
}

}  // namespace cobuy
