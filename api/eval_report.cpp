// Markdown and HTML renderings of the offline-evaluation report (see eval_report.h for the schema).
#include "api/eval_report.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---- reading the report tolerantly: a missing or mistyped field renders as "–" ----

struct Interval {
  double mean = 0, low = 0, high = 0;
};

const json* child(const json* j, const std::string& key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(key);
  return it == j->end() ? nullptr : &*it;
}

std::optional<double> number(const json* j) {
  if (j != nullptr && j->is_number()) return j->get<double>();
  return std::nullopt;
}

std::string text(const json* j) {
  if (j == nullptr || j->is_null()) return "";
  if (j->is_string()) return j->get<std::string>();
  return j->dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<Interval> interval(const json* j) {
  const auto mean = number(child(j, "mean"));
  if (!mean) return std::nullopt;
  return Interval{*mean, number(child(j, "low")).value_or(*mean), number(child(j, "high")).value_or(*mean)};
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

const std::string kMissing = "–";

std::string format_interval(const std::optional<Interval>& i) {
  if (!i) return kMissing;
  return fixed(i->mean, 4) + " [" + fixed(i->low, 4) + ", " + fixed(i->high, 4) + "]";
}

std::string format_percent(std::optional<double> share) { return share ? fixed(*share * 100, 1) + "%" : kMissing; }

// Integers get thousands separators ("12,383"); anything else its plain text.
std::string format_value(const json* j) {
  if (j != nullptr && j->is_number_integer()) {
    const bool negative = !j->is_number_unsigned() && j->get<long long>() < 0;
    std::string s = negative ? std::to_string(-j->get<long long>()) : std::to_string(j->get<unsigned long long>());
    for (int pos = static_cast<int>(s.size()) - 3; pos > 0; pos -= 3) s.insert(static_cast<std::size_t>(pos), ",");
    return (negative ? "-" : "") + s;
  }
  if (j != nullptr && j->is_array()) {
    std::string s;
    for (const auto& e : *j) s += (s.empty() ? "" : ", ") + text(&e);
    return s;
  }
  return j == nullptr || j->is_null() ? kMissing : text(j);
}

// ---- the report as a few plain views ----

struct TaskView {
  std::string title, description;
  const json* cases = nullptr;
  std::vector<std::string> ks;       // cut-offs as the keys used in the report ("5", "10", ...)
  std::vector<std::string> metrics;  // known metrics first, then the rest alphabetically
  std::vector<const json*> results;  // one per model
  bool empty() const { return results.empty() || number(cases).value_or(1) <= 0; }
};

std::string metric_at(const json* result, const std::string& metric, const std::string& k) {
  return format_interval(interval(child(child(child(result, "metrics"), metric), k)));
}

std::optional<Interval> metric_value(const json* result, const std::string& metric, const std::string& k) {
  return interval(child(child(child(result, "metrics"), metric), k));
}

std::string task_title(const std::string& key) {
  if (key == "basket_completion") return "Basket completion";
  if (key == "next_order") return "Next order";
  std::string s = key;
  std::replace(s.begin(), s.end(), '_', ' ');
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::vector<std::string> report_ks(const json& report, const std::vector<const json*>& results) {
  std::vector<std::string> ks;
  if (const json* k = child(&report, "k"); k != nullptr && k->is_array()) {
    for (const auto& v : *k) ks.push_back(text(&v));
    if (!ks.empty()) return ks;
  }
  // No "k" list: take the cut-offs the first metric of the results uses, in numeric order.
  std::vector<double> seen;
  for (const json* r : results) {
    const json* m = child(r, "metrics");
    if (m == nullptr || !m->is_object() || m->empty() || !m->begin()->is_object()) continue;
    for (const auto& [key, value] : m->begin()->items()) {
      const double v = std::atof(key.c_str());
      if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v), ks.push_back(key);
    }
  }
  std::vector<std::size_t> order(ks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return seen[a] < seen[b]; });
  std::vector<std::string> sorted;
  for (const std::size_t i : order) sorted.push_back(ks[i]);
  return sorted;
}

// nlohmann::json keeps object keys sorted, so the report's own order is lost; use a fixed order.
std::vector<std::string> metric_order(const std::vector<const json*>& results) {
  static const std::vector<std::string> known = {"hit_rate",      "recall",     "ndcg",     "mrr",
                                                 "precision",     "recall_repeat", "ndcg_repeat",
                                                 "recall_new",    "ndcg_new"};
  std::vector<std::string> present;
  for (const json* r : results)
    if (const json* m = child(r, "metrics"); m != nullptr && m->is_object())
      for (const auto& [key, value] : m->items())
        if (std::find(present.begin(), present.end(), key) == present.end()) present.push_back(key);
  std::vector<std::string> out;
  for (const auto& k : known)
    if (std::find(present.begin(), present.end(), k) != present.end()) out.push_back(k);
  std::sort(present.begin(), present.end());
  for (const auto& k : present)
    if (std::find(known.begin(), known.end(), k) == known.end()) out.push_back(k);
  return out;
}

std::vector<TaskView> task_views(const json& report) {
  const json* tasks = child(&report, "tasks");
  std::vector<std::string> keys = {"basket_completion", "next_order"};
  if (tasks != nullptr && tasks->is_object())
    for (const auto& [key, value] : tasks->items())
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  std::vector<TaskView> views;
  for (const auto& key : keys) {
    const json* task = child(tasks, key);
    if (task == nullptr || !task->is_object()) continue;
    TaskView v;
    v.title = task_title(key);
    v.description = text(child(task, "description"));
    v.cases = child(task, "cases");
    if (const json* rs = child(task, "results"); rs != nullptr && rs->is_array())
      for (const auto& r : *rs)
        if (r.is_object()) v.results.push_back(&r);
    v.ks = report_ks(report, v.results);
    v.metrics = metric_order(v.results);
    views.push_back(std::move(v));
  }
  return views;
}

// The cut-off the single-K charts use: 10 when present, else the middle one.
std::string middle_k(const std::vector<std::string>& ks) {
  if (std::find(ks.begin(), ks.end(), "10") != ks.end()) return "10";
  return ks.empty() ? "10" : ks[ks.size() / 2];
}

// Every model, in the order of the "models" list and then of first appearance in the results;
// a model's colour is its position here, so it keeps one colour across all charts.
std::vector<std::string> model_names(const json& report, const std::vector<TaskView>& tasks) {
  std::vector<std::string> names;
  auto add = [&](const std::string& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  if (const json* ms = child(&report, "models"); ms != nullptr && ms->is_array())
    for (const auto& m : *ms) add(text(child(&m, "name")));
  for (const auto& t : tasks)
    for (const json* r : t.results) add(text(child(r, "model")));
  return names;
}

// ---- tables, built once and written as markdown or HTML ----

struct Cell {
  std::string text;
  bool best = false;
};
struct Table {
  std::vector<std::string> header;
  std::vector<bool> numeric;  // per column: right-aligned
  std::vector<std::vector<Cell>> rows;
};

Table data_table(const json& report) {
  Table t{{"", ""}, {false, false}, {}};
  const json* data = child(&report, "data");
  if (data == nullptr || !data->is_object()) return t;
  std::vector<std::string> keys = {"orders", "format", "split", "train_orders", "test_orders", "items", "customers"};
  for (const auto& [key, value] : data->items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  for (const auto& key : keys) {
    std::string label = key;
    std::replace(label.begin(), label.end(), '_', ' ');
    if (const json* v = child(data, key)) t.rows.push_back({{label}, {format_value(v)}});
  }
  return t;
}

Table models_table(const json& report) {
  Table t{{"model", "description", "train seconds"}, {false, false, true}, {}};
  if (const json* ms = child(&report, "models"); ms != nullptr && ms->is_array())
    for (const auto& m : *ms) {
      const auto secs = number(child(&m, "train_seconds"));
      t.rows.push_back({{text(child(&m, "name"))}, {text(child(&m, "description"))}, {secs ? fixed(*secs, 2) : kMissing}});
    }
  return t;
}

Table task_table(const TaskView& task, const std::string& k) {
  Table t;
  t.header.push_back("model");
  for (const auto& m : task.metrics) t.header.push_back(m + "@" + k);
  t.header.push_back("coverage@" + k);
  t.header.push_back("popularity pct@" + k);
  t.numeric.assign(t.header.size(), true);
  t.numeric[0] = false;
  for (const json* r : task.results) {
    std::vector<Cell> row = {{text(child(r, "model"))}};
    for (const auto& m : task.metrics) row.push_back({metric_at(r, m, k)});
    row.push_back({format_percent(number(child(child(r, "coverage"), k)))});
    const auto pop = number(child(child(r, "popularity_percentile"), k));
    row.push_back({pop ? fixed(*pop, 1) : kMissing});
    t.rows.push_back(std::move(row));
  }
  // Bold every model whose shown mean equals the best shown mean of the column (ties included).
  for (std::size_t c = 0; c < task.metrics.size(); ++c) {
    std::optional<double> best;
    for (const json* r : task.results)
      if (const auto v = metric_value(r, task.metrics[c], k); v && (!best || v->mean > *best)) best = v->mean;
    for (std::size_t i = 0; best && i < task.results.size(); ++i) {
      const auto v = metric_value(task.results[i], task.metrics[c], k);
      t.rows[i][c + 1].best = v && fixed(v->mean, 4) == fixed(*best, 4);
    }
  }
  return t;
}

const std::string kHowToRead =
    "Cells show mean [low, high]: the mean over the test cases and its 95% bootstrap interval; bold marks "
    "the best mean in each column. When two models' intervals do not overlap the difference is real, not "
    "noise of the test sample; overlapping intervals mean the data cannot tell them apart. Coverage is the "
    "share of the catalogue recommended at least once in the top K; popularity pct is the mean popularity "
    "percentile of recommended items (100 = most popular), so lower means more long-tail items.";

std::string md_cell(std::string s) {
  std::string out;
  for (const char c : s) out += c == '|' ? std::string("\\|") : c == '\n' || c == '\r' ? std::string(" ") : std::string(1, c);
  return out;
}

std::string md_table(const Table& t) {
  std::string s = "|";
  for (const auto& h : t.header) s += " " + md_cell(h) + " |";
  s += "\n|";
  for (std::size_t c = 0; c < t.header.size(); ++c) s += t.numeric[c] ? " ---: |" : " :--- |";
  s += "\n";
  for (const auto& row : t.rows) {
    s += "|";
    for (const auto& cell : row) s += " " + (cell.best ? "**" + md_cell(cell.text) + "**" : md_cell(cell.text)) + " |";
    s += "\n";
  }
  return s;
}

std::string escape_html(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// An interval cell shows its mean prominently and the interval in a quieter span.
std::string html_cell_text(const std::string& s) {
  const auto bracket = s.find(" [");
  if (bracket == std::string::npos) return escape_html(s);
  return escape_html(s.substr(0, bracket)) + " <span class=\"ci\">" + escape_html(s.substr(bracket + 1)) + "</span>";
}

std::string html_table(const Table& t, const std::string& cls) {
  std::string s = "<div class=\"scroll\"><table class=\"" + cls + "\">\n<thead><tr>";
  for (std::size_t c = 0; c < t.header.size(); ++c) s += (t.numeric[c] ? "<th class=\"num\">" : "<th>") + escape_html(t.header[c]) + "</th>";
  s += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    s += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string body = t.numeric[c] ? html_cell_text(row[c].text) : escape_html(row[c].text);
      s += std::string(!t.numeric[c] ? "<td>" : row[c].best ? "<td class=\"num best\">" : "<td class=\"num\">") +
           (row[c].best ? "<strong>" + body + "</strong>" : body) + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</tbody>\n</table></div>\n";
}

// ---- SVG charts ----

const char* const kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                                "#56B4E9", "#8C564B", "#332288", "#7F7F7F", "#BCBD22"};

struct Series {
  std::string name, color;
  std::vector<std::optional<Interval>> values;  // one per x position (or bar group)
};

std::string px(double v) { return fixed(v, 1); }

std::string shorten(const std::string& s, std::size_t max_chars) {
  return s.size() <= max_chars ? s : s.substr(0, max_chars - 1) + "…";
}

double text_width(const std::string& s, double font_px) { return 0.58 * font_px * static_cast<double>(s.size()); }

// A y (or x) axis from 0 to a round maximum with about five ticks.
struct Axis {
  double max = 1, step = 0.2;
  int decimals = 1;
};

Axis nice_axis(double hi) {
  if (!(hi > 0)) hi = 1;
  const double raw = hi / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double mult = 10;
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw - 1e-12) { mult = m; break; }
  Axis a;
  a.step = mult * mag;
  a.max = std::ceil(hi / a.step - 1e-9) * a.step;
  a.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(a.step) + 1e-9)) + (mult == 2.5 ? 1 : 0));
  return a;
}

