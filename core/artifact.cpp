#include "core/artifact.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/binary_io.h"
#include "core/error.h"
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
  r.expect_end();
}

void read_neighbors(BinaryReader& r, const FileSpec& spec, std::size_t n_items, NeighborTable& t) {
  check_header(r, spec.kind, spec.name);
  t.offsets = r.get_array<std::uint64_t>();
  t.entries = r.get_array<Neighbor>();
  r.expect_end();
  check_offsets(t.offsets, n_items, t.entries.size(), spec.name);
  for (const auto& e : t.entries) {
    COBUY_CHECK(e.item < n_items, ErrorCode::bad_data, spec.name << ": item index out of range");
  }
}

void read_popular(BinaryReader& r, Model& m) {
  check_header(r, kPopular.kind, kPopular.name);
  m.popular = r.get_array<ItemIndex>();
  m.popular_scores = r.get_array<float>();
  r.expect_end();
  COBUY_CHECK(m.popular.size() == m.popular_scores.size(), ErrorCode::bad_data, "popular.bin: sizes differ");
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
  for (float x : e.input) {
    COBUY_CHECK(std::isfinite(x), ErrorCode::bad_data, kEmbeddings.name << " holds a value that is not finite");
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

std::string unique_suffix() {
  std::random_device rd;
  std::ostringstream os;
  os << ::getpid() << "-" << std::hex << rd();
  return os.str();
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
        {"items_with_vectors", items_with_vectors(m.embeddings, m.catalog.size())}}},
      {"data_range", {{"first_order", time_or_null(m.stats.first_order)}, {"last_order", time_or_null(m.stats.last_order)}}},
      {"ingest", m.ingest_summary},
      {"evaluation", m.evaluation},
      {"reranker", to_json(m.reranker)},
  };
}

void save_model(const Model& model, const std::string& dir) {
  const fs::path target(dir);
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  const fs::path tmp = parent / ("." + target.filename().string() + ".tmp-" + unique_suffix());
  fs::create_directory(tmp, ec);
  COBUY_CHECK(!ec, ErrorCode::io, "cannot create " << tmp.string() << ": " << ec.message());
  try {
    json manifest = manifest_json(model);
    json files = json::object();
    auto write = [&](const FileSpec& spec, const BinaryWriter& w) {
      const auto crc = w.write_to((tmp / spec.name).string());
      files[spec.name] = {{"bytes", w.size()}, {"crc32", crc}};
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
    {
      std::ofstream f(tmp / "manifest.json");
      f << manifest.dump(2) << "\n";
      COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << (tmp / "manifest.json").string());
    }
    // Swap in: move any old artifact aside, rename the new one, then drop the old one.
    fs::path old;
    if (fs::exists(target)) {
      old = parent / ("." + target.filename().string() + ".old-" + unique_suffix());
      fs::rename(target, old);
    }
    fs::rename(tmp, target);
    if (!old.empty()) fs::remove_all(old, ec);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    COBUY_FAIL(ErrorCode::io, "cannot write model to " << dir << ": " << e.what());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
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
    model->reranker = reranker_from_json(manifest.value("reranker", json()));

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
      read_neighbors(r, kNeighbors, model->catalog.size(), model->bought_together);
    }
    {
      auto r = open(kSimilar);
      read_neighbors(r, kSimilar, model->catalog.size(), model->similar);
    }
    if (minor >= 4 || files.contains(kPenalties.name)) {
      auto r = open(kPenalties);
      read_neighbors(r, kPenalties, model->catalog.size(), model->penalties);
      for (const auto& e : model->penalties.entries) {
        COBUY_CHECK(std::isfinite(e.score) && e.score < 0, ErrorCode::bad_data,
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
