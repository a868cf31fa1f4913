#include "core/ingest.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <unordered_map>

#include "core/csv_reader.h"
#include "core/error.h"
#include "core/log.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

enum Column { kOrder, kItem, kCustomer, kTime, kQuantity, kPrice, kTitle, kCategory, kColumns };
constexpr std::array<const char*, kColumns> kKeys = {"order_id", "item_id",  "customer_id", "timestamp",
                                                     "quantity", "price",    "title",       "category"};

/// What a format preset fixes: header names per column key, and cleaning lists.
struct Preset {
  std::array<std::string, kColumns> headers;
  std::vector<std::string> non_product_codes;
  std::vector<std::string> cancellation_prefixes;
};

Preset preset_for(OrderFormat f) {
  Preset p;
  for (std::size_t k = 0; k < kColumns; ++k) p.headers[k] = kKeys[k];
  switch (f) {
    case OrderFormat::generic: break;
    case OrderFormat::online_retail:
      p.headers = {"InvoiceNo", "StockCode", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice", "Description", ""};
      p.non_product_codes = {"POST", "DOT", "M",         "m",         "C2",           "D",     "S",
                             "B",    "CRUK", "PADS",     "AMAZONFEE", "BANK CHARGES", "DCGS*", "gift_0001_*"};
      p.cancellation_prefixes = {"C"};
      break;
    case OrderFormat::instacart:
      p.headers = {"order_id", "product_id", "", "", "", "", "", ""};
      break;
  }
  return p;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool matches_code(std::string_view code, const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    if (!p.empty() && p.back() == '*') {
      if (code.substr(0, p.size() - 1) == std::string_view(p).substr(0, p.size() - 1)) return true;
    } else if (code == p) {
      return true;
    }
  }
  return false;
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::uint64_t hash_record(const std::vector<std::string_view>& fields) {
  std::uint64_t h = 1469598103934665603ULL;
  for (auto f : fields) {
    for (unsigned char c : f) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;  // field separator
  }
  return h ^ (h >> 29);  // FNV's low bits are weak; the set indexes by them
}

/// Instacart side files: product titles and "department/aisle" categories.
struct InstacartCatalog {
  std::unordered_map<std::string, std::pair<std::string, std::string>> products;  // id -> (title, category)
};

std::unordered_map<std::string, std::string> read_names(const std::filesystem::path& p, const char* id, const char* name) {
  std::unordered_map<std::string, std::string> out;
  if (!std::filesystem::exists(p)) return out;
  auto r = CsvReader::open_file(p.string());
  std::vector<std::string_view> f;
  if (!r.next(f)) return out;
  auto ii = std::find(f.begin(), f.end(), id) - f.begin();
  auto ni = std::find(f.begin(), f.end(), name) - f.begin();
  const auto cols = static_cast<std::ptrdiff_t>(f.size());
  COBUY_CHECK(ii < cols && ni < cols, ErrorCode::bad_data, p.string() << ": expected columns " << id << " and " << name);
  while (r.next(f)) {
    if (static_cast<std::ptrdiff_t>(f.size()) == cols) out.emplace(std::string(trim(f[static_cast<std::size_t>(ii)])), std::string(f[static_cast<std::size_t>(ni)]));
  }
  return out;
}

InstacartCatalog read_instacart_catalog(const std::string& orders_path) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(orders_path).parent_path();
  InstacartCatalog cat;
  const fs::path products = dir / "products.csv";
  if (!fs::exists(products)) {
    log::warn("instacart products.csv not found beside the orders; items get no titles", {{"dir", dir.string()}});
    return cat;
  }
  const auto aisles = read_names(dir / "aisles.csv", "aisle_id", "aisle");
  const auto departments = read_names(dir / "departments.csv", "department_id", "department");
  auto r = CsvReader::open_file(products.string());
  std::vector<std::string_view> f;
  COBUY_CHECK(r.next(f), ErrorCode::bad_data, products.string() << " is empty");
  auto col = [&](const char* name) {
    auto it = std::find(f.begin(), f.end(), name);
    COBUY_CHECK(it != f.end(), ErrorCode::bad_data, products.string() << ": missing column " << name);
    return static_cast<std::size_t>(it - f.begin());
  };
  const std::size_t id = col("product_id"), title = col("product_name"), aisle = col("aisle_id"),
                    dept = col("department_id"), n = f.size();
  while (r.next(f)) {
    if (f.size() != n) continue;
    std::string category;
    auto d = departments.find(std::string(trim(f[dept])));
    auto a = aisles.find(std::string(trim(f[aisle])));
    if (d != departments.end()) category = d->second;
    if (a != aisles.end()) category += (category.empty() ? "" : "/") + a->second;
    cat.products.emplace(std::string(trim(f[id])), std::make_pair(std::string(f[title]), std::move(category)));
  }
  return cat;
}

/// Accumulates cleaned rows into orders across files.
class Builder {
 public:
  explicit Builder(IngestSummary& summary) : summary_(summary) {}

  /// Whether a row with this hash is new within its order (and remembers it). Exact duplicates
  /// always share their order id, so checking within the order is exact and cache-friendly.
  bool first_time(std::string_view order_id, std::uint64_t row_hash) {
    auto& hashes = row_hashes_[order_index(order_id)];
    if (std::find(hashes.begin(), hashes.end(), row_hash) != hashes.end()) return false;
    hashes.push_back(row_hash);
    return true;
  }

  void add_row(std::string_view order_id, std::string_view item_id, std::string_view customer, Timestamp time,
               double quantity, double price, std::string_view title, std::string_view category) {
    const ItemIndex item = data_.catalog.add(item_id);
    // The last non-empty title and category win; assign only on change (most rows repeat them).
    if (!title.empty() && data_.catalog.titles[item] != title) data_.catalog.titles[item] = title;
    if (!category.empty() && data_.catalog.categories[item] != category) data_.catalog.categories[item] = category;
    if (!std::isnan(price) && price > 0) data_.catalog.prices[item] = static_cast<float>(price);

    Order& o = data_.orders[order_index(order_id)];
    if (o.lines.empty() && o.time == kNoTime) o.time = time;
    if (o.customer == kNoCustomer && !customer.empty()) {
      auto [c, new_customer] = customers_.try_emplace(std::string(customer), data_.customer_ids.size());
      if (new_customer) data_.customer_ids.emplace_back(customer);
      o.customer = static_cast<CustomerIndex>(c->second);
    }
    if (customer.empty()) ++summary_.rows_without_customer;
    for (auto& l : o.lines) {
      if (l.item == item) {
        l.quantity += static_cast<float>(quantity);
        if (!std::isnan(price)) l.price = static_cast<float>(price);
        return;
      }
    }
    o.lines.push_back({item, static_cast<float>(quantity), static_cast<float>(price)});
  }

  /// The index of the order with this id, creating it if new. Rows of one order usually come
  /// together, so the previous row's order is checked first.
  std::size_t order_index(std::string_view order_id) {
    if (last_order_ < data_.orders.size() && data_.orders[last_order_].id == order_id) return last_order_;
    auto it = orders_.find(order_id);
    if (it == orders_.end()) {
      it = orders_.emplace(std::string(order_id), static_cast<std::uint32_t>(data_.orders.size())).first;
      data_.orders.emplace_back().id = std::string(order_id);
      row_hashes_.emplace_back();
    }
    last_order_ = it->second;
    return last_order_;
  }

  OrderData finish() {
    // Orders that only ever had dropped rows were created by first_time(); they hold no lines.
    std::erase_if(data_.orders, [](const Order& o) { return o.lines.empty(); });
    std::stable_sort(data_.orders.begin(), data_.orders.end(),
                     [](const Order& a, const Order& b) { return a.time < b.time; });
    return std::move(data_);
  }
  OrderData& data() { return data_; }

 private:
  IngestSummary& summary_;
  OrderData data_;
  StringIndexMap orders_;
  std::vector<std::vector<std::uint64_t>> row_hashes_;  // per order, hashes of its rows so far
  std::size_t last_order_ = static_cast<std::size_t>(-1);
  std::unordered_map<std::string, std::size_t> customers_;
};

void apply_catalog_file(const std::string& path, OrderData& data) {
  auto r = CsvReader::open_file(path);
  std::vector<std::string_view> f;
  COBUY_CHECK(r.next(f), ErrorCode::bad_data, path << " is empty");
  const std::vector<std::string> header(f.begin(), f.end());
  auto col = [&](const char* name) -> std::ptrdiff_t {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : it - header.begin();
  };
  const auto id = col("item_id"), title = col("title"), category = col("category"), price = col("price");
  COBUY_CHECK(id >= 0, ErrorCode::bad_data, path << ": the catalogue needs an item_id column");
  while (r.next(f)) {
    if (f.size() != header.size()) continue;
    auto item = data.catalog.find(trim(f[static_cast<std::size_t>(id)]));
    if (!item) continue;
    if (title >= 0 && !f[static_cast<std::size_t>(title)].empty()) data.catalog.titles[*item] = std::string(f[static_cast<std::size_t>(title)]);
    if (category >= 0 && !f[static_cast<std::size_t>(category)].empty()) data.catalog.categories[*item] = std::string(f[static_cast<std::size_t>(category)]);
    if (price >= 0) {
      if (auto p = parse_number(f[static_cast<std::size_t>(price)]); p && *p > 0) data.catalog.prices[*item] = static_cast<float>(*p);
    }
  }
}

}  // namespace