std::string svg_open(double w, double h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(w) + "\" height=\"" + px(h) + "\" viewBox=\"0 0 " +
         px(w) + " " + px(h) + "\" role=\"img\" aria-label=\"" + escape_html(title) + "\">\n<text class=\"ct\" x=\"8\" y=\"20\">" +
         escape_html(title) + "</text>\n";
}

std::string svg_text(double x, double y, const std::string& s, const std::string& attrs = "") {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"" + (attrs.empty() ? "" : " " + attrs) + ">" + escape_html(s) + "</text>\n";
}

std::string svg_line(double x1, double y1, double x2, double y2, const std::string& attrs) {
  return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\" " + attrs + "/>\n";
}

// Horizontal grid lines with tick labels for a vertical value axis.
std::string y_grid(const Axis& ax, double left, double right, double top, double plot_h) {
  std::string s;
  for (double t = 0; t <= ax.max + ax.step / 2; t += ax.step) {
    const double y = top + plot_h * (1 - t / ax.max);
    s += svg_line(left, y, right, y, t == 0 ? "class=\"axis\"" : "class=\"grid\"");
    s += svg_text(left - 6, y + 4, fixed(t, ax.decimals), "class=\"tick\" text-anchor=\"end\"");
  }
  return s;
}

// A legend of coloured swatches below a chart, wrapping into rows; returns {svg, height}.
std::pair<std::string, double> legend(const std::vector<Series>& series, double left, double width, double top) {
  std::string s;
  double x = left, y = top + 12;
  for (const auto& sr : series) {
    const std::string name = shorten(sr.name, 32);
    const double w = 20 + text_width(name, 12) + 18;
    if (x + w > left + width && x > left) x = left, y += 18;
    s += "<rect x=\"" + px(x) + "\" y=\"" + px(y - 9) + "\" width=\"12\" height=\"12\" rx=\"2\" fill=\"" + sr.color + "\"/>\n";
    s += svg_text(x + 17, y + 1, name, "class=\"tick\"");
    x += w;
  }
  return {s, y - top + 10};
}

