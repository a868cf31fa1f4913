#pragma once
/// Vector indexes behind one small interface: Faiss implementations and a brute-force reference.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace cobuy {

/// One search hit: the id of a stored vector (its row number) and its inner product with the query.
struct SearchHit {
  std::int64_t id = -1;  ///< -1 when fewer than k vectors exist
  float score = 0.0f;
};

/// Maximum-inner-product search over n vectors of dimension d. Built once, then read-only:
/// search() is safe to call from many threads at once.
class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  /// Dimension of the vectors.
  virtual int dim() const = 0;
  /// Number of stored vectors.
  virtual std::int64_t size() const = 0;
  /// Adds n vectors, row-major, size n * dim(). Ids continue from size().
  virtual void add(std::span<const float> vectors) = 0;
  /// For each of the n queries (row-major, size n * dim()), the k best hits, best first;
  /// returns size n * k, padded with id -1.
  virtual std::vector<SearchHit> search(std::span<const float> queries, int k) const = 0;
  /// Writes the index to `path`; throws Error(io) on failure.
  virtual void save(const std::string& path) const = 0;
  /// The whole index as bytes that index_from_bytes() reads back (Faiss's own format for a Faiss
  /// index, a small cobuy format for the brute-force one). Throws Error(io) on failure.
  virtual std::vector<std::uint8_t> serialize() const = 0;
  /// The description it was built from ("Flat", "HNSW32", "brute-force", ...).
  virtual std::string description() const = 0;
};

/// A Faiss index for inner product built from a factory string ("Flat", "HNSW32", "IVF256,Flat").
/// IVF indexes are trained on the first add(). `search` sets search parameters through Faiss's
/// ParameterSpace ("nprobe=16", "efSearch=64", comma-separated; empty = Faiss's defaults); Faiss
/// saves them with the index. Throws Error(bad_request) for a bad string or a parameter the index
/// does not have.
std::unique_ptr<VectorIndex> make_faiss_index(int dim, const std::string& factory, const std::string& search = "");
/// Loads a Faiss index written by save(); throws Error(bad_data) naming the file.
std::unique_ptr<VectorIndex> load_faiss_index(const std::string& path);
/// The exact reference implementation (no Faiss): scans every vector.
std::unique_ptr<VectorIndex> make_brute_force_index(int dim);

/// Rebuilds an index from the bytes of VectorIndex::serialize() (either kind). The result owns its
/// data (`bytes` may be dropped afterwards). Throws Error(bad_data) for bytes that are not a whole,
/// valid index; the message says why.
std::unique_ptr<VectorIndex> index_from_bytes(std::span<const std::uint8_t> bytes);

/// Share of the exact top-k ids that `approx` also returns, over all queries (0..1).
double recall_at_k(const std::vector<SearchHit>& exact, const std::vector<SearchHit>& approx, int k);

}  // namespace cobuy
