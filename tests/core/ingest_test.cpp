#include "core/ingest.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "core/error.h"
#include "core/log.h"
#include "core/time_util.h"
#include "ingest_fixture.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

using Counts = std::map<std::string, std::uint64_t>;


TEST_F(IngestTest, GenericSchemaBuildsBasketsCatalogueAndSummary) {
  const auto p = write("orders.csv",
                       "order_id,item_id,customer_id,timestamp,quantity,price,title,category\n"
                       "o2,b,c1,2011-01-02,1,2.0,\"Bee, large\",toys\n"
                       "o1,a,c1,2011-01-01 10:00,2,1.5,Ay,\n"
                       "o1,b,c1,2011-01-01 10:00,1,2.5,,\n"
                       "o1,a,,2011-01-01 10:05,1,1.75,Ay new,food\n"
                       "o3,c,,2011-01-03,1,1.0,Cee,\n");
  IngestSummary s;
  const auto data = load_orders({p}, {}, &s);
  EXPECT_EQ(s.rows_read, 5u);
  EXPECT_EQ(s.rows_kept, 5u);
  EXPECT_EQ(s.dropped, Counts{});
  EXPECT_EQ(s.rows_without_customer, 2u);
  EXPECT_EQ(s.orders, 3u);
  EXPECT_EQ(s.items, 3u);
  EXPECT_EQ(s.customers, 1u);
  ASSERT_EQ(data.orders.size(), 3u);
  EXPECT_EQ(data.orders[0].id, "o1") << "orders are sorted by time";
  EXPECT_EQ(data.orders[1].id, "o2");
  EXPECT_EQ(data.orders[2].id, "o3");
  EXPECT_EQ(data.orders[0].time, *parse_timestamp("2011-01-01 10:00")) << "the time of the first row";
  ASSERT_EQ(data.orders[0].lines.size(), 2u) << "repeated items merge into one line";
  EXPECT_FLOAT_EQ(data.orders[0].lines[0].quantity, 3.0f);
  EXPECT_FLOAT_EQ(data.orders[0].lines[0].price, 1.75f) << "the last price";
  EXPECT_EQ(data.orders[2].customer, kNoCustomer) << "a basket without a customer is kept";
  EXPECT_EQ(data.customer_ids, (std::vector<std::string>{"c1"}));
  const auto a = *data.catalog.find("a"), b = *data.catalog.find("b");
  EXPECT_EQ(data.catalog.titles[a], "Ay new") << "the most recent non-empty title";
  EXPECT_EQ(data.catalog.categories[a], "food");
  EXPECT_EQ(data.catalog.titles[b], "Bee, large");
  EXPECT_EQ(data.catalog.categories[b], "toys");
  EXPECT_FLOAT_EQ(data.catalog.prices[b], 2.5f) << "the last seen price";
}

