#pragma once
/// What comes back from an email after it was sent: `sent`, `opened`, `clicked` events of a send
/// (POST /v1/events), logged in the order log (api/store/order_store.h) for the attribution
/// report (core/offer_stats.h).

#include <optional>
#include <string>
#include <string_view>

#include "core/time_util.h"

namespace cobuy {

/// An event's type.
enum class OfferEventType { sent, opened, clicked };
inline constexpr std::size_t kOfferEventTypes = 3;
/// "sent", "opened" or "clicked".
std::string_view offer_event_type_name(OfferEventType t);
/// Throws Error(bad_request) naming `field` and the known names for another name.
OfferEventType parse_offer_event_type(std::string_view field, std::string_view name);

/// One event: of a whole email (offer_id "": sent, opened) or of one of its offers (clicked needs
/// one). The order log keys it by (send_id, offer_id, type): one of each per offer and email.
struct OfferEvent {
  std::string send_id;
  std::string offer_id;  ///< "" = the email as a whole
  OfferEventType type = OfferEventType::sent;
  Timestamp at = kNoTime;  ///< when it happened (Unix seconds); kNoTime = when it is recorded
  std::string customer_id;  ///< the send's customer; the order log fills it in
};

}  // namespace cobuy
