#pragma once
/// Skip-gram with negative sampling over baskets (item2vec / prod2vec): every basket is one
/// context, every ordered pair of its items (or of its items within a window or cap, see
/// SgnsConfig) one (centre, context) training pair. Updates follow Ji et al.'s pWord2Vec
/// ("Parallelizing Word2Vec in Shared and Distributed Memory"): the pairs of one item share their
/// negative samples, so each update is a small dense matrix product (sgns_batch_step).

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "training/cooccurrence.h"

namespace cobuy {

/// Hyperparameters of train_sgns. Defaults follow word2vec / gensim where they have one.
struct SgnsConfig {
  int dim = 64;                       ///< embedding size (floats per row)
  int epochs = 10;                    ///< passes over all baskets
  /// Negative samples per group of up to `batch` pairs that share them (per pair when batch = 1)
  int negatives = 5;
  double ns_exponent = 0.75;          ///< negatives drawn with P(i) ~ count_i ^ ns_exponent
  double learning_rate = 0.025;       ///< at the start, decayed linearly ...
  double min_learning_rate = 0.0001;  ///< ... to this at the end of the last epoch
  /// Frequent-item subsampling threshold t (word2vec formula: an occurrence of an item with
  /// share f = count / total occurrences is kept with probability (sqrt(f / t) + 1) * t / f);
  /// 0 = keep every occurrence.
  double subsample = 1e-3;
  std::uint32_t min_count = 1;  ///< items in fewer baskets are dropped and get zero rows
  /// Context: 0 = the whole basket; otherwise the items within +-window positions of the centre
  /// in the basket's shuffled order (a fresh shuffle every epoch).
  int window = 0;
  /// With window == 0, a centre in a basket (after subsampling) with more than max_contexts
  /// other items trains against only max_contexts of them: the +-max_contexts/2 neighbours
  /// around the circle of the basket's shuffled order (a fresh random subset every epoch; an
  /// odd value rounds down). Keeps the cost of bulk orders linear instead of quadratic, and on
  /// Online Retail basket completion (10 epochs) NDCG@10 rose from 0.04 with whole baskets (up
  /// to 700 items) to 0.15 with 20 (bench/gensim_compare.py --sweep). 0 = the whole basket.
  std::uint32_t max_contexts = 20;
  /// Visit the baskets in a fresh random order every epoch (else in the given order, which for
  /// order histories is time order: consecutive, near-identical bulk orders then pull the
  /// vectors one way for a while, and the last baskets weigh most).
  bool shuffle_baskets = true;
  /// Contexts that share one draw of negatives (the minibatch of Ji et al.'s pWord2Vec): an
  /// item's context is trained in groups of at most `batch` input rows against the item's
  /// output row and `negatives` output rows drawn once per group (sgns_batch_step). 1 = fresh
  /// negatives for every pair, as word2vec and gensim.
  int batch = 32;
  std::uint32_t threads = 0;  ///< worker threads; 0 = all cores
  std::uint64_t seed = 1;
  /// Single-threaded and bit-for-bit reproducible for the same seed, baskets and machine.
  bool deterministic = false;
};

/// Throws Error(bad_request) naming the first out-of-range field of `config`.
void validate(const SgnsConfig& config);

/// Trained vectors. `input` and `output` are row-major, n_items * dim floats each; row i belongs
/// to ItemIndex i. Items that were not trained (fewer than min_count baskets) have zero rows.
struct SgnsEmbeddings {
  int dim = 0;
  std::size_t n_items = 0;
  std::vector<float> input;            ///< "word" vectors: input-input cosine ~ substitutes
  std::vector<float> output;           ///< context vectors: input-output dot ~ complements
  std::vector<std::uint8_t> trained;   ///< size n_items; 1 when the item was in the vocabulary

