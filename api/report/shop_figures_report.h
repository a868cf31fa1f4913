#pragma once
/// `cobuy report`'s shop-figures section: repeat-purchase rate, average order value, days between
/// orders, lifetime value by segment and the monthly trend (core/shop_figures.h), as tables and a chart.

#include <string>

#include "api/report/shop_report.h"
#include "core/shop_figures.h"

namespace cobuy {

/// The section "shop": its JSON is shop_figures_json(figures) plus `source`, which says where the
/// history came from (for example "order log" or "model and order log").
ReportSection shop_figures_section(const ShopFigures& figures, const std::string& source);

}  // namespace cobuy
