#include "api/report/offer_report.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/report/eval_report_svg.h"
#include "api/report/report_table.h"
#include "core/time_util.h"

namespace cobuy {
namespace {

using Strings = std::vector<std::string>;

std::string money(double v) { return format_fixed(v, 2); }

/// "mean [low, high]" of a money interval, 2 decimals.
std::string money_interval(const Interval& i) {
  return money(i.mean) + " [" + money(i.low) + ", " + money(i.high) + "]";
}

/// A share as a percent interval: "4.10% [3.20%, 5.00%]".
std::string percent_interval(const Interval& i) {
  auto p = [](double v) { return format_fixed(100 * v, 2) + "%"; };
  return p(i.mean) + " [" + p(i.low) + ", " + p(i.high) + "]";
}

Table arms_table(const Strings& first_columns) {
  Table t;
  t.header = first_columns;
  for (const char* h : {"sends", "offers", "opens", "clicks", "conversions", "conversion rate", "revenue",
                        "revenue per send"}) {
    t.header.emplace_back(h);
  }
  t.numeric.assign(first_columns.size(), false);
  t.numeric.resize(t.header.size(), true);
  return t;
}

void add_row(Table& t, Strings first, const ArmStats& s) {
  std::vector<Cell> row;
  for (auto& f : first) row.push_back({std::move(f)});
  for (const auto& text : {std::to_string(s.sends), std::to_string(s.offers), std::to_string(s.opens),
                           std::to_string(s.clicks), std::to_string(s.conversions), percent_interval(s.conversion_rate),
                           money(s.revenue), money_interval(s.revenue_per_send)}) {
    row.push_back({text});
  }
  t.rows.push_back(std::move(row));
}

Table groups_table(const std::string& what, const std::vector<GroupStats>& groups) {
  Table t = arms_table({what, "arm"});
  for (const auto& g : groups) {
    add_row(t, {g.name, "cobuy"}, g.cobuy);
    if (g.holdout.sends > 0) add_row(t, {g.name, "holdout"}, g.holdout);
  }
  return t;
}

/// The uplift in words: the differences with their intervals and what they say.
std::string uplift_text(const OfferStats& s) {
  if (s.holdout.sends == 0) {
    return "No holdout sends in this period: set the policy's holdout.share to measure cobuy's uplift.";
  }
  const auto& c = s.uplift_conversion_rate;
  std::string verdict = c.low > 0   ? "cobuy's offers raised the conversion rate"
                        : c.high < 0 ? "the holdout converted better than cobuy's offers"
                                     : "no difference in conversion rate can be told apart from chance";
  return "Uplift of cobuy over the holdout: conversion rate " + format_fixed(100 * c.mean, 2) + " points [" +
         format_fixed(100 * c.low, 2) + ", " + format_fixed(100 * c.high, 2) + "], revenue per send " +
         money_interval(s.uplift_revenue_per_send) + " (95% intervals): " + verdict + ".";
}

std::string how_to_read(const OfferStats& s) {
  return "An offer converts when its customer orders the item within " + format_fixed(s.attribution_days, 1) +
         " days after the email (the latest such email takes the order line; cancelled orders and returns do not "
         "count). Both arms are measured on cobuy's list: shown in the cobuy arm, logged but not shown in the "
         "holdout. Conversion rate = share of sends with at least one conversion (Wilson interval); intervals of "
         "revenue per send and of the uplift treat each customer's sends as one cluster.";
}

}  // namespace

ReportSection offers_section(const OfferStats& stats) {
  ReportSection s;
  s.id = "offers";
  s.title = "Offers: attribution and A/B holdout";
  s.data = stats;
  Table arms = arms_table({"arm"});
  add_row(arms, {"cobuy"}, stats.cobuy);
  add_row(arms, {"holdout"}, stats.holdout);
  const std::string uplift = uplift_text(stats);
  const std::string period = "Sends from " + (stats.from == kNoTime ? std::string("the start") : format_timestamp(stats.from)) +
                             " until " + (stats.until == kNoTime ? std::string("now") : format_timestamp(stats.until)) + ".";
  const std::vector<std::pair<std::string, Table>> groups = {{"By context", groups_table("context", stats.by_context)},
                                                             {"By kind", groups_table("kind", stats.by_kind)},
                                                             {"By segment", groups_table("segment", stats.by_segment)}};
  s.markdown = period + "\n\n" + md_table(arms) + "\n" + uplift + "\n\n";
  for (const auto& [title, table] : groups) {
    s.markdown += "### " + title + "\n\n" + (table.rows.empty() ? std::string("No sends.\n") : md_table(table)) + "\n";
  }
  s.markdown += "_How to read: " + how_to_read(stats) + "_\n";

  // Conversion rate by context, both arms side by side.
  Strings contexts;
  ChartSeries cobuy{"cobuy", chart_color(0), {}}, holdout{"holdout", chart_color(1), {}};
  auto percent = [](const Interval& i) { return Interval{100 * i.mean, 100 * i.low, 100 * i.high}; };
  for (const auto& g : stats.by_context) {
    contexts.push_back(g.name);
    cobuy.values.emplace_back(percent(g.cobuy.conversion_rate));
    holdout.values.emplace_back(g.holdout.sends > 0 ? std::optional<Interval>(percent(g.holdout.conversion_rate))
                                                    : std::nullopt);
  }
  s.html = "<p class=\"meta\">" + escape_html(period) + "</p>\n" + html_table(arms, "results") + "<p>" +
           escape_html(uplift) + "</p>\n";
  if (!contexts.empty()) {
    s.html += "<div class=\"charts\">\n" +
              svg_grouped_bar_chart("Conversion rate by context", contexts, {cobuy, holdout}, "%", 1) + "</div>\n";
  }
  for (const auto& [title, table] : groups) {
    s.html += "<h3>" + escape_html(title) + "</h3>\n" +
              (table.rows.empty() ? std::string("<p class=\"meta\">No sends.</p>\n") : html_table(table, "results"));
  }
  s.html += "<p class=\"howto\"><strong>How to read.</strong> " + escape_html(how_to_read(stats)) + "</p>\n";
  return s;
}

}  // namespace cobuy
