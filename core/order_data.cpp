#include "core/order_data.h"

#include <cmath>

namespace cobuy {

std::optional<ItemIndex> Catalog::find(std::string_view id) const {
  auto it = index.find(id);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

ItemIndex Catalog::add(std::string_view id) {
  auto it = index.find(id);
  if (it != index.end()) return it->second;
  auto idx = static_cast<ItemIndex>(ids.size());
  ids.emplace_back(id);
  titles.emplace_back();
  categories.emplace_back();
  prices.push_back(std::nanf(""));
  in_stock.push_back(1);
  index.emplace(std::string(id), idx);
  return idx;
}

}  // namespace cobuy
