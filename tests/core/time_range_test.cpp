// The times cobuy accepts for orders (1990 up to the clock plus a skew) and for an offers
// request's `at` (a year further), and how ingestion drops file rows outside them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/ingest.h"
#include "core/log.h"
#include "core/time_util.h"

namespace cobuy {
namespace {
namespace fs = std::filesystem;

const Timestamp kNow = *parse_timestamp("2024-06-01T12:00:00Z");

/// The message of the Error(bad_request) check_time_in_range throws, or "" when it does not.
std::string refusal(std::string_view field, Timestamp t, const TimeRange& range) {
  try {
    check_time_in_range(field, t, range);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    return e.what();
  }
  return "";
}

TEST(TimeRange, OrderTimesRunFrom1990ToTheClockPlusTheSkew) {
  const TimeRange day = order_time_range(kNow);
  EXPECT_EQ(day.earliest, *parse_timestamp("1990-01-01"));
  EXPECT_EQ(day.latest, kNow + 86400) << "one day of skew by default";

  EXPECT_EQ(refusal("timestamp", *parse_timestamp("9999-12-31"), day),
            "field 'timestamp': 9999-12-31T00:00:00Z is more than 1 day ahead of the server clock "
            "(2024-06-01T12:00:00Z)");
  EXPECT_EQ(refusal("timestamp", *parse_timestamp("0001-01-01"), day),
            "field 'timestamp': 0001-01-01T00:00:00Z is before 1990-01-01");
  EXPECT_EQ(refusal("timestamp", *parse_timestamp("1989-12-31T23:59:59Z"), day),
            "field 'timestamp': 1989-12-31T23:59:59Z is before 1990-01-01");
  EXPECT_EQ(refusal("timestamp", *parse_timestamp("1990-01-01"), day), "");
  EXPECT_EQ(refusal("timestamp", kNow + 86400, day), "") << "the skew itself is allowed";
  EXPECT_NE(refusal("timestamp", kNow + 86401, day), "");
  EXPECT_EQ(refusal("timestamp", kNoTime, day), "") << "a missing time is another rule's business";

  const TimeRange hour = order_time_range(kNow, 3600);
  EXPECT_NE(refusal("timestamp", kNow + 7200, hour).find("more than 1 hour ahead"), std::string::npos);
  EXPECT_THROW(order_time_range(kNow, -1), Error);
}

TEST(TimeRange, AnOffersMomentMayBeAYearAheadForAPlannedCampaign) {
  const TimeRange at = moment_time_range(kNow);
  EXPECT_EQ(refusal("at", kNow + 200 * 86400, at), "");
  EXPECT_EQ(refusal("at", kNow + 367 * 86400, at), "") << "a year and the skew";
  EXPECT_EQ(refusal("at", kNow + 368 * 86400, at),
            "field 'at': 2025-06-04T12:00:00Z is more than 367 days ahead of the server clock (2024-06-01T12:00:00Z)");
  EXPECT_NE(refusal("at", *parse_timestamp("1970-01-01"), at).find("before 1990-01-01"), std::string::npos);
}

TEST(TimeRange, DurationsReadAsDaysHoursOrSeconds) {
  EXPECT_EQ(format_duration(86400), "1 day");
  EXPECT_EQ(format_duration(2 * 86400), "2 days");
  EXPECT_EQ(format_duration(36 * 3600), "36 hours");
  EXPECT_EQ(format_duration(90), "90 seconds");
  EXPECT_EQ(format_duration(0), "0 seconds");
}

class IngestTimeRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::error);
    dir_ = fs::temp_directory_path() / ("cobuy-time-range-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    log::set_level(log::Level::info);
  }
  std::string write(const std::string& text) {
    const auto p = (dir_ / "orders.csv").string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  fs::path dir_;
};

TEST_F(IngestTimeRangeTest, RowsOutOfRangeAreDroppedUnderTheirOwnReasonNamingFileAndLine) {
  const std::string path = write(
      "order_id,item_id,customer_id,timestamp\n"
      "o1,tea,c1,2011-01-01\n"
      "o1,cake,c1,2011-01-01\n"
      "o2,tea,c2,9999-12-31\n"      // line 4: the distant future
      "o3,cake,c3,0001-01-01\n"     // line 5: the distant past
      "o4,tea,c4,2024-06-03\n"      // line 6: two days ahead of the reading time
      "o5,pen,c5,2024-06-02T11:00:00Z\n");  // within the day of skew
  IngestOptions options;
  options.now = kNow;
  options.max_bad_row_share = 1;
  IngestSummary summary;
  const OrderData data = load_orders({path}, options, &summary);

  EXPECT_EQ(summary.rows_read, 6u);
  EXPECT_EQ(summary.rows_kept, 3u);
  EXPECT_EQ(summary.dropped, (std::map<std::string, std::uint64_t>{{"timestamp_out_of_range", 3}}));
  ASSERT_EQ(summary.bad_row_examples.size(), 3u);
  EXPECT_EQ(summary.bad_row_examples[0],
            path + ":4: timestamp '9999-12-31' out of range: 9999-12-31T00:00:00Z is more than 1 day ahead of the "
                   "server clock (2024-06-01T12:00:00Z)");
  EXPECT_EQ(summary.bad_row_examples[1],
            path + ":5: timestamp '0001-01-01' out of range: 0001-01-01T00:00:00Z is before 1990-01-01");
  EXPECT_EQ(summary.bad_row_examples[2].substr(0, path.size() + 3), path + ":6:");
  ASSERT_EQ(data.orders.size(), 2u);
  EXPECT_EQ(data.orders[0].id, "o1");
  EXPECT_EQ(data.orders[1].id, "o5");
}

TEST_F(IngestTimeRangeTest, OutOfRangeRowsCountTowardsTheMalformedShare) {
  std::string text = "order_id,item_id,timestamp\n";
  for (int k = 0; k < 90; ++k) text += "o" + std::to_string(k) + ",tea,2011-01-01\n";
  for (int k = 0; k < 10; ++k) text += "f" + std::to_string(k) + ",tea,9999-12-31\n";
  const std::string path = write(text);
  IngestOptions options;
  options.now = kNow;
  try {
    load_orders({path}, options);
    FAIL() << "10% of the rows are out of range, over the 5% limit";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_data);
    EXPECT_NE(std::string(e.what()).find("10 of 100 rows read are malformed"), std::string::npos) << e.what();
  }
  options.max_clock_skew = 10000LL * 366 * 86400;  // a generous skew lets them in
  EXPECT_EQ(load_orders({path}, options).orders.size(), 100u);
}

}  // namespace
}  // namespace cobuy
