#include "core/ingest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/log.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::error);
    dir_ = fs::temp_directory_path() / ("cobuy-ingest-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    log::set_level(log::Level::info);
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string error_of(const std::vector<std::string>& paths, const IngestOptions& o = {}) {
    try {
      load_orders(paths, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  fs::path dir_;
};

TEST_F(IngestTest, GenericSchemaBuildsBasketsAndSummary) {
  const auto p = write("orders.csv",
                       "order_id,item_id,customer_id,timestamp,quantity,price,title,category\n"
                       "o2,b,c1,2011-01-02,1,2.0,\"Bee, large\",toys\n"
                       "o1,a,c1,2011-01-01,2,1.5,Ay,\n"
                       "o1,b,c1,2011-01-01,1,2.5,,\n"
                       "o1,a,c1,2011-01-01,1,1.5,Ay,\n"
                       "o3,c,,2011-01-03,1,1.0,Cee,\n");
  IngestSummary s;
  auto data = load_orders({p}, {}, &s);
  EXPECT_EQ(s.rows_read, 5u);
  EXPECT_EQ(s.rows_kept, 5u);
  EXPECT_EQ(s.rows_without_customer, 1u);
  EXPECT_EQ(s.orders, 3u);
  EXPECT_EQ(s.items, 3u);
  EXPECT_EQ(s.customers, 1u);
  ASSERT_EQ(data.orders.size(), 3u);
  EXPECT_EQ(data.orders[0].id, "o1") << "orders are sorted by time";
  ASSERT_EQ(data.orders[0].lines.size(), 2u) << "repeated item lines merge";
  EXPECT_FLOAT_EQ(data.orders[0].lines[0].quantity, 3.0f);
  EXPECT_EQ(data.orders[2].customer, kNoCustomer) << "a basket without a customer is kept";
  const auto b = *data.catalog.find("b");
  EXPECT_EQ(data.catalog.titles[b], "Bee, large");
  EXPECT_EQ(data.catalog.categories[b], "toys");
  EXPECT_FLOAT_EQ(data.catalog.prices[b], 2.5f) << "the last seen price";
}

TEST_F(IngestTest, CleaningRulesCountEachReason) {
  const auto p = write("orders.csv",
                       "order_id,item_id,quantity,price\n"
                       "1,a,1,1\n"
                       "1,a,1,1\n"        // duplicate_line
                       "2,b,0,1\n"        // non_positive_quantity
                       "2,c,-3,1\n"       // non_positive_quantity
                       "3,d,1,0\n"        // non_positive_price
                       "C4,e,1,1\n"       // cancellation
                       "5,POST,1,1\n"     // non_product_code
                       "5,DCGS01,1,1\n"   // non_product_code (prefix)
                       ",f,1,1\n"         // missing_order_id
                       "6,,1,1\n"         // missing_item_id
                       "7,g,1,1\n");
  IngestOptions o;
  o.cancellation_prefixes = {"C"};
  o.non_product_codes = {"POST", "DCGS*"};
  IngestSummary s;
  auto data = load_orders({p}, o, &s);
  EXPECT_EQ(s.rows_read, 11u);
  EXPECT_EQ(s.rows_kept, 2u);
  EXPECT_EQ(s.dropped["duplicate_line"], 1u);
  EXPECT_EQ(s.dropped["non_positive_quantity"], 2u);
  EXPECT_EQ(s.dropped["non_positive_price"], 1u);
  EXPECT_EQ(s.dropped["cancellation"], 1u);
  EXPECT_EQ(s.dropped["non_product_code"], 2u);
  EXPECT_EQ(s.dropped["missing_order_id"], 1u);
  EXPECT_EQ(s.dropped["missing_item_id"], 1u);
  EXPECT_EQ(data.orders.size(), 2u);
}

TEST_F(IngestTest, BadRowsNameFileLineAndReason) {
  std::string text = "order_id,item_id,timestamp,quantity\n";
  for (int k = 0; k < 200; ++k) text += "o" + std::to_string(k) + ",i,2011-01-01,1\n";
  text += "x,i,2011-02-30,1\n";   // line 202: bad date
  text += "y,i,2011-01-01,abc\n"; // line 203: bad number
  text += "z,i\n";                // line 204: short row
  const auto p = write("orders.csv", text);
  IngestSummary s;
  load_orders({p}, {}, &s);
  EXPECT_EQ(s.dropped["malformed"], 3u);
  ASSERT_EQ(s.bad_row_examples.size(), 3u);
  EXPECT_EQ(s.bad_row_examples[0], p + ":202: bad timestamp '2011-02-30'");
  EXPECT_EQ(s.bad_row_examples[1], p + ":203: bad quantity 'abc'");
  EXPECT_EQ(s.bad_row_examples[2], p + ":204: short row: 2 fields, the header has 4");
}

TEST_F(IngestTest, TooManyBadRowsFailTheRun) {
  const auto p = write("orders.csv", "order_id,item_id,quantity\n1,a,1\n2,b,x\n3,c,y\n4,d,1\n");
  IngestOptions o;
  o.max_bad_row_share = 0.25;
  const auto msg = error_of({p}, o);
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":3: bad quantity 'x'"), std::string::npos) << msg;
  o.max_bad_row_share = 0.5;
  EXPECT_EQ(error_of({p}, o), "no error");
}

TEST_F(IngestTest, ColumnMappingAndMissingColumns) {
  const auto p = write("shop.csv", "Invoice;X,Sku,Buyer\n1,a,u1\n1,b,u1\n");
  IngestOptions o;
  o.columns = {{"order_id", "Invoice;X"}, {"item_id", "Sku"}, {"customer_id", "Buyer"}};
  IngestSummary s;
  auto data = load_orders({p}, o, &s);
  EXPECT_EQ(s.orders, 1u);
  EXPECT_EQ(data.customer_ids, (std::vector<std::string>{"u1"}));

  const auto missing = error_of({p});
  EXPECT_NE(missing.find("order_id"), std::string::npos) << missing;
  EXPECT_NE(missing.find(p), std::string::npos) << missing;

  IngestOptions bad_key;
  bad_key.columns = {{"sku", "Sku"}};
  EXPECT_NE(error_of({p}, bad_key).find("unknown column key 'sku'"), std::string::npos);

  IngestOptions mapped_missing = o;
  mapped_missing.columns["price"] = "Cost";
  EXPECT_NE(error_of({p}, mapped_missing).find("Cost"), std::string::npos);
}

TEST_F(IngestTest, UnreadableAndEmptyFiles) {
  EXPECT_NE(error_of({(dir_ / "absent.csv").string()}).find("absent.csv"), std::string::npos);
  const auto empty = write("empty.csv", "");
  EXPECT_NE(error_of({empty}).find("empty"), std::string::npos);
  EXPECT_THROW(parse_order_format("excel"), Error);
}

TEST_F(IngestTest, SeveralFilesMergeIntoOneHistory) {
  const auto a = write("a.csv", "order_id,item_id\n1,x\n");
  const auto b = write("b.csv", "order_id,item_id\n1,y\n2,x\n");
  IngestSummary s;
  auto data = load_orders({a, b}, {}, &s);
  EXPECT_EQ(s.orders, 2u);
  EXPECT_EQ(data.orders[0].lines.size(), 2u) << "order 1 continues in the second file";
}

// Expected numbers computed independently by tests/tools/online_retail_counts.py (Python csv +
// gzip, the same rules written separately) on ../shared/datasets/online-retail/online_retail.csv.gz.
TEST_F(IngestTest, OnlineRetailCleaningCounts) {
  const std::string path = std::string(COBUY_SHARED_DATASETS) + "/online-retail/online_retail.csv.gz";
  if (!fs::exists(path)) GTEST_SKIP() << "../shared/datasets/online-retail is absent";
  IngestOptions o;
  o.format = OrderFormat::online_retail;
  IngestSummary s;
  auto data = load_orders({path}, o, &s);
  EXPECT_EQ(s.rows_read, 541909u);
  EXPECT_EQ(s.rows_kept, 522504u);
  EXPECT_EQ(s.rows_without_customer, 131354u);
  EXPECT_EQ(s.orders, 19773u);
  EXPECT_EQ(s.items, 3900u);
  EXPECT_EQ(s.customers, 4334u);
  EXPECT_EQ(s.dropped["cancellation"], 9288u);
  EXPECT_EQ(s.dropped["duplicate_line"], 5221u);
  EXPECT_EQ(s.dropped["non_positive_price"], 1161u);
  EXPECT_EQ(s.dropped["non_positive_quantity"], 1324u);
  EXPECT_EQ(s.dropped["non_product_code"], 2411u);
  EXPECT_EQ(s.dropped.count("malformed"), 0u);
  const auto teacup = data.catalog.find("22697");
  ASSERT_TRUE(teacup);
  EXPECT_EQ(data.catalog.titles[*teacup], "GREEN REGENCY TEACUP AND SAUCER");
  for (std::size_t k = 1; k < data.orders.size(); ++k) ASSERT_LE(data.orders[k - 1].time, data.orders[k].time);
}

TEST_F(IngestTest, InstacartTitlesAndCategories) {
  const std::string path = std::string(COBUY_SHARED_DATASETS) + "/instacart-train/order_products__train.csv.gz";
  if (!fs::exists(path)) GTEST_SKIP() << "../shared/datasets/instacart-train is absent";
  IngestOptions o;
  o.format = OrderFormat::instacart;
  IngestSummary s;
  auto data = load_orders({path}, o, &s);
  EXPECT_EQ(s.rows_read, 1384617u);
  EXPECT_EQ(s.orders, 131209u);
  EXPECT_EQ(s.items, 39123u);
  const auto yogurt = data.catalog.find("49302");
  ASSERT_TRUE(yogurt);
  EXPECT_EQ(data.catalog.titles[*yogurt], "Bulgarian Yogurt");
  EXPECT_EQ(data.catalog.categories[*yogurt], "dairy eggs/yogurt");
}

}  // namespace
}  // namespace cobuy
