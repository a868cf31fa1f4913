// Inline SVG charts of the evaluation report's HTML page (see eval_report_svg.h).
#include "api/report/eval_report_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace cobuy {
namespace {

using Strings = std::vector<std::string>;

std::string px(double v) { return format_fixed(v, 1); }
std::string shorten(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "…"; }
double text_width(const std::string& s, double font_px) { return 0.58 * font_px * static_cast<double>(s.size()); }
double at(std::size_t i) { return static_cast<double>(i); }

// A value axis from 0 to a round maximum with about five ticks.
struct Axis {
  double max = 1, step = 0.2;
  int decimals = 1;
};

Axis nice_axis(double hi) {
  if (!(hi > 0)) hi = 1;
  const double raw = hi / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double mult = 10;
  for (const double m : {1.0, 2.0, 2.5, 5.0})
    if (m * mag >= raw - 1e-12) {
      mult = m;
      break;
    }
  Axis a;
  a.step = mult * mag;
  a.max = std::ceil(hi / a.step - 1e-9) * a.step;
  a.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(a.step) + 1e-9)) + (mult == 2.5 ? 1 : 0));
  return a;
}

std::string svg_open(double w, double h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(w) + "\" height=\"" + px(h) + "\" viewBox=\"0 0 " +
         px(w) + " " + px(h) + "\" role=\"img\" aria-label=\"" + escape_html(title) +
         "\">\n<text class=\"ct\" x=\"8\" y=\"20\">" + escape_html(title) + "</text>\n";
}

std::string svg_text(double x, double y, const std::string& s, const std::string& attrs) {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" " + attrs + ">" + escape_html(s) + "</text>\n";
}

std::string svg_line(double x1, double y1, double x2, double y2, const std::string& attrs) {
  return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\" " + attrs +
         "/>\n";
}

std::string svg_rect(double x, double y, double w, double h, const std::string& color, const std::string& tip) {
  return "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(w) + "\" height=\"" + px(h) + "\" fill=\"" +
         color + "\">" + (tip.empty() ? "" : "<title>" + escape_html(tip) + "</title>") + "</rect>\n";
}

std::string error_bar(double x, double y_low, double y_high, const std::string& attrs) {
  return svg_line(x, y_low, x, y_high, attrs) + svg_line(x - 4, y_low, x + 4, y_low, attrs) +
         svg_line(x - 4, y_high, x + 4, y_high, attrs);
}

std::string tip(const std::string& name, const std::string& where, const Interval& v) {
  return name + " — " + where + ": " + format_interval(v);
}

// Sizes in px: chart width, plot left edge, plot top, plot height and width, plot bottom (value 0).
constexpr double kWidth = 520, kLeft = 56, kTop = 36, kPlotH = 200, kPlotW = kWidth - kLeft - 16, kBase = kTop + kPlotH;

// The frame of the vertical-axis charts: title, value grid from 0, and a legend of the series below
// the plot, wrapping into rows. `svg` is left open for the marks; close with legend + "</svg>".
struct Frame {
  Axis ax;
  std::string svg, legend;
  double y(double v) const { return kTop + kPlotH * (1 - std::clamp(v, 0.0, ax.max) / ax.max); }
};

Frame open_frame(const std::string& title, const std::vector<ChartSeries>& series, double bottom, double headroom,
                 const std::string& unit) {
  Frame f;
  double hi = 0;
  for (const auto& sr : series)
    for (const auto& v : sr.values)
      if (v) hi = std::max({hi, v->mean, v->high});
  f.ax = nice_axis(hi * headroom);
  double x = kLeft, y = kBase + bottom + 12;
  for (const auto& sr : series) {
    const std::string name = shorten(sr.name, 32);
    const double w = 38 + text_width(name, 12);
    if (x + w > kLeft + kPlotW && x > kLeft) x = kLeft, y += 18;
    f.legend += svg_rect(x, y - 9, 12, 12, sr.color, "") + svg_text(x + 17, y + 1, name, "class=\"tick\"");
    x += w;
  }
  f.svg = svg_open(kWidth, y + 10, title);
  for (double t = 0; t <= f.ax.max + f.ax.step / 2; t += f.ax.step) {
    f.svg += svg_line(kLeft, f.y(t), kLeft + kPlotW, f.y(t), t == 0 ? "class=\"axis\"" : "class=\"grid\"");
    f.svg += svg_text(kLeft - 6, f.y(t) + 4, format_fixed(t, f.ax.decimals) + unit,
                      "class=\"tick\" text-anchor=\"end\"");
  }
  return f;
}

}  // namespace

std::string escape_html(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else if (c == '\'') out += "&#39;";
    else out += c;
  }
  return out;
}

