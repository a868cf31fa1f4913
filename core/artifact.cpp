#include "core/artifact.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/atomic_directory.h"
#include "core/binary_io.h"
#include "core/error.h"
#include "core/next_order.h"
#include "core/time_util.h"

namespace cobuy {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormatName = "cobuy-model";
constexpr std::uint32_t kMagic = 0x59424F43;  // "COBY" little-endian

// Each binary file starts with the magic, a kind tag and the format major version.
void put_header(BinaryWriter& w, std::uint32_t kind) {
  w.put(kMagic);
  w.put(kind);
  w.put<std::uint32_t>(kArtifactFormatMajor);
}

void check_header(BinaryReader& r, std::uint32_t kind, const std::string& name) {
  const auto magic = r.get<std::uint32_t>();
  const auto got_kind = r.get<std::uint32_t>();
  const auto major = r.get<std::uint32_t>();
  COBUY_CHECK(magic == kMagic && got_kind == kind, ErrorCode::bad_data, name << " is not a cobuy " << name << " file");
  COBUY_CHECK(major == static_cast<std::uint32_t>(kArtifactFormatMajor), ErrorCode::bad_data,
              name << " has format version " << major << ", this build reads " << kArtifactFormatMajor);
}

std::string time_or_null(Timestamp t) { return t == kNoTime ? "" : format_timestamp(t); }

struct FileSpec {
  const char* name;
  std::uint32_t kind;
};
constexpr FileSpec kItems{"items.bin", 1};
constexpr FileSpec kNeighbors{"bought_together.bin", 2};
constexpr FileSpec kPopular{"popular.bin", 3};
constexpr FileSpec kCustomers{"customers.bin", 4};
constexpr FileSpec kSimilar{"similar.bin", 5};
constexpr FileSpec kEmbeddings{"embeddings.bin", 6};
constexpr FileSpec kComplements{"complements.faiss", 7};  // raw index bytes, no cobuy header
constexpr FileSpec kPenalties{"penalties.bin", 8};        // from format 1.4

BinaryWriter items_file(const Model& m) {
  BinaryWriter w;
  put_header(w, kItems.kind);
  const auto& c = m.catalog;
  w.put<std::uint64_t>(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    w.put_string(c.ids[i]);
    w.put_string(c.titles[i]);
    w.put_string(c.categories[i]);
  }
  w.put_array(c.prices);
  w.put_array(c.in_stock);  // from format 1.2
  w.put_array(m.item_orders);
  w.put<std::uint64_t>(c.field_names.size());  // from format 1.8
  for (std::size_t k = 0; k < c.field_names.size(); ++k) {
    w.put_string(c.field_names[k]);
    for (std::size_t i = 0; i < c.size(); ++i) w.put_string(c.field_values[k][i]);
  }
  return w;
}

BinaryWriter neighbors_file(const FileSpec& spec, const NeighborTable& table, std::size_t n_items) {
  BinaryWriter w;
  put_header(w, spec.kind);
  // A table that was never built is written as n_items empty rows.
  w.put_array(table.items() == 0 ? std::vector<std::uint64_t>(n_items + 1, 0) : table.offsets);
  w.put_array(table.entries);
  return w;
}

BinaryWriter popular_file(const Model& m) {
  BinaryWriter w;
  put_header(w, kPopular.kind);
  w.put_array(m.popular);
  w.put_array(m.popular_scores);
  return w;
}

BinaryWriter customers_file(const Model& m) {
  BinaryWriter w;
  put_header(w, kCustomers.kind);
  const auto& h = m.customers;
  w.put<std::uint64_t>(h.ids.size());
  for (const auto& id : h.ids) w.put_string(id);
  w.put_array(h.order_offsets);
  w.put_array(h.order_times);
  w.put_array(h.order_values);  // from format 1.2
  w.put_array(h.item_offsets);
  w.put_array(h.items);
  w.put_array(h.order_keys);  // from format 1.5
  return w;
}

BinaryWriter embeddings_file(const Model& m) {
  BinaryWriter w;
  put_header(w, kEmbeddings.kind);
  w.put<std::uint32_t>(m.embeddings.dim);
  w.put<std::uint64_t>(m.catalog.size());
  w.put_array(m.embeddings.input);
  return w;
}

BinaryWriter complements_file(const Model& m) {
  BinaryWriter w;
  w.put_raw(m.embeddings.complement_index);
  return w;
}

std::uint64_t items_with_vectors(const ItemEmbeddings& e, std::size_t n_items) {
  if (e.empty() || e.input.size() != n_items * e.dim) return 0;
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < n_items; ++i) {
    const auto row = e.input_row(static_cast<ItemIndex>(i));
    k += std::any_of(row.begin(), row.end(), [](float x) { return x != 0.0f; }) ? 1 : 0;
  }
  return k;
}

