#include "core/offer_events.h"

#include <array>

#include "core/error.h"

namespace cobuy {
namespace {

constexpr std::array<std::string_view, kOfferEventTypes> kNames = {"sent", "opened", "clicked"};

}  // namespace

std::string_view offer_event_type_name(OfferEventType t) { return kNames[static_cast<std::size_t>(t)]; }

OfferEventType parse_offer_event_type(std::string_view field, std::string_view name) {
  for (std::size_t k = 0; k < kNames.size(); ++k) {
    if (kNames[k] == name) return static_cast<OfferEventType>(k);
  }
  COBUY_FAIL(ErrorCode::bad_request,
             "field '" << field << "' has unknown event type '" << name << "' (known: sent, opened, clicked)");
}

}  // namespace cobuy
