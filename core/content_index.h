#pragma once
/// Content vectors of catalogue items from their title and category, for items with too few
/// orders to have co-purchase signals (new arrivals). Derived from the catalogue when needed,
/// never stored: the artifact holds the titles and categories it is built from.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/order_data.h"

namespace cobuy {

/// One weighted term of a sparse content vector: (token id, weight).
using ContentTerm = std::pair<std::uint32_t, float>;

/// TF-IDF vectors of every catalogue item, L2-normalised (an item with no tokens has none).
/// Tokens: the title's words (lowercase ASCII letters and digits, at least 2 characters, not
/// all digits, not an English stop word), each counted once, plus one token for the whole
/// category (lowercased) when the item has one. Weight of a token = ln((N + 1) / (df + 1)),
/// N items with tokens and df those holding the token: a token on every item weighs 0.
class ContentIndex {
 public:
  ContentIndex() = default;
  explicit ContentIndex(const Catalog& catalog);

  /// Item i's vector, sorted by token id (size = its distinct tokens; empty when none).
  std::span<const ContentTerm> row(ItemIndex i) const {
    return {terms_.data() + offsets_[i], terms_.data() + offsets_[i + 1]};
  }
  std::size_t items() const { return offsets_.size() - 1; }
  std::size_t tokens() const { return tokens_; }

 private:
  std::vector<std::uint64_t> offsets_{0};  ///< size items + 1
  std::vector<ContentTerm> terms_;
  std::size_t tokens_ = 0;
};

/// The words of `title` that count as tokens (see ContentIndex), in order, repeats kept.
std::vector<std::string> title_tokens(std::string_view title);

/// The inner product of two vectors sorted by token id.
double content_dot(std::span<const ContentTerm> a, std::span<const ContentTerm> b);

}  // namespace cobuy
