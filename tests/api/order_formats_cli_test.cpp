// `cobuy train` and `cobuy eval` on order files as shops export them: --date-order and
// --delimiter parsed, bad values refused at parse time, the bundled example files trained, and
// the example catalogue's own columns carried into offers an email can render as they are.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_cobuy.h"

namespace {
namespace fs = std::filesystem;
using cobuy::testing::run_cobuy;

class OrderFormatsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-order-formats-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string train(const std::string& orders, const std::string& flags = "") const {
    return "train --orders " + orders + " --out " + (dir_ / "model").string() + " " + flags;
  }
  fs::path dir_;
};

TEST_F(OrderFormatsCliTest, TheBundledExampleFilesTrainWithoutFlags) {
  for (const char* name : {"example_orders.csv", "example_orders_eu.csv"}) {
    const auto r = run_cobuy(train(std::string(COBUY_BUNDLED_DATASETS) + "/" + name));
    ASSERT_EQ(r.status, 0) << name << ": " << r.output;
    EXPECT_NE(r.output.find("rows kept     39"), std::string::npos) << name << ": " << r.output;
    EXPECT_NE(r.output.find("orders        16"), std::string::npos) << name << ": " << r.output;
    EXPECT_TRUE(fs::exists(dir_ / "model" / "manifest.json")) << name;
  }
}

