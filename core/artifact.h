#pragma once
/// The model artifact: a directory with manifest.json and checksummed binary files.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model.h"

namespace cobuy {

/// Major.minor format version written into manifest.json; a reader refuses another major.
inline constexpr int kArtifactFormatMajor = 1;
/// 1.1 added embeddings.bin and complements.faiss; a 1.0 artifact still loads, without embeddings.
/// 1.2 added Catalog::in_stock to items.bin (after the prices) and CustomerHistory::order_values
/// to customers.bin (after the order times); a 1.0 or 1.1 artifact still loads, with every item
/// in stock and every order value 0.
/// 1.3 added the manifest's "reranker" (basket completion's second stage); an older artifact
/// still loads, with the re-ranker off.
/// 1.5 added CustomerHistory::order_keys to customers.bin (after the items); an older artifact
/// still loads, and then counts logged orders after its last order time only.
/// 1.7 added the next-order feature "embedding_affinity" (the manifest's next_order lists 15
/// features); a 1.6 manifest's 14 weights still load, with that feature's weight 0.
/// 1.8 added the catalogue's own item fields (Catalog::field_names and field_values) to items.bin
/// (after the order counts); an older artifact still loads, with no item fields.
inline constexpr int kArtifactFormatMinor = 9;

/// Writes `model` to `dir` atomically under any kill (core/atomic_directory.h): every file is written
/// and synced in a staging sibling that is then exchanged with the old `dir` in one step, so `dir`
/// always holds the old model or the new one. Throws Error(io) on failure, leaving `dir` as it was;
/// refuses a `dir` that exists but is neither empty nor a model.
void save_model(const Model& model, const std::string& dir);

/// Loads and checks an artifact. Throws Error(bad_data) saying what is wrong: a missing file, a
/// foreign or newer format version, a checksum mismatch, or inconsistent contents.
std::shared_ptr<const Model> load_model(const std::string& dir);

/// The manifest as written to manifest.json (also served by GET /v1/model).
nlohmann::json manifest_json(const Model& model);

}  // namespace cobuy
