#include "core/config.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_reader.h"

namespace cobuy {
namespace {

using nlohmann::json;

}  // namespace

std::string pair_score_name(PairScore s) {
  switch (s) {
    case PairScore::jaccard: return "jaccard";
    case PairScore::cosine: return "cosine";
    case PairScore::shrunk_confidence: return "shrunk_confidence";
    case PairScore::lift: return "lift";
  }
  return "cosine";
}

PairScore parse_pair_score(const std::string& name) {
  for (auto s : {PairScore::jaccard, PairScore::cosine, PairScore::shrunk_confidence, PairScore::lift}) {
    if (name == pair_score_name(s)) return s;
  }
  COBUY_FAIL(ErrorCode::bad_request,
             "unknown pair score '" << name << "' (expected jaccard, cosine, shrunk_confidence or lift)");
}

void to_json(nlohmann::json& j, const TrainConfig& c) {
  j = json{
      {"cooccurrence",
       {{"score", pair_score_name(c.cooccurrence.score)},
        {"min_support", c.cooccurrence.min_support},
        {"shrinkage", c.cooccurrence.shrinkage},
        {"top_k", c.cooccurrence.top_k},
        {"max_basket", c.cooccurrence.max_basket}}},
      {"ease", {{"lambda", c.ease.lambda}, {"max_items", c.ease.max_items}, {"basket_weight", c.ease.basket_weight},
                {"negative_top_k", c.ease.negative_top_k}}},
      {"embedding",
       {{"dim", c.embedding.dim},
        {"epochs", c.embedding.epochs},
        {"negatives", c.embedding.negatives},
        {"ns_exponent", c.embedding.ns_exponent},
        {"learning_rate", c.embedding.learning_rate},
        {"min_learning_rate", c.embedding.min_learning_rate},
        {"subsample", c.embedding.subsample},
        {"min_count", c.embedding.min_count},
        {"window", c.embedding.window},
        {"max_contexts", c.embedding.max_contexts},
        {"seed", c.embedding.seed},
        {"deterministic", c.embedding.deterministic},
        {"index", c.embedding.index},
        {"index_search", c.embedding.index_search},
        {"substitute_max_lift", c.embedding.substitute_max_lift},
        {"substitute_min_similarity", c.embedding.substitute_min_similarity},
        {"substitute_min_expected", c.embedding.substitute_min_expected}}},
      {"blend", {{"cooccurrence", c.blend.cooccurrence}, {"ease", c.blend.ease}, {"embedding", c.blend.embedding}, {"history", c.blend.history}}},
      {"popularity", {{"half_life_days", c.popularity.half_life_days}, {"top_n", c.popularity.top_n}}},
      {"next_order",
       {{"fit", c.next_order.fit},
        {"max_customers", c.next_order.max_customers},
        {"half_life_days", c.next_order.half_life_days}}},
      {"rerank",
       {{"enabled", c.rerank.enabled},
        {"candidates", c.rerank.candidates},
        {"validation_fraction", c.rerank.validation_fraction},
        {"max_queries", c.rerank.max_queries}}},
      {"threads", c.threads},
  };
}

TrainConfig train_config_from_json(const nlohmann::json& j) {
  TrainConfig c;
  ObjectReader top(j, "");
  if (const json* co = top.child("cooccurrence")) {
    ObjectReader r(*co, "cooccurrence");
    r.read("score", c.cooccurrence.score);
    r.read("min_support", c.cooccurrence.min_support);
    r.read("shrinkage", c.cooccurrence.shrinkage);
    r.read("top_k", c.cooccurrence.top_k);
    r.read("max_basket", c.cooccurrence.max_basket);
    r.reject_unknown();
  }
  if (const json* e = top.child("ease")) {
    ObjectReader r(*e, "ease");
    r.read("lambda", c.ease.lambda);
    r.read("max_items", c.ease.max_items);
    r.read("basket_weight", c.ease.basket_weight);
    r.read("negative_top_k", c.ease.negative_top_k);
    r.reject_unknown();
  }
  if (const json* e = top.child("embedding")) {
    ObjectReader r(*e, "embedding");
    auto& m = c.embedding;
    r.read("dim", m.dim);
    r.read("epochs", m.epochs);
    r.read("negatives", m.negatives);
    r.read("ns_exponent", m.ns_exponent);
    r.read("learning_rate", m.learning_rate);
    r.read("min_learning_rate", m.min_learning_rate);
    r.read("subsample", m.subsample);
    r.read("min_count", m.min_count);
    r.read("window", m.window);
    r.read("max_contexts", m.max_contexts);
    r.read("seed", m.seed);
    r.read("deterministic", m.deterministic);
    r.read("index", m.index);
    r.read("index_search", m.index_search);
    r.read("substitute_max_lift", m.substitute_max_lift);
    r.read("substitute_min_similarity", m.substitute_min_similarity);
    r.read("substitute_min_expected", m.substitute_min_expected);
    r.reject_unknown();
  }
  if (const json* b = top.child("blend")) {
    ObjectReader r(*b, "blend");
    r.read("cooccurrence", c.blend.cooccurrence);
    r.read("ease", c.blend.ease);
    r.read("history", c.blend.history);
    r.read("embedding", c.blend.embedding);
    r.reject_unknown();
  }
  if (const json* p = top.child("popularity")) {
    ObjectReader r(*p, "popularity");
    r.read("half_life_days", c.popularity.half_life_days);
    r.read("top_n", c.popularity.top_n);
    r.reject_unknown();
  }
  if (const json* n = top.child("next_order")) {
    ObjectReader r(*n, "next_order");
    r.read("fit", c.next_order.fit);
    r.read("max_customers", c.next_order.max_customers);
    r.read("half_life_days", c.next_order.half_life_days);
    // The hand-set mix of the engine before it was fitted: still in older artifacts' manifests.
    double retired = 0;
    r.read("repeat_weight", retired);
    r.read("complement_weight", retired);
    r.reject_unknown();
  }
  if (const json* n = top.child("rerank")) {
    ObjectReader r(*n, "rerank");
    r.read("enabled", c.rerank.enabled);
    r.read("candidates", c.rerank.candidates);
    r.read("validation_fraction", c.rerank.validation_fraction);
    r.read("max_queries", c.rerank.max_queries);
    r.reject_unknown();
  }
  top.read("threads", c.threads);
  top.reject_unknown();
  validate(c);
  return c;
}

TrainConfig load_train_config(const std::string& path) {
  const json j = read_json_file(path, "config file");
  try {
    return train_config_from_json(j);
  } catch (const Error& e) {
    COBUY_FAIL(e.code(), "config file " << path << ": " << e.what());
  }
}

void validate(const TrainConfig& c) {
  const auto& co = c.cooccurrence;
  COBUY_CHECK(co.min_support >= 1, ErrorCode::bad_request, "cooccurrence.min_support must be >= 1");
  COBUY_CHECK(co.shrinkage >= 0 && co.shrinkage <= 1e6, ErrorCode::bad_request,
              "cooccurrence.shrinkage must be in [0, 1e6], got " << co.shrinkage);
  COBUY_CHECK(co.top_k >= 1 && co.top_k <= 10000, ErrorCode::bad_request,
              "cooccurrence.top_k must be in [1, 10000], got " << co.top_k);
  COBUY_CHECK(co.max_basket >= 2, ErrorCode::bad_request, "cooccurrence.max_basket must be >= 2");
  COBUY_CHECK(c.ease.lambda > 0 && c.ease.lambda <= 1e9, ErrorCode::bad_request,
              "ease.lambda must be in (0, 1e9], got " << c.ease.lambda);
  COBUY_CHECK(c.ease.basket_weight >= 0 && c.ease.basket_weight <= 2, ErrorCode::bad_request,
              "ease.basket_weight must be in [0, 2], got " << c.ease.basket_weight);
  COBUY_CHECK(c.ease.max_items >= 2 && c.ease.max_items <= 50000, ErrorCode::bad_request,
              "ease.max_items must be in [2, 50000] (it needs max_items^2 doubles of memory), got "
                  << c.ease.max_items);
  COBUY_CHECK(c.ease.negative_top_k <= 10000, ErrorCode::bad_request,
              "ease.negative_top_k must be in [0, 10000], got " << c.ease.negative_top_k);
  COBUY_CHECK(c.blend.history >= 0 && c.blend.history <= 100, ErrorCode::bad_request,
              "blend.history must be in [0, 100], got " << c.blend.history);
  COBUY_CHECK(c.blend.cooccurrence >= 0 && c.blend.ease >= 0 && c.blend.embedding >= 0 &&
                  c.blend.cooccurrence + c.blend.ease + c.blend.embedding > 0,
              ErrorCode::bad_request, "blend weights must be >= 0 and not all 0");
  const auto& m = c.embedding;
  COBUY_CHECK(m.dim >= 1 && m.dim <= 1024, ErrorCode::bad_request, "embedding.dim must be in [1, 1024], got " << m.dim);
  COBUY_CHECK(m.epochs <= 1000, ErrorCode::bad_request,
              "embedding.epochs must be in [0, 1000] (0 = no embeddings), got " << m.epochs);
  COBUY_CHECK(m.epochs > 0 || c.blend.embedding == 0, ErrorCode::bad_request,
              "blend.embedding > 0 needs embeddings: embedding.epochs must be > 0");
  COBUY_CHECK(m.negatives >= 1 && m.negatives <= 100, ErrorCode::bad_request,
              "embedding.negatives must be in [1, 100], got " << m.negatives);
  COBUY_CHECK(std::abs(m.ns_exponent) <= 2, ErrorCode::bad_request, "embedding.ns_exponent must be in [-2, 2]");
  COBUY_CHECK(m.learning_rate > 0 && m.learning_rate <= 1 && m.min_learning_rate >= 0 &&
                  m.min_learning_rate <= m.learning_rate,
              ErrorCode::bad_request, "embedding.learning_rate must be in (0, 1] and >= min_learning_rate >= 0");
  COBUY_CHECK(m.subsample >= 0 && m.subsample <= 1, ErrorCode::bad_request, "embedding.subsample must be in [0, 1]");
  COBUY_CHECK(m.min_count >= 1, ErrorCode::bad_request, "embedding.min_count must be >= 1");
  COBUY_CHECK(m.max_contexts <= 10000, ErrorCode::bad_request,
              "embedding.max_contexts must be in [0, 10000] (0 = the whole basket), got " << m.max_contexts);
  COBUY_CHECK(!m.index.empty(), ErrorCode::bad_request, "embedding.index must name a Faiss index (\"Flat\", \"HNSW32\")");
  COBUY_CHECK(m.substitute_max_lift >= 0, ErrorCode::bad_request, "embedding.substitute_max_lift must be >= 0");
  COBUY_CHECK(m.substitute_min_expected >= 0 && m.substitute_min_expected <= 1e6, ErrorCode::bad_request,
              "embedding.substitute_min_expected must be in [0, 1e6], got " << m.substitute_min_expected);
  COBUY_CHECK(m.substitute_min_similarity >= -1 && m.substitute_min_similarity <= 1, ErrorCode::bad_request,
              "embedding.substitute_min_similarity must be a cosine in [-1, 1]");
  COBUY_CHECK(c.popularity.half_life_days >= 0, ErrorCode::bad_request,
              "popularity.half_life_days must be >= 0 (0 = no decay)");
  COBUY_CHECK(c.popularity.top_n >= 1, ErrorCode::bad_request, "popularity.top_n must be >= 1");
  const auto& n = c.next_order;
  COBUY_CHECK(n.max_customers >= 1, ErrorCode::bad_request, "next_order.max_customers must be >= 1");
  COBUY_CHECK(n.half_life_days >= 0, ErrorCode::bad_request, "next_order.half_life_days must be >= 0");
  COBUY_CHECK(c.rerank.candidates >= 2 && c.rerank.candidates <= 1000, ErrorCode::bad_request,
              "rerank.candidates must be in [2, 1000], got " << c.rerank.candidates);
  COBUY_CHECK(c.rerank.validation_fraction > 0 && c.rerank.validation_fraction < 1, ErrorCode::bad_request,
              "rerank.validation_fraction must be in (0, 1), got " << c.rerank.validation_fraction);
  COBUY_CHECK(c.rerank.max_queries >= 1, ErrorCode::bad_request, "rerank.max_queries must be >= 1");
  COBUY_CHECK(c.threads <= 1024, ErrorCode::bad_request, "threads must be <= 1024, got " << c.threads);
}

}  // namespace cobuy