TEST_F(IngestTest, CleaningRulesCountEachReason) {
  const auto p = write("orders.csv",
                       "order_id,item_id,customer_id,quantity,price\n"
                       "1,a,u,1,1\n"
                       "1,a,u,1,1\n"        // duplicate_line
                       "1,a,u,2,1\n"        // kept: differs in quantity
                       "2,b,u,0,1\n"        // non_positive_quantity
                       "2,c,u,-3,1\n"       // non_positive_quantity
                       "3,d,u,1,0\n"        // non_positive_price
                       "3,d,u,1,-2.5\n"     // non_positive_price
                       "C4,e,u,1,1\n"       // cancellation
                       "C4,e,u,1,1\n"       // cancellation (not a duplicate: dropped rows do not count)
                       "5,POST,u,1,1\n"     // non_product_code
                       "5,DCGS01,u,1,1\n"   // non_product_code (prefix)
                       ",f,u,1,1\n"         // missing_order_id
                       "6,  ,u,1,1\n"       // missing_item_id (blank after trimming)
                       "7,g,u,x,1\n"        // malformed: quantity
                       "7,g,u,1,\"1,5\"\n"  // malformed: price
                       "7,g,u\n"            // malformed: short row
                       "7,g,u,1,1,9\n"      // malformed: long row
                       "7,\"g\"x,u,1,1\n"   // malformed: text after a closing quote
                       " 7 , g ,u,1,\n");   // kept: ids trimmed, no price
  IngestOptions o;
  o.cancellation_prefixes = {"C"};
  o.non_product_codes = {"POST", "DCGS*"};
  o.max_bad_row_share = 0.5;
  IngestSummary s;
  const auto data = load_orders({p}, o, &s);
  EXPECT_EQ(s.rows_read, 19u);
  EXPECT_EQ(s.rows_kept, 3u);
  EXPECT_EQ(s.dropped, (Counts{{"cancellation", 2},
                               {"duplicate_line", 1},
                               {"malformed", 5},
                               {"missing_item_id", 1},
                               {"missing_order_id", 1},
                               {"non_positive_price", 2},
                               {"non_positive_quantity", 2},
                               {"non_product_code", 2}}));
  EXPECT_EQ(s.orders, 2u);
  EXPECT_EQ(lines_of(data, "1"), (std::map<std::string, float>{{"a", 3.0f}}));
  EXPECT_EQ(lines_of(data, "7"), (std::map<std::string, float>{{"g", 1.0f}}));
  EXPECT_TRUE(std::isnan(data.catalog.prices[*data.catalog.find("g")]));
}

TEST_F(IngestTest, GenericFormatHasNoCancellationsOrNonProductCodesByDefault) {
  const auto p = write("orders.csv", "order_id,item_id,quantity\nC1,POST,1\nC1,x,-1\n");
  IngestSummary s;
  load_orders({p}, {}, &s);
  EXPECT_EQ(s.rows_kept, 1u);
  EXPECT_EQ(s.dropped, (Counts{{"non_positive_quantity", 1}}));
}

TEST_F(IngestTest, BadNumbersAndDatesNameFileAndLine) {
  std::string text = "order_id,item_id,timestamp,quantity,price\n";
  for (int k = 0; k < 200; ++k) text += "o" + std::to_string(k) + ",i,2011-01-01,1,1\n";
  text += "x,i,2011-02-30,1,1\n";              // line 202
  text += "y,i,2011-01-01,abc,1\n";            // line 203
  text += "z,i,2011-01-01,1,1.2.3\n";          // line 204
  text += "w,\"two\nlines\",yesterday,1,1\n";  // line 205
  text += "v,i\n";                             // line 207
  text += "u,i,,,\n";                          // line 208: empty values are fine
  const auto p = write("orders.csv", text);
  IngestOptions o;
  o.max_bad_row_examples = 4;
  IngestSummary s;
  std::vector<std::string> logged;
  log::set_level(log::Level::warn);
  log::set_sink([&](const std::string& line) { logged.push_back(line); });
  load_orders({p}, o, &s);
  log::set_sink(nullptr);
  EXPECT_EQ(s.dropped, (Counts{{"malformed", 5}}));
  EXPECT_EQ(s.rows_kept, 201u);
  EXPECT_EQ(s.bad_row_examples,
            (std::vector<std::string>{p + ":202: bad timestamp '2011-02-30'", p + ":203: bad quantity 'abc'",
                                      p + ":204: bad price '1.2.3'", p + ":205: bad timestamp 'yesterday'"}));
  ASSERT_EQ(logged.size(), 4u) << "only the examples are logged";
  EXPECT_NE(logged[0].find("level=warn"), std::string::npos) << logged[0];
  EXPECT_NE(logged[0].find("line=202"), std::string::npos) << logged[0];
}

