#include "core/order_data.h"

#include <cmath>

namespace cobuy {

std::optional<ItemIndex> Catalog::find(std::string_view id) const {
  auto it = index.find(id);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> Catalog::stock_said(ItemIndex i) const {
  if (i >= in_stock.size()) return std::nullopt;
  if (in_stock[i] == kOutOfStock) return false;
  if (in_stock[i] == kInStock) return true;
  return std::nullopt;
}

ItemIndex Catalog::add(std::string_view id) {
  auto it = index.find(id);
  if (it != index.end()) return it->second;
  auto idx = static_cast<ItemIndex>(ids.size());
  ids.emplace_back(id);
  titles.emplace_back();
  categories.emplace_back();
  prices.push_back(std::nanf(""));
  in_stock.push_back(kStockNotSaid);
  for (auto& column : field_values) column.emplace_back();
  index.emplace(std::string(id), idx);
  return idx;
}

std::string_view Catalog::field(ItemIndex item, std::string_view name) const {
  for (std::size_t k = 0; k < field_names.size(); ++k) {
    if (field_names[k] == name) return item < field_values[k].size() ? std::string_view(field_values[k][item]) : "";
  }
  return {};
}

}  // namespace cobuy
