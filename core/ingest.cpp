#include "core/ingest.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/catalog_files.h"
#include "core/csv_reader.h"
#include "core/error.h"
#include "core/file_date_order.h"
#include "core/log.h"
#include "core/text_fields.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

using namespace text_fields;

enum Column : std::size_t { kOrder, kItem, kCustomer, kTime, kQuantity, kPrice, kTitle, kCategory, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kKeys = {"order_id", "item_id", "customer_id", "timestamp",
                                                              "quantity", "price",   "title",       "category"};

enum Reason : std::size_t {
  kMalformed,
  kMissingOrder,
  kMissingItem,
  kCancellation,
  kNonProduct,
  kNonPositiveQuantity,
  kNonPositivePrice,
  kDuplicate,
  kTimeOutOfRange,  // malformed too: counts towards max_bad_row_share
  kReasonCount
};
constexpr std::array<const char*, kReasonCount> kReasonNames = {
    "malformed",        "missing_order_id",      "missing_item_id",    "cancellation",
    "non_product_code", "non_positive_quantity", "non_positive_price", "duplicate_line",
    "timestamp_out_of_range"};

constexpr std::uint64_t kProgressStep = std::uint64_t{1} << 20;

/// How to read order files: header names per column key ("" = no such column) and cleaning lists.
struct Settings {
  std::array<std::string, kColumnCount> headers;
  std::array<bool, kColumnCount> mapped{};  // given in options.columns: must exist
  std::vector<std::string> non_product_codes;
  std::vector<std::string> cancellation_prefixes;
  DateOrder date_order = DateOrder::unknown;
};

Settings preset_for(OrderFormat format) {
  Settings p;
  switch (format) {
    case OrderFormat::generic:
      for (std::size_t k = 0; k < kColumnCount; ++k) p.headers[k] = kKeys[k];
      break;
    case OrderFormat::online_retail:
      // In key order: order, item, customer, time, quantity, price, title, category.
      p.headers = {"InvoiceNo", "StockCode", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice", "Description", ""};
      p.non_product_codes = {"POST", "DOT",  "M",    "m",         "C2",           "D",     "S",
                             "B",    "CRUK", "PADS", "AMAZONFEE", "BANK CHARGES", "DCGS*", "gift_0001_*"};
      p.cancellation_prefixes = {"C"};
      p.date_order = DateOrder::mdy;  // "12/1/2010 8:26": 1 December
      break;
    case OrderFormat::instacart:
      p.headers = {"order_id", "product_id", "", "", "", "", "", ""};
      break;
  }
  return p;
}

bool has_prefix(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

/// Whether `code` is in `patterns` (a trailing '*' in a pattern matches any rest).
bool matches_code(std::string_view code, const std::vector<std::string>& patterns) {
  for (const std::string_view p : patterns) {
    if (!p.empty() && p.back() == '*' ? has_prefix(code, p.substr(0, p.size() - 1)) : code == p) return true;
  }
  return false;
}

std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

std::uint64_t fmix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

template <typename Word>
std::uint64_t load(const char* p) {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// Mixes the bytes of `s` into `h` (MurmurHash3-style rounds over 8-byte words, with the length,
/// so that "ab","c" and "a","bc" differ as fields of a record). Tails are read as overlapping
/// words, as wyhash does: byte-wise loops cost more than the rest.
std::uint64_t hash_bytes(std::uint64_t h, std::string_view s) {
  auto round = [&h](std::uint64_t k) {
    k *= 0x87c37b91114253d5ULL;
    k = rotl(k, 31);
    k *= 0x4cf5ad432745937fULL;
    h ^= k;
    h = rotl(h, 27) * 5 + 0x52dce729;
  };
  const char* p = s.data();
  const std::size_t n = s.size();
  round(n);
  if (n >= 8) {
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) round(load<std::uint64_t>(p + k));
    if (k < n) round(load<std::uint64_t>(p + n - 8));
  } else if (n >= 4) {
    round((load<std::uint32_t>(p) << 32) | load<std::uint32_t>(p + n - 4));
  } else if (n > 0) {
    const auto byte = [p](std::size_t k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])); };
    round((byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1));
  }
  return h;
}

/// A non-zero 64-bit hash of a whole record.
std::uint64_t hash_record(const std::vector<std::string_view>& fields) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ fields.size();
  for (const auto f : fields) h = hash_bytes(h, f);
  h = fmix(h);
  return h == 0 ? 1 : h;
}