  const float* input_row(std::size_t item) const { return input.data() + item * static_cast<std::size_t>(dim); }
  const float* output_row(std::size_t item) const { return output.data() + item * static_cast<std::size_t>(dim); }
};

/// What one epoch did; passed to the callback after each epoch.
struct SgnsEpochStats {
  int epoch = 0;                  ///< 1-based
  double loss = 0.0;              ///< mean negative log-likelihood per pair (positive + negatives)
  double pairs_per_second = 0.0;  ///< wall-clock throughput of the epoch
  std::uint64_t pairs = 0;        ///< (centre, context) pairs trained in the epoch
  /// Negative samples drawn in the epoch: `negatives` per group of up to `batch` pairs (those
  /// equal to the group's positive item are drawn but skipped).
  std::uint64_t negative_draws = 0;
};

/// Called on the calling thread after each epoch.
using SgnsCallback = std::function<void(const SgnsEpochStats&)>;

/// Data-parallel training over several processes by model averaging (as distributed word2vec
/// trainers do, e.g. Ji et al.'s and Spark MLlib's): every process trains its own share of the
/// baskets from the same starting vectors, and at `rounds_per_epoch` evenly spaced points of
/// each epoch the vectors are replaced by their mean over the processes. Every process must pass
/// the same item_counts and rounds_per_epoch, and `average` must meet the other processes'.
struct SgnsAveraging {
  /// Baskets holding each item, over every process's baskets: the vocabulary, subsampling and
  /// negative distribution are those of one process training on all of them.
  std::vector<std::uint32_t> item_counts;
  int rounds_per_epoch = 1;
  /// Replaces `rows` with their element-wise mean over the processes (all of them call it).
  std::function<void(std::span<float> rows)> average;
};

/// Trains SGNS embeddings on `baskets` (see SgnsConfig for every choice). In each basket (after
/// subsampling and a fresh shuffle), for each item c in turn: the input rows of c's context
/// items, in groups of at most config.batch, are updated against c's output row (label 1) and
/// config.negatives output rows drawn once per group (label 0; a draw equal to c is skipped) by
/// one sgns_batch_step. The context rules are symmetric, so these are the same (centre, context)
/// pairs as word2vec's loop over centres, trained with the input row on the centre's side.
/// Unless config.deterministic, runs Hogwild (lock-free and racy by design, as word2vec,
/// fastText and gensim do) on config.threads workers that take chunks of baskets in basket
/// order. The learning rate decays linearly with the share of planned pairs done (constant
/// within a basket). Throws Error(bad_request) for an invalid config.
/// With `averaging`, this process's share of a data-parallel run (SgnsAveraging); the learning
/// rate then decays with the share of this process's own planned pairs.
SgnsEmbeddings train_sgns(const Baskets& baskets, const SgnsConfig& config, const SgnsCallback& callback = nullptr,
                          const SgnsAveraging* averaging = nullptr);

/// word2vec's SGNS update of one input vector `in` (dim floats) against n output vectors
/// out_vectors[0..n) with labels[t] in {0, 1} (1 = observed context, 0 = negative sample), as in
/// word2vec: for each t, f_t = in . out_t and g_t = (labels[t] - sigmoid(f_t)) * lr; then
/// out_t += g_t * in (with `in` as it was on entry) and finally in += sum_t g_t * out_t (each
/// out_t as it was before its own update). Dot products are taken in groups of 8 before the
/// group's updates, which differs from word2vec's strictly sequential loop only when one output
/// row appears twice among 8 consecutive targets. `grad_scratch` holds dim floats (used when
/// n > 8). `in` must not alias an output row. Returns the pair's negative log-likelihood before
/// the update, sum_t -log sigmoid(+-f_t). sigmoid and log(1 + e^x) are computed 8 at a time
/// (error near 1e-7; clamped as word2vec outside [-8, 8]: sigmoid 0 or 1). train_sgns uses
/// sgns_batch_step, which with one input is this update with all targets read on entry.
float sgns_step(float* in, float* const out_vectors[], const int labels[], int n, int dim, float lr,
                float* grad_scratch);

/// The minibatch update train_sgns uses (pWord2Vec's shared negatives): n_inputs input rows
/// X = inputs[0..n_inputs) against n_outputs output rows Y = outputs[0..n_outputs), label
/// labels[t] in {0, 1} for output t and every input (1 = observed context, 0 = negative). With
/// F = X Y^T and G = (labels - sigmoid(F)) * lr, elementwise: X += G Y and Y += G^T X, both
/// from the rows as they were on entry, i.e. n_inputs * n_outputs word2vec pair updates that
/// read the rows once and write them once. Outputs are handled in passes of 6: an output row
/// repeated among the outputs gets every update, but one repeated across passes is read in the
/// later pass with the earlier pass's update. Inputs must be distinct and must not alias an
/// output. `scratch` holds sgns_batch_scratch_size(n_inputs, dim) floats. Returns the summed
/// negative log-likelihood before the update, sum over (b, t) of -log sigmoid(+-F[b][t]), with
/// sgns_step's sigmoid and softplus.
float sgns_batch_step(float* const inputs[], int n_inputs, float* const outputs[], const int labels[], int n_outputs,
                      int dim, float lr, float* scratch);

/// Floats of scratch sgns_batch_step needs.
std::size_t sgns_batch_scratch_size(int n_inputs, int dim);

/// The sigmoid as sgns_step computes it (for tests).
float sgns_sigmoid(float x);

}  // namespace cobuy
