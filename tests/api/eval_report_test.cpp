// Rendering the offline-evaluation report: markdown tables, the self-contained HTML page, and the
// three files write_report leaves in a directory.
#include "api/report/eval_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "support/slurp.h"

namespace cobuy {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json ci(double mean, double low, double high) { return {{"mean", mean}, {"low", low}, {"high", high}}; }

// Metrics at K = 5, 10, 20 whose means grow with K; `base` sets the level.
json by_k(double base) {
  return {{"5", ci(base, base - 0.01, base + 0.01)},
          {"10", ci(base * 1.5, base * 1.5 - 0.01, base * 1.5 + 0.01)},
          {"20", ci(base * 2, base * 2 - 0.01, base * 2 + 0.01)}};
}

json shares(double base) { return {{"5", base}, {"10", base * 2}, {"20", base * 3}}; }

const std::string kOddName = "<b>&\"x";

// Three models: "bought_together" is best on basket completion, "popular" on next order.
json sample_report() {
  json basket = json::array();
  json next = json::array();
  const std::vector<std::pair<std::string, double>> models = {
      {"popular", 0.03}, {"bought_together", 0.12}, {kOddName, 0.05}};
  for (const auto& [name, level] : models) {
    basket.push_back({{"model", name},
                      {"metrics", {{"hit_rate", by_k(level)}, {"ndcg", by_k(level / 2)}, {"mrr", by_k(level / 3)}}},
                      {"coverage", shares(level / 10)},
                      {"popularity_percentile", shares(90 - level * 100)}});
    const double nl = name == "popular" ? 0.2 : 0.1;
    next.push_back({{"model", name},
                    {"metrics",
                     {{"recall", by_k(nl)},
                      {"ndcg", by_k(nl / 2)},
                      {"recall_repeat", by_k(nl * 2)},
                      {"recall_new", by_k(nl / 4)}}},
                    {"coverage", shares(nl / 10)},
                    {"popularity_percentile", shares(95)}});
  }
  return {{"title", "cobuy offline evaluation"},
          {"created_at", "2026-11-28T22:30:00Z"},
          {"data",
           {{"orders", {"orders.csv.gz"}},
            {"format", "online-retail"},
            {"split", "time:2011-09-01"},
            {"train_orders", 12383},
            {"test_orders", 7390},
            {"items", 3900},
            {"customers", 4300}}},
          {"k", {5, 10, 20}},
          {"models",
           {{{"name", "popular"}, {"description", "most popular items"}, {"train_seconds", 0.4}},
            {{"name", "bought_together"}, {"description", "co-purchase counts"}, {"train_seconds", 12.25}},
            {{"name", kOddName}, {"description", "a name to escape"}, {"train_seconds", 1}}}},
          {"tasks",
           {{"basket_completion",
             {{"description", "hide one item of each test order"}, {"cases", 2938}, {"results", basket}}},
            {"next_order",
             {{"description", "predict the first order after the split"}, {"cases", 1200}, {"results", next}}}}}};
}

// The next-order trade-off curves, with a rule point that no cobuy point reaches.
json with_tradeoff(json r) {
  auto point = [](const char* key, json value, double recall, double fresh) {
    return json{{key, value}, {"recall", ci(recall, recall - 0.01, recall + 0.01)}, {"recall_new", ci(fresh, fresh - 0.001, fresh + 0.001)}};
  };
  r["tasks"]["next_order"]["tradeoff"] = {
      {"description", "the curves"},
      {"k", 10},
      {"cobuy", {point("new_item_weight", 0, 0.163, 0.005), point("new_item_weight", 1.5, 0.149, 0.013)}},
      {"rule", {point("new_places", 0, 0.157, 0.001), point("new_places", 1, 0.153, 0.011), point("new_places", 2, 0.148, 0.018)}},
      {"split", {point("new_places", 0, 0.163, 0.005), point("new_places", 1, 0.158, 0.013), point("new_places", 2, 0.152, 0.019)}},
      {"comparisons",
       {{{"new_places", 1}, {"new_item_weight", 1.5}, {"recall_minus_rule", ci(-0.004, -0.0096, 0.0007)},
         {"recall_new_minus_rule", ci(0.0027, -0.0005, 0.0058)}, {"split_recall_minus_rule", ci(0.0047, 0.0007, 0.0084)},
         {"split_recall_new_minus_rule", ci(0.0021, -0.0001, 0.0044)}},
        {{"new_places", 2}, {"new_item_weight", nullptr}, {"split_recall_minus_rule", ci(0.004, 0.0001, 0.0075)},
         {"split_recall_new_minus_rule", ci(0.0007, -0.0017, 0.003)}}}}};
  return r;
}

TEST(EvalReport, TradeoffTablesPairEachFixedSplitWithTheEnginesSplitAndTheCobuyCurve) {
  const auto r = with_tradeoff(sample_report());
  const std::string md = report_markdown(r);
  EXPECT_NE(md.find("### Repeat against new items at K = 10\n\nthe curves.\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1 | 0.1530 [0.1430, 0.1630] | 0.0110 [0.0100, 0.0120] | 0.1580 [0.1480, 0.1680] | "
                    "0.0130 [0.0120, 0.0140] | **+0.0047 [+0.0007, +0.0084]** | +0.0021 [-0.0001, +0.0044] | 1.50 | "
                    "-0.0040 [-0.0096, +0.0007] | +0.0027 [-0.0005, +0.0058] |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 2 | 0.1480 [0.1380, 0.1580] | 0.0180 [0.0170, 0.0190] | 0.1520 [0.1420, 0.1620] | "
                    "0.0190 [0.0180, 0.0200] | **+0.0040 [+0.0001, +0.0075]** | +0.0007 [-0.0017, +0.0030] | "
                    "none reaches it | – | – |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 1.5 | 0.1490 [0.1390, 0.1590] | 0.0130 [0.0120, 0.0140] |"), std::string::npos) << md;
  const std::string html = report_html(r);
  EXPECT_NE(html.find("<h3>Repeat against new items at K = 10</h3>"), std::string::npos);
  EXPECT_NE(html.find("none reaches it"), std::string::npos);
  EXPECT_EQ(report_markdown(sample_report()).find("Repeat against new items"), std::string::npos) << "no curves, no section";
}

std::size_t occurrences(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// The markdown table row of `model` under the "### K = k" heading of the section `task`.
std::string md_row(const std::string& md, const std::string& task, const std::string& k, const std::string& model) {
  const auto section = md.find("## " + task);
  const auto table = md.find("### K = " + k + "\n", section);
  const auto row = md.find("| " + model + " |", table);
  if (section == std::string::npos || table == std::string::npos || row == std::string::npos) return "";
  return md.substr(row, md.find('\n', row) - row);
}

TEST(ReportMarkdown, HasTitleDataModelsAndTablesPerK) {
  const std::string md = report_markdown(sample_report());
  EXPECT_EQ(md.rfind("# cobuy offline evaluation\n", 0), 0u);
  EXPECT_NE(md.find("**train orders**: 12,383"), std::string::npos);
  EXPECT_NE(md.find("**split**: time:2011-09-01"), std::string::npos);
  EXPECT_NE(md.find("| bought_together | co-purchase counts | 12.25 |"), std::string::npos);
  for (const std::string& name : {std::string("popular"), std::string("bought_together"), kOddName})
    EXPECT_NE(md.find("| " + name + " |"), std::string::npos) << name;
  EXPECT_NE(md.find("## Basket completion"), std::string::npos);
  EXPECT_NE(md.find("## Next order"), std::string::npos);
  EXPECT_EQ(occurrences(md, "### K = "), 6u);  // three cut-offs for each of two tasks
  EXPECT_NE(md.find("| model | hit_rate | ndcg | mrr | coverage | popularity pct |"), std::string::npos);
  // Known metrics keep their fixed order, not nlohmann's alphabetical one.
  EXPECT_NE(md.find("| model | recall | ndcg | recall_repeat | recall_new |"), std::string::npos);
  EXPECT_NE(md.find("do not overlap"), std::string::npos);
}

TEST(ReportMarkdown, FormatsIntervalsWithFourDecimalsAndBoldsTheBest) {
  const std::string md = report_markdown(sample_report());
  const std::string popular = md_row(md, "Basket completion", "5", "popular");
  const std::string best = md_row(md, "Basket completion", "5", "bought_together");
  ASSERT_FALSE(popular.empty());
  ASSERT_FALSE(best.empty());
  // popular hit_rate@5 = 0.03 [0.02, 0.04], not the best: plain. Coverage 0.003 shows as 0.3%.
  EXPECT_EQ(popular.find("| popular | 0.0300 [0.0200, 0.0400] |"), 0u) << popular;
  EXPECT_NE(popular.find("| 0.3% | 87.0 |"), std::string::npos) << popular;
  EXPECT_EQ(popular.find("**"), std::string::npos) << popular;
  EXPECT_EQ(best.find("| bought_together | **0.1200 [0.1100, 0.1300]** | **0.0600 [0.0500, 0.0700]** |"), 0u) << best;
  // Coverage and popularity are descriptive, never bold.
  EXPECT_NE(best.find("| 1.2% | 78.0 |"), std::string::npos) << best;
  // On next order "popular" wins instead.
  EXPECT_NE(md_row(md, "Next order", "10", "popular").find("| **0.3000 [0.2900, 0.3100]** |"), std::string::npos);
  EXPECT_EQ(md_row(md, "Next order", "10", "bought_together").find("**"), std::string::npos);
}

TEST(ReportMarkdown, BoldsEveryModelTiedForBest) {
  json r = sample_report();
  auto& results = r["tasks"]["basket_completion"]["results"];
  results[0]["metrics"]["hit_rate"]["5"] = ci(0.12, 0.1, 0.14);
  const std::string md = report_markdown(r);
  EXPECT_NE(md_row(md, "Basket completion", "5", "popular").find("**0.1200 [0.1000, 0.1400]**"), std::string::npos);
  EXPECT_NE(md_row(md, "Basket completion", "5", "bought_together").find("**0.1200 [0.1100, 0.1300]**"),
            std::string::npos);
}

TEST(ReportMarkdown, RendersWithoutNextOrderAndWithEmptyTasks) {
  json r = sample_report();
  r["tasks"].erase("next_order");
  std::string md = report_markdown(r);
  EXPECT_NE(md.find("## Basket completion"), std::string::npos);
  EXPECT_EQ(md.find("## Next order"), std::string::npos);

  r["tasks"]["basket_completion"]["cases"] = 0;
  r["tasks"]["basket_completion"]["results"] = json::array();
  md = report_markdown(r);
  EXPECT_NE(md.find("No cases"), std::string::npos);
  EXPECT_EQ(md.find("### K = "), std::string::npos);
}

TEST(ReportMarkdown, MissingValuesShowADash) {
  json r = sample_report();
  r["tasks"]["basket_completion"]["results"][0]["metrics"]["hit_rate"].erase("5");
  r["tasks"]["basket_completion"]["results"][0].erase("coverage");
  const std::string row = md_row(report_markdown(r), "Basket completion", "5", "popular");
  EXPECT_EQ(row.find("| popular | – |"), 0u) << row;
  EXPECT_NE(row.find("| – | 87.0 |"), std::string::npos) << row;
}

TEST(ReportMarkdown, WithoutAKListTakesTheCutOffsFromTheResultsInNumericOrder) {
  json r = sample_report();
  r.erase("k");
  const std::string md = report_markdown(r);
  const auto k5 = md.find("### K = 5\n"), k10 = md.find("### K = 10\n"), k20 = md.find("### K = 20\n");
  ASSERT_NE(k5, std::string::npos);
  ASSERT_NE(k10, std::string::npos);
  ASSERT_NE(k20, std::string::npos);
  EXPECT_LT(k5, k10);
  EXPECT_LT(k10, k20);
}

TEST(ReportMarkdown, RejectsANonObject) { EXPECT_THROW(report_markdown(json::array()), Error); }

TEST(ReportHtml, IsSelfContainedWithOneSvgPerChart) {
  const std::string html = report_html(sample_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // basket: hit_rate and ndcg lines; next order: recall and ndcg lines, repeat vs new bars; coverage.
  EXPECT_EQ(occurrences(html, "<svg"), 6u);
  EXPECT_EQ(occurrences(html, "</svg>"), 6u);
  EXPECT_EQ(occurrences(html, "http"), occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("recall@10 on repeat vs new items"), std::string::npos);
  EXPECT_NE(html.find("Catalogue coverage@10"), std::string::npos);
  EXPECT_NE(html.find("<strong>0.1200"), std::string::npos);
}

TEST(ReportHtml, NamesEveryModelAndEscapesText) {
  const std::string html = report_html(sample_report());
  EXPECT_NE(html.find(">popular<"), std::string::npos);
  EXPECT_NE(html.find(">bought_together<"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;&amp;&quot;x"), std::string::npos);
  EXPECT_EQ(html.find(kOddName), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
}

TEST(ReportHtml, RendersWithoutNextOrder) {
  json r = sample_report();
  r["tasks"].erase("next_order");
  const std::string html = report_html(r);
  EXPECT_EQ(occurrences(html, "<svg"), 3u);  // hit_rate and ndcg lines, coverage
  EXPECT_EQ(html.find("Next order"), std::string::npos);
  EXPECT_EQ(html.find("repeat vs new"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(ReportHtml, RendersAReportWithoutTasks) {
  json r = sample_report();
  r.erase("tasks");
  const std::string html = report_html(r);
  EXPECT_EQ(occurrences(html, "<svg"), 0u);
  EXPECT_NE(html.find("bought_together"), std::string::npos);
}

// The sweep of `cobuy eval --sweep`: three grid points, chosen not listed first, one odd value to escape.
json sweep_report() {
  json r = sample_report();
  r["sweep"] = {
      {"validation",
       {{"split", "time:2011-08-10T00:00:00Z (latest 10% of the training part)"},
        {"train_orders", 11000},
        {"validation_orders", 1300},
        {"cases", 500}}},
      {"metric", "basket_completion ndcg@10"},
      {"results",
       {{{"params", {{"ease.lambda", 2}, {"blend.cooccurrence", 0.1}}}, {"ndcg@10", 0.2312}},
        {{"params", {{"ease.lambda", 5}, {"blend.cooccurrence", 0.25}}}, {"ndcg@10", 0.2451}},
        {{"params", {{"ease.lambda", 10}, {"blend.cooccurrence", kOddName}}}, {"ndcg@10", 0.2399}}}},
      {"chosen", {{"ease.lambda", 5}, {"blend.cooccurrence", 0.25}}}};
  return r;
}

TEST(ReportSweep, MarkdownHasTheSectionAfterModelsWithRowsBestFirstAndTheChosenRowBold) {
  const std::string md = report_markdown(sweep_report());
  const auto models = md.find("## Models"), sweep = md.find("## Config sweep"), task = md.find("## Basket completion");
  ASSERT_NE(sweep, std::string::npos);
  EXPECT_LT(models, sweep);
  EXPECT_LT(sweep, task);
  EXPECT_NE(md.find("chosen on a validation part carved from the training part only (split \"time:2011-08-10T00:00:00Z "
                    "(latest 10% of the training part)\", 11,000 training orders, 1,300 validation orders, 500 cases)"),
            std::string::npos)
      << md;
  // One column per parameter (alphabetical, as nlohmann keeps them) plus the metric.
  const auto header = md.find("| blend.cooccurrence | ease.lambda | ndcg@10 |\n| ---: | ---: | ---: |\n", sweep);
  ASSERT_NE(header, std::string::npos) << md;
  const auto best = md.find("| **0.25** | **5** | **0.2451** |", header);
  const auto second = md.find("| " + kOddName + " | 10 | 0.2399 |", header);
  const auto third = md.find("| 0.1 | 2 | 0.2312 |", header);
  ASSERT_NE(best, std::string::npos) << md;
  ASSERT_NE(second, std::string::npos) << md;
  ASSERT_NE(third, std::string::npos) << md;
  EXPECT_LT(best, second);
  EXPECT_LT(second, third);
  EXPECT_EQ(occurrences(md.substr(sweep, task - sweep), "**"), 6u);  // only the chosen row is bold
  EXPECT_NE(md.find("\nChosen: blend.cooccurrence = 0.25, ease.lambda = 5 (written to chosen_config.json)\n", third),
            std::string::npos)
      << md;
}

TEST(ReportSweep, HtmlHasTheSectionWithTheChosenRowBoldAndEscapesText) {
  const std::string html = report_html(sweep_report());
  const auto sweep = html.find("<h2>Config sweep</h2>");
  ASSERT_NE(sweep, std::string::npos);
  EXPECT_LT(html.find("<h2>Models</h2>"), sweep);
  EXPECT_LT(sweep, html.find("<h2>Basket completion</h2>"));
  EXPECT_NE(html.find("(split &quot;time:2011-08-10T00:00:00Z (latest 10% of the training part)&quot;, 11,000 training "
                      "orders, 1,300 validation orders, 500 cases)"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td class=\"num best\"><strong>0.25</strong></td><td class=\"num best\"><strong>5</strong>"
                      "</td><td class=\"num best\"><strong>0.2451</strong></td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<tr><td class=\"num\">0.1</td><td class=\"num\">2</td><td class=\"num\">0.2312</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<p>Chosen: blend.cooccurrence = 0.25, ease.lambda = 5 (written to chosen_config.json)</p>"),
            std::string::npos);
  EXPECT_EQ(html.find(kOddName), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;&amp;&quot;x</td><td class=\"num\">10</td>"), std::string::npos);
}

TEST(ReportSweep, WithoutASweepThereIsNoSection) {
  const json r = sample_report();
  EXPECT_EQ(report_markdown(r).find("Config sweep"), std::string::npos);
  EXPECT_EQ(report_markdown(r).find("Chosen:"), std::string::npos);
  EXPECT_EQ(report_html(r).find("Config sweep"), std::string::npos);
  EXPECT_EQ(report_html(r).find("chosen_config.json"), std::string::npos);
}

TEST(ReportSweep, MissingFieldsShowADash) {
  json r = sample_report();
  r["sweep"] = {{"results", {{{"params", {{"ease.lambda", 2}}}}}}};
  const std::string md = report_markdown(r);
  EXPECT_NE(md.find("## Config sweep"), std::string::npos);
  EXPECT_NE(md.find("(split \"–\", – training orders, – validation orders, – cases), by –;"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 2 | – |"), std::string::npos) << md;
  EXPECT_EQ(md.find("Chosen:"), std::string::npos);
  EXPECT_NE(report_html(r).find("<h2>Config sweep</h2>"), std::string::npos);
}

class WriteReportTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fs::temp_directory_path() / ("cobuy-eval-report-test-" + std::to_string(::getpid())); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

using ::cobuy::test::slurp;

TEST_F(WriteReportTest, WritesThreeFilesAndTheJsonReadsBack) {
  const json report = sample_report();
  const fs::path out = dir_ / "nested" / "report";
  write_report(report, out.string());
  EXPECT_EQ(json::parse(slurp(out / "report.json")), report);
  EXPECT_NE(slurp(out / "report.json").find("\n  \"created_at\""), std::string::npos);  // 2-space indent
  EXPECT_EQ(slurp(out / "report.md"), report_markdown(report));
  EXPECT_EQ(slurp(out / "report.html"), report_html(report));
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(out)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 3u);  // no temporary files left behind

  write_report(report, out.string());  // overwriting works too
  EXPECT_EQ(json::parse(slurp(out / "report.json")), report);
}

TEST_F(WriteReportTest, AnUnwritablePathThrowsAnIoError) {
  fs::create_directories(dir_);
  const fs::path file = dir_ / "a-file";
  std::ofstream(file) << "x";
  try {
    write_report(sample_report(), (file / "report").string());
    FAIL() << "expected cobuy::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find((file / "report").string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cobuy

namespace cobuy {
namespace {

TEST(ReportPaired, ShowsSignedDifferencesAndBoldsThoseThatExcludeZero) {
  json r = sample_report();
  r["tasks"]["basket_completion"]["paired"] = {
      {"reference", "cobuy"},
      {"k", 10},
      {"rows",
       {{{"model", "popular"}, {"metrics", {{"hit_rate", ci(0.05, 0.04, 0.06)}, {"ndcg", ci(0.002, -0.001, 0.005)}}}}}}};
  const std::string md = report_markdown(r);
  EXPECT_NE(md.find("### cobuy minus each model at K = 10 (paired bootstrap"), std::string::npos) << md;
  EXPECT_NE(md.find("**+0.0500 [+0.0400, +0.0600]**"), std::string::npos) << "excludes 0: bold";
  EXPECT_NE(md.find("| +0.0020 [-0.0010, +0.0050] |"), std::string::npos) << "includes 0: plain";
  const std::string html = report_html(r);
  EXPECT_NE(html.find("cobuy minus each model at K = 10"), std::string::npos);
  // What the embeddings add, when the report has it, is its own table under its own heading.
  r["tasks"]["basket_completion"]["embeddings_added"] = {
      {"k", 10},
      {"rows",
       {{{"model", "cobuy minus cobuy without embeddings"}, {"metrics", {{"ndcg", ci(-0.003, -0.005, -0.001)}}}}}}};
  const std::string with_added = report_markdown(r);
  EXPECT_NE(with_added.find("### What the embeddings add at K = 10"), std::string::npos) << with_added;
  EXPECT_NE(with_added.find("| cobuy minus cobuy without embeddings |"), std::string::npos) << with_added;
  EXPECT_NE(with_added.find("**-0.0030 [-0.0050, -0.0010]**"), std::string::npos) << with_added;
  EXPECT_NE(report_html(r).find("What the embeddings add at K = 10"), std::string::npos);
  EXPECT_EQ(md.find("What the embeddings add"), std::string::npos);
  // Without "paired" there is no such section.
  EXPECT_EQ(report_markdown(sample_report()).find("minus each model"), std::string::npos);
}

}  // namespace
}  // namespace cobuy
