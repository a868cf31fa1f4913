#include "api/report/shop_figures_report.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/report/eval_report_svg.h"
#include "api/report/report_table.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

const std::string kNone = "–";

std::string fixed(const std::optional<double>& v, int decimals) { return v ? format_fixed(*v, decimals) : kNone; }
std::string percent(const std::optional<double>& v) { return v ? format_fixed(100 * *v, 1) + "%" : kNone; }
std::string when(Timestamp t) { return t == kNoTime ? kNone : format_timestamp(t); }

Table two_columns() {
  Table t;
  t.header = {"figure", "value"};
  t.numeric = {false, true};
  return t;
}

Table facts_table(const ShopFigures& f) {
  Table t = two_columns();
  const auto& aov = f.average_order_value;
  const std::string gap = f.gap_days_median ? fixed(f.gap_days_median, 1) + " [" + fixed(f.gap_days_p25, 1) + ", " +
                                                  fixed(f.gap_days_p75, 1) + "]"
                                            : kNone;
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"customers", std::to_string(f.customers)},
           {"orders", std::to_string(f.orders)},
           {"orders left out (no customer or time)", std::to_string(f.left_out)},
           {"first order", when(f.first_order)},
           {"last order", when(f.last_order)},
           {"revenue", format_fixed(f.revenue, 2)},
           {"repeat-purchase rate", percent(f.repeat_purchase_rate)},
           {"average order value [95%]", aov ? format_fixed(aov->mean, 2) + " [" + format_fixed(aov->low, 2) + ", " +
                                                   format_fixed(aov->high, 2) + "]"
                                             : kNone},
           {"days between orders: median [quartiles]", gap},
           {"lifetime value per customer", fixed(f.clv, 2)}}) {
    t.rows.push_back({{std::move(name)}, {std::move(value)}});
  }
  return t;
}

Table segments_table(const ShopFigures& f) {
  Table t;
  t.header = {"segment", "customers", "orders", "revenue", "lifetime value"};
  t.numeric = {false, true, true, true, true};
  for (const auto& s : f.by_segment) {
    t.rows.push_back({{std::string(segment_name(s.segment))},
                      {std::to_string(s.customers)},
                      {std::to_string(s.orders)},
                      {format_fixed(s.revenue, 2)},
                      {fixed(s.clv, 2)}});
  }
  return t;
}

Table months_table(const ShopFigures& f) {
  Table t;
  t.header = {"month", "orders", "revenue", "average order", "customers", "new", "returning", "repeat rate",
              "lifetime value to date"};
  t.numeric = {false, true, true, true, true, true, true, true, true};
  for (const auto& m : f.months) {
    t.rows.push_back({{m.month},
                      {std::to_string(m.orders)},
                      {format_fixed(m.revenue, 2)},
                      {fixed(m.average_order_value, 2)},
                      {std::to_string(m.customers)},
                      {std::to_string(m.new_customers)},
                      {std::to_string(m.returning_customers)},
                      {percent(m.repeat_rate)},
                      {fixed(m.clv_to_date, 2)}});
  }
  return t;
}

/// New and returning customers per month, side by side.
std::string customers_chart(const ShopFigures& f) {
  std::vector<std::string> months;
  ChartSeries fresh{"new customers", chart_color(0), {}}, back{"returning customers", chart_color(1), {}};
  for (const auto& m : f.months) {
    months.push_back(m.month);
    const auto n = static_cast<double>(m.new_customers), r = static_cast<double>(m.returning_customers);
    fresh.values.emplace_back(Interval{n, n, n});
    back.values.emplace_back(Interval{r, r, r});
  }
  return svg_grouped_bar_chart("Customers per month: new and returning", months, {fresh, back}, "", 0);
}

}  // namespace

ReportSection shop_figures_section(const ShopFigures& figures, const std::string& source) {
  ReportSection s;
  s.id = "shop";
  s.title = "Shop figures";
  s.data = shop_figures_json(figures);
  s.data["source"] = source;
  const std::string intro = "From the " + source + ". Segments as of " + when(figures.segments_at) +
                            "; lifetime value is the revenue observed per customer so far (no forecast).";
  const Table facts = facts_table(figures), segments = segments_table(figures), months = months_table(figures);
  s.markdown = intro + "\n\n" + md_table(facts) + "\n### Lifetime value by segment\n\n" + md_table(segments) +
               "\n### By month\n\n" + (months.rows.empty() ? std::string("No orders.\n") : md_table(months));
  s.html = "<p class=\"meta\">" + escape_html(intro) + "</p>\n" + html_table(facts, "results kv") +
           "<h3>Lifetime value by segment</h3>\n" + html_table(segments, "results") + "<h3>By month</h3>\n";
  if (months.rows.empty()) {
    s.html += "<p>No orders.</p>\n";
  } else {
    s.html += "<div class=\"charts\">" + customers_chart(figures) + "</div>\n" + html_table(months, "results");
  }
  return s;
}

}  // namespace cobuy