TEST_F(IngestTest, MalformedShareOverTheLimitFailsTheRun) {
  const auto p = write("orders.csv", "order_id,item_id,quantity\n1,a,1\n2,b,x\n3,c,y\n4,d,1\n");
  IngestOptions o;
  o.max_bad_row_share = 0.25;
  const Error e = error_of({p}, o);
  const std::string msg = e.what();
  EXPECT_EQ(e.code(), ErrorCode::bad_data) << msg;
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 of 4 rows"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(50%)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("limit of 25%"), std::string::npos) << msg;
  EXPECT_NE(msg.find(p + ":3: bad quantity 'x'"), std::string::npos) << "the first example: " << msg;
  o.max_bad_row_share = 0.5;
  EXPECT_STREQ(error_of({p}, o).what(), "no error") << "exactly at the limit is allowed";
}

TEST_F(IngestTest, ShareIsJudgedOnceAHundredRowsAreIn) {
  // A tiny first file with one bad row in two does not fail on its own; the total decides.
  const auto tiny = write("tiny.csv", "order_id,item_id,quantity\n1,a,1\n2,b,?\n");
  std::string text = "order_id,item_id,quantity\n";
  for (int k = 0; k < 150; ++k) text += "b" + std::to_string(k) + ",a,1\n";
  const auto big = write("big.csv", text);
  IngestSummary s;
  load_orders({tiny, big}, {}, &s);
  EXPECT_EQ(s.rows_read, 152u);
  EXPECT_EQ(s.dropped, (Counts{{"malformed", 1}}));
  EXPECT_NE(std::string(error_of({tiny}).what()).find("1 of 2 rows"), std::string::npos) << "alone it fails at the end";
  EXPECT_EQ(error_of({big, tiny}).code(), ErrorCode::internal) << "1 of 152 is under 5%";
}

TEST_F(IngestTest, ColumnMappingPresetsAndMissingColumns) {
  const auto p = write("shop.csv", " Invoice ,SKU,buyer,When\n1,a,u1,2011-05-01\n1,b,u1,2011-05-01\n");
  IngestOptions o;
  o.columns = {{"order_id", "Invoice"}, {"item_id", "sku"}, {"customer_id", "Buyer"}, {"timestamp", "When"}};
  IngestSummary s;
  const auto data = load_orders({p}, o, &s);
  EXPECT_EQ(s.orders, 1u) << "headers are trimmed and matched ignoring case when no exact match";
  EXPECT_EQ(data.customer_ids, (std::vector<std::string>{"u1"}));
  EXPECT_EQ(data.orders[0].time, *parse_timestamp("2011-05-01"));

  const Error missing = error_of({p});
  EXPECT_EQ(missing.code(), ErrorCode::bad_data);
  EXPECT_NE(std::string(missing.what()).find(p), std::string::npos) << missing.what();
  EXPECT_NE(std::string(missing.what()).find("'order_id'"), std::string::npos) << missing.what();

  IngestOptions bad_key = o;
  bad_key.columns["sku"] = "SKU";
  const Error unknown = error_of({p}, bad_key);
  EXPECT_EQ(unknown.code(), ErrorCode::bad_request);
  EXPECT_NE(std::string(unknown.what()).find("'sku'"), std::string::npos) << unknown.what();

  IngestOptions mapped_missing = o;
  mapped_missing.columns["price"] = "Cost";
  const Error absent = error_of({p}, mapped_missing);
  EXPECT_EQ(absent.code(), ErrorCode::bad_data);
  EXPECT_NE(std::string(absent.what()).find("'Cost'"), std::string::npos) << absent.what();
  EXPECT_NE(std::string(absent.what()).find(p), std::string::npos) << absent.what();

  IngestOptions no_customers = o;
  no_customers.columns["customer_id"] = "";
  EXPECT_EQ(load_orders({p}, no_customers).customer_ids.size(), 0u) << "an empty mapping switches a column off";

  // A preset's headers can be overridden one by one.
  const auto retail = write("retail.csv", "InvoiceNo,Sku,Quantity\n1,a,2\n");
  IngestOptions preset;
  preset.format = OrderFormat::online_retail;
  preset.columns = {{"item_id", "Sku"}};
  EXPECT_EQ(lines_of(load_orders({retail}, preset), "1"), (std::map<std::string, float>{{"a", 2.0f}}));
}

