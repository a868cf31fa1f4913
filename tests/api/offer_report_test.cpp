// `cobuy report`: the offers section (tables per arm and by context, kind and segment, the uplift
// in words, a chart), the shop report's files, and the command over an order log: its files hold
// the log's figures, and bad flags get one clear line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "api/report/offer_report.h"
#include "api/report/shop_report.h"
#include "api/store/order_store.h"
#include "support/run_cobuy.h"
#include "support/slurp.h"
#include "support/days.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::kDay;

/// 4 cobuy sends (2 converted) and 4 holdout sends (none converted), one customer each.
OfferStats example_stats() {
  std::vector<SendRecord> sends;
  std::vector<PlacedOrder> orders;
  for (int k = 0; k < 8; ++k) {
    const std::string c = "c" + std::to_string(k);
    sends.push_back({"s" + c, c, k % 2 ? "shipping" : "delivered", "loyal", 10 * kDay,
                     k < 4 ? Arm::cobuy : Arm::holdout, {{"of-" + c, "mug", "cross_sell"}}});
    if (k < 2) orders.push_back({"o" + c, c, 11 * kDay, {{"mug", 1, 12.5}}});
  }
  return compute_offer_stats(sends, {}, orders, 7, 0, 100 * kDay);
}

TEST(OfferReport, TheOffersSectionShowsTheArmsTheGroupsAndTheUplift) {
  const ReportSection s = offers_section(example_stats());
  EXPECT_EQ(s.id, "offers");
  EXPECT_EQ(s.data["arms"]["cobuy"]["conversions"], 2);
  EXPECT_DOUBLE_EQ(s.data["arms"]["cobuy"]["revenue"].get<double>(), 25.0);
  for (const std::string part : {"| cobuy |", "| holdout |", "50.00%", "### By context", "### By kind",
                                 "### By segment", "| delivered | cobuy |", "Uplift of cobuy over the holdout",
                                 "conversion rate 50.00 points"}) {
    EXPECT_NE(s.markdown.find(part), std::string::npos) << part << "\n" << s.markdown;
  }
  EXPECT_NE(s.html.find("<svg"), std::string::npos) << "the conversion-rate chart";
  EXPECT_NE(s.html.find("Conversion rate by context"), std::string::npos);
  // Without holdout sends the report says how to get them.
  const ReportSection none = offers_section(compute_offer_stats({}, {}, {}, 7, 0, kDay));
  EXPECT_NE(none.markdown.find("No holdout sends"), std::string::npos) << none.markdown;
}

TEST(OfferReport, TheShopReportHasEachSectionUnderItsId) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-shop-report-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const ReportSection extra{"shop", "Shop figures", json{{"aov", 12.0}}, "AOV 12\n", "<p>AOV 12</p>\n"};
  write_shop_report(dir.string(), "Test report", {offers_section(example_stats()), extra});
  const json j = json::parse(test::slurp((dir / "report.json").string()));
  EXPECT_EQ(j["title"], "Test report");
  EXPECT_EQ(j["sections"], json({"offers", "shop"}));
  EXPECT_EQ(j["shop"]["aov"], 12.0);
  EXPECT_EQ(j["offers"]["arms"]["holdout"]["sends"], 4);
  const std::string md = test::slurp((dir / "report.md").string());
  EXPECT_LT(md.find("## Offers"), md.find("## Shop figures")) << md;
  const std::string html = test::slurp((dir / "report.html").string());
  EXPECT_NE(html.find("<section id=\"shop\">"), std::string::npos);
  fs::remove_all(dir);
}

