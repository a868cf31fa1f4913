#pragma once
/// A hand-made Model for exact tests of query-time logic (offers, rules): items, neighbour rows,
/// substitutes, popular items and customer histories set directly, no training involved.

#include <cmath>
#include <optional>
#include <span>
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/time_util.h"

namespace cobuy::testing {

/// Gives every item of `m` a one-float input vector, item i -> {i + 1} (no index), so that a
/// stand-in ComplementSearch can tell which item a query vector is with item_of_query.
inline void add_item_vectors(Model& m) {
  m.embeddings.dim = 1;
  m.embeddings.input.resize(m.catalog.size());
  for (std::size_t i = 0; i < m.catalog.size(); ++i) m.embeddings.input[i] = static_cast<float>(i + 1);
}

/// The item whose add_item_vectors vector `query` is (a customer vector, a weighted mean of
/// them, gives the nearest one).
inline ItemIndex item_of_query(std::span<const float> query) {
  return static_cast<ItemIndex>(std::max(0L, std::lround(query[0]) - 1));
}

class ModelBuilder {
 public:
  /// Adds an item; price NaN = unknown; in_stock nullopt = no catalogue says.
  ModelBuilder& item(const std::string& id, const std::string& category = "", float price = NAN,
                     std::optional<bool> in_stock = std::nullopt) {
    const auto i = m_.catalog.add(id);
    m_.catalog.titles[i] = "title of " + id;
    m_.catalog.categories[i] = category;
    m_.catalog.prices[i] = price;
    m_.catalog.in_stock[i] = !in_stock ? kStockNotSaid : *in_stock ? kInStock : kOutOfStock;
    return *this;
  }
  /// `a` is bought with each of `partners`, scores descending from 1.
  ModelBuilder& bought_with(const std::string& a, const std::vector<std::string>& partners) {
    rows_.emplace_back(a, partners);
    return *this;
  }
  /// `a`'s substitutes.
  ModelBuilder& substitutes(const std::string& a, const std::vector<std::string>& subs) {
    similar_.emplace_back(a, subs);
    return *this;
  }
  /// `id`'s title (default "title of ID").
  ModelBuilder& title(const std::string& id, const std::string& title) {
    m_.catalog.titles[*m_.catalog.find(id)] = title;
    return *this;
  }
  /// How many training orders hold `id` (Model::item_orders; default 1).
  ModelBuilder& item_orders(const std::string& id, std::uint32_t orders) {
    item_orders_.emplace_back(id, orders);
    return *this;
  }
  /// The popular list, most popular first.
  ModelBuilder& popular(const std::vector<std::string>& ids) {
    popular_ = ids;
    return *this;
  }
  /// A past order of `customer` at ISO time `when`, worth `value`.
  ModelBuilder& order(const std::string& customer, const std::string& when, const std::vector<std::string>& ids,
                      float value = 10.0f) {
    orders_.push_back({customer, *parse_timestamp(when), ids, value});
    return *this;
  }

  Model build() {
    Model m = m_;
    m.version = "test-model";
    const auto n = m.catalog.size();
    auto table = [&](const std::vector<std::pair<std::string, std::vector<std::string>>>& rows) {
      std::vector<std::vector<Neighbor>> per(n);
      for (const auto& [a, list] : rows) {
        float s = 1.0f;
        for (const auto& b : list) {
          per[*m.catalog.find(a)].push_back({*m.catalog.find(b), s, 1});
          s *= 0.9f;
        }
      }
      NeighborTable t;
      for (const auto& row : per) {
        t.entries.insert(t.entries.end(), row.begin(), row.end());
        t.offsets.push_back(t.entries.size());
      }
      return t;
    };
    m.bought_together = table(rows_);
    m.similar = table(similar_);
    float score = 1.0f;
    for (const auto& id : popular_) {
      m.popular.push_back(*m.catalog.find(id));
      m.popular_scores.push_back(score);
      score *= 0.9f;
    }
    m.item_orders.assign(n, 1);
    for (const auto& [id, orders] : item_orders_) m.item_orders[*m.catalog.find(id)] = orders;
    auto& h = m.customers;
    std::vector<std::string> ids;
    for (const auto& o : orders_) {
      if (std::find(ids.begin(), ids.end(), o.customer) == ids.end()) ids.push_back(o.customer);
    }
    for (const auto& c : ids) {
      h.index.emplace(c, static_cast<std::uint32_t>(h.ids.size()));
      h.ids.push_back(c);
      std::vector<const PastOrder*> mine;
      for (const auto& o : orders_) {
        if (o.customer == c) mine.push_back(&o);
      }
      std::stable_sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->time < b->time; });
      for (const auto* o : mine) {
        h.order_times.push_back(o->time);
        h.order_values.push_back(o->value);
        for (const auto& id : o->items) h.items.push_back(*m.catalog.find(id));
        h.item_offsets.push_back(h.items.size());
        m.stats.last_order = std::max(m.stats.last_order, o->time);
        if (m.stats.first_order == kNoTime || o->time < m.stats.first_order) m.stats.first_order = o->time;
      }
      h.order_offsets.push_back(h.order_times.size());
    }
    m.stats.items = n;
    m.stats.customers = h.ids.size();
    m.stats.orders = orders_.size();
    return m;
  }

 private:
  struct PastOrder {
    std::string customer;
    Timestamp time;
    std::vector<std::string> items;
    float value;
  };
  Model m_;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows_, similar_;
  std::vector<std::string> popular_;
  std::vector<PastOrder> orders_;
  std::vector<std::pair<std::string, std::uint32_t>> item_orders_;
};

}  // namespace cobuy::testing