// One offers answer holds all an email shows: title, image, link, price, currency, the price after
// the discount, the coupon code, and the title of the item a cross-sell is "because you bought".
TEST_F(OrderFormatsCliTest, TheExampleCatalogueMakesOffersAnEmailCanRender) {
  const std::string data = COBUY_BUNDLED_DATASETS;
  auto r = run_cobuy(train(data + "/example_orders.csv", "--catalog " + data + "/example_catalog.csv"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("item fields   image_url, url, brand, currency"), std::string::npos) << r.output;
  const auto customers = write("customers.txt", "c01\nc02\nc03\nc04\nc05\nc06\n");
  const auto policy = write("policy.json", R"({"coupon_template": "TEA{percent}-{offer_id}"})");
  const auto out = (dir_ / "offers.jsonl").string();
  const std::map<std::string, std::string> titles = {
      {"T-100", "Assam tea, loose 250g"}, {"T-101", "Earl Grey, loose 250g"}, {"T-102", "Green sencha 100g"},
      {"C-200", "Glass teapot 1l"},       {"C-201", "Cup & saucer"},          {"F-300", "Paper tea filters (100)"},
      {"F-301", "Tea strainer"},          {"S-400", "Heather honey 340g"},    {"S-401", "Shortbread biscuits"}};
  std::size_t offers = 0, discounted = 0, cross_sells = 0;
  for (const char* context : {"win_back", "shipping"}) {
    r = run_cobuy("offers --model " + (dir_ / "model").string() + " --customers " + customers + " --context " + context +
                  " --at 2024-09-01 --policy " + policy + " --out " + out);
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream in(out);
    for (std::string line; std::getline(in, line);) {
      const auto answer = nlohmann::json::parse(line);
      for (const auto& o : answer["offers"]) {
        ++offers;
        const std::string id = o["item_id"];
        SCOPED_TRACE(std::string(context) + " " + id);
        EXPECT_EQ(o["title"], titles.at(id));
        EXPECT_EQ(o["fields"]["image_url"], "https://shop.example/img/" + std::string(1, static_cast<char>(std::tolower(id[0]))) + id.substr(1) + ".jpg");
        EXPECT_TRUE(o["fields"]["url"].get<std::string>().starts_with("https://shop.example/p/"));
        EXPECT_EQ(o["currency"], "EUR");
        EXPECT_TRUE(o["price"].is_number());
        if (o.contains("discount_percent")) {
          ++discounted;
          const double price = o["price"], percent = o["discount_percent"];
          EXPECT_NEAR(o["discounted_price"].get<double>(), std::round(price * (100 - percent)) / 100, 1e-9);
          EXPECT_EQ(o["coupon_code"], "TEA" + std::to_string(static_cast<int>(percent)) + "-" + o["offer_id"].get<std::string>());
        } else {
          EXPECT_FALSE(o.contains("discounted_price"));
          EXPECT_FALSE(o.contains("coupon_code"));
        }
        if (o["relation"] == "complement" || o["kind"] == "new_arrival") {
          cross_sells += o["relation"] == "complement" ? 1 : 0;
          EXPECT_EQ(o["reason_title"], titles.at(o["reason"]));
        } else {
          EXPECT_FALSE(o.contains("reason_title"));
        }
      }
    }
  }
  EXPECT_GT(offers, 20u);
  EXPECT_GT(discounted, 5u);
  EXPECT_GT(cross_sells, 5u);
}

// Catalogue items no order holds are kept (format 1.9) and offered as new arrivals to the
// customers who bought look-alikes: the oolong tea to tea buyers; the small teapot, out of stock,
// to no one.
TEST_F(OrderFormatsCliTest, NeverOrderedCatalogueItemsAreOfferedAsNewArrivals) {
  const std::string data = COBUY_BUNDLED_DATASETS;
  std::ifstream in(data + "/example_catalog.csv");
  std::stringstream catalog;
  catalog << in.rdbuf();
  catalog << "T-103,\"Oolong tea, loose 250g\",tea,8.20,1,https://shop.example/img/t-103.jpg,https://shop.example/p/oolong,Leaf & Co,EUR\n"
          << "C-202,Glass teapot 0.5l,teaware,18.00,0,https://shop.example/img/c-202.jpg,https://shop.example/p/small-teapot,Clearbrew,EUR\n";
  const auto catalog_path = write("catalog.csv", catalog.str());
  auto r = run_cobuy(train(data + "/example_orders.csv", "--catalog " + catalog_path));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("new items     2"), std::string::npos) << r.output;
  std::ifstream manifest_in(dir_ / "model" / "manifest.json");
  const auto manifest = nlohmann::json::parse(manifest_in);
  EXPECT_EQ(manifest["format_version"], "1.9");
  EXPECT_EQ(manifest["counts"]["items_without_orders"], 2);
  const auto customers = write("customers.txt", "c01\nc02\nc03\nc04\nc05\nc06\n");
  const auto out = (dir_ / "offers.jsonl").string();
  // Only never-ordered items are new here (every item of this small shop has fewer than the
  // default 5 orders), and no category cap, so the oolong's place depends on its score alone.
  const auto policy = write("policy.json", R"({"new_arrivals": {"min_orders": 1}, "rules": {"max_per_category": 0}})");
  std::set<std::string> got_oolong;
  std::size_t arrivals = 0;
  // The items each customer bought (the reason of a new arrival is one of them).
  const auto titles_bought = [&](const std::string& customer) {
    std::set<std::string> items;
    std::ifstream orders(data + "/example_orders.csv");
    for (std::string row; std::getline(orders, row);) {
      const auto first = row.find(','), second = row.find(',', first + 1), third = row.find(',', second + 1);
      if (second != std::string::npos && row.substr(second + 1, third - second - 1) == customer) {
        items.insert(row.substr(first + 1, second - first - 1));
      }
    }
    return items;
  };
  for (const char* context : {"order_confirmation", "shipping", "delivered"}) {
    r = run_cobuy("offers --model " + (dir_ / "model").string() + " --customers " + customers + " --context " + context +
                  " --limit 5 --policy " + policy + " --out " + out);
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream offers_in(out);
    for (std::string line; std::getline(offers_in, line);) {
      const auto answer = nlohmann::json::parse(line);
      std::size_t in_list = 0;
      for (const auto& o : answer["offers"]) {
        EXPECT_NE(o["item_id"], "C-202") << "out of stock: " << line;
        if (o["kind"] != "new_arrival") continue;
        ++in_list;
        ++arrivals;
        EXPECT_EQ(o["relation"], "substitute");
        EXPECT_TRUE(o.contains("reason_title")) << line;
        if (o["item_id"] == "T-103") {
          got_oolong.insert(answer["customer_id"].get<std::string>());
          EXPECT_EQ(o["title"], "Oolong tea, loose 250g");
          EXPECT_EQ(o["fields"]["url"], "https://shop.example/p/oolong");
          EXPECT_TRUE(titles_bought(answer["customer_id"]).count(o["reason"])) << line;
          if (answer["customer_id"] == "c01") {
            EXPECT_EQ(o["reason"], "T-100") << "closest: the Assam tea, loose 250g";
          }
        }
      }
      EXPECT_LE(in_list, 1u) << "floor(0.2 x 5) = 1 place: " << line;
    }
  }
  EXPECT_GT(arrivals, 0u);
  EXPECT_TRUE(got_oolong.count("c01")) << "c01 bought the Assam tea, loose 250g";
}

