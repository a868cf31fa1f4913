#include "training/validation_carve.h"

#include <algorithm>

#include "core/evaluation.h"
#include "core/time_util.h"
#include "training/train.h"

namespace cobuy {
namespace {
constexpr std::uint64_t kCarveSeed = 1;
}  // namespace

ValidationCarve carve_validation(const OrderData& data, const TrainConfig& config, const ProgressFn& progress) {
  ValidationCarve c;
  const double fraction = config.rerank.validation_fraction;
  const std::size_t n = data.orders.size();
  const std::size_t held = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(n) * fraction));
  const Timestamp cut = n > held ? data.orders[n - held].time : kNoTime;
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
  if (stage.blend.embedding == 0) stage.embedding.epochs = 0;  // only substitutes would use them
  c.first = train_model(c.fit_train, stage);
  if (progress) progress("carve", 1, 1);
  return c;
}

}  // namespace cobuy
