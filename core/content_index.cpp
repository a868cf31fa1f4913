#include "core/content_index.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

namespace cobuy {
namespace {

// Words too common in any shop's titles to say what an item is.
constexpr std::array<std::string_view, 36> kStopWords = {
    "a",    "an",   "and", "are", "as",  "at",   "be",   "by",   "for", "from", "in",   "into",
    "is",   "it",   "of",  "on",  "or",  "set",  "the",  "to",   "with", "x",  "pcs",  "piece",
    "pack", "size", "new", "our", "your", "this", "that", "per", "its", "no",  "not",  "very"};

bool stop_word(std::string_view w) { return std::find(kStopWords.begin(), kStopWords.end(), w) != kStopWords.end(); }

}  // namespace

std::vector<std::string> title_tokens(std::string_view title) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    const bool digits = std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (word.size() >= 2 && !digits && !stop_word(word)) out.push_back(word);
    word.clear();
  };
  for (char ch : title) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      word += static_cast<char>(c - 'A' + 'a');
    } else if (c >= 0x80) {
      word += static_cast<char>(c);  // a byte of a UTF-8 letter: kept, compared as bytes
    } else {
      flush();
    }
  }
  flush();
  return out;
}

ContentIndex::ContentIndex(const Catalog& catalog) {
  const std::size_t n = catalog.size();
  std::unordered_map<std::string, std::uint32_t> ids;
  std::vector<std::vector<std::uint32_t>> item_tokens(n);
  std::vector<std::uint32_t> df;
  for (std::size_t i = 0; i < n; ++i) {
    auto words = title_tokens(catalog.titles[i]);
    if (!catalog.categories[i].empty()) {
      std::string c = "category:";
      for (char ch : catalog.categories[i]) c += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
      words.push_back(std::move(c));
    }
    auto& t = item_tokens[i];
    for (auto& w : words) {
      const auto [it, added] = ids.emplace(std::move(w), static_cast<std::uint32_t>(ids.size()));
      t.push_back(it->second);
    }
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    df.resize(ids.size(), 0);
    for (auto k : t) ++df[k];
  }
  tokens_ = ids.size();
  const auto with_tokens = static_cast<double>(
      std::count_if(item_tokens.begin(), item_tokens.end(), [](const auto& t) { return !t.empty(); }));
  offsets_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0;
    const std::size_t start = terms_.size();
    for (auto k : item_tokens[i]) {
      const double w = std::log((with_tokens + 1) / (df[k] + 1.0));
      if (w <= 0) continue;
      terms_.emplace_back(k, static_cast<float>(w));
      norm += w * w;
    }
    norm = std::sqrt(norm);
    for (std::size_t k = start; k < terms_.size(); ++k) terms_[k].second = static_cast<float>(terms_[k].second / norm);
    offsets_[i + 1] = terms_.size();
  }
}

double content_dot(std::span<const ContentTerm> a, std::span<const ContentTerm> b) {
  double s = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first < b[j].first) {
      ++i;
    } else if (b[j].first < a[i].first) {
      ++j;
    } else {
      s += static_cast<double>(a[i++].second) * b[j++].second;
    }
  }
  return s;
}

}  // namespace cobuy
