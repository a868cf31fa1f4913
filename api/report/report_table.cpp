#include "api/report/report_table.h"

#include "api/report/eval_report_svg.h"

namespace cobuy {

namespace {

std::string md_cell(const std::string& s) {
  std::string out;
  for (const char c : s) out += c == '|' ? "\\|" : c == '\n' || c == '\r' ? " " : std::string(1, c);
  return out;
}

}  // namespace

std::string md_table(const Table& t) {
  std::string s = "|", rule = "|";
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    s += " " + md_cell(t.header[c]) + " |";
    rule += t.numeric[c] ? " ---: |" : " :--- |";
  }
  s += "\n" + rule + "\n";
  for (const auto& row : t.rows) {
    s += "|";
    for (const auto& cell : row) s += " " + (cell.best ? "**" + md_cell(cell.text) + "**" : md_cell(cell.text)) + " |";
    s += "\n";
  }
  return s;
}

namespace {

// An interval cell shows its mean prominently and the interval below it, quieter.
std::string html_cell(const std::string& s, bool numeric) {
  const auto bracket = s.find(" [");
  if (!numeric || bracket == std::string::npos) return escape_html(s);
  return escape_html(s.substr(0, bracket)) + " <span class=\"ci\">" + escape_html(s.substr(bracket + 1)) + "</span>";
}

}  // namespace

std::string html_table(const Table& t, const std::string& cls) {
  std::string s = "<div class=\"scroll\"><table class=\"" + cls + "\">\n<thead><tr>";
  for (std::size_t c = 0; c < t.header.size(); ++c)
    s += (t.numeric[c] ? "<th class=\"num\">" : "<th>") + escape_html(t.header[c]) + "</th>";
  s += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    s += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string body = html_cell(row[c].text, t.numeric[c]);
      s += std::string(!t.numeric[c] ? "<td>" : row[c].best ? "<td class=\"num best\">" : "<td class=\"num\">") +
           (row[c].best ? "<strong>" + body + "</strong>" : body) + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</tbody>\n</table></div>\n";
}

const char* const kReportCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;background:#fff;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px}
h1{margin:0 0 4px;font-size:26px} h2{margin:36px 0 8px;font-size:21px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{margin:20px 0 6px;font-size:15px} .meta,.howto{color:#555} .howto{font-size:14px;max-width:900px}
table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
th{background:#f4f5f7;font-weight:600} th.num{text-align:right}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.best{background:#eef6ee} .ci{display:block;color:#777;font-size:11px} table.kv th{display:none}
.scroll{overflow-x:auto} .charts{display:flex;flex-wrap:wrap;gap:16px 24px;margin:8px 0 12px}
.charts svg{border:1px solid #eee;border-radius:4px;background:#fff}
)";  // followed by chart_css()

}  // namespace cobuy
