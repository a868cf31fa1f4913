#include "api/report/shop_report.h"

#include "api/report/eval_report_svg.h"
#include "api/report/report_files.h"
#include "api/report/report_table.h"
#include "core/time_util.h"

namespace cobuy {

using nlohmann::json;

json shop_report_json(const std::string& title, const std::vector<ReportSection>& sections) {
  json out = {{"title", title}, {"created_at", format_timestamp(unix_now())}, {"sections", json::array()}};
  for (const auto& s : sections) {
    out["sections"].push_back(s.id);
    out[s.id] = s.data;
  }
  return out;
}

std::string shop_report_markdown(const std::string& title, const std::vector<ReportSection>& sections) {
  std::string s = "# " + title + "\n\n";
  for (const auto& section : sections) s += "## " + section.title + "\n\n" + section.markdown + "\n";
  return s;
}

std::string shop_report_html(const std::string& title, const std::vector<ReportSection>& sections) {
  const std::string t = escape_html(title);
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + t +
                  "</title>\n<style>" + kReportCss + chart_css() + "</style>\n</head>\n<body>\n<main>\n<h1>" + t +
                  "</h1>\n";
  for (const auto& section : sections) {
    s += "<section id=\"" + escape_html(section.id) + "\">\n<h2>" + escape_html(section.title) + "</h2>\n" +
         section.html + "</section>\n";
  }
  return s + "</main>\n</body>\n</html>\n";
}

void write_shop_report(const std::string& dir, const std::string& title, const std::vector<ReportSection>& sections) {
  // Render everything first, so a rendering error leaves no partial set of files behind.
  write_report_files(dir, {{"report.json", shop_report_json(title, sections).dump(2) + "\n"},
                           {"report.md", shop_report_markdown(title, sections)},
                           {"report.html", shop_report_html(title, sections)}});
}

}  // namespace cobuy