std::string value_tip(const std::string& name, const std::string& where, const Interval& v) {
  return "<title>" + escape_html(name + " — " + where + ": " + format_interval(v)) + "</title>";
}

// Means over the x positions joined by a line, each with a vertical error bar for its interval.
std::string line_chart(const std::string& title, const std::vector<std::string>& xs, const std::string& x_title,
                       const std::vector<Series>& series) {
  const double w = 520, left = 56, right = 16, top = 36, plot_h = 200, bottom = 44, plot_w = w - left - right;
  double hi = 0;
  for (const auto& sr : series)
    for (const auto& v : sr.values)
      if (v) hi = std::max({hi, v->mean, v->high});
  const Axis ax = nice_axis(hi);
  auto y = [&](double v) { return top + plot_h * (1 - std::clamp(v, 0.0, ax.max) / ax.max); };
  const double slot = plot_w / static_cast<double>(std::max<std::size_t>(1, xs.size()));
  const double dodge = std::min(7.0, slot * 0.5 / static_cast<double>(std::max<std::size_t>(1, series.size())));
  auto [legend_svg, legend_h] = legend(series, left, plot_w, top + plot_h + bottom);
  std::string s = svg_open(w, top + plot_h + bottom + legend_h, title) + y_grid(ax, left, left + plot_w, top, plot_h);
  for (std::size_t i = 0; i < xs.size(); ++i)
    s += svg_text(left + slot * (static_cast<double>(i) + 0.5), top + plot_h + 18, xs[i], "class=\"tick\" text-anchor=\"middle\"");
  s += svg_text(left + plot_w / 2, top + plot_h + 36, x_title, "class=\"label\" text-anchor=\"middle\"");
  for (std::size_t j = 0; j < series.size(); ++j) {
    const auto& sr = series[j];
    const double off = (static_cast<double>(j) - (static_cast<double>(series.size()) - 1) / 2) * dodge;
    auto x = [&](std::size_t i) { return left + slot * (static_cast<double>(i) + 0.5) + off; };
    std::string points, marks;
    for (std::size_t i = 0; i < sr.values.size() && i < xs.size(); ++i) {
      const auto& v = sr.values[i];
      if (!v) continue;
      points += px(x(i)) + "," + px(y(v->mean)) + " ";
      const std::string stroke = "stroke=\"" + sr.color + "\" stroke-width=\"1.5\"";
      marks += svg_line(x(i), y(v->low), x(i), y(v->high), stroke);
      marks += svg_line(x(i) - 4, y(v->low), x(i) + 4, y(v->low), stroke);
      marks += svg_line(x(i) - 4, y(v->high), x(i) + 4, y(v->high), stroke);
      marks += "<circle cx=\"" + px(x(i)) + "\" cy=\"" + px(y(v->mean)) + "\" r=\"3.5\" fill=\"" + sr.color +
               "\" stroke=\"#fff\">" + value_tip(sr.name, x_title + " " + xs[i], *v) + "</circle>\n";
    }
    s += "<g><polyline fill=\"none\" stroke=\"" + sr.color + "\" stroke-width=\"2\" points=\"" + points + "\"/>\n" + marks + "</g>\n";
  }
  return s + legend_svg + "</svg>\n";
}