template <typename Offsets>
void check_offsets(const Offsets& off, std::size_t rows, std::size_t total, const std::string& what) {
  COBUY_CHECK(off.size() == rows + 1 && off.front() == 0 && off.back() == total, ErrorCode::bad_data,
              what << ": row offsets do not match the data");
  for (std::size_t i = 0; i < rows; ++i) {
    COBUY_CHECK(off[i] <= off[i + 1], ErrorCode::bad_data, what << ": row offsets are not increasing");
  }
}

/// The row of CSR `offsets` that holds element `at`.
template <typename Offsets>
std::size_t row_of(const Offsets& offsets, std::size_t at) {
  return static_cast<std::size_t>(std::upper_bound(offsets.begin(), offsets.end(), at) - offsets.begin()) - 1;
}

// Scores, weights and values must be finite: a NaN would be served as "score": null and sorts
// anywhere. The checks name the file, the array and the row.
void check_finite(const std::vector<float>& values, const std::string& file, const char* array) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    COBUY_CHECK(std::isfinite(values[i]), ErrorCode::bad_data,
                file << ": " << array << "[" << i << "] is " << values[i] << ", not a finite number");
  }
}

/// `minor` is the manifest's format minor version: files written before 1.2 lack the stock flags.
void read_items(BinaryReader& r, int minor, Model& m) {
  check_header(r, kItems.kind, kItems.name);
  const auto n = r.get<std::uint64_t>();
  COBUY_CHECK(n <= r.size(), ErrorCode::bad_data, "items.bin: item count " << n << " is impossible");
  auto& c = m.catalog;
  for (std::uint64_t i = 0; i < n; ++i) {
    c.ids.push_back(r.get_string());
    c.titles.push_back(r.get_string());
    c.categories.push_back(r.get_string());
    COBUY_CHECK(c.index.emplace(c.ids.back(), static_cast<ItemIndex>(i)).second, ErrorCode::bad_data,
                "items.bin: duplicate item id '" << c.ids.back() << "'");
  }
  c.prices = r.get_array<float>();
  for (std::size_t i = 0; i < c.prices.size() && i < n; ++i) {  // NaN = price unknown
    COBUY_CHECK(!std::isinf(c.prices[i]), ErrorCode::bad_data,
                kItems.name << ": the price of item '" << c.ids[i] << "' is " << c.prices[i]
                            << " (a price is a finite number, or NaN when unknown)");
  }
  if (minor >= 2) {
    c.in_stock = r.get_array<std::uint8_t>();
    COBUY_CHECK(c.in_stock.size() == n, ErrorCode::bad_data,
                kItems.name << " holds " << c.in_stock.size() << " stock flags for " << n << " items");
  } else {
    c.in_stock.assign(n, 1);  // no catalogue said otherwise
  }
  m.item_orders = r.get_array<std::uint32_t>();
  COBUY_CHECK(c.prices.size() == n && m.item_orders.size() == n, ErrorCode::bad_data,
              "items.bin: per-item arrays do not match the item count");
  if (minor >= 8) {
    const auto fields = r.get<std::uint64_t>();
    COBUY_CHECK(fields <= r.size(), ErrorCode::bad_data, "items.bin: field count " << fields << " is impossible");
    for (std::uint64_t k = 0; k < fields; ++k) {
      c.field_names.push_back(r.get_string());
      auto& values = c.field_values.emplace_back();
      values.reserve(n);
      for (std::uint64_t i = 0; i < n; ++i) values.push_back(r.get_string());
    }
  }
  r.expect_end();
}

void read_neighbors(BinaryReader& r, const FileSpec& spec, const Catalog& catalog, NeighborTable& t) {
  check_header(r, spec.kind, spec.name);
  t.offsets = r.get_array<std::uint64_t>();
  t.entries = r.get_array<Neighbor>();
  r.expect_end();
  check_offsets(t.offsets, catalog.size(), t.entries.size(), spec.name);
  for (std::size_t k = 0; k < t.entries.size(); ++k) {
    const auto& e = t.entries[k];
    COBUY_CHECK(e.item < catalog.size(), ErrorCode::bad_data, spec.name << ": item index out of range");
    if (std::isfinite(e.score)) continue;
    const auto row = row_of(t.offsets, k);
    COBUY_FAIL(ErrorCode::bad_data, spec.name << ": neighbour " << k - t.offsets[row] << " of item '" << catalog.ids[row]
                                              << "' has score " << e.score << ", not a finite number");
  }
}

