// The item catalogue file (--catalog): what it overrides, the stock column, the shop's own
// columns kept as item fields, and malformed rows.
#include <gtest/gtest.h>

#include "core/ingest.h"
#include "core/order_data.h"
#include "ingest_fixture.h"

namespace cobuy {
namespace {

TEST_F(IngestTest, CatalogueFileOverridesKnownItems) {
  const auto orders = write("orders.csv", "order_id,item_id,title,price\n1,a,old,1.0\n1,b,bee,2.0\n");
  const auto catalog =
      write("catalog.csv", "item_id,title,category,price\na,New A,home,3.5\nb,,garden,\nzz,Unknown item,x,1\n");
  IngestOptions o;
  o.catalog_path = catalog;
  const auto data = load_orders({orders}, o);
  const auto a = *data.catalog.find("a"), b = *data.catalog.find("b");
  EXPECT_EQ(data.catalog.titles[a], "New A");
  EXPECT_EQ(data.catalog.categories[a], "home");
  EXPECT_FLOAT_EQ(data.catalog.prices[a], 3.5f);
  EXPECT_EQ(data.catalog.titles[b], "bee") << "empty catalogue values do not override";
  EXPECT_EQ(data.catalog.categories[b], "garden");
  EXPECT_FLOAT_EQ(data.catalog.prices[b], 2.0f);
  // zz was never ordered: a new item, added after the ordered ones with what the file says.
  const auto zz = data.catalog.find("zz");
  ASSERT_TRUE(zz);
  EXPECT_EQ(*zz, 2u);
  EXPECT_EQ(data.catalog.titles[*zz], "Unknown item");
  EXPECT_EQ(data.catalog.categories[*zz], "x");
  EXPECT_FLOAT_EQ(data.catalog.prices[*zz], 1.0f);
  EXPECT_EQ(data.orders.size(), 1u);
  EXPECT_EQ(data.catalog.in_stock, std::vector<std::uint8_t>(data.catalog.size(), kStockNotSaid))
      << "without an in_stock column no item's stock is said";
}

// The catalogue's own columns become item fields; the summary says which were kept and why the
// others were not.
TEST_F(IngestTest, CatalogueKeepsTheShopsOwnColumnsAndReportsTheIgnoredOnes) {
  const auto orders = write("orders.csv", "order_id,item_id\n1,a\n1,b\n2,c\n");
  const auto catalog = write("catalog.csv",
                             "item_id,title,image_url,Brand, url ,,brand,unused,currency\n"
                             "a,A,https://x/a.jpg,Acme,https://x/a,,Other,,GBP\n"
                             "b,B,,Bolt,https://x/b,x,Other,,\n"
                             "zz,Z,https://x/z.jpg,Zed,https://x/z,,,,EUR\n");  // zz was never ordered
  IngestOptions o;
  o.catalog_path = catalog;
  IngestSummary s;
  const auto data = load_orders({orders}, o, &s);
  EXPECT_EQ(s.catalog_columns_kept, (std::vector<std::string>{"image_url", "Brand", "url", "currency"}));
  EXPECT_EQ(s.catalog_columns_ignored,
            (std::vector<std::string>{"column 6: the header names it with nothing", "brand: repeats an earlier column's name",
                                      "unused: no item has a value"}));
  const auto& c = data.catalog;
  ASSERT_EQ(c.field_names, s.catalog_columns_kept);
  ASSERT_EQ(c.field_values.size(), 4u);
  const auto a = *c.find("a"), b = *c.find("b"), item_c = *c.find("c");
  EXPECT_EQ(c.field(a, "image_url"), "https://x/a.jpg");
  EXPECT_EQ(c.field(a, "Brand"), "Acme");
  EXPECT_EQ(c.field(a, "url"), "https://x/a") << "spaces around names and values are trimmed";
  EXPECT_EQ(c.field(a, "currency"), "GBP");
  EXPECT_EQ(c.field(b, "image_url"), "");
  EXPECT_EQ(c.field(b, "Brand"), "Bolt");
  EXPECT_EQ(c.field(item_c, "Brand"), "") << "not in the catalogue file";
  EXPECT_EQ(c.field(a, "nope"), "");
  for (const auto& column : c.field_values) EXPECT_EQ(column.size(), c.size());
  ASSERT_TRUE(c.find("zz")) << "never ordered: kept as a new item, with its fields";
  EXPECT_EQ(c.field(*c.find("zz"), "Brand"), "Zed");
  EXPECT_EQ(s.catalog_new_items, 1u);
}

TEST_F(IngestTest, CatalogueInStockColumn) {
  const auto orders = write("orders.csv", "order_id,item_id\n1,a\n1,b\n1,c\n2,d\n2,e\n2,f\n2,g\n3,h\n3,i\n");
  const auto catalog = write("catalog.csv",
                             "item_id,in_stock,title\n"
                             "a,0,A\n"
                             "b,1,B\n"
                             "c,FALSE,C\n"
                             "d,True,D\n"
                             "e, no ,E\n"
                             "f,YES,F\n"
                             "g,,G\n"
                             "zz,0,only in the catalogue\n");  // h and i are not in the file
  IngestOptions o;
  o.catalog_path = catalog;
  IngestSummary s;
  const auto data = load_orders({orders}, o, &s);
  ASSERT_EQ(data.catalog.in_stock.size(), data.catalog.size());
  const auto stock = [&](const char* id) { return static_cast<int>(data.catalog.in_stock[*data.catalog.find(id)]); };
  EXPECT_EQ(stock("a"), 0);
  EXPECT_EQ(stock("b"), kInStock);
  EXPECT_EQ(stock("c"), 0);
  EXPECT_EQ(stock("d"), kInStock);
  EXPECT_EQ(stock("e"), 0) << "spaces around the value are ignored";
  EXPECT_EQ(stock("f"), kInStock);
  EXPECT_EQ(stock("g"), kStockNotSaid) << "empty: not said";
  EXPECT_EQ(stock("h"), kStockNotSaid) << "not in the catalogue file";
  EXPECT_EQ(data.catalog.titles[*data.catalog.find("c")], "C");
  EXPECT_EQ(stock("zz"), 0) << "a never-ordered item keeps its stock flag";
  EXPECT_TRUE(s.bad_row_examples.empty());
}

TEST_F(IngestTest, BadCatalogueInStockValueDropsTheRowNamingFileLineAndValue) {
  const auto orders = write("orders.csv", "order_id,item_id,title\n1,a,old a\n1,b,old b\n1,c,old c\n");
  const auto catalog = write("catalog.csv",
                             "item_id,title,in_stock\n"
                             "a,New A,0\n"
                             "b,New B,maybe\n"  // line 3
                             "c,New C,2\n"      // line 4
                             "zz,Never ordered,-\n");  // line 5: the file is wrong even where unused
  IngestOptions o;
  o.catalog_path = catalog;
  IngestSummary s;
  std::vector<std::string> logged;
  log::set_level(log::Level::warn);
  log::set_sink([&](const std::string& line) { logged.push_back(line); });
  const auto data = load_orders({orders}, o, &s);
  log::set_sink(nullptr);
  const auto a = *data.catalog.find("a"), b = *data.catalog.find("b"), c = *data.catalog.find("c");
  EXPECT_EQ(data.catalog.in_stock[a], 0);
  EXPECT_EQ(data.catalog.titles[a], "New A");
  EXPECT_EQ(data.catalog.in_stock[b], kStockNotSaid) << "a malformed row changes nothing";
  EXPECT_EQ(data.catalog.titles[b], "old b") << "a malformed row changes nothing";
  EXPECT_EQ(data.catalog.titles[c], "old c");
  ASSERT_EQ(s.bad_row_examples.size(), 3u);
  EXPECT_EQ(s.bad_row_examples[0].rfind(catalog + ":3: bad in_stock 'maybe'", 0), 0u) << s.bad_row_examples[0];
  EXPECT_EQ(s.bad_row_examples[1].rfind(catalog + ":4: bad in_stock '2'", 0), 0u) << s.bad_row_examples[1];
  EXPECT_EQ(s.bad_row_examples[2].rfind(catalog + ":5: bad in_stock '-'", 0), 0u) << s.bad_row_examples[2];
  EXPECT_TRUE(s.dropped.empty()) << "order rows are all fine";
  ASSERT_EQ(logged.size(), 4u) << "one warning per bad row, then the count of skipped rows";
  EXPECT_NE(logged[0].find("level=warn"), std::string::npos) << logged[0];
  EXPECT_NE(logged[0].find("line=3"), std::string::npos) << logged[0];
  EXPECT_NE(logged[0].find("maybe"), std::string::npos) << logged[0];
  EXPECT_NE(logged[3].find("rows=3"), std::string::npos) << logged[3];
  EXPECT_NE(logged[3].find("first_line=3"), std::string::npos) << logged[3];

  o.max_bad_row_examples = 1;
  load_orders({orders}, o, &s);
  EXPECT_EQ(s.bad_row_examples.size(), 1u) << "examples stay within max_bad_row_examples";
}

}  // namespace
}  // namespace cobuy
