#pragma once
/// `cobuy report`: the shop's report, a list of sections (the offers' attribution now; shop
/// figures and others can be added as further sections), written as report.json, report.md and
/// report.html in one directory.
///
/// report.json is {"title", "created_at", "sections": [section ids], ID: section JSON, ...}: each
/// section's JSON under its own id ("offers": the GET /v1/stats/offers object).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cobuy {

/// One section of the report, rendered.
struct ReportSection {
  std::string id;     ///< its key in report.json, e.g. "offers"
  std::string title;  ///< its heading
  nlohmann::json data;   ///< its JSON
  std::string markdown;  ///< its markdown body (without the heading)
  std::string html;      ///< its HTML body (without the heading)
};

/// The report's JSON: title, created_at (now) and each section's data under its id.
nlohmann::json shop_report_json(const std::string& title, const std::vector<ReportSection>& sections);
/// The markdown page: the title, then each section under a "##" heading.
std::string shop_report_markdown(const std::string& title, const std::vector<ReportSection>& sections);
/// The HTML page (self-contained: inline style and SVG, no scripts): each section in a <section>.
std::string shop_report_html(const std::string& title, const std::vector<ReportSection>& sections);
/// Writes report.json, report.md and report.html into `dir` (created if needed), each renamed into
/// place. Throws Error(io) naming what cannot be written.
void write_shop_report(const std::string& dir, const std::string& title, const std::vector<ReportSection>& sections);

}  // namespace cobuy