void read_popular(BinaryReader& r, Model& m) {
  check_header(r, kPopular.kind, kPopular.name);
  m.popular = r.get_array<ItemIndex>();
  m.popular_scores = r.get_array<float>();
  r.expect_end();
  COBUY_CHECK(m.popular.size() == m.popular_scores.size(), ErrorCode::bad_data, "popular.bin: sizes differ");
  check_finite(m.popular_scores, kPopular.name, "popular_scores");
  for (auto i : m.popular) {
    COBUY_CHECK(i < m.catalog.size(), ErrorCode::bad_data, "popular.bin: item index out of range");
  }
}

/// `minor` is the manifest's format minor version: files written before 1.2 lack the order values,
/// before 1.5 the order keys.
void read_customers(BinaryReader& r, int minor, Model& m) {
  check_header(r, kCustomers.kind, kCustomers.name);
  auto& h = m.customers;
  const auto n = r.get<std::uint64_t>();
  COBUY_CHECK(n <= r.size(), ErrorCode::bad_data, "customers.bin: customer count " << n << " is impossible");
  for (std::uint64_t i = 0; i < n; ++i) {
    h.ids.push_back(r.get_string());
    COBUY_CHECK(h.index.emplace(h.ids.back(), static_cast<std::uint32_t>(i)).second, ErrorCode::bad_data,
                "customers.bin: duplicate customer id '" << h.ids.back() << "'");
  }
  h.order_offsets = r.get_array<std::uint64_t>();
  h.order_times = r.get_array<Timestamp>();
  if (minor >= 2) {
    h.order_values = r.get_array<float>();
    COBUY_CHECK(h.order_values.size() == h.order_times.size(), ErrorCode::bad_data,
                kCustomers.name << " holds " << h.order_values.size() << " order values for "
                                << h.order_times.size() << " orders");
  } else {
    h.order_values.assign(h.order_times.size(), 0.0f);  // unknown
  }
  h.item_offsets = r.get_array<std::uint64_t>();
  h.items = r.get_array<ItemIndex>();
  if (minor >= 5) {
    h.order_keys = r.get_array<std::uint64_t>();
    // Empty: a model built without order ids (as before 1.5), see model_holds_order.
    COBUY_CHECK(h.order_keys.empty() || h.order_keys.size() == h.order_times.size(), ErrorCode::bad_data,
                kCustomers.name << " holds " << h.order_keys.size() << " order keys for " << h.order_times.size()
                                << " orders");
  }
  r.expect_end();
  check_offsets(h.order_offsets, n, h.order_times.size(), kCustomers.name);
  check_offsets(h.item_offsets, h.order_times.size(), h.items.size(), kCustomers.name);
  for (auto i : h.items) {
    COBUY_CHECK(i < m.catalog.size(), ErrorCode::bad_data, "customers.bin: item index out of range");
  }
  for (std::size_t o = 0; o < h.order_values.size(); ++o) {
    if (std::isfinite(h.order_values[o])) continue;
    const auto c = row_of(h.order_offsets, o);
    COBUY_FAIL(ErrorCode::bad_data, kCustomers.name << ": order " << o - h.order_offsets[c] << " of customer '" << h.ids[c]
                                                    << "' has value " << h.order_values[o] << ", not a finite number");
  }
}

void read_embeddings(BinaryReader& r, Model& m) {
  check_header(r, kEmbeddings.kind, kEmbeddings.name);
  auto& e = m.embeddings;
  e.dim = r.get<std::uint32_t>();
  const auto n = r.get<std::uint64_t>();
  e.input = r.get_array<float>();
  r.expect_end();
  COBUY_CHECK(n == m.catalog.size(), ErrorCode::bad_data,
              kEmbeddings.name << " is for " << n << " items, items.bin holds " << m.catalog.size());
  COBUY_CHECK(e.input.size() == static_cast<std::uint64_t>(e.dim) * n, ErrorCode::bad_data,
              kEmbeddings.name << " holds " << e.input.size() << " floats, expected " << n << " items x dimension "
                               << e.dim);
  for (std::size_t k = 0; k < e.input.size(); ++k) {
    COBUY_CHECK(std::isfinite(e.input[k]), ErrorCode::bad_data,
                kEmbeddings.name << ": the vector of item '" << m.catalog.ids[k / e.dim] << "' holds " << e.input[k]
                                 << " at dimension " << k % e.dim << ", not a finite number");
  }
}

