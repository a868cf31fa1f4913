#pragma once
/// Inline SVG charts for the HTML page of the evaluation report (eval_report.h), plus the few text
/// helpers the page and the charts share. The charts are plain SVG markup without scripts or external
/// references; they are styled by the classes in chart_css(), which the page must include. Every text
/// that ends up in the markup is HTML-escaped.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/bootstrap.h"

namespace cobuy {

/// `s` with & < > " ' replaced by entities, safe both as HTML text and inside a quoted attribute.
std::string escape_html(const std::string& s);

/// `v` with exactly `decimals` decimals: format_fixed(0.03125, 4) == "0.0312".
std::string format_fixed(double v, int decimals);

/// "mean [low, high]" with 4 decimals each: "0.0312 [0.0210, 0.0405]".
std::string format_interval(const Interval& v);

/// One named, coloured series of a chart: a value per x position (line chart) or per group (bar
/// chart); nullopt leaves a gap.
struct ChartSeries {
  std::string name, color;  ///< color: any SVG colour, e.g. chart_color(i)
  std::vector<std::optional<Interval>> values;
};

/// The i-th colour of a 10-colour, colour-blind-friendly palette (wrapping around), as "#rrggbb".
std::string chart_color(std::size_t i);

/// CSS rules for the classes the charts use (title, ticks, labels, grid, axis, error bars).
const char* chart_css();

/// A line chart: each series' means over the positions `xs` (labels of the x axis, titled
/// `x_title`) joined by a line, each mean with an error bar for its interval and a tooltip; series
/// are shifted sideways a little so their error bars do not hide each other. The value axis starts
/// at 0; the legend sits below the plot. Returns one complete <svg> element.
std::string svg_line_chart(const std::string& title, const std::vector<std::string>& xs,
                           const std::string& x_title, const std::vector<ChartSeries>& series);

/// Vertical bars grouped by `groups` (one bar per series in each group), with an error bar where
/// the value has an interval (high > low) and, when the bars are wide enough, the value written above the bar.
/// Values and axis ticks show `decimals` decimals followed by `unit` ("%", say, or "").
/// Returns one complete <svg> element.
std::string svg_grouped_bar_chart(const std::string& title, const std::vector<std::string>& groups,
                                  const std::vector<ChartSeries>& series, const std::string& unit, int decimals);

}  // namespace cobuy
