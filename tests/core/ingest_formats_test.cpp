// Order files as shops export them: offsets from UTC, day-first or month-first dates, and
// delimiters other than ',' (issue 16, item 6).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/ingest.h"
#include "core/log.h"
#include "core/time_util.h"
#include "support/days.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

constexpr Timestamp kJan1At9 = 1704099600;  // 2024-01-01T09:00:00Z (date -u -d ... +%s)
constexpr Timestamp kFeb1 = 1706745600;     // 2024-02-01T00:00:00Z
constexpr Timestamp kJan2 = 1704153600;     // 2024-01-02T00:00:00Z
using testing::kDay;

class IngestFormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::error);
    dir_ = fs::temp_directory_path() / ("cobuy-ingest-formats-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    log::set_level(log::Level::info);
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  /// The message of the Error load_orders throws, or "no error".
  static std::string error_of(const std::vector<std::string>& paths, const IngestOptions& o = {}) {
    try {
      load_orders(paths, o);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data);
      return e.what();
    }
    return "no error";
  }
  /// order id -> time.
  static std::map<std::string, Timestamp> times_of(const OrderData& data) {
    std::map<std::string, Timestamp> out;
    for (const auto& o : data.orders) out[o.id] = o.time;
    return out;
  }
  /// A generic file whose orders o1, o2... are timed by `times`.
  std::string timed(const std::string& name, const std::vector<std::string>& times) {
    std::string text = "order_id,item_id,timestamp\n";
    for (std::size_t k = 0; k < times.size(); ++k) text += "o" + std::to_string(k + 1) + ",a," + times[k] + "\n";
    return write(name, text);
  }
  fs::path dir_;
};

TEST_F(IngestFormatsTest, ShopifyOffsetsAreReadAsUtc) {
  const auto p = timed("o.csv", {"2024-01-01 10:00:00 +0100", "2024-01-01 04:00:00 -05:00",
                                 "2024-01-01T10:00:00+0100", "\"2024-01-01 09:00:00 UTC\""});
  IngestSummary s;
  const auto data = load_orders({p}, {}, &s);
  EXPECT_EQ(s.rows_kept, 4u) << (s.bad_row_examples.empty() ? "" : s.bad_row_examples.front());
  for (const auto& [id, t] : times_of(data)) EXPECT_EQ(t, kJan1At9) << id;
}

TEST_F(IngestFormatsTest, DateOrderGivenReadsEveryDateThatWay) {
  const auto p = timed("o.csv", {"01/02/2024", "1/2/2024 00:00", "01.02.2024"});
  IngestOptions o;
  o.date_order = DateOrder::dmy;
  for (const auto& [id, t] : times_of(load_orders({p}, o))) EXPECT_EQ(t, kFeb1) << id;
  o.date_order = DateOrder::mdy;
  for (const auto& [id, t] : times_of(load_orders({p}, o))) EXPECT_EQ(t, kJan2) << id;
}

TEST_F(IngestFormatsTest, AmbiguousDatesAreRefusedNamingFileLineAndValue) {
  const auto p = timed("o.csv", {"2024-01-05", "05/05/2024", "01/02/2024 10:00", "03/04/2024"});
  const std::string message = error_of({p});
  EXPECT_NE(message.find(p + ":4: ambiguous date '01/02/2024 10:00'"), std::string::npos) << message;
  EXPECT_NE(message.find("day first 2024-02-01, month first 2024-01-02"), std::string::npos) << message;
  EXPECT_NE(message.find("--date-order dmy"), std::string::npos) << message;
  EXPECT_NE(message.find("--date-order mdy"), std::string::npos) << message;
}

TEST_F(IngestFormatsTest, ADateWithADayOver12SetsTheOrderOfItsFile) {
  // The telling date comes after the ambiguous one: the file is judged as a whole.
  const auto later = timed("later.csv", {"01/02/2024", "13/01/2024", "05/05/2024"});
  const auto day_first = times_of(load_orders({later}, {}));
  EXPECT_EQ(day_first.at("o1"), kFeb1);
  EXPECT_EQ(day_first.at("o2"), kFeb1 - 19 * kDay);
  const auto earlier = timed("earlier.csv", {"1/13/2024", "01/02/2024"});
  const auto month_first = times_of(load_orders({earlier}, {}));
  EXPECT_EQ(month_first.at("o2"), kJan2);
  // Each file has its own order (two exports of two shops' systems).
  const auto both = load_orders({later, write("other.csv", "order_id,item_id,timestamp\nm1,a,01/02/2024\n"
                                                            "m2,a,12/31/2023\n")},
                                {});
  EXPECT_EQ(times_of(both).at("o1"), kFeb1);
  EXPECT_EQ(times_of(both).at("m1"), kJan2);
}

TEST_F(IngestFormatsTest, ADateAgainstTheFilesOrderIsABadRowSayingWhy) {
  const auto p = timed("o.csv", {"13/01/2024", "02/01/2024", "01/13/2024"});
  IngestOptions o;
  o.max_bad_row_share = 0.5;
  IngestSummary s;
  const auto data = load_orders({p}, o, &s);
  EXPECT_EQ(times_of(data).at("o2"), kJan2) << "day first, as line 2 shows";
  ASSERT_EQ(s.bad_row_examples.size(), 1u);
  EXPECT_EQ(s.bad_row_examples[0],
            p + ":4: bad timestamp '01/13/2024': not a day-first date, as line 2's '13/01/2024' shows");
  o.date_order = DateOrder::mdy;
  load_orders({p}, o, &s);
  ASSERT_EQ(s.bad_row_examples.size(), 1u);
  EXPECT_EQ(s.bad_row_examples[0], p + ":2: bad timestamp '13/01/2024': not a month-first date, as --date-order says");
  // Past the share of bad rows the run fails with the first of them.
  o.max_bad_row_share = 0.05;
  EXPECT_NE(error_of({p}, o).find(":2: bad timestamp '13/01/2024': not a month-first date"), std::string::npos);
}