void read_complements(BinaryReader& r, Model& m) {
  auto& e = m.embeddings;
  e.complement_index = r.get_rest();
  // The index itself is Faiss's format, checked by index/ when it is loaded for search.
  COBUY_CHECK(e.empty() == e.complement_index.empty(), ErrorCode::bad_data,
              kComplements.name << " has " << e.complement_index.size() << " bytes, but " << kEmbeddings.name
                                << (e.empty() ? " holds no vectors" : " holds vectors"));
}

}  // namespace

json manifest_json(const Model& m) {
  json params;
  to_json(params, m.config);
  return json{
      {"format", kFormatName},
      {"format_version", std::to_string(kArtifactFormatMajor) + "." + std::to_string(kArtifactFormatMinor)},
      {"version", m.version},
      {"created_at", m.created_at},
      {"data_fingerprint", m.data_fingerprint},
      {"parameters", params},
      {"counts",
       {{"orders", m.stats.orders},
        {"items", m.stats.items},
        {"customers", m.stats.customers},
        {"pairs", m.stats.pairs},
        {"items_with_neighbors",
         [&] {
           std::uint64_t k = 0;
           for (std::size_t i = 0; i < m.bought_together.items(); ++i) k += m.bought_together.row(static_cast<ItemIndex>(i)).empty() ? 0 : 1;
           return k;
         }()},
        {"items_with_vectors", items_with_vectors(m.embeddings, m.catalog.size())},
        {"items_without_orders",  // catalogue items no training order holds (format 1.9)
         std::count(m.item_orders.begin(), m.item_orders.end(), 0u)}}},
      {"data_range", {{"first_order", time_or_null(m.stats.first_order)}, {"last_order", time_or_null(m.stats.last_order)}}},
      {"ingest", m.ingest_summary},
      {"evaluation", m.evaluation},
      {"reranker", to_json(m.reranker)},
      {"next_order", to_json(m.next_order)},
  };
}

void save_model(const Model& model, const std::string& dir) {
  try {
    AtomicDirectory out{fs::path(dir), "manifest.json"};
    json manifest = manifest_json(model);
    json files = json::object();
    auto write = [&](const FileSpec& spec, const BinaryWriter& w) {
      const auto crc = w.write_to((out.staging() / spec.name).string());
      files[spec.name] = {{"bytes", w.size()}, {"crc32", crc}};
      save_fault_point(spec.name);
    };
    write(kItems, items_file(model));
    write(kNeighbors, neighbors_file(kNeighbors, model.bought_together, model.catalog.size()));
    write(kSimilar, neighbors_file(kSimilar, model.similar, model.catalog.size()));
    write(kPenalties, neighbors_file(kPenalties, model.penalties, model.catalog.size()));
    write(kPopular, popular_file(model));
    write(kCustomers, customers_file(model));
    write(kEmbeddings, embeddings_file(model));
    write(kComplements, complements_file(model));
    manifest["files"] = files;
    const std::string text = manifest.dump(2) + "\n";
    BinaryWriter m;
    m.put_raw(std::vector<std::uint8_t>(text.begin(), text.end()));
    m.write_to((out.staging() / "manifest.json").string());
    save_fault_point("manifest.json");
    out.commit();
  } catch (const fs::filesystem_error& e) {
    COBUY_FAIL(ErrorCode::io, "cannot write model to " << dir << ": " << e.what());
  }
}

