#pragma once
/// Renders the offline-evaluation report written by `cobuy eval` (report.json) as a markdown
/// document and as one self-contained HTML page with inline SVG charts.
///
/// The report object: `{"title", "created_at", "data": {...}, "k": [5, 10, 20],
/// "models": [{"name", "description", "train_seconds"}], "sweep": {...}, "tasks":
/// {"basket_completion": {...}, "next_order": {...}}}`, where each task is `{"description", "cases",
/// "results": [{"model", "metrics": {metric: {K: {"mean", "low", "high"}}}, "coverage": {K: share},
/// "popularity_percentile": {K: percentile}}]}`. Any task may be absent or have 0 cases; missing
/// fields render as "–". Metric keys are free: known ones (hit_rate, recall, ndcg, mrr, precision,
/// recall_repeat, ...) come first in that order, any others follow alphabetically.
///
/// The optional "sweep" (written by `cobuy eval --sweep GRID.json`, see eval_sweep.h) is
/// `{"validation": {"split", "train_orders", "validation_orders", "cases"}, "metric":
/// "basket_completion ndcg@10", "results": [{"params": {name: value}, "ndcg@10": score}], "chosen":
/// {name: value}}`; each result's score field is named by the metric's last word. Without a
/// "sweep" there is no sweep section.
///
/// The optional tasks.next_order.tradeoff (written by `cobuy eval`) is `{"description", "k", "cobuy":
/// [{"new_item_weight", "recall", "recall_new"}], "rule": [{"new_places", ...}], "split": [{"new_places",
/// ...}], "comparisons": [{"new_places", "new_item_weight" (null: none reaches the rule), "recall_minus_rule",
/// "recall_new_minus_rule", "split_recall_minus_rule", "split_recall_new_minus_rule"}]}`, each value an
/// interval object; it renders as a "Repeat against new items" table per new place and one of the
/// cobuy curve, after the task's paired table.
///
/// Number formats: metric cells "mean [low, high]" with 4 decimals ("0.0312 [0.0210, 0.0405]"),
/// coverage as a percentage with 1 decimal ("12.3%"), popularity percentile with 1 decimal.

#include <string>

#include <nlohmann/json.hpp>

namespace cobuy {

/// The report as a markdown document: title, data summary, models table, then the "Config sweep"
/// section when the report has a sweep (a sentence on the validation part the config was chosen on,
/// a table with one column per parameter, in alphabetical order, and one for the score, one row per
/// grid point, best score first, the chosen row in bold, and a line "Chosen: name = value, ...
/// (written to chosen_config.json)"), then per task one table per K (rows = models, columns =
/// metrics, coverage, popularity percentile) with the best mean of each metric column in bold, and a
/// short note on reading the intervals.
/// Throws Error(bad_data) when `report` is not a JSON object.
std::string report_markdown(const nlohmann::json& report);

/// The report as one self-contained HTML page (inline CSS and SVG, no scripts, no network):
/// the same tables and sweep section, a line chart with interval error bars per task and main metric
/// (hit_rate or recall, ndcg) over K, grouped bars of recall at the middle K on repeat vs new items
/// (next_order), and bars of coverage at the middle K per model and task (charts in
/// eval_report_svg.h). All text is HTML-escaped.
/// Throws Error(bad_data) when `report` is not a JSON object.
std::string report_html(const nlohmann::json& report);

/// Writes `dir`/report.json (pretty-printed, 2-space indent), `dir`/report.md and `dir`/report.html,
/// creating `dir` if needed; each file is written under a temporary name and then renamed, so a
/// reader never sees a half-written file. Throws Error(io) naming the path on failure.
void write_report(const nlohmann::json& report, const std::string& dir);

}  // namespace cobuy
