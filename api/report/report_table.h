#pragma once
// A table of a report, built once and written as markdown or as HTML, and the pages' shared style.

#include <string>
#include <vector>

namespace cobuy {

struct Cell {
  std::string text;
  bool best = false;
};
struct Table {
  std::vector<std::string> header;
  std::vector<bool> numeric;  // per column: right-aligned
  std::vector<std::vector<Cell>> rows;
};

/// A GitHub-flavoured markdown table; best cells in bold.
std::string md_table(const Table& t);
/// An HTML table of class `cls` in a horizontally scrolling box; an interval cell ("0.12 [0.10, 0.14]")
/// shows its mean and, quieter, its interval.
std::string html_table(const Table& t, const std::string& cls);
/// The report pages' style sheet (tables, headings, chart boxes), without the charts' own (chart_css()).
extern const char* const kReportCss;

}  // namespace cobuy