TEST(OfferReport, TheCommandReportsOnAnOrderLog) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-report-cmd-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "orders.db").string();
  {
    auto store = OrderStore::open(db);
    const std::string answer = R"({"arm":"cobuy","segment":"active","offers":[{"item_id":"mug","offer_id":"o1",)"
                               R"("kind":"cross_sell"}]})";
    store->record_send({"s1", "c1", "delivered", 10 * kDay, answer, ""}, {{"mug", "o1"}});
    store->record_order({"x1", "c1", 12 * kDay, {{"mug", 2, 3.0}}});
    store->record_event({"s1", "o1", OfferEventType::clicked, 11 * kDay, ""});
  }
  const std::string out = (dir / "report").string();
  auto run = testing::run_cobuy("report --orders-db " + db + " --out " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  const json j = json::parse(test::slurp(out + "/report.json"));
  EXPECT_EQ(j["offers"]["arms"]["cobuy"]["sends"], 1);
  EXPECT_EQ(j["offers"]["arms"]["cobuy"]["clicks"], 1);
  EXPECT_EQ(j["offers"]["arms"]["cobuy"]["conversions"], 1);
  EXPECT_DOUBLE_EQ(j["offers"]["arms"]["cobuy"]["revenue"].get<double>(), 6.0);
  EXPECT_TRUE(fs::exists(out + "/report.md"));
  EXPECT_TRUE(fs::exists(out + "/report.html"));
  // A policy's attribution window: 1 day misses the order 2 days later.
  const std::string policy = (dir / "policy.json").string();
  std::ofstream(policy) << R"({"attribution_days": 1})";
  run = testing::run_cobuy("report --orders-db " + db + " --policy " + policy + " --out " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(json::parse(test::slurp(out + "/report.json"))["offers"]["arms"]["cobuy"]["conversions"], 0);
  // A range without the send.
  run = testing::run_cobuy("report --orders-db " + db + " --from 1970-02-01 --out " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(json::parse(test::slurp(out + "/report.json"))["offers"]["arms"]["cobuy"]["sends"], 0);

  run = testing::run_cobuy("report --orders-db " + db + " --from someday --out " + out);
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("--from 'someday'"), std::string::npos) << run.output;
  run = testing::run_cobuy("report --orders-db " + db);
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("--out"), std::string::npos) << run.output;
  run = testing::run_cobuy("report --help");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.output.find("uplift"), std::string::npos) << run.output;
  fs::remove_all(dir);
}

TEST(OfferReport, TheCommandReportsTheShopFiguresOfTheLogAloneOrWithAModel) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-report-shop-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "orders.db").string();
  {
    auto store = OrderStore::open(db);
    store->record_order({"x1", "z1", 10 * kDay, {{"mug", 2, 3.0}}});
    store->record_order({"x2", "z1", 14 * kDay, {{"tea", 1, 4.0}}});
    store->record_order({"x3", "z2", 12 * kDay, {{"mug", 1, 3.0}}});
  }
  const std::string out = (dir / "report").string();
  auto run = testing::run_cobuy("report --orders-db " + db + " --out " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  json j = json::parse(test::slurp(out + "/report.json"));
  EXPECT_EQ(j["sections"], json({"offers", "shop"}));
  EXPECT_EQ(j["shop"]["source"], "order log");
  EXPECT_EQ(j["shop"]["customers"], 2);
  EXPECT_EQ(j["shop"]["orders"], 3);
  EXPECT_DOUBLE_EQ(j["shop"]["revenue"].get<double>(), 13.0);
  EXPECT_DOUBLE_EQ(j["shop"]["repeat_purchase_rate"].get<double>(), 0.5);
  const std::string md = test::slurp(out + "/report.md");
  EXPECT_NE(md.find("## Shop figures"), std::string::npos) << md;
  EXPECT_NE(md.find("| repeat-purchase rate | 50.0% |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1970-01 | 3 | 13.00 |"), std::string::npos) << md;
  const std::string html = test::slurp(out + "/report.html");
  EXPECT_NE(html.find("Customers per month: new and returning"), std::string::npos);

  // With a model: its history (the bundled example shop: 6 customers, 14 orders with a customer
  // and a time) joins the log's.
  const std::string data = COBUY_BUNDLED_DATASETS;
  const std::string model = (dir / "model").string();
  run = testing::run_cobuy("train --orders " + data + "/example_orders.csv --out " + model);
  ASSERT_EQ(run.status, 0) << run.output;
  run = testing::run_cobuy("report --orders-db " + db + " --model " + model + " --out " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  j = json::parse(test::slurp(out + "/report.json"));
  EXPECT_EQ(j["shop"]["source"], "model's history and the order log");
  EXPECT_EQ(j["shop"]["customers"], 8);
  EXPECT_EQ(j["shop"]["orders"], 17);
  run = testing::run_cobuy("report --orders-db " + db + " --model " + (dir / "nowhere").string() + " --out " + out);
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("nowhere"), std::string::npos) << run.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