// Vertical bars grouped by category, one bar per series, each with an error bar for its interval.
std::string grouped_bar_chart(const std::string& title, const std::vector<std::string>& groups,
                              const std::vector<Series>& series) {
  const double w = 520, left = 56, right = 16, top = 36, plot_h = 200, bottom = 30, plot_w = w - left - right;
  double hi = 0;
  for (const auto& sr : series)
    for (const auto& v : sr.values)
      if (v) hi = std::max({hi, v->mean, v->high});
  const Axis ax = nice_axis(hi * 1.08);  // headroom for the value labels above the bars
  auto y = [&](double v) { return top + plot_h * (1 - std::clamp(v, 0.0, ax.max) / ax.max); };
  const double slot = plot_w / static_cast<double>(std::max<std::size_t>(1, groups.size()));
  const double bar_w = slot * 0.8 / static_cast<double>(std::max<std::size_t>(1, series.size()));
  auto [legend_svg, legend_h] = legend(series, left, plot_w, top + plot_h + bottom);
  std::string s = svg_open(w, top + plot_h + bottom + legend_h, title) + y_grid(ax, left, left + plot_w, top, plot_h);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double x0 = left + slot * static_cast<double>(g) + slot * 0.1;
    s += svg_text(left + slot * (static_cast<double>(g) + 0.5), top + plot_h + 18, groups[g], "class=\"label\" text-anchor=\"middle\"");
    for (std::size_t j = 0; j < series.size(); ++j) {
      if (g >= series[j].values.size() || !series[j].values[g]) continue;
      const Interval& v = *series[j].values[g];
      const double x = x0 + bar_w * static_cast<double>(j), cx = x + bar_w / 2;
      s += "<rect x=\"" + px(x + 1) + "\" y=\"" + px(y(v.mean)) + "\" width=\"" + px(std::max(1.0, bar_w - 2)) + "\" height=\"" +
           px(y(0) - y(v.mean)) + "\" fill=\"" + series[j].color + "\">" + value_tip(series[j].name, groups[g], v) + "</rect>\n";
      s += svg_line(cx, y(v.low), cx, y(v.high), "class=\"err\"");
      s += svg_line(cx - 3, y(v.low), cx + 3, y(v.low), "class=\"err\"") + svg_line(cx - 3, y(v.high), cx + 3, y(v.high), "class=\"err\"");
      if (bar_w >= 30) s += svg_text(cx, y(v.high) - 5, fixed(v.mean, 3), "class=\"val\" text-anchor=\"middle\"");
    }
  }
  return s + legend_svg + "</svg>\n";
}