TEST_F(IngestTest, ExactDuplicateLinesWithinOneFile) {
  const std::string rows = "order_id,item_id,customer_id,quantity\n1,a,u,1\n1,b,u,1\n1,a,u,1\n1,a,v,1\n";
  const auto one = write("one.csv", rows);
  const auto two = write("two.csv", "order_id,item_id,customer_id,quantity\n1,a,u,1\n");
  IngestSummary s;
  const auto data = load_orders({one, two}, {}, &s);
  EXPECT_EQ(s.dropped, (Counts{{"duplicate_line", 1}}));
  EXPECT_EQ(s.rows_kept, 4u) << "a row differing in one field is kept, and so is a copy in another file";
  EXPECT_EQ(lines_of(data, "1"), (std::map<std::string, float>{{"a", 3.0f}, {"b", 1.0f}}));
}

TEST_F(IngestTest, MissingCustomerKeepsTheBasket) {
  const auto p = write("orders.csv", "order_id,item_id,customer_id\n1,a,\n1,b,\n2,a,17850.0\n2,b, 17850.0 \n");
  IngestSummary s;
  const auto data = load_orders({p}, {}, &s);
  EXPECT_EQ(s.rows_kept, 4u);
  EXPECT_EQ(s.rows_without_customer, 2u);
  EXPECT_EQ(s.customers, 1u);
  EXPECT_EQ(data.customer_ids, (std::vector<std::string>{"17850.0"})) << "kept as given, trimmed";
  ASSERT_EQ(data.orders.size(), 2u);
  EXPECT_EQ(data.orders[0].customer, kNoCustomer);
  EXPECT_EQ(data.orders[0].lines.size(), 2u);
  EXPECT_EQ(data.orders[1].customer, 0);
}

TEST_F(IngestTest, OrdersWithoutTimeSortFirstAndKeepFileOrder) {
  const auto p = write("orders.csv",
                       "order_id,item_id,timestamp\nb,x,2011-01-02\nn1,x,\na,x,2011-01-01\nn2,x,\n"
                       "c,x,1293840000\n");
  const auto data = load_orders({p}, {});
  std::vector<std::string> ids;
  for (const auto& o : data.orders) ids.push_back(o.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"n1", "n2", "a", "c", "b"}));
  EXPECT_EQ(data.orders[0].time, kNoTime);
}

// Rows of several orders interleaved across two files against a plain map of (order, item)
// quantities: checks merging for orders that are and are not read contiguously.
TEST_F(IngestTest, InterleavedOrdersMatchABruteForceCount) {
  std::mt19937 rng(99);
  std::map<std::string, std::map<std::string, float>> expected;
  std::vector<std::string> paths;
  for (int file = 0; file < 2; ++file) {
    std::string text = "order_id,item_id,quantity,line\n";
    for (int row = 0; row < 5000; ++row) {
      // Runs of one order, sometimes broken by another; a few orders are very long.
      const int order = rng() % 4 == 0 ? static_cast<int>(rng() % 50) : row / 40 + file * 1000;
      const int item = static_cast<int>(rng() % (order < 3 ? 300 : 30));
      const int qty = 1 + static_cast<int>(rng() % 3);
      const std::string o = "o" + std::to_string(order), i = "i" + std::to_string(item);
      text += o + "," + i + "," + std::to_string(qty) + "," + std::to_string(row) + "\n";
      expected[o][i] += static_cast<float>(qty);
    }
    paths.push_back(write("part" + std::to_string(file) + ".csv", text));
  }
  IngestSummary s;
  const auto data = load_orders(paths, {}, &s);
  EXPECT_EQ(s.rows_kept, 10000u);
  std::map<std::string, std::map<std::string, float>> got;
  for (const auto& o : data.orders) {
    for (const auto& l : o.lines) {
      ASSERT_EQ(got[o.id].count(data.catalog.ids[l.item]), 0u) << "one line per item in " << o.id;
      got[o.id][data.catalog.ids[l.item]] = l.quantity;
    }
  }
  EXPECT_EQ(got, expected);
}

