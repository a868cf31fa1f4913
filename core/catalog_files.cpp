#include "core/catalog_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <unordered_map>

#include "core/csv_reader.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text_fields.h"

namespace cobuy {
namespace {

using namespace text_fields;

/// `id` -> `name` from an Instacart lookup file; empty when the file is absent.
std::unordered_map<std::string, std::string> read_names(const std::filesystem::path& path, const char* id,
                                                        const char* name) {
  std::unordered_map<std::string, std::string> out;
  if (!std::filesystem::exists(path)) return out;
  read_table(path.string(), {id, name}, 2, [&](const auto& v) { out.emplace(v[0], v[1]); });
  return out;
}

/// kInStock for 1/true/yes, kOutOfStock for 0/false/no (ASCII case ignored), nullopt for anything else.
std::optional<std::uint8_t> parse_in_stock(std::string_view v) {
  const auto is = [v](std::string_view word) {
    return std::equal(v.begin(), v.end(), word.begin(), word.end(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  };
  if (is("1") || is("true") || is("yes")) return std::uint8_t{kInStock};
  if (is("0") || is("false") || is("no")) return std::uint8_t{kOutOfStock};
  return std::nullopt;
}

}  // namespace

void apply_instacart_products(const std::string& orders_path, Catalog& catalog) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(orders_path).parent_path();
  const fs::path products = dir / "products.csv";
  if (!fs::exists(products)) {
    log::warn("instacart products.csv not found beside the orders; items get no titles", {{"file", orders_path}});
    return;
  }
  const auto aisles = read_names(dir / "aisles.csv", "aisle_id", "aisle");
  const auto departments = read_names(dir / "departments.csv", "department_id", "department");
  read_table(products.string(), {"product_id", "product_name", "aisle_id", "department_id"}, 4, [&](const auto& v) {
    const auto item = catalog.find(v[0]);
    if (!item) return;  // the catalogue holds only items that were ordered
    if (catalog.titles[*item].empty()) catalog.titles[*item] = v[1];
    if (!catalog.categories[*item].empty()) return;
    const auto d = departments.find(std::string(v[3]));
    const auto a = aisles.find(std::string(v[2]));
    std::string category = d != departments.end() ? d->second : "";
    if (a != aisles.end()) category += (category.empty() ? "" : "/") + a->second;
    catalog.categories[*item] = std::move(category);
  });
}

void apply_catalog_file(const std::string& path, const IngestOptions& options, IngestSummary& summary,
                        Catalog& catalog) {
  enum : std::size_t { kId, kTitleCol, kCategoryCol, kPriceCol, kInStockCol, kCatalogColumns };
  constexpr std::array<std::string_view, kCatalogColumns> kNames = {"item_id", "title", "category", "price",
                                                                    "in_stock"};
  auto reader = CsvReader::open_file(path, options.delimiter);
  const auto header = read_header(reader);
  const bool decimal_comma = reader.delimiter() != ',';
  std::array<std::size_t, kCatalogColumns> col{};
  for (std::size_t k = 0; k < kCatalogColumns; ++k) col[k] = find_column(header, kNames[k]);
  COBUY_CHECK(col[kId] != kNoColumn, ErrorCode::bad_data,
              path << ": no column 'item_id' (columns: " << join(header) << ")");
  // Every other column is the shop's own item field, returned with each item: kept unless its
  // name is empty or repeats an earlier column's (ignoring case).
  std::vector<std::size_t> extra;  // header positions of the kept fields
  std::vector<std::string> extra_names;
  for (std::size_t h = 0; h < header.size(); ++h) {
    if (std::find(col.begin(), col.end(), h) != col.end()) continue;
    const std::string name(trim(header[h]));
    if (name.empty()) {
      summary.catalog_columns_ignored.push_back("column " + std::to_string(h + 1) + ": the header names it with nothing");
      continue;
    }
    const auto same = [&](const std::string& other) {
      return other.size() == name.size() && std::equal(other.begin(), other.end(), name.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
             });
    };
    if (std::any_of(extra_names.begin(), extra_names.end(), same) ||
        std::any_of(kNames.begin(), kNames.end(), [&](std::string_view n) { return same(std::string(n)); })) {
      summary.catalog_columns_ignored.push_back(name + ": repeats an earlier column's name");
      continue;
    }
    extra.push_back(h);
    extra_names.push_back(name);
  }
  std::vector<std::vector<std::string>> extra_values(extra.size(), std::vector<std::string>(catalog.size()));
  std::vector<bool> extra_used(extra.size(), false);
  std::vector<std::string_view> f;
  const auto value = [&](std::size_t k) { return col[k] == kNoColumn ? std::string_view{} : trim(f[col[k]]); };
  std::size_t skipped = 0, first_skipped = 0;
  // A dropped row is counted, and reported with file, line and reason like a malformed order row.
  const auto skip = [&](const std::string& reason) {
    if (skipped++ == 0) first_skipped = reader.line();
    if (summary.bad_row_examples.size() < options.max_bad_row_examples) {
      summary.bad_row_examples.push_back(path + ":" + std::to_string(reader.line()) + ": " + reason);
      log::warn("malformed catalogue row dropped", {{"file", path}, {"line", reader.line()}, {"reason", reason}});
    }
  };
  while (reader.next(f)) {
    if (!reader.error().empty()) {
      skip(reader.error());
      continue;
    }
    if (f.size() != header.size()) {
      skip((f.size() < header.size() ? "short row: " : "long row: ") + std::to_string(f.size()) +
           " fields, the header has " + std::to_string(header.size()));
      continue;
    }
    std::optional<std::uint8_t> in_stock;
    if (const auto v = value(kInStockCol); !v.empty()) {
      in_stock = parse_in_stock(v);
      if (!in_stock) {
        skip("bad in_stock " + shown(v) + " (expected 1/0, true/false or yes/no)");
        continue;
      }
    }
    std::optional<ItemIndex> item = catalog.find(value(kId));
    if (!item) {
      if (value(kId).empty()) continue;
      // Never ordered: a new item, kept so that offers can show it as a new arrival.
      item = catalog.add(value(kId));
      ++summary.catalog_new_items;
      for (auto& column : extra_values) column.emplace_back();
    }
    if (const auto v = value(kTitleCol); !v.empty()) catalog.titles[*item] = v;
    if (const auto v = value(kCategoryCol); !v.empty()) catalog.categories[*item] = v;
    if (const auto p = parse_number(value(kPriceCol), decimal_comma); p && *p > 0) catalog.prices[*item] = static_cast<float>(*p);
    if (in_stock) catalog.in_stock[*item] = *in_stock;
    for (std::size_t k = 0; k < extra.size(); ++k) {
      if (const auto v = trim(f[extra[k]]); !v.empty()) {
        extra_values[k][*item] = v;
        extra_used[k] = true;
      }
    }
  }
  for (std::size_t k = 0; k < extra.size(); ++k) {
    if (!extra_used[k]) {
      summary.catalog_columns_ignored.push_back(extra_names[k] + ": no item has a value");
      continue;
    }
    summary.catalog_columns_kept.push_back(extra_names[k]);
    catalog.field_names.push_back(std::move(extra_names[k]));
    catalog.field_values.push_back(std::move(extra_values[k]));
  }
  log::info("catalogue columns", {{"file", path},
                                   {"kept_as_item_fields", join(summary.catalog_columns_kept)},
                                   {"ignored", summary.catalog_columns_ignored.size()}});
  for (const auto& why : summary.catalog_columns_ignored) log::warn("catalogue column ignored", {{"file", path}, {"column", why}});
  if (skipped > 0)
    log::warn("malformed rows skipped", {{"file", path}, {"rows", skipped}, {"first_line", first_skipped}});
}


}  // namespace cobuy