// Horizontal bars (one per model) in one block per category; values are shares shown as percentages.
std::string horizontal_bar_chart(const std::string& title, const std::vector<std::string>& groups,
                                 const std::vector<Series>& series) {
  double name_w = 60, hi = 0;
  for (const auto& sr : series) {
    name_w = std::max(name_w, text_width(shorten(sr.name, 28), 12));
    for (const auto& v : sr.values)
      if (v) hi = std::max(hi, v->mean * 100);
  }
  const double w = 520, left = name_w + 18, right = 56, top = 36, bar_h = 16, gap = 5, head = 24, plot_w = w - left - right;
  const Axis ax = nice_axis(hi);
  const double plot_h = static_cast<double>(groups.size()) * (head + static_cast<double>(series.size()) * (bar_h + gap));
  auto x = [&](double pct) { return left + plot_w * std::clamp(pct, 0.0, ax.max) / ax.max; };
  std::string s = svg_open(w, top + plot_h + 40, title);
  for (double t = 0; t <= ax.max + ax.step / 2; t += ax.step) {
    s += svg_line(x(t), top, x(t), top + plot_h, t == 0 ? "class=\"axis\"" : "class=\"grid\"");
    s += svg_text(x(t), top + plot_h + 16, fixed(t, ax.decimals) + "%", "class=\"tick\" text-anchor=\"middle\"");
  }
  s += svg_text(left + plot_w / 2, top + plot_h + 34, "share of the catalogue recommended at least once", "class=\"label\" text-anchor=\"middle\"");
  double yy = top;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    s += svg_text(8, yy + 16, groups[g], "class=\"label\" font-weight=\"600\"");
    yy += head;
    for (const auto& sr : series) {
      s += svg_text(left - 6, yy + bar_h - 4, shorten(sr.name, 28), "class=\"tick\" text-anchor=\"end\"");
      if (g < sr.values.size() && sr.values[g]) {
        const double pct = sr.values[g]->mean * 100;
        s += "<rect x=\"" + px(left) + "\" y=\"" + px(yy) + "\" width=\"" + px(std::max(1.0, x(pct) - left)) + "\" height=\"" +
             px(bar_h) + "\" fill=\"" + sr.color + "\"><title>" + escape_html(sr.name + " — " + groups[g] + ": " + fixed(pct, 1) + "%") +
             "</title></rect>\n";
        s += svg_text(x(pct) + 4, yy + bar_h - 4, fixed(pct, 1) + "%", "class=\"val\"");
      } else {
        s += svg_text(left + 4, yy + bar_h - 4, kMissing, "class=\"val\"");
      }
      yy += bar_h + gap;
    }
  }
  return s + "</svg>\n";
}