std::string format_fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string format_interval(const Interval& v) {
  return format_fixed(v.mean, 4) + " [" + format_fixed(v.low, 4) + ", " + format_fixed(v.high, 4) + "]";
}

std::string chart_color(std::size_t i) {
  static const char* const palette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                                        "#56B4E9", "#8C564B", "#332288", "#7F7F7F", "#BCBD22"};
  return palette[i % (sizeof palette / sizeof palette[0])];
}

const char* chart_css() {
  return R"(svg text{font-family:inherit;fill:#333} svg .ct{font-size:14px;font-weight:600}
svg .tick{font-size:12px} svg .label{font-size:12px;fill:#444} svg .val{font-size:11px;fill:#333}
svg .grid{stroke:#e8e8e8} svg .axis{stroke:#888} svg .err{stroke:#333;stroke-width:1.2}
)";
}

std::string svg_line_chart(const std::string& title, const Strings& xs, const std::string& x_title,
                           const std::vector<ChartSeries>& series) {
  Frame f = open_frame(title, series, 44, 1.0, "");
  const double slot = kPlotW / at(std::max<std::size_t>(1, xs.size()));
  const double dodge = std::min(7.0, slot * 0.5 / at(std::max<std::size_t>(1, series.size())));
  for (std::size_t i = 0; i < xs.size(); ++i)
    f.svg += svg_text(kLeft + slot * (at(i) + 0.5), kBase + 18, xs[i], "class=\"tick\" text-anchor=\"middle\"");
  f.svg += svg_text(kLeft + kPlotW / 2, kBase + 36, x_title, "class=\"label\" text-anchor=\"middle\"");
  for (std::size_t j = 0; j < series.size(); ++j) {
    const auto& sr = series[j];
    std::string points, marks;
    for (std::size_t i = 0; i < sr.values.size() && i < xs.size(); ++i) {
      if (!sr.values[i]) continue;
      const Interval& v = *sr.values[i];
      const double x = kLeft + slot * (at(i) + 0.5) + (at(j) - (at(series.size()) - 1) / 2) * dodge;
      points += px(x) + "," + px(f.y(v.mean)) + " ";
      marks += error_bar(x, f.y(v.low), f.y(v.high), "stroke=\"" + sr.color + "\" stroke-width=\"1.5\"");
      marks += "<circle cx=\"" + px(x) + "\" cy=\"" + px(f.y(v.mean)) + "\" r=\"3.5\" fill=\"" + sr.color +
               "\" stroke=\"#fff\"><title>" + escape_html(tip(sr.name, "K " + xs[i], v)) + "</title></circle>\n";
    }
    f.svg += "<g><polyline fill=\"none\" stroke=\"" + sr.color + "\" stroke-width=\"2\" points=\"" + points + "\"/>\n" +
             marks + "</g>\n";
  }
  return f.svg + f.legend + "</svg>\n";
}

std::string svg_grouped_bar_chart(const std::string& title, const Strings& groups,
                                  const std::vector<ChartSeries>& series, const std::string& unit, int decimals) {
  Frame f = open_frame(title, series, 30, 1.08, unit);  // headroom for the value labels above the bars
  const double slot = kPlotW / at(std::max<std::size_t>(1, groups.size()));
  const double bar_w = slot * 0.8 / at(std::max<std::size_t>(1, series.size()));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    f.svg += svg_text(kLeft + slot * (at(g) + 0.5), kBase + 18, groups[g],
                      "class=\"label\" text-anchor=\"middle\"");
    for (std::size_t j = 0; j < series.size(); ++j) {
      if (g >= series[j].values.size() || !series[j].values[g]) continue;
      const Interval& v = *series[j].values[g];
      const double x = kLeft + slot * (at(g) + 0.1) + bar_w * at(j), cx = x + bar_w / 2;
      const std::string shown = format_fixed(v.mean, decimals) + unit;
      const bool has_interval = v.high > v.low;
      f.svg += svg_rect(x + 1, f.y(v.mean), std::max(1.0, bar_w - 2), f.y(0) - f.y(v.mean), series[j].color,
                        has_interval ? tip(series[j].name, groups[g], v)
                                     : series[j].name + " — " + groups[g] + ": " + shown);
      if (has_interval) f.svg += error_bar(cx, f.y(v.low), f.y(v.high), "class=\"err\"");
      if (bar_w >= 30) f.svg += svg_text(cx, f.y(v.high) - 5, shown, "class=\"val\" text-anchor=\"middle\"");
    }
  }
  return f.svg + f.legend + "</svg>\n";
}

}  // namespace cobuy
