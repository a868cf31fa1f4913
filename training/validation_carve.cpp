#include "training/validation_carve.h"

#include <algorithm>

#include "core/evaluation.h"
#include "core/time_util.h"
#include "training/train.h"

namespace cobuy {
namespace {
constexpr std::uint64_t kCarveSeed = 1;
}  // namespace

Timestamp carve_cut(const OrderData& data, const TrainConfig& config) {
  const std::size_t n = data.orders.size();
  const auto held =
      std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(n) * config.rerank.validation_fraction));
  if (n <= held) return kNoTime;
  const Timestamp cut = data.orders[n - held].time;
  // Orders are sorted by time (untimed first): the split leaves orders to train on when the first is before the cut.
  const Timestamp first = data.orders.front().time;
  return cut != kNoTime && (first == kNoTime || first < cut) ? cut : kNoTime;
}

bool carve_trains_embeddings(const TrainConfig& config) {
  return config.embedding.epochs > 0 && (config.blend.embedding > 0 || config.next_order.fit);
}

ValidationCarve carve_validation(const OrderData& data, const TrainConfig& config, const ProgressFn& progress,
                                 const SourceCache* first_sources) {
  ValidationCarve c;
  const double fraction = config.rerank.validation_fraction;
  const Timestamp cut = carve_cut(data, config);
  if (cut != kNoTime) {
    std::tie(c.fit_train, c.validation) = split_by_time(data, cut);
    c.description = "orders from " + format_timestamp(cut) + " on";
  }
  if (!c.usable()) {
    std::tie(c.fit_train, c.validation) = split_random(data, fraction, kCarveSeed);
    c.description = "a random share of the orders";
  }
  if (!c.usable()) return c;
  TrainConfig stage = config;
  stage.rerank.enabled = false;
  stage.next_order.fit = false;
  if (!carve_trains_embeddings(config)) stage.embedding.epochs = 0;
  // Sources counted elsewhere are of the time split's training part only.
  SourceCache sources = first_sources && cut != kNoTime ? *first_sources : SourceCache{};
  c.first = train_model(c.fit_train, stage, nlohmann::json::object(), nullptr, &sources);
  if (progress) progress("carve", 1, 1);
  return c;
}

}  // namespace cobuy