Series model_series(const std::vector<std::string>& names, const std::string& name) {
  const auto i = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  return Series{name, kPalette[i % (sizeof kPalette / sizeof kPalette[0])], {}};
}

std::string task_charts(const TaskView& task, const std::vector<std::string>& names) {
  std::vector<std::string> main;
  for (const char* m : {"hit_rate", "recall", "ndcg"})
    if (std::find(task.metrics.begin(), task.metrics.end(), m) != task.metrics.end()) main.push_back(m);
  if (main.empty() && !task.metrics.empty()) main.push_back(task.metrics.front());
  std::string s;
  for (const auto& metric : main) {
    std::vector<Series> series;
    for (const json* r : task.results) {
      series.push_back(model_series(names, text(child(r, "model"))));
      for (const auto& k : task.ks) series.back().values.push_back(metric_value(r, metric, k));
    }
    s += line_chart(task.title + ": " + metric + " by K (95% intervals)", task.ks, "K (list length)", series);
  }
  const bool has_split = std::find(task.metrics.begin(), task.metrics.end(), "recall_repeat") != task.metrics.end() &&
                         std::find(task.metrics.begin(), task.metrics.end(), "recall_new") != task.metrics.end();
  if (has_split) {
    const std::string k = middle_k(task.ks);
    std::vector<Series> series;
    for (const json* r : task.results) {
      series.push_back(model_series(names, text(child(r, "model"))));
      series.back().values = {metric_value(r, "recall_repeat", k), metric_value(r, "recall_new", k)};
    }
    s += grouped_bar_chart(task.title + ": recall@" + k + " on repeat vs new items", {"repeat items", "new items"}, series);
  }
  return s;
}

