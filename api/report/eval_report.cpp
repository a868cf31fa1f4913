// Markdown and HTML renderings of the offline-evaluation report (see eval_report.h for the schema).
#include "api/report/eval_report.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/report/eval_report_svg.h"
#include "api/report/report_files.h"
#include "api/report/report_table.h"
#include "core/error.h"

namespace cobuy {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// ---- reading the report tolerantly: a missing or mistyped field renders as "–" ----

const std::string kMissing = "–";

bool contains(const Strings& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

const json* child(const json* j, const std::string& key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(key);
  return it == j->end() ? nullptr : &*it;
}

std::optional<double> number(const json* j) {
  return j != nullptr && j->is_number() ? std::optional<double>(j->get<double>()) : std::nullopt;
}

std::string text(const json* j) {
  if (j == nullptr || j->is_null()) return "";
  return j->is_string() ? j->get<std::string>() : j->dump(-1, ' ', false, json::error_handler_t::replace);
}

// Counts get thousands separators ("12,383"), arrays are joined with commas, the rest is plain text.
std::string format_value(const json* j) {
  if (j == nullptr || j->is_null()) return kMissing;
  if (j->is_number_unsigned() || (j->is_number_integer() && j->get<long long>() >= 0)) {
    std::string s = std::to_string(j->get<unsigned long long>());
    for (int pos = static_cast<int>(s.size()) - 3; pos > 0; pos -= 3) s.insert(static_cast<std::size_t>(pos), ",");
    return s;
  }
  if (!j->is_array()) return text(j);
  std::string s;
  for (const auto& e : *j) s += (s.empty() ? "" : ", ") + text(&e);
  return s;
}

// ---- the report as plain views ----

struct TaskView {
  std::string title, description;
  const json* cases = nullptr;
  Strings ks;                        // cut-offs as the report's keys ("5", "10", ...)
  Strings metrics;                   // known metrics first, then the rest alphabetically
  std::vector<const json*> results;  // one per model
  const json* paired = nullptr;      // {"reference", "k", "rows": [{"model", "metrics"}]}, if present
  const json* embeddings_added = nullptr;  // {"k", "rows": [{"model", "metrics"}]}, if present
  const json* tradeoff = nullptr;    // next order's repeat-against-new curves, if present
  bool empty() const { return results.empty() || number(cases).value_or(1) <= 0; }
};

std::optional<Interval> metric_value(const json* result, const std::string& metric, const std::string& k) {
  const json* j = child(child(child(result, "metrics"), metric), k);
  const auto mean = number(child(j, "mean"));
  if (!mean) return std::nullopt;
  return Interval{*mean, number(child(j, "low")).value_or(*mean), number(child(j, "high")).value_or(*mean)};
}

std::optional<double> per_k(const json* result, const std::string& field, const std::string& k) {
  return number(child(child(result, field), k));
}

std::string model_of(const json* result) { return text(child(result, "model")); }

// "basket_completion" -> "Basket completion".
std::string task_title(const std::string& key) {
  std::string s = key;
  std::replace(s.begin(), s.end(), '_', ' ');
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// The report's "k" list; without one, the cut-offs of the first result's first metric, in numeric order.
Strings task_ks(const json& report, const std::vector<const json*>& results) {
  Strings ks;
  if (const json* k = child(&report, "k"); k != nullptr && k->is_array())
    for (const auto& v : *k) ks.push_back(text(&v));
  if (!ks.empty()) return ks;
  const json* m = results.empty() ? nullptr : child(results.front(), "metrics");
  if (m != nullptr && m->is_object() && !m->empty() && m->begin()->is_object())
    for (const auto& [key, value] : m->begin()->items()) ks.push_back(key);
  std::sort(ks.begin(), ks.end(),
            [](const auto& a, const auto& b) { return std::atof(a.c_str()) < std::atof(b.c_str()); });
  return ks;
}

// nlohmann::json keeps object keys sorted, so the writer's key order is lost: use a fixed order.
Strings metric_order(const std::vector<const json*>& results) {
  static const Strings known = {"hit_rate",      "recall",      "ndcg",       "mrr",     "precision",
                                "recall_repeat", "ndcg_repeat", "recall_new", "ndcg_new"};
  Strings present, out;
  for (const json* r : results)
    if (const json* m = child(r, "metrics"); m != nullptr && m->is_object())
      for (const auto& [key, value] : m->items())
        if (!contains(present, key)) present.push_back(key);
  for (const auto& k : known)
    if (contains(present, k)) out.push_back(k);
  std::sort(present.begin(), present.end());
  for (const auto& k : present)
    if (!contains(known, k)) out.push_back(k);
  return out;
}

std::vector<TaskView> task_views(const json& report) {
  const json* tasks = child(&report, "tasks");
  Strings keys = {"basket_completion", "next_order"};
  if (tasks != nullptr && tasks->is_object())
    for (const auto& [key, value] : tasks->items())
      if (!contains(keys, key)) keys.push_back(key);
  std::vector<TaskView> views;
  for (const auto& key : keys) {
    const json* task = child(tasks, key);
    if (task == nullptr || !task->is_object()) continue;
    TaskView v{task_title(key), text(child(task, "description")), child(task, "cases"), {}, {}, {}};
    if (const json* rs = child(task, "results"); rs != nullptr && rs->is_array())
      for (const auto& r : *rs)
        if (r.is_object()) v.results.push_back(&r);
    v.paired = child(task, "paired");
    v.embeddings_added = child(task, "embeddings_added");
    v.tradeoff = child(task, "tradeoff");
    v.ks = task_ks(report, v.results);
    v.metrics = metric_order(v.results);
    views.push_back(std::move(v));
  }
  return views;
}

// The cut-off the single-K charts use: 10 when present, else the middle one.
std::string middle_k(const Strings& ks) { return contains(ks, "10") || ks.empty() ? "10" : ks[ks.size() / 2]; }

// Every model, in the order of the "models" list and then of first appearance in the results;
// a model's colour is its position here, so it keeps one colour across all charts.
Strings model_names(const json& report, const std::vector<TaskView>& tasks) {
  Strings names;
  if (const json* ms = child(&report, "models"); ms != nullptr && ms->is_array())
    for (const auto& m : *ms)
      if (!contains(names, text(child(&m, "name")))) names.push_back(text(child(&m, "name")));
  for (const auto& t : tasks)
    for (const json* r : t.results)
      if (!contains(names, model_of(r))) names.push_back(model_of(r));
  return names;
}

// ---- tables, built once and written as markdown or HTML ----

Table data_table(const json& report) {
  Table t{{"", ""}, {false, false}, {}};
  const json* data = child(&report, "data");
  Strings keys = {"orders", "format", "split", "train_orders", "test_orders", "items", "customers"};
  if (data != nullptr && data->is_object())
    for (const auto& [key, value] : data->items())
      if (!contains(keys, key)) keys.push_back(key);
  for (auto key : keys)
    if (const json* v = child(data, key)) {
      std::replace(key.begin(), key.end(), '_', ' ');
      t.rows.push_back({{key}, {format_value(v)}});
    }
  return t;
}

Table models_table(const json& report) {
  Table t{{"model", "description", "train seconds"}, {false, false, true}, {}};
  if (const json* ms = child(&report, "models"); ms != nullptr && ms->is_array())
    for (const auto& m : *ms) {
      const auto secs = number(child(&m, "train_seconds"));
      t.rows.push_back({{text(child(&m, "name"))}, {text(child(&m, "description"))},
                        {secs ? format_fixed(*secs, 2) : kMissing}});
    }
  return t;
}

// Rows are models; the table sits under a "K = k" heading, so headers stay short ("ndcg", not "ndcg@10").
Table task_table(const TaskView& task, const std::string& k) {
  Table t{{"model"}, {}, {}};
  t.header.insert(t.header.end(), task.metrics.begin(), task.metrics.end());
  t.header.insert(t.header.end(), {"coverage", "popularity pct"});
  t.numeric.assign(t.header.size(), true);
  t.numeric[0] = false;
  for (const json* r : task.results) {
    std::vector<Cell> row = {{model_of(r)}};
    for (const auto& m : task.metrics) {
      const auto v = metric_value(r, m, k);
      row.push_back({v ? format_interval(*v) : kMissing});
    }
    const auto coverage = per_k(r, "coverage", k), popularity = per_k(r, "popularity_percentile", k);
    row.push_back({coverage ? format_fixed(*coverage * 100, 1) + "%" : kMissing});
    row.push_back({popularity ? format_fixed(*popularity, 1) : kMissing});
    t.rows.push_back(std::move(row));
  }
  // Bold every model whose shown mean equals the best shown mean of the column, ties included.
  for (std::size_t c = 0; c < task.metrics.size(); ++c) {
    std::optional<double> best;
    for (const json* r : task.results)
      if (const auto v = metric_value(r, task.metrics[c], k); v && (!best || v->mean > *best)) best = v->mean;
    for (std::size_t i = 0; best && i < task.results.size(); ++i) {
      const auto v = metric_value(task.results[i], task.metrics[c], k);
      t.rows[i][c + 1].best = v && format_fixed(v->mean, 4) == format_fixed(*best, 4);
    }
  }
  return t;
}

// ---- the config sweep of `cobuy eval --sweep` ----

// The "Config sweep" section: how the config was chosen, the grid's scores best first, the choice.
struct SweepView {
  std::string how, chosen;
  Table table;  // one column per parameter, then the metric; the chosen row bold
};

std::optional<SweepView> sweep_view(const json& report) {
  const json* sweep = child(&report, "sweep");
  if (sweep == nullptr || !sweep->is_object()) return std::nullopt;
  const json *validation = child(sweep, "validation"), *chosen = child(sweep, "chosen");
  const std::string metric = text(child(sweep, "metric"));
  const std::string key = metric.substr(metric.rfind(' ') + 1);  // "basket_completion ndcg@10" -> "ndcg@10"
  std::vector<const json*> results;
  if (const json* rs = child(sweep, "results"); rs != nullptr && rs->is_array())
    for (const auto& r : *rs)
      if (r.is_object()) results.push_back(&r);
  const auto score = [&](const json* r) {  // missing (or NaN) scores last
    const auto v = number(child(r, key));
    return v && !std::isnan(*v) ? *v : -1e300;
  };
  std::stable_sort(results.begin(), results.end(), [&](const json* a, const json* b) { return score(a) > score(b); });
  SweepView v;
  for (const json* r : results)
    if (const json* p = child(r, "params"); p != nullptr && p->is_object())
      for (const auto& [name, value] : p->items())
        if (!contains(v.table.header, name)) v.table.header.push_back(name);
  std::sort(v.table.header.begin(), v.table.header.end());
  const Strings params = v.table.header;
  v.table.header.push_back(key.empty() ? "score" : key);
  v.table.numeric.assign(v.table.header.size(), true);
  for (const json* r : results) {
    const json* p = child(r, "params");
    const bool bold = chosen != nullptr && p != nullptr && *p == *chosen;
    std::vector<Cell> row;
    for (const auto& name : params) row.push_back({child(p, name) ? text(child(p, name)) : kMissing, bold});
    const auto value = number(child(r, key));
    row.push_back({value ? format_fixed(*value, 4) : kMissing, bold});
    v.table.rows.push_back(std::move(row));
  }
  v.how = "The config was chosen on a validation part carved from the training part only (split \"" +
          format_value(child(validation, "split")) + "\", " + format_value(child(validation, "train_orders")) +
          " training orders, " + format_value(child(validation, "validation_orders")) + " validation orders, " +
          format_value(child(validation, "cases")) + " cases), by " + (metric.empty() ? kMissing : metric) +
          "; the test part was not used.";
  if (chosen != nullptr && chosen->is_object() && !chosen->empty()) {
    for (const auto& [name, value] : chosen->items())
      v.chosen += (v.chosen.empty() ? "Chosen: " : ", ") + name + " = " + text(&value);
    v.chosen += " (written to chosen_config.json)";
  }
  return v;
}

const std::string kHowToRead =
    "Cells show mean [low, high]: the mean over the test cases and its 95% bootstrap interval; bold marks the best "
    "mean in each column. When two models' intervals do not overlap the difference is real, not noise of the test "
    "sample. Overlapping intervals do not settle it: the models are scored on the same cases, so the paired table "
    "(cobuy against each model, case by case) is the sharper test. Coverage is the share of the catalogue "
    "recommended at least once in the top K; popularity pct is the mean popularity percentile of recommended items "
    "(100 = most popular), so lower means more long-tail items.";

// ---- charts ----

// A model keeps one colour across all charts: the colour of its position in `names`.
ChartSeries model_series(const Strings& names, const std::string& name) {
  const auto i = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  return ChartSeries{name, chart_color(i), {}};
}

// Line charts of the main metrics (hit_rate or recall, and ndcg) over K, then, when the task splits
// recall by repeat and new items, grouped bars of both at the middle K.
std::string task_charts(const TaskView& task, const Strings& names) {
  Strings main;
  for (const char* m : {"hit_rate", "recall", "ndcg"})
    if (contains(task.metrics, m)) main.push_back(m);
  if (main.empty() && !task.metrics.empty()) main.push_back(task.metrics.front());
  std::string s;
  for (const auto& metric : main) {
    std::vector<ChartSeries> series;
    for (const json* r : task.results) {
      series.push_back(model_series(names, model_of(r)));
      for (const auto& k : task.ks) series.back().values.push_back(metric_value(r, metric, k));
    }
    s += svg_line_chart(task.title + ": " + metric + " by K (95% intervals)", task.ks, "K (list length)", series);
  }
  if (!contains(task.metrics, "recall_repeat") || !contains(task.metrics, "recall_new")) return s;
  const std::string k = middle_k(task.ks);
  std::vector<ChartSeries> series;
  for (const json* r : task.results) {
    series.push_back(model_series(names, model_of(r)));
    series.back().values = {metric_value(r, "recall_repeat", k), metric_value(r, "recall_new", k)};
  }
  return s + svg_grouped_bar_chart(task.title + ": recall@" + k + " on repeat vs new items",
                               {"repeat items", "new items"}, series, "", 3);
}

// Coverage at the middle K of every model, one block per task with results; "" when there are none.
std::string coverage_chart(const std::vector<TaskView>& tasks, const Strings& names) {
  Strings groups;
  std::vector<ChartSeries> series;
  for (const auto& n : names) series.push_back(model_series(names, n));
  std::string k;
  for (const auto& t : tasks) {
    if (t.empty()) continue;
    k = middle_k(t.ks);
    groups.push_back(t.title);
    for (auto& sr : series) {
      std::optional<Interval> v;
      for (const json* r : t.results)
        if (const auto c = per_k(r, "coverage", k); c && model_of(r) == sr.name) v = Interval{*c, *c, *c};
      if (v) v->mean = v->low = v->high = v->mean * 100;  // shown as a percentage
      sr.values.push_back(v);
    }
  }
  if (groups.empty()) return "";
  return svg_grouped_bar_chart("Catalogue coverage@" + k + " per model", groups, series, "%", 1);
}

std::string title_of(const json& report) {
  COBUY_CHECK(report.is_object(), ErrorCode::bad_data,
              "an evaluation report must be a JSON object, got " << report.type_name());
  const std::string title = text(child(&report, "title"));
  return title.empty() ? "cobuy offline evaluation" : title;
}

std::string cases_line(const TaskView& task) {
  return (task.description.empty() ? "" : task.description + ". ") + "Cases: " + format_value(task.cases) + ".";
}

// cobuy minus each model, case by case: "+0.0177 [+0.0120, +0.0230]"; a bold cell is a gap whose
// interval excludes zero.
std::string signed_fixed(double v) { return (v >= 0 ? "+" : "") + format_fixed(v, 4); }

Cell difference_cell(const json* d) {
  const auto mean = number(child(d, "mean")), low = number(child(d, "low")), high = number(child(d, "high"));
  if (!mean || !low || !high) return {kMissing};
  return {signed_fixed(*mean) + " [" + signed_fixed(*low) + ", " + signed_fixed(*high) + "]", *low > 0 || *high < 0};
}

/// One row per pair of lists ("model", "metrics" of differences), one column per metric.
std::optional<Table> difference_table(const TaskView& task, const json* rows) {
  if (rows == nullptr || !rows->is_array() || rows->empty()) return std::nullopt;
  Table t{{"model"}, {false}, {}};
  for (const auto& m : task.metrics) {
    t.header.push_back(m);
    t.numeric.push_back(true);
  }
  for (const auto& r : *rows) {
    std::vector<Cell> row = {{text(child(&r, "model"))}};
    for (const auto& m : task.metrics) {
      row.push_back(difference_cell(child(child(&r, "metrics"), m)));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::optional<Table> paired_table(const TaskView& task, std::string& heading) {
  heading = text(child(task.paired, "reference")) + " minus each model at K = " + format_value(child(task.paired, "k")) +
            " (paired bootstrap, 95%; bold = the interval excludes 0)";
  return difference_table(task, child(task.paired, "rows"));
}

/// With embeddings in the config: each cobuy list minus the same list without them.
std::optional<Table> embeddings_table(const TaskView& task, std::string& heading) {
  heading = "What the embeddings add at K = " + format_value(child(task.embeddings_added, "k")) +
            ": each list minus the same list without embeddings (paired bootstrap, 95%; bold = the interval "
            "excludes 0)";
  return difference_table(task, child(task.embeddings_added, "rows"));
}

// The repeat-against-new-items curves (written by `cobuy eval`, see api/report/eval_run.cpp): one table
// per fixed split n (the rule, the engine's split, and the cobuy curve at the rule's new-item recall,
// with paired differences), one of the cobuy curve.
std::vector<Table> tradeoff_tables(const TaskView& task, std::string& heading) {
  const json* t = task.tradeoff;
  const json *rule = child(t, "rule"), *split = child(t, "split"), *weighted = child(t, "cobuy"), *pairs = child(t, "comparisons");
  if (rule == nullptr || !rule->is_array() || rule->empty()) return {};
  const std::string k = format_value(child(t, "k"));
  heading = "Repeat against new items at K = " + k;
  auto interval = [](const json* j) {
    const auto mean = number(child(j, "mean"));
    return mean ? format_interval({*mean, number(child(j, "low")).value_or(*mean), number(child(j, "high")).value_or(*mean)}) : kMissing;
  };
  const auto difference = difference_cell;
  auto at = [](const json* a, std::size_t i) { return a != nullptr && a->is_array() && i < a->size() ? &(*a)[i] : nullptr; };
  Table fixed{{"new places", "rule Recall@" + k, "rule new-item Recall@" + k, "cobuy split Recall@" + k,
               "cobuy split new-item Recall@" + k, "split minus rule", "split minus rule, new items", "cobuy weight at the rule's new items",
               "cobuy minus rule", "cobuy minus rule, new items"},
              std::vector<bool>(10, true), {}};
  for (std::size_t i = 0; i < rule->size(); ++i) {
    const json* r = at(rule, i);
    const json* sp = at(split, i);
    const json* c = nullptr;
    if (pairs != nullptr && pairs->is_array())
      for (const auto& p : *pairs)
        if (number(child(&p, "new_places")) == number(child(r, "new_places"))) c = &p;
    const auto w = number(child(c, "new_item_weight"));
    const std::string weight_cell = c == nullptr ? "" : w ? format_fixed(*w, 2) : "none reaches it";
    fixed.rows.push_back({{format_value(child(r, "new_places"))}, {interval(child(r, "recall"))},
                          {interval(child(r, "recall_new"))}, {interval(child(sp, "recall"))},
                          {interval(child(sp, "recall_new"))}, difference(child(c, "split_recall_minus_rule")),
                          difference(child(c, "split_recall_new_minus_rule")),
                          {weight_cell},
                          difference(child(c, "recall_minus_rule")), difference(child(c, "recall_new_minus_rule"))});
  }
  Table curve{{"cobuy new-item weight", "Recall@" + k, "new-item Recall@" + k}, {true, true, true}, {}};
  if (weighted != nullptr && weighted->is_array())
    for (const auto& p : *weighted)
      curve.rows.push_back({{format_value(child(&p, "new_item_weight"))}, {interval(child(&p, "recall"))}, {interval(child(&p, "recall_new"))}});
  return {fixed, curve};
}

}  // namespace

std::string report_markdown(const nlohmann::json& report) {
  std::string s = "# " + title_of(report) + "\n\n";
  if (const auto created = text(child(&report, "created_at")); !created.empty()) s += "Created " + created + ".\n\n";
  s += "## Data\n\n";
  for (const auto& row : data_table(report).rows) s += "- **" + row[0].text + "**: " + row[1].text + "\n";
  s += "\n## Models\n\n" + md_table(models_table(report));
  if (const auto sweep = sweep_view(report)) {
    s += "\n## Config sweep\n\n" + sweep->how + "\n\n" + md_table(sweep->table);
    if (!sweep->chosen.empty()) s += "\n" + sweep->chosen + "\n";
  }
  for (const auto& task : task_views(report)) {
    s += "\n## " + task.title + "\n\n" + cases_line(task) + "\n\n";
    if (task.empty()) {
      s += "No cases: this task has no results.\n";
      continue;
    }
    for (const auto& k : task.ks) s += "### K = " + k + "\n\n" + md_table(task_table(task, k)) + "\n";
    std::string heading;
    if (const auto paired = paired_table(task, heading)) s += "### " + heading + "\n\n" + md_table(*paired) + "\n";
    if (const auto added = embeddings_table(task, heading)) s += "### " + heading + "\n\n" + md_table(*added) + "\n";
    const auto tradeoff = tradeoff_tables(task, heading);
    if (!tradeoff.empty()) s += "### " + heading + "\n\n" + text(child(task.tradeoff, "description")) + ".\n\n";
    for (const auto& t : tradeoff) s += md_table(t) + "\n";
    s += "_How to read: " + kHowToRead + "_\n";
  }
  return s;
}

std::string report_html(const nlohmann::json& report) {
  const std::string title = escape_html(title_of(report));
  const auto tasks = task_views(report);
  const auto names = model_names(report, tasks);
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                  "</title>\n<style>" + kReportCss + chart_css() + "</style>\n</head>\n<body>\n<main>\n<h1>" + title +
                  "</h1>\n";
  if (const auto created = text(child(&report, "created_at")); !created.empty())
    s += "<p class=\"meta\">Created " + escape_html(created) + "</p>\n";
  s += "<h2>Data</h2>\n" + html_table(data_table(report), "kv") + "<h2>Models</h2>\n" +
       html_table(models_table(report), "models");
  if (const auto sweep = sweep_view(report)) {
    s += "<section>\n<h2>Config sweep</h2>\n<p>" + escape_html(sweep->how) + "</p>\n" +
         html_table(sweep->table, "sweep");
    if (!sweep->chosen.empty()) s += "<p>" + escape_html(sweep->chosen) + "</p>\n";
    s += "</section>\n";
  }
  s += "<p class=\"howto\"><strong>How to read.</strong> " + escape_html(kHowToRead) + "</p>\n";
  for (const auto& task : tasks) {
    s += "<section>\n<h2>" + escape_html(task.title) + "</h2>\n<p>" + escape_html(cases_line(task)) + "</p>\n";
    if (task.empty()) {
      s += "<p class=\"meta\">No cases: this task has no results.</p>\n</section>\n";
      continue;
    }
    s += "<div class=\"charts\">\n" + task_charts(task, names) + "</div>\n";
    for (const auto& k : task.ks)
      s += "<h3>K = " + escape_html(k) + "</h3>\n" + html_table(task_table(task, k), "results");
    std::string heading;
    if (const auto paired = paired_table(task, heading))
      s += "<h3>" + escape_html(heading) + "</h3>\n" + html_table(*paired, "results");
    if (const auto added = embeddings_table(task, heading))
      s += "<h3>" + escape_html(heading) + "</h3>\n" + html_table(*added, "results");
    const auto tradeoff = tradeoff_tables(task, heading);
    if (!tradeoff.empty())
      s += "<h3>" + escape_html(heading) + "</h3>\n<p>" + escape_html(text(child(task.tradeoff, "description"))) + "</p>\n";
    for (const auto& t : tradeoff) s += html_table(t, "results");
    s += "</section>\n";
  }
  if (const auto coverage = coverage_chart(tasks, names); !coverage.empty())
    s += "<section>\n<h2>Coverage</h2>\n<div class=\"charts\">\n" + coverage + "</div>\n</section>\n";
  return s + "</main>\n</body>\n</html>\n";
}

void write_report(const nlohmann::json& report, const std::string& dir) {
  // Render everything first, so a rendering error leaves no partial set of files behind.
  write_report_files(dir, {{"report.json", report.dump(2, ' ', false, json::error_handler_t::replace) + "\n"},
                           {"report.md", report_markdown(report)},
                           {"report.html", report_html(report)}});
}

}  // namespace cobuy