TEST_F(OrderFormatsCliTest, AmbiguousDatesFailTheRunUntilTheOrderIsGiven) {
  std::string text = "order_id;item_id;timestamp;price\n";
  for (int k = 1; k <= 6; ++k) {
    text += "o" + std::to_string(k) + ";tea;0" + std::to_string(k) + "/02/2024 10:00 +0100;2,5\n";
    text += "o" + std::to_string(k) + ";cup;0" + std::to_string(k) + "/02/2024 10:00 +0100;3\n";
  }
  const auto p = write("orders.csv", text);
  auto r = run_cobuy(train(p));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find(p + ":2: ambiguous date '01/02/2024 10:00 +0100'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pass --date-order dmy (day first) or --date-order mdy (month first)"), std::string::npos)
      << r.output;
  for (const char* flags :
       {"--date-order dmy", "--date-order mdy --delimiter ';'", "--date-order dmy --delimiter semicolon"}) {
    r = run_cobuy(train(p, flags));
    EXPECT_EQ(r.status, 0) << flags << ": " << r.output;
    EXPECT_NE(r.output.find("rows kept     12"), std::string::npos) << flags << ": " << r.output;
  }
}

TEST_F(OrderFormatsCliTest, TabFileWithTheFlagAndDetected) {
  const auto p = write("orders.tsv", "order_id\titem_id\ttimestamp\no1\ttea\t2024-01-01\no1\tcup\t2024-01-01\n"
                                     "o2\ttea\t2024-01-02\no2\tcup\t2024-01-02\n");
  for (const char* flags : {"", "--delimiter tab"}) {
    const auto r = run_cobuy(train(p, flags));
    EXPECT_EQ(r.status, 0) << flags << ": " << r.output;
    EXPECT_NE(r.output.find("rows kept     4"), std::string::npos) << flags << ": " << r.output;
  }
  const auto r = run_cobuy(train(p, "--delimiter ,"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("the header is one column"), std::string::npos) << r.output;
}

TEST_F(OrderFormatsCliTest, BadValuesAreRefusedWithTheirReason) {
  const std::string orders = std::string(COBUY_BUNDLED_DATASETS) + "/example_orders.csv";
  for (const char* command : {"train", "eval"}) {
    const std::string base = std::string(command) + " --orders " + orders + " --out " + (dir_ / "out").string() +
                             (std::string(command) == "eval" ? " --split last-basket" : "");
    auto r = run_cobuy(base + " --date-order 'ymd?'");
    EXPECT_NE(r.status, 0) << command;
    EXPECT_NE(r.output.find("--date-order: unknown date order 'ymd?' (expected dmy for day first, mdy for month "
                            "first, or auto)"),
              std::string::npos)
        << command << ": " << r.output;
    r = run_cobuy(base + " --delimiter xx");
    EXPECT_NE(r.status, 0) << command;
    EXPECT_NE(r.output.find("--delimiter: unknown delimiter 'xx'"), std::string::npos) << command << ": " << r.output;
    EXPECT_FALSE(fs::exists(dir_ / "out")) << command << ": nothing runs on a bad flag";
    r = run_cobuy(std::string(command) + " --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.output.find("--date-order"), std::string::npos) << command;
    EXPECT_NE(r.output.find("--delimiter"), std::string::npos) << command;
  }
}

}  // namespace