TEST_F(IngestFormatsTest, OnlineRetailPresetReadsMonthFirstWithoutAFlag) {
  const auto p = write("retail.csv",
                       "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                       "536365,85123A,HEART,6,1/2/2011 8:26,2.55,17850,United Kingdom\n"
                       "536366,71053,LANTERN,6,12/1/2010 8:28,3.39,17850,United Kingdom\n");
  IngestOptions o;
  o.format = OrderFormat::online_retail;
  const auto t = times_of(load_orders({p}, o));
  EXPECT_EQ(t.at("536365"), *parse_timestamp("2011-01-02T08:26:00"));
  EXPECT_EQ(t.at("536366"), *parse_timestamp("2010-12-01T08:28:00"));
  o.date_order = DateOrder::dmy;
  EXPECT_EQ(times_of(load_orders({p}, o)).at("536365"), *parse_timestamp("2011-02-01T08:26:00"))
      << "the flag wins over the preset";
}

TEST_F(IngestFormatsTest, SemicolonFileWithDecimalCommasIsDetected) {
  const std::string text =
      "order_id;item_id;timestamp;quantity;price;title\n"
      "o1;tea;2024-01-01 10:00:00 +0100;1;2,95;\"Tea; green\"\n"
      "o1;cup;2024-01-01 10:00:00 +0100;2;12;Cup, blue\n";
  const auto p = write("semi.csv", text);
  for (const char delimiter : {kAutoDelimiter, ';'}) {
    IngestOptions o;
    o.delimiter = delimiter;
    IngestSummary s;
    const auto data = load_orders({p}, o, &s);
    EXPECT_EQ(s.rows_kept, 2u) << (s.bad_row_examples.empty() ? "" : s.bad_row_examples.front());
    ASSERT_EQ(data.orders.size(), 1u);
    EXPECT_EQ(data.orders[0].time, kJan1At9);
    const auto tea = *data.catalog.find("tea");
    EXPECT_EQ(data.catalog.titles[tea], "Tea; green") << "a quoted field holds the delimiter";
    EXPECT_FLOAT_EQ(data.catalog.prices[tea], 2.95f) << "the decimal comma";
    EXPECT_EQ(data.catalog.titles[*data.catalog.find("cup")], "Cup, blue");
  }
  IngestOptions comma;
  comma.delimiter = ',';
  const std::string message = error_of({p}, comma);
  EXPECT_NE(message.find("the header is one column: if the file is not separated by ',', pass --delimiter"),
            std::string::npos)
      << message;
}

TEST_F(IngestFormatsTest, TabFileAndItsCatalogue) {
  const auto p = write("tab.tsv", "order_id\titem_id\tprice\no1\ttea\t2.5\no1\tcup\t3\n");
  IngestOptions o;
  o.catalog_path = write("catalog.tsv", "item_id\ttitle\tprice\ntea\tAssam, loose\t2,75\n");
  const auto data = load_orders({p}, o);
  ASSERT_EQ(data.orders.size(), 1u);
  EXPECT_EQ(data.orders[0].lines.size(), 2u);
  const auto tea = *data.catalog.find("tea");
  EXPECT_EQ(data.catalog.titles[tea], "Assam, loose");
  EXPECT_FLOAT_EQ(data.catalog.prices[tea], 2.75f);
  o.delimiter = '\t';
  EXPECT_EQ(load_orders({p}, o).orders[0].lines.size(), 2u);
}

TEST_F(IngestFormatsTest, CommaFilesKeepCommasInNumbersMalformed) {
  const auto p = write("o.csv", "order_id,item_id,price\no1,a,\"2,95\"\no2,b,1\n");
  IngestOptions o;
  o.max_bad_row_share = 0.5;
  IngestSummary s;
  load_orders({p}, o, &s);
  ASSERT_EQ(s.bad_row_examples.size(), 1u) << "'2,95' in a comma file may be 295: not guessed";
  EXPECT_EQ(s.bad_row_examples[0], p + ":2: bad price '2,95'");
}

TEST_F(IngestFormatsTest, BundledExampleFilesLoad) {
  const std::string dir = COBUY_BUNDLED_DATASETS;
  IngestSummary plain, eu;
  const auto a = load_orders({dir + "/example_orders.csv"}, {}, &plain);
  const auto b = load_orders({dir + "/example_orders_eu.csv"}, {}, &eu);
  EXPECT_EQ(plain.rows_kept, plain.rows_read);
  EXPECT_EQ(eu.rows_kept, eu.rows_read) << (eu.bad_row_examples.empty() ? "" : eu.bad_row_examples.front());
  EXPECT_EQ(plain.orders, 16u);
  EXPECT_EQ(eu.orders, plain.orders);
  ASSERT_EQ(a.orders.size(), b.orders.size());
  for (std::size_t k = 0; k < a.orders.size(); ++k) {
    EXPECT_EQ(a.orders[k].id, b.orders[k].id);
    EXPECT_EQ(a.orders[k].time - b.orders[k].time, -3600) << "the same local times, the first at +0100";
  }
  EXPECT_EQ(a.orders.front().time, *parse_timestamp("2024-01-08T16:12:00Z"));
  const auto tea = *b.catalog.find("T-100");
  EXPECT_FLOAT_EQ(b.catalog.prices[tea], 6.5f);
  EXPECT_EQ(b.catalog.titles[tea], a.catalog.titles[*a.catalog.find("T-100")]);
}

}  // namespace
}  // namespace cobuy