std::string coverage_chart(const std::vector<TaskView>& tasks, const std::vector<std::string>& names) {
  std::vector<std::string> groups;
  std::vector<Series> series;
  for (const auto& n : names) series.push_back(model_series(names, n));
  std::string k;
  for (const auto& t : tasks) {
    if (t.empty()) continue;
    k = middle_k(t.ks);
    groups.push_back(t.title);
    for (auto& sr : series) {
      std::optional<Interval> v;
      for (const json* r : t.results)
        if (text(child(r, "model")) == sr.name)
          if (const auto c = number(child(child(r, "coverage"), k))) v = Interval{*c, *c, *c};
      sr.values.push_back(v);
    }
  }
  if (groups.empty()) return "";
  return horizontal_bar_chart("Catalogue coverage@" + k + " per model", groups, series);
}

const char* const kCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;background:#fff;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px}
h1{margin:0 0 4px;font-size:26px} h2{margin:36px 0 8px;font-size:21px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{margin:20px 0 6px;font-size:15px} .meta,.howto{color:#555} .howto{font-size:14px;max-width:900px}
table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
th{background:#f4f5f7;font-weight:600} td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.best{background:#eef6ee} .ci{display:block;color:#777;font-size:11px} table.kv th{display:none}
.scroll{overflow-x:auto}
.charts{display:flex;flex-wrap:wrap;gap:16px 24px;margin:8px 0 12px}
.charts svg{border:1px solid #eee;border-radius:4px;background:#fff}
svg text{font-family:inherit;fill:#333} svg .ct{font-size:14px;font-weight:600}
svg .tick{font-size:12px} svg .label{font-size:12px;fill:#444} svg .val{font-size:11px;fill:#333}
svg .grid{stroke:#e8e8e8} svg .axis{stroke:#888} svg .err{stroke:#333;stroke-width:1.2}
)";

}  // namespace

std::string report_markdown(const nlohmann::json& report) {
  COBUY_CHECK(report.is_object(), ErrorCode::bad_data, "an evaluation report must be a JSON object, got " << report.type_name());
  const auto tasks = task_views(report);
  std::string title = text(child(&report, "title"));
  std::string s = "# " + (title.empty() ? std::string("cobuy offline evaluation") : title) + "\n\n";
  if (const auto created = text(child(&report, "created_at")); !created.empty()) s += "Created " + created + ".\n\n";
  s += "## Data\n\n";
  for (const auto& row : data_table(report).rows) s += "- **" + row[0].text + "**: " + row[1].text + "\n";
  s += "\n## Models\n\n" + md_table(models_table(report));
  for (const auto& task : tasks) {
    s += "\n## " + task.title + "\n\n";
    if (!task.description.empty()) s += task.description + ". ";
    s += "Cases: " + format_value(task.cases) + ".\n\n";
    if (task.empty()) {
      s += "No cases: this task has no results.\n";
      continue;
    }
    for (const auto& k : task.ks) s += "### K = " + k + "\n\n" + md_table(task_table(task, k)) + "\n";
    s += "_How to read: " + kHowToRead + "_\n";
  }
  return s;
}

std::string report_html(const nlohmann::json& report) {
  COBUY_CHECK(report.is_object(), ErrorCode::bad_data, "an evaluation report must be a JSON object, got " << report.type_name());
  const auto tasks = task_views(report);
  const auto names = model_names(report, tasks);
  std::string title = text(child(&report, "title"));
  if (title.empty()) title = "cobuy offline evaluation";
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape_html(title) +
                  "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n<main>\n<h1>" + escape_html(title) + "</h1>\n";
  if (const auto created = text(child(&report, "created_at")); !created.empty())
    s += "<p class=\"meta\">Created " + escape_html(created) + "</p>\n";
  s += "<h2>Data</h2>\n" + html_table(data_table(report), "kv") + "<h2>Models</h2>\n" + html_table(models_table(report), "models");
  s += "<p class=\"howto\"><strong>How to read.</strong> " + escape_html(kHowToRead) + "</p>\n";
  for (const auto& task : tasks) {
    s += "<section>\n<h2>" + escape_html(task.title) + "</h2>\n<p>" +
         escape_html(task.description.empty() ? "" : task.description + ". ") + "Cases: " + escape_html(format_value(task.cases)) + ".</p>\n";
    if (task.empty()) {
      s += "<p class=\"meta\">No cases: this task has no results.</p>\n</section>\n";
      continue;
    }
    s += "<div class=\"charts\">\n" + task_charts(task, names) + "</div>\n";
    for (const auto& k : task.ks) s += "<h3>K = " + escape_html(k) + "</h3>\n" + html_table(task_table(task, k), "results");
    s += "</section>\n";
  }
  if (const auto cov = coverage_chart(tasks, names); !cov.empty())
    s += "<section>\n<h2>Coverage</h2>\n<div class=\"charts\">\n" + cov + "</div>\n</section>\n";
  return s + "</main>\n</body>\n</html>\n";
}

void write_report(const nlohmann::json& report, const std::string& dir) {
  // Render everything first, so a rendering error leaves no partial set of files behind.
  const std::vector<std::pair<std::string, std::string>> files = {
      {"report.json", report.dump(2, ' ', false, json::error_handler_t::replace) + "\n"},
      {"report.md", report_markdown(report)},
      {"report.html", report_html(report)}};
  std::error_code ec;
  fs::create_directories(dir, ec);
  COBUY_CHECK(!ec && fs::is_directory(dir), ErrorCode::io,
              "cannot create report directory " << dir << (ec ? ": " + ec.message() : std::string()));
  static std::atomic<unsigned> counter{0};
  for (const auto& [name, content] : files) {
    const fs::path target = fs::path(dir) / name;
    const fs::path tmp = fs::path(dir) / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << tmp.string());
      f << content;
      f.flush();
      if (!f.good()) fs::remove(tmp, ec);
      COBUY_CHECK(f.good(), ErrorCode::io, "cannot write " << tmp.string());
    }
    fs::rename(tmp, target, ec);
    if (ec) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      COBUY_FAIL(ErrorCode::io, "cannot write " << target.string() << ": " << ec.message());
    }
  }
}

}  // namespace cobuy