OrderFormat parse_order_format(std::string_view name) {
  if (name == "generic") return OrderFormat::generic;
  if (name == "online-retail") return OrderFormat::online_retail;
  if (name == "instacart") return OrderFormat::instacart;
  COBUY_FAIL(ErrorCode::bad_request, "unknown format '" << name << "' (expected generic, online-retail or instacart)");
}

OrderData load_orders(const std::vector<std::string>& paths, const IngestOptions& options, IngestSummary* summary_out,
                      const ProgressFn& progress) {
  COBUY_CHECK(!paths.empty(), ErrorCode::bad_request, "no order files given");
  COBUY_CHECK(options.max_bad_row_share >= 0 && options.max_bad_row_share <= 1, ErrorCode::bad_request,
              "max_bad_row_share must be in [0, 1], got " << options.max_bad_row_share);
  Preset preset = preset_for(options.format);
  std::array<bool, kColumns> explicit_column{};
  for (const auto& [key, header] : options.columns) {
    auto it = std::find(kKeys.begin(), kKeys.end(), key);
    COBUY_CHECK(it != kKeys.end(), ErrorCode::bad_request,
                "unknown column key '" << key << "' (expected order_id, item_id, customer_id, timestamp, quantity, "
                                          "price, title or category)");
    preset.headers[static_cast<std::size_t>(it - kKeys.begin())] = header;
    explicit_column[static_cast<std::size_t>(it - kKeys.begin())] = true;
  }
  const auto& non_products = options.non_product_codes.empty() ? preset.non_product_codes : options.non_product_codes;
  const auto& cancellations =
      options.cancellation_prefixes.empty() ? preset.cancellation_prefixes : options.cancellation_prefixes;

  IngestSummary summary;
  Builder builder(summary);
  std::vector<std::string_view> f;
  for (const auto& path : paths) {
    auto reader = CsvReader::open_file(path);
    COBUY_CHECK(reader.next(f), ErrorCode::bad_data, path << ": the file is empty (no header row)");
    const std::vector<std::string> header(f.begin(), f.end());
    std::array<std::ptrdiff_t, kColumns> col;
    col.fill(-1);
    for (std::size_t k = 0; k < kColumns; ++k) {
      const auto& want = preset.headers[k];
      if (want.empty()) continue;
      auto it = std::find_if(header.begin(), header.end(), [&](const std::string& h) { return trim(h) == want; });
      if (it == header.end()) {
        it = std::find_if(header.begin(), header.end(), [&](const std::string& h) { return iequals(trim(h), want); });
      }
      if (it != header.end()) {
        col[k] = it - header.begin();
      } else {
        COBUY_CHECK(k != kOrder && k != kItem && !explicit_column[k], ErrorCode::bad_data,
                    path << ": no column '" << want << "' for " << kKeys[k] << " in the header (columns: "
                         << [&] {
                              std::string s;
                              for (const auto& h : header) s += (s.empty() ? "" : ", ") + h;
                              return s;
                            }()
                         << "); map it with --columns " << kKeys[k] << "=HEADER");
      }
    }
    InstacartCatalog instacart;
    if (options.format == OrderFormat::instacart) instacart = read_instacart_catalog(path);

    std::uint64_t file_rows = 0, file_bad = 0;
    std::size_t next_progress = 1 << 20;
    auto bad = [&](const std::string& reason) {
      ++file_bad;
      ++summary.dropped["malformed"];
      if (summary.bad_row_examples.size() < options.max_bad_row_examples) {
        summary.bad_row_examples.push_back(path + ":" + std::to_string(reader.line()) + ": " + reason);
        log::warn("bad row", {{"file", path}, {"line", reader.line()}, {"reason", reason}});
      }
    };
    auto field = [&](Column c) -> std::string_view {
      return col[c] < 0 ? std::string_view{} : f[static_cast<std::size_t>(col[c])];
    };
    while (reader.next(f)) {
      ++summary.rows_read;
      ++file_rows;
      if (progress && reader.bytes_read() >= next_progress) {
        progress("ingest", reader.bytes_read(), 0);
        next_progress = reader.bytes_read() + (1 << 20);
      }
      if (!reader.error().empty()) {
        bad(reader.error());
        continue;
      }
      if (f.size() != header.size()) {
        bad((f.size() < header.size() ? "short row: " : "long row: ") + std::to_string(f.size()) +
            " fields, the header has " + std::to_string(header.size()));
        continue;
      }
      const auto order_id = trim(field(kOrder));
      const auto item_id = trim(field(kItem));
      double quantity = 1.0, price = std::nan("");
      Timestamp time = kNoTime;
      if (col[kQuantity] >= 0 && !trim(field(kQuantity)).empty()) {
        auto q = parse_number(field(kQuantity));
        if (!q) {
          bad("bad quantity '" + std::string(field(kQuantity)) + "'");
          continue;
        }
        quantity = *q;
      }
      if (col[kPrice] >= 0 && !trim(field(kPrice)).empty()) {
        auto p = parse_number(field(kPrice));
        if (!p) {
          bad("bad price '" + std::string(field(kPrice)) + "'");
          continue;
        }
        price = *p;
      }
      if (col[kTime] >= 0 && !trim(field(kTime)).empty()) {
        auto t = parse_timestamp(field(kTime));
        if (!t) {
          bad("bad timestamp '" + std::string(field(kTime)) + "'");
          continue;
        }
        time = *t;
      }
      const char* drop = nullptr;
      if (order_id.empty()) {
        drop = "missing_order_id";
      } else if (item_id.empty()) {
        drop = "missing_item_id";
      } else if (std::any_of(cancellations.begin(), cancellations.end(),
                             [&](const std::string& p) { return order_id.substr(0, p.size()) == p; })) {
        drop = "cancellation";
      } else if (matches_code(item_id, non_products)) {
        drop = "non_product_code";
      } else if (quantity <= 0) {
        drop = "non_positive_quantity";
      } else if (col[kPrice] >= 0 && !std::isnan(price) && price <= 0) {
        drop = "non_positive_price";
      } else if (!builder.first_time(order_id, hash_record(f))) {
        drop = "duplicate_line";
      }
      if (drop) {
        ++summary.dropped[drop];
        continue;
      }
      ++summary.rows_kept;
      std::string_view title = trim(field(kTitle)), category = trim(field(kCategory));
      if (options.format == OrderFormat::instacart) {
        auto it = instacart.products.find(std::string(item_id));
        if (it != instacart.products.end()) {
          title = it->second.first;
          category = it->second.second;
        }
      }
      builder.add_row(order_id, item_id, trim(field(kCustomer)), time, quantity, price, title, category);
    }
    const double share = file_rows == 0 ? 0.0 : static_cast<double>(file_bad) / static_cast<double>(file_rows);
    COBUY_CHECK(share <= options.max_bad_row_share, ErrorCode::bad_data,
                path << ": " << file_bad << " of " << file_rows << " rows (" << share * 100 << "%) are malformed, over the "
                     << options.max_bad_row_share * 100 << "% limit; first: "
                     << (summary.bad_row_examples.empty() ? "" : summary.bad_row_examples.front()));
  }
  OrderData data = builder.finish();
  if (!options.catalog_path.empty()) apply_catalog_file(options.catalog_path, data);
  summary.orders = data.orders.size();
  summary.items = data.catalog.size();
  summary.customers = data.customer_ids.size();
  if (summary_out) *summary_out = summary;
  return data;
}

}  // namespace cobuy