std::shared_ptr<const Model> load_model(const std::string& dir) {
  const fs::path root(dir);
  COBUY_CHECK(fs::is_directory(root), ErrorCode::bad_data, "model directory " << dir << " does not exist");
  const fs::path manifest_path = root / "manifest.json";
  std::ifstream f(manifest_path);
  COBUY_CHECK(f.good(), ErrorCode::bad_data, dir << " is not a cobuy model: manifest.json is missing");
  json manifest;
  try {
    manifest = json::parse(f);
  } catch (const json::exception& e) {
    COBUY_FAIL(ErrorCode::bad_data, manifest_path.string() << " is not valid JSON: " << e.what());
  }
  try {
    COBUY_CHECK(manifest.value("format", "") == kFormatName, ErrorCode::bad_data,
                dir << " is not a cobuy model (manifest format is '" << manifest.value("format", "") << "')");
    const std::string version = manifest.value("format_version", "");
    const int major = std::atoi(version.c_str());
    const auto dot = version.find('.');
    const int minor = dot == std::string::npos ? 0 : std::atoi(version.c_str() + dot + 1);
    COBUY_CHECK(major == kArtifactFormatMajor, ErrorCode::bad_data,
                dir << " has model format version '" << version << "'; this build reads " << kArtifactFormatMajor
                    << ".x: retrain the model with this version of cobuy");

    auto model = std::make_shared<Model>();
    model->version = manifest.at("version").get<std::string>();
    model->created_at = manifest.at("created_at").get<std::string>();
    model->data_fingerprint = manifest.at("data_fingerprint").get<std::string>();
    model->config = train_config_from_json(manifest.at("parameters"));
    const auto& counts = manifest.at("counts");
    model->stats.orders = counts.at("orders").get<std::uint64_t>();
    model->stats.items = counts.at("items").get<std::uint64_t>();
    model->stats.customers = counts.at("customers").get<std::uint64_t>();
    model->stats.pairs = counts.at("pairs").get<std::uint64_t>();
    const auto& range = manifest.at("data_range");
    if (auto t = parse_timestamp(range.value("first_order", ""))) model->stats.first_order = *t;
    if (auto t = parse_timestamp(range.value("last_order", ""))) model->stats.last_order = *t;
    model->ingest_summary = manifest.value("ingest", json::object());
    model->evaluation = manifest.value("evaluation", json());
    try {
      model->reranker = reranker_from_json(manifest.value("reranker", json()));
      model->next_order = next_order_scorer_from_json(manifest.value("next_order", json()));
    } catch (const Error& e) {
      COBUY_FAIL(ErrorCode::bad_data, manifest_path.string() << ": " << e.what());
    }

    const auto& files = manifest.at("files");
    auto open = [&](const FileSpec& spec) {
      COBUY_CHECK(files.contains(spec.name), ErrorCode::bad_data, "manifest.json does not list " << spec.name);
      const fs::path p = root / spec.name;
      COBUY_CHECK(fs::exists(p), ErrorCode::bad_data, dir << " is incomplete: " << spec.name << " is missing");
      BinaryReader r(p.string());
      const auto& meta = files.at(spec.name);
      COBUY_CHECK(r.size() == meta.at("bytes").get<std::uint64_t>(), ErrorCode::bad_data,
                  spec.name << " has " << r.size() << " bytes, the manifest says "
                            << meta.at("bytes").get<std::uint64_t>() << " (truncated or replaced)");
      COBUY_CHECK(r.crc32() == meta.at("crc32").get<std::uint32_t>(), ErrorCode::bad_data,
                  spec.name << " fails its checksum (the file is corrupt)");
      return r;
    };
    {
      auto r = open(kItems);
      read_items(r, minor, *model);
    }
    {
      auto r = open(kNeighbors);
      read_neighbors(r, kNeighbors, model->catalog, model->bought_together);
    }
    {
      auto r = open(kSimilar);
      read_neighbors(r, kSimilar, model->catalog, model->similar);
    }
    if (minor >= 4 || files.contains(kPenalties.name)) {
      auto r = open(kPenalties);
      read_neighbors(r, kPenalties, model->catalog, model->penalties);
      for (const auto& e : model->penalties.entries) {
        COBUY_CHECK(e.score < 0, ErrorCode::bad_data,
                    kPenalties.name << ": a penalty must be negative, got " << e.score);
      }
    } else {  // written before 1.4: no penalties
      model->penalties.offsets.assign(model->catalog.size() + 1, 0);
    }
    {
      auto r = open(kPopular);
      read_popular(r, *model);
    }
    {
      auto r = open(kCustomers);
      read_customers(r, minor, *model);
      model->repurchase = repurchase_stats(model->customers, model->catalog.size());
    }
    // Format 1.0 had no embeddings; from 1.1 on both files are always written.
    if (minor >= 1 || files.contains(kEmbeddings.name) || files.contains(kComplements.name)) {
      auto r = open(kEmbeddings);
      read_embeddings(r, *model);
      auto c = open(kComplements);
      read_complements(c, *model);
    }
    COBUY_CHECK(model->catalog.size() == model->stats.items, ErrorCode::bad_data,
                "manifest.json counts " << model->stats.items << " items, items.bin holds " << model->catalog.size());
    return model;
  } catch (const json::exception& e) {
    COBUY_FAIL(ErrorCode::bad_data, manifest_path.string() << " is missing a field or has a wrong type: " << e.what());
  } catch (const Error& e) {
    if (e.code() == ErrorCode::bad_data) throw;
    COBUY_FAIL(ErrorCode::bad_data, "model " << dir << ": " << e.what());
  }
}

}  // namespace cobuy