/// An open-addressing set of non-zero 64-bit hashes (already well mixed).
class HashSet {
 public:
  /// Adds `h` (non-zero); false when it was already there.
  bool insert(std::uint64_t h) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return false;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return true;
      }
    }
  }

 private:
  void grow() {
    std::vector<std::uint64_t> old(std::max<std::size_t>(8, slots_.size() * 2));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t h : old) {
      if (h == 0) continue;
      std::size_t i = h & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = h;
    }
  }
  std::vector<std::uint64_t> slots_;  // 0 = free
  std::size_t size_ = 0;
};

/// An open-addressing map from strings to dense indexes whose strings are kept elsewhere (the
/// catalogue's ids, the orders' ids). Every kept row looks up its item; std::unordered_map's nodes
/// cost an allocation and a cache miss each, which showed on catalogues of 40k items.
class DenseIndex {
 public:
  /// The index of `s`, where `key(i)` is the string of index i; when absent, `fresh` is recorded
  /// as its index and returned (the caller then stores `s` at `fresh`).
  template <typename Key>
  std::uint32_t find_or_add(std::string_view s, std::uint32_t fresh, const Key& key) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const auto h = static_cast<std::uint32_t>(fmix(hash_bytes(0, s)));
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.index == kFree) {
        slot = {h, fresh};
        ++size_;
        return fresh;
      }
      if (slot.hash == h && key(slot.index) == s) return slot.index;
    }
  }

 private:
  static constexpr std::uint32_t kFree = static_cast<std::uint32_t>(-1);
  struct Slot {
    std::uint32_t hash = 0;  // the low bits place the slot, so growing needs no strings
    std::uint32_t index = kFree;
  };
  void grow() {
    std::vector<Slot> old(std::max<std::size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.index == kFree) continue;
      std::size_t i = slot.hash & mask;
      while (slots_[i].index != kFree) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

/// One cleaned row; views into the reader's buffer.
struct Row {
  std::string_view order_id, item_id, customer, title, category;
  Timestamp time = kNoTime;
  double quantity = 1.0;
  double price = std::nan("");
};

/// Accumulates kept rows into orders, merging orders across files.
class Builder {
 public:
  /// The index of the order with this id, created (empty) if new.
  std::uint32_t order_for(std::string_view id) {
    if (last_order_ < data_.orders.size() && data_.orders[last_order_].id == id) return last_order_;
    const auto fresh = static_cast<std::uint32_t>(data_.orders.size());
    const std::uint32_t o =
        orders_.find_or_add(id, fresh, [&](std::uint32_t k) -> std::string_view { return data_.orders[k].id; });
    if (o == fresh) {
      data_.orders.emplace_back().id = id;
      mixed_.push_back(false);
      row_hashes_.emplace_back();
    } else if (!mixed_[o]) {
      // Resumed after rows of other orders: from now on its lines are found through the map.
      mixed_[o] = true;
      const auto& lines = data_.orders[o].lines;
      for (std::uint32_t k = 0; k < lines.size(); ++k) mixed_lines_.emplace(line_key(o, lines[k].item), k);
    }
    return last_order_ = o;
  }

  /// Whether no earlier row of `file` in order `o` had this hash (and remembers it). Identical
  /// rows share their order id, so a set per order finds them, and stays in cache while the
  /// order's rows go by.
  bool first_in_file(std::uint32_t o, std::uint32_t file, std::uint64_t row_hash) {
    auto& [hash_file, hashes] = row_hashes_[o];
    if (hash_file != file) hashes = HashSet{};
    hash_file = file;
    return hashes.insert(row_hash);
  }

  /// Adds a kept row to order `o` (from order_for).
  void add(std::uint32_t o, const Row& r) {
    Catalog& cat = data_.catalog;
    const auto fresh = static_cast<ItemIndex>(cat.size());
    const ItemIndex item =
        items_.find_or_add(r.item_id, fresh, [&](ItemIndex k) -> std::string_view { return cat.ids[k]; });
    if (item == fresh) {
      cat.add(r.item_id);
      item_last_.push_back({kNone, 0});
    }
    // The most recent non-empty title and category win; assign only on change (rows repeat them).
    if (!r.title.empty() && cat.titles[item] != r.title) cat.titles[item] = r.title;
    if (!r.category.empty() && cat.categories[item] != r.category) cat.categories[item] = r.category;
    if (r.price > 0) cat.prices[item] = static_cast<float>(r.price);
    Order& order = data_.orders[o];
    if (order.lines.empty()) order.time = r.time;  // the order's first kept row
    if (order.customer == kNoCustomer && !r.customer.empty()) order.customer = customer_for(r.customer);
    if (OrderLine* line = find_line(o, item)) {
      line->quantity += static_cast<float>(r.quantity);
      if (!std::isnan(r.price)) line->price = static_cast<float>(r.price);
    } else {
      add_line(o, {item, static_cast<float>(r.quantity), static_cast<float>(r.price)});
    }
  }

  OrderData finish() {
    std::stable_sort(data_.orders.begin(), data_.orders.end(),
                     [](const Order& a, const Order& b) { return a.time < b.time; });
    return std::move(data_);
  }
  Catalog& catalog() { return data_.catalog; }

 private:
  static constexpr std::uint32_t kNone = static_cast<std::uint32_t>(-1);

  CustomerIndex customer_for(std::string_view id) {
    auto& ids = data_.customer_ids;
    const auto fresh = static_cast<std::uint32_t>(ids.size());
    const std::uint32_t c =
        customers_.find_or_add(id, fresh, [&](std::uint32_t k) -> std::string_view { return ids[k]; });
    if (c == fresh) ids.emplace_back(id);
    return static_cast<CustomerIndex>(c);
  }

  static std::uint64_t line_key(std::uint32_t order, ItemIndex item) {
    return (static_cast<std::uint64_t>(order) << 32) | item;
  }

  OrderLine* find_line(std::uint32_t o, ItemIndex item) {
    auto& lines = data_.orders[o].lines;
    if (mixed_[o]) {
      const auto it = mixed_lines_.find(line_key(o, item));
      return it == mixed_lines_.end() ? nullptr : &lines[it->second];
    }
    // Every kept row since this order began was its own, so the item is in it exactly when
    // this order was the last to add it.
    const auto [last_order, line] = item_last_[item];
    return last_order == o ? &lines[line] : nullptr;
  }

  void add_line(std::uint32_t o, const OrderLine& line) {
    auto& lines = data_.orders[o].lines;
    const auto k = static_cast<std::uint32_t>(lines.size());
    lines.push_back(line);
    item_last_[line.item] = {o, k};
    if (mixed_[o]) mixed_lines_.emplace(line_key(o, line.item), k);
  }

  OrderData data_;
  DenseIndex items_, orders_, customers_;
  std::uint32_t last_order_ = kNone;
  std::vector<bool> mixed_;  // per order: its rows were interleaved with other orders' rows
  std::vector<std::pair<std::uint32_t, std::uint32_t>> item_last_;  // per item: (order, line) last added
  std::unordered_map<std::uint64_t, std::uint32_t> mixed_lines_;    // (mixed order, item) -> line
  std::vector<std::pair<std::uint32_t, HashSet>> row_hashes_;       // per order: (file, row hashes)
};

/// The format's preset with the options' overrides applied.
Settings resolve(const IngestOptions& options) {
  Settings settings = preset_for(options.format);
  for (const auto& [key, header] : options.columns) {
    const auto it = std::find(kKeys.begin(), kKeys.end(), key);
    COBUY_CHECK(it != kKeys.end(), ErrorCode::bad_request,
                "unknown column key '" << key
                                       << "' (expected order_id, item_id, customer_id, timestamp, quantity, price, "
                                          "title or category)");
    const auto k = static_cast<std::size_t>(it - kKeys.begin());
    settings.headers[k] = trim(header);
    settings.mapped[k] = !settings.headers[k].empty();  // "key=" switches an optional column off
  }
  if (!options.non_product_codes.empty()) settings.non_product_codes = options.non_product_codes;
  if (!options.cancellation_prefixes.empty()) settings.cancellation_prefixes = options.cancellation_prefixes;
  if (options.date_order != DateOrder::unknown) settings.date_order = options.date_order;
  std::erase(settings.cancellation_prefixes, "");  // would match every order
  return settings;
}

/// Reads one order file into `builder`, counting into `summary`.
class FileIngest {
 public:
  FileIngest(const std::string& path, std::uint32_t file_number, const Settings& settings, const IngestOptions& options,
             IngestSummary& summary, std::array<std::uint64_t, kReasonCount>& dropped)
      : path_(path),
        file_(file_number),
        settings_(settings),
        options_(options),
        summary_(summary),
        dropped_(dropped),
        reader_(CsvReader::open_file(path, options.delimiter)),
        dates_(path, options.delimiter, settings.date_order, options.date_order != DateOrder::unknown) {}

  /// Reads every row; `bytes_before` is what earlier files consumed (for progress).
  void run(Builder& builder, const ProgressFn& progress, std::uint64_t bytes_before, std::uint64_t& next_progress) {
    header_ = read_header(reader_);
    decimal_comma_ = reader_.delimiter() != ',';
    if (options_.delimiter == kAutoDelimiter && reader_.delimiter() != ',') {
      log::info("delimiter detected", {{"file", path_}, {"delimiter", delimiter_name(reader_.delimiter())}});
    }
    map_columns();
    if (col_[kTime] != kNoColumn) dates_.set_column(col_[kTime], header_.size());
    Row row;
    while (reader_.next(f_)) {
      ++summary_.rows_read;
      if (progress && bytes_before + reader_.bytes_read() >= next_progress) {
        progress("ingest", bytes_before + reader_.bytes_read(), 0);
        next_progress = bytes_before + reader_.bytes_read() + kProgressStep;
      }
      if (!parse_row(row)) continue;
      if (const Reason reason = classify(row); reason != kReasonCount) {
        ++dropped_[reason];
        continue;
      }
      // Duplicates are judged last, among rows kept so far: a copy of a dropped row is dropped
      // for the same reason as the original.
      const std::uint32_t order = builder.order_for(row.order_id);
      if (!builder.first_in_file(order, file_, hash_record(f_))) {
        ++dropped_[kDuplicate];
        continue;
      }
      ++summary_.rows_kept;
      if (row.customer.empty()) ++summary_.rows_without_customer;
      builder.add(order, row);
    }
  }

  std::uint64_t bytes_read() const { return reader_.bytes_read(); }

 private:
  void map_columns() {
    const std::string hint = header_.size() > 1 ? "" : "; the header is one column: if the file is not separated by " +
                                                           delimiter_name(reader_.delimiter()) + ", pass --delimiter";
    for (std::size_t k = 0; k < kColumnCount; ++k) {
      const std::string& want = settings_.headers[k];
      col_[k] = want.empty() ? kNoColumn : find_column(header_, want);
      const bool required = k == kOrder || k == kItem || settings_.mapped[k];
      COBUY_CHECK(col_[k] != kNoColumn || !required, ErrorCode::bad_data,
                  path_ << ": no column '" << (want.empty() ? std::string(kKeys[k]) : want) << "' for " << kKeys[k]
                        << " in the header (columns: " << join(header_) << "); map it with --columns " << kKeys[k]
                        << "=HEADER" << hint);
    }
  }

  std::string_view field(Column c) const { return col_[c] == kNoColumn ? std::string_view{} : trim(f_[col_[c]]); }

  /// Fills `row` from the current record; false (counted as malformed) when it cannot.
  bool parse_row(Row& row) {
    if (!reader_.error().empty()) return bad(reader_.error());
    if (f_.size() != header_.size()) {
      return bad((f_.size() < header_.size() ? "short row: " : "long row: ") + std::to_string(f_.size()) +
                 " fields, the header has " + std::to_string(header_.size()));
    }
    row.quantity = 1.0;
    if (const auto v = field(kQuantity); !v.empty()) {
      const auto q = parse_number(v, decimal_comma_);
      if (!q) return bad("bad quantity " + shown(v));
      row.quantity = *q;
    }
    row.price = std::nan("");
    if (const auto v = field(kPrice); !v.empty()) {
      const auto p = parse_number(v, decimal_comma_);
      if (!p) return bad("bad price " + shown(v));
      row.price = *p;
    }
    row.time = kNoTime;
    if (const auto v = field(kTime); !v.empty()) {
      // Rows of one order repeat its timestamp; parse each distinct text once.
      if (v != last_time_text_) {
        const auto t = dates_.read(v, reader_.line(), why_);
        if (!t) return bad(why_);
        last_time_text_ = v;
        last_time_ = *t;
      }
      row.time = last_time_;
      if (row.time < times_.earliest || row.time > times_.latest) {
        return bad("timestamp " + shown(v) + " out of range: " + out_of_range_reason(row.time, times_), kTimeOutOfRange);
      }
    }
    row.order_id = field(kOrder);
    row.item_id = field(kItem);
    row.customer = field(kCustomer);
    row.title = field(kTitle);
    row.category = field(kCategory);
    return true;
  }

  /// Why the row is dropped, or kReasonCount when it is kept (duplicates are checked after).
  Reason classify(const Row& row) const {
    if (row.order_id.empty()) return kMissingOrder;
    if (row.item_id.empty()) return kMissingItem;
    for (const auto& p : settings_.cancellation_prefixes) {
      if (has_prefix(row.order_id, p)) return kCancellation;
    }
    if (matches_code(row.item_id, settings_.non_product_codes)) return kNonProduct;
    if (row.quantity <= 0) return kNonPositiveQuantity;
    if (row.price <= 0) return kNonPositivePrice;  // false for NaN: no price
    return kReasonCount;
  }

  bool bad(const std::string& reason, Reason kind = kMalformed) {
    ++dropped_[kind];
    if (summary_.bad_row_examples.size() < options_.max_bad_row_examples) {
      summary_.bad_row_examples.push_back(path_ + ":" + std::to_string(reader_.line()) + ": " + reason);
      log::warn("malformed row dropped", {{"file", path_}, {"line", reader_.line()}, {"reason", reason}});
    }
    return false;
  }

  const std::string& path_;
  const std::uint32_t file_;
  const Settings& settings_;
  const IngestOptions& options_;
  IngestSummary& summary_;
  std::array<std::uint64_t, kReasonCount>& dropped_;
  CsvReader reader_;
  std::vector<std::string_view> f_;
  std::vector<std::string> header_;
  std::array<std::size_t, kColumnCount> col_{};
  std::string last_time_text_;
  Timestamp last_time_ = kNoTime;
  FileDateOrder dates_;
  std::string why_;  // a bad timestamp's reason
  bool decimal_comma_ = false;  // the file is not separated by commas: "2,95" may be a price
  const TimeRange times_ =
      order_time_range(options_.now == kNoTime ? unix_now() : options_.now, options_.max_clock_skew);
};

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
  const Settings settings = resolve(options);
  IngestSummary summary;
  std::array<std::uint64_t, kReasonCount> dropped{};
  Builder builder;
  std::uint64_t bytes = 0, next_progress = kProgressStep;
  for (std::size_t n = 0; n < paths.size(); ++n) {
    const std::string& path = paths[n];
    FileIngest file(path, static_cast<std::uint32_t>(n), settings, options, summary, dropped);
    file.run(builder, progress, bytes, next_progress);
    bytes += file.bytes_read();
    if (options.format == OrderFormat::instacart) apply_instacart_products(path, builder.catalog());
    // Judge the share once enough rows are in, so one short file does not fail on a single row.
    const bool last = n + 1 == paths.size();
    const std::uint64_t bad = dropped[kMalformed] + dropped[kTimeOutOfRange];
    const double share =
        summary.rows_read == 0 ? 0.0 : static_cast<double>(bad) / static_cast<double>(summary.rows_read);
    COBUY_CHECK((summary.rows_read < 100 && !last) || share <= options.max_bad_row_share, ErrorCode::bad_data,
                path << ": " << bad << " of " << summary.rows_read << " rows read are malformed ("
                     << share * 100 << "%), over the limit of " << options.max_bad_row_share * 100 << "%; first: "
                     << (summary.bad_row_examples.empty() ? "(no examples kept)" : summary.bad_row_examples.front()));
  }
  if (progress) progress("ingest", bytes, 0);
  OrderData data = builder.finish();
  if (!options.catalog_path.empty()) apply_catalog_file(options.catalog_path, options, summary, data.catalog);
  for (std::size_t r = 0; r < kReasonCount; ++r) {
    if (dropped[r] > 0) summary.dropped[kReasonNames[r]] = dropped[r];
  }
  summary.orders = data.orders.size();
  summary.items = data.catalog.size();
  summary.customers = data.customer_ids.size();
  if (summary_out) *summary_out = std::move(summary);
  return data;
}

nlohmann::json summary_json(const IngestSummary& s) {
  return {{"rows_read", s.rows_read},
          {"rows_kept", s.rows_kept},
          {"dropped", s.dropped},
          {"rows_without_customer", s.rows_without_customer},
          {"orders", s.orders},
          {"items", s.items},
          {"customers", s.customers},
          {"bad_row_examples", s.bad_row_examples},
          {"catalog_columns_kept", s.catalog_columns_kept},
          {"catalog_columns_ignored", s.catalog_columns_ignored},
          {"catalog_new_items", s.catalog_new_items}};
}

}  // namespace cobuy