TEST_F(IngestTest, QuotingCrlfBomAndGzipInput) {
  const std::string text =
      "\xEF\xBB\xBForder_id,item_id,title\r\n1,a,\"Mug, \"\"big\"\"\"\r\n1,b,\"two\r\nlines\"\r\n2,a,Mug";
  const auto gz = (dir_ / "orders.csv.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  IngestSummary s;
  const auto data = load_orders({gz}, {}, &s);
  EXPECT_EQ(s.rows_read, 3u);
  EXPECT_EQ(s.orders, 2u);
  EXPECT_EQ(data.catalog.titles[*data.catalog.find("a")], "Mug");
  EXPECT_EQ(data.catalog.titles[*data.catalog.find("b")], "two\r\nlines");
}

// A NUL byte would become part of an id or a title: the row is dropped as malformed, reported
// with file, line and the field that holds it; in the catalogue too.
TEST_F(IngestTest, NulBytesDropTheRowNamingFileLineAndField) {
  using namespace std::string_literals;
  const auto orders = write("orders.csv",
                            "order_id,item_id,title,price\n"
                            "1,a,Apple,1.0\n"
                            "1,b,Bee\0s,2.0\n"  // line 3: the title
                            "2\0,a,Apple,1.0\n"  // line 4: the order id
                            "2,c\0,Cee,1.0\n"    // line 5: the item id
                            "2,a,Apple,1.5\n"s);
  const auto catalog = write("catalog.csv",
                             "item_id,title\n"
                             "a,Red\0apple\n"  // line 2
                             "a\0,Green\n"  // line 3
                             "a\n"s);        // line 4: short, reported the same way
  IngestOptions o;
  o.max_bad_row_share = 1.0;
  o.catalog_path = catalog;
  IngestSummary s;
  const auto data = load_orders({orders}, o, &s);
  EXPECT_EQ(s.rows_read, 5u);
  EXPECT_EQ(s.rows_kept, 2u);
  EXPECT_EQ(s.dropped, (Counts{{"malformed", 3}}));
  EXPECT_EQ(s.bad_row_examples, (std::vector<std::string>{orders + ":3: NUL byte in field 3",
                                                          orders + ":4: NUL byte in field 1",
                                                          orders + ":5: NUL byte in field 2",
                                                          catalog + ":2: NUL byte in field 2",
                                                          catalog + ":3: NUL byte in field 1",
                                                          catalog + ":4: short row: 1 fields, the header has 2"}));
  ASSERT_EQ(data.catalog.size(), 1u);
  EXPECT_EQ(data.catalog.ids[0], "a");
  EXPECT_EQ(data.catalog.titles[0], "Apple") << "the catalogue row with a NUL byte changes nothing";
  EXPECT_EQ(data.orders.size(), 2u);
  EXPECT_EQ(lines_of(data, "2"), (std::map<std::string, float>{{"a", 1.0f}}));
}

// A file cut short fails the run, naming the file, whatever part of ingestion reads it.
TEST_F(IngestTest, FilesCutShortFailTheRun) {
  const std::string text = "order_id,item_id,title\n1,a,\"Apple\"\n1,b,Bee\n2,a,Apple\n";
  const auto gz = (dir_ / "orders.csv.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  const auto size = fs::file_size(gz);
  fs::resize_file(gz, size - 5);
  const Error cut = error_of({gz});
  EXPECT_EQ(cut.code(), ErrorCode::bad_data);
  EXPECT_EQ(std::string(cut.what()), gz + ": truncated gzip stream: the file ends at byte " + std::to_string(size - 5) +
                                         " inside the compressed data (the file is cut short)");

  const auto orders = write("orders.csv", text);
  const auto quote = write("quote.csv", "order_id,item_id,title\n1,a,Apple\n2,b,\"Bee,\nsecond line");
  const Error in_quote = error_of({orders, quote});
  EXPECT_EQ(in_quote.code(), ErrorCode::bad_data);
  EXPECT_EQ(std::string(in_quote.what()),
            quote + ":3: unterminated quoted field at the end of the input (is the file cut short?)");
  IngestOptions o;
  o.catalog_path = write("catalog.csv", "item_id,title\na,\"Apple");
  const Error catalog = error_of({orders}, o);
  EXPECT_EQ(std::string(catalog.what()),
            o.catalog_path + ":2: unterminated quoted field at the end of the input (is the file cut short?)");
}

TEST_F(IngestTest, ProgressIsReportedAboutEveryMegabyte) {
  std::string text = "order_id,item_id,title\n";
  while (text.size() < (std::size_t{3} << 20)) text += std::to_string(text.size()) + ",item,a longish title\n";
  const auto p = write("big.csv", text);
  std::vector<std::uint64_t> done;
  load_orders({p}, {}, nullptr, [&](std::string_view stage, std::uint64_t d, std::uint64_t total) {
    EXPECT_EQ(stage, "ingest");
    EXPECT_EQ(total, 0u);
    done.push_back(d);
  });
  ASSERT_GE(done.size(), 3u);
  EXPECT_LE(done.size(), 4u);
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_EQ(done.back(), text.size());
}

TEST_F(IngestTest, UnreadableEmptyAndBadArguments) {
  const Error absent = error_of({(dir_ / "absent.csv").string()});
  EXPECT_EQ(absent.code(), ErrorCode::io);
  EXPECT_NE(std::string(absent.what()).find("absent.csv"), std::string::npos);
  const Error empty = error_of({write("empty.csv", "")});
  EXPECT_EQ(empty.code(), ErrorCode::bad_data);
  EXPECT_NE(std::string(empty.what()).find("empty.csv"), std::string::npos);
  EXPECT_EQ(error_of({}).code(), ErrorCode::bad_request);
  IngestOptions share;
  share.max_bad_row_share = 1.5;
  EXPECT_EQ(error_of({write("ok.csv", "order_id,item_id\n1,a\n")}, share).code(), ErrorCode::bad_request);
  EXPECT_EQ(parse_order_format("generic"), OrderFormat::generic);
  EXPECT_EQ(parse_order_format("online-retail"), OrderFormat::online_retail);
  EXPECT_EQ(parse_order_format("instacart"), OrderFormat::instacart);
  EXPECT_THROW(parse_order_format("excel"), Error);
}

// Expected numbers computed independently of the C++ code by a short Python script using only the
// csv and gzip modules, with the rules of ingest.h written again: a row is malformed when its field
// count differs from the header or a non-empty Quantity/UnitPrice/InvoiceDate does not parse; then
// the first match of missing ids, InvoiceNo starting with "C", a non-product StockCode (the preset's
// list, DCGS* and gift_0001_* as prefixes), Quantity <= 0, UnitPrice <= 0, or a row identical to an
// earlier row of the file; orders, items and customers are the distinct trimmed ids of kept rows.
// Its output (tests/tools/online_retail_counts.py, written separately, agrees on the shared counts):
//   rows_read=541909 rows_kept=522504 rows_without_customer=131354
//   orders=19773 items=3900 customers=4334 order_lines=517256 orders_with_2plus_items=18273
//   dropped: cancellation=9288 duplicate_line=5221 non_positive_price=1161
//            non_positive_quantity=1324 non_product_code=2411 (no malformed rows)
//   invoice 536365: 21730:6 22752:2 71053:6 84029E:6 84029G:6 84406B:8 85123A:6
TEST_F(IngestTest, OnlineRetailMatchesAnIndependentCount) {
  const std::string path = std::string(COBUY_SHARED_DATASETS) + "/online-retail/online_retail.csv.gz";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent";
  IngestOptions o;
  o.format = OrderFormat::online_retail;
  IngestSummary s;
  const auto data = load_orders({path}, o, &s);
  EXPECT_EQ(s.rows_read, 541909u);
  EXPECT_EQ(s.rows_kept, 522504u);
  EXPECT_EQ(s.rows_without_customer, 131354u);
  EXPECT_EQ(s.dropped, (Counts{{"cancellation", 9288},
                               {"duplicate_line", 5221},
                               {"non_positive_price", 1161},
                               {"non_positive_quantity", 1324},
                               {"non_product_code", 2411}}));
  EXPECT_EQ(s.orders, 19773u);
  EXPECT_EQ(s.items, 3900u);
  EXPECT_EQ(s.customers, 4334u);
  std::size_t lines = 0, multi = 0;
  for (const auto& order : data.orders) {
    lines += order.lines.size();
    multi += order.lines.size() >= 2 ? 1 : 0;
  }
  EXPECT_EQ(lines, 517256u);
  EXPECT_EQ(multi, 18273u);
  EXPECT_EQ(lines_of(data, "536365"),
            (std::map<std::string, float>{
                {"21730", 6}, {"22752", 2}, {"71053", 6}, {"84029E", 6}, {"84029G", 6}, {"84406B", 8}, {"85123A", 6}}));
  ASSERT_FALSE(data.orders.empty());
  EXPECT_EQ(data.orders.front().id, "536365");
  EXPECT_EQ(format_timestamp(data.orders.front().time), "2010-12-01T08:26:00Z");
  EXPECT_EQ(data.customer_ids[static_cast<std::size_t>(data.orders.front().customer)], "17850");
  for (std::size_t k = 1; k < data.orders.size(); ++k) ASSERT_LE(data.orders[k - 1].time, data.orders[k].time);
  const auto teacup = data.catalog.find("22697");
  ASSERT_TRUE(teacup);
  EXPECT_EQ(data.catalog.titles[*teacup], "GREEN REGENCY TEACUP AND SAUCER");
}

// Instacart numbers from the same Python script (no cleaning applies: every row is kept) and the
// dataset README: 1,384,617 rows, 131,209 orders, 39,123 distinct products.
TEST_F(IngestTest, InstacartOrdersTitlesAndCategories) {
  const std::string path = std::string(COBUY_SHARED_DATASETS) + "/instacart-train/order_products__train.csv.gz";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent";
  IngestOptions o;
  o.format = OrderFormat::instacart;
  IngestSummary s;
  const auto data = load_orders({path}, o, &s);
  EXPECT_EQ(s.rows_read, 1384617u);
  EXPECT_EQ(s.rows_kept, 1384617u);
  EXPECT_EQ(s.dropped, Counts{});
  EXPECT_EQ(s.orders, 131209u);
  EXPECT_EQ(s.items, 39123u);
  EXPECT_EQ(s.customers, 0u);
  const auto yogurt = data.catalog.find("49302");
  ASSERT_TRUE(yogurt);
  EXPECT_EQ(data.catalog.titles[*yogurt], "Bulgarian Yogurt");
  EXPECT_EQ(data.catalog.categories[*yogurt], "dairy eggs/yogurt");
  std::size_t titled = 0;
  for (const auto& t : data.catalog.titles) titled += t.empty() ? 0 : 1;
  EXPECT_EQ(titled, data.catalog.size()) << "every ordered product is in products.csv";
  EXPECT_EQ(data.orders.front().id, "1") << "no timestamps: file order";
  EXPECT_EQ(lines_of(data, "1").size(), 8u);
}

}  // namespace
}  // namespace cobuy
