#pragma once
/// The offers section of the shop report (api/report/shop_report.h): the attribution report
/// (core/offer_stats.h) as tables, a chart and the A/B uplift in words.

#include "api/report/shop_report.h"
#include "core/offer_stats.h"

namespace cobuy {

/// The "offers" section: its data is the GET /v1/stats/offers object.
ReportSection offers_section(const OfferStats& stats);

}  // namespace cobuy
