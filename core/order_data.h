#pragma once
/// Domain types for cleaned order history: items, customers, orders.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cobuy {

/// Dense index of an item in a Catalog (0 .. size-1).
using ItemIndex = std::uint32_t;
/// Dense index of a customer in OrderData::customer_ids, or kNoCustomer.
using CustomerIndex = std::int32_t;
inline constexpr CustomerIndex kNoCustomer = -1;
/// Unix seconds (UTC); kNoTime when the source has no timestamp.
using Timestamp = std::int64_t;
inline constexpr Timestamp kNoTime = std::numeric_limits<Timestamp>::min();

/// Transparent string hash so maps keyed by std::string can be searched with string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIndexMap = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

/// Catalog::in_stock values, as items.bin stores them. 0 and 1 are those of format 1.2 (where 1
/// meant "in stock or not said"); 2 is newer, and a reader that knows only 0 and 1 takes it as in
/// stock, so the layout and its version stay as they were.
enum StockFlag : std::uint8_t {
  kOutOfStock = 0,    ///< a catalogue file says out of stock
  kStockNotSaid = 1,  ///< no catalogue file says (counts as in stock)
  kInStock = 2,       ///< a catalogue file says in stock
};

/// The item catalogue: parallel arrays indexed by ItemIndex.
struct Catalog {
  std::vector<std::string> ids;
  std::vector<std::string> titles;      ///< "" when unknown
  std::vector<std::string> categories;  ///< "" when unknown
  std::vector<float> prices;            ///< last seen unit price; NaN when unknown
  std::vector<std::uint8_t> in_stock;   ///< StockFlag values
  /// A shop's own catalogue columns (image_url, url, brand, currency, ...), in file order, and
  /// their values: field_values[column][item], "" when the file gave none. Answers return them.
  std::vector<std::string> field_names;
  std::vector<std::vector<std::string>> field_values;
  StringIndexMap index;                 ///< id -> ItemIndex

  std::size_t size() const { return ids.size(); }
  /// The index of `id`, or nullopt.
  std::optional<ItemIndex> find(std::string_view id) const;
  /// The stock rule every answer obeys: whether a catalogue file says `i` is out of stock.
  bool out_of_stock(ItemIndex i) const { return i < in_stock.size() && in_stock[i] == kOutOfStock; }
  /// What a catalogue file says of `i`'s stock: true (in stock), false (out), nullopt (nothing).
  std::optional<bool> stock_said(ItemIndex i) const;
  /// The value of `item`'s field named `name` ("" when none).
  std::string_view field(ItemIndex item, std::string_view name) const;
  /// The index of `id`, adding a new item with unknown title/category/price if absent.
  ItemIndex add(std::string_view id);
};

/// One distinct item in an order.
struct OrderLine {
  ItemIndex item = 0;
  float quantity = 1.0f;  ///< summed over the source rows of this item in the order
  float price = 0.0f;     ///< unit price, NaN when unknown
};

/// One cleaned order (basket); `lines` hold distinct items.
struct Order {
  std::string id;
  CustomerIndex customer = kNoCustomer;
  Timestamp time = kNoTime;
  std::vector<OrderLine> lines;
};

/// Cleaned order history with its catalogue and customer ids.
struct OrderData {
  Catalog catalog;
  std::vector<std::string> customer_ids;  ///< indexed by CustomerIndex
  std::vector<Order> orders;              ///< sorted by time (stable), then as read
};

}  // namespace cobuy
