#include "core/time_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "core/error.h"

namespace cobuy {
namespace {

constexpr Timestamp kSep1 = 1314835200;  // 2011-09-01T00:00:00Z (date -u -d 2011-09-01 +%s)
constexpr Timestamp k0826 = 8 * 3600 + 26 * 60;

TEST(Timestamp, ParsesTheDocumentedForms) {
  EXPECT_EQ(parse_timestamp("1970-01-01"), 0);
  EXPECT_EQ(parse_timestamp("2011-09-01"), kSep1);
  EXPECT_EQ(parse_timestamp("2011-09-01T00:00:00"), kSep1);
  EXPECT_EQ(parse_timestamp("2011-09-01T08:26:00"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01 08:26:00"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01 08:26"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01 8:26"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01T08:26:07.250"), kSep1 + k0826 + 7) << "fractions are dropped";
  EXPECT_EQ(parse_timestamp("2011-09-01T08:26:00Z"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01T10:26:00+02:00"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01T03:26:00-0500"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("2011-09-01T08:26:00.5+00"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("1314835200"), kSep1);
  EXPECT_EQ(parse_timestamp("0"), 0);
  EXPECT_EQ(parse_timestamp("9/1/2011 8:26"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("09/01/2011 08:26:00"), kSep1 + k0826);
  EXPECT_EQ(parse_timestamp("12/1/2010"), *parse_timestamp("2010-12-01"));
  EXPECT_EQ(parse_timestamp("  2011-09-01\t"), kSep1) << "surrounding blanks are ignored";
}

TEST(Timestamp, RejectsGarbageAndImpossibleDates) {
  for (const char* bad : {"",
                          " ",
                          "yesterday",
                          "2011-13-01",
                          "2011-00-10",
                          "2011-02-30",
                          "2011-02-29",
                          "2011-04-31",
                          "2011-01-32",
                          "2011-01-00",
                          "2011-09-01T24:00",
                          "2011-09-01T23:60",
                          "2011-09-01T23:59:61",
                          "2011-09-01X",
                          "2011-09-01T08",
                          "2011-09-01T08:26:00+25:00",
                          "2011-09-01T08:26:00Zjunk",
                          "2011/09/01",
                          "12-01-11",
                          "2011-09-01 08:26:00  +0100",
                          "2011-09-01 08:26:00 +01:0",
                          "2011-09-01 08:26:00 utc",
                          "2011-09-01 +0100",
                          "9/1/2011 8:26 junk",
                          "9/1-2011",
                          "2011-9-1",
                          "1.5",
                          "-5",
                          "13/1/2011",
                          "2/30/2011",
                          "1/1/11",
                          "1234567890123",
                          "2011-09-01T08:26:00."}) {
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << '"' << bad << '"';
  }
}

// Shop exports: Shopify writes "2024-01-01 10:00:00 +0100"; the results are exact UTC seconds
// (date -u -d 2024-01-01T09:00:00 +%s).
TEST(Timestamp, OffsetsInEveryFormAreUtc) {
  constexpr Timestamp k0900 = 1704099600;  // 2024-01-01T09:00:00Z
  EXPECT_EQ(parse_timestamp("2024-01-01 10:00:00 +0100"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 10:00:00 +01:00"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 10:00 +01"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01T10:00:00+0100"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01T10:00:00.123+01:00"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 04:00:00 -05:00"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 04:00:00 -0500"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 09:00:00 Z"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 09:00:00 UTC"), k0900);
  EXPECT_EQ(parse_timestamp("2024-01-01 00:30:00 +0100"), 1704065400) << "2023-12-31T23:30:00Z: the day before";
  EXPECT_EQ(parse_timestamp_as("01/01/2024 10:00 +0100", DateOrder::dmy).time, k0900);
  EXPECT_EQ(parse_timestamp_as("01.01.2024 10:00:00+01:00", DateOrder::dmy).time, k0900);
}

TEST(Timestamp, DateOrderReadsYearLastDates) {
  constexpr Timestamp kFeb1 = 1706745600;  // 2024-02-01T00:00:00Z
  constexpr Timestamp kJan2 = 1704153600;  // 2024-01-02T00:00:00Z
  EXPECT_EQ(parse_timestamp_as("01/02/2024", DateOrder::dmy).time, kFeb1);
  EXPECT_EQ(parse_timestamp_as("1/2/2024", DateOrder::dmy).time, kFeb1);
  EXPECT_EQ(parse_timestamp_as("01.02.2024", DateOrder::dmy).time, kFeb1);
  EXPECT_EQ(parse_timestamp_as("01-02-2024", DateOrder::dmy).time, kFeb1);
  EXPECT_EQ(parse_timestamp_as("01/02/2024 10:00 +0100", DateOrder::dmy).time, kFeb1 + 9 * 3600);
  EXPECT_EQ(parse_timestamp_as("01/02/2024", DateOrder::mdy).time, kJan2);
  EXPECT_EQ(parse_timestamp_as("01-02-2024", DateOrder::mdy).time, kJan2);
  EXPECT_EQ(parse_timestamp("01/02/2024"), kJan2) << "without an order, request fields read month first as before";
  EXPECT_EQ(parse_timestamp("12-01-2011"), *parse_timestamp("2011-12-01"));
  EXPECT_FALSE(parse_timestamp_as("13/01/2024", DateOrder::mdy).time) << "no month 13";
  EXPECT_FALSE(parse_timestamp_as("01/13/2024", DateOrder::dmy).time);
  EXPECT_FALSE(parse_timestamp_as("31/04/2024", DateOrder::dmy).time) << "30 days in April";
}

TEST(Timestamp, UnknownDateOrderReadsOnlyWhatCannotBeSwapped) {
  constexpr Timestamp kJan13 = 1705104000;  // 2024-01-13T00:00:00Z
  const auto day_first = parse_timestamp_as("13/01/2024", DateOrder::unknown);
  EXPECT_EQ(day_first.time, kJan13);
  EXPECT_EQ(day_first.proves, DateOrder::dmy);
  EXPECT_FALSE(day_first.ambiguous);
  const auto month_first = parse_timestamp_as("1/13/2024 0:00", DateOrder::unknown);
  EXPECT_EQ(month_first.time, kJan13);
  EXPECT_EQ(month_first.proves, DateOrder::mdy);
  EXPECT_EQ(parse_timestamp_as("13/01/2024", DateOrder::mdy).proves, DateOrder::dmy) << "said whatever was asked";
  const auto same = parse_timestamp_as("05/05/2024", DateOrder::unknown);
  EXPECT_EQ(same.time, *parse_timestamp("2024-05-05"));
  EXPECT_FALSE(same.ambiguous);
  EXPECT_EQ(same.proves, DateOrder::unknown);
  const auto ambiguous = parse_timestamp_as("01/02/2024", DateOrder::unknown);
  EXPECT_TRUE(ambiguous.ambiguous);
  EXPECT_FALSE(ambiguous.time);
  EXPECT_FALSE(parse_timestamp_as("2024-01-02", DateOrder::unknown).ambiguous) << "ISO dates are never ambiguous";
  EXPECT_EQ(parse_timestamp_as("31/02/2024", DateOrder::unknown).proves, DateOrder::unknown) << "invalid either way";
  EXPECT_FALSE(parse_timestamp_as("31/02/2024", DateOrder::unknown).time);
}

TEST(Timestamp, DateOrderNames) {
  EXPECT_EQ(parse_date_order("dmy"), DateOrder::dmy);
  EXPECT_EQ(parse_date_order("mdy"), DateOrder::mdy);
  EXPECT_EQ(parse_date_order("auto"), DateOrder::unknown);
  try {
    parse_date_order("ymd");
    FAIL() << "ymd accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_NE(std::string(e.what()).find("unknown date order 'ymd'"), std::string::npos) << e.what();
  }
}

TEST(Timestamp, LeapYears) {
  EXPECT_TRUE(parse_timestamp("2012-02-29"));
  EXPECT_TRUE(parse_timestamp("2000-02-29")) << "divisible by 400";
  EXPECT_FALSE(parse_timestamp("1900-02-29")) << "divisible by 100 only";
  EXPECT_FALSE(parse_timestamp("2100-02-29"));
  EXPECT_TRUE(parse_timestamp("2/29/2016"));
  EXPECT_EQ(*parse_timestamp("2012-03-01") - *parse_timestamp("2012-02-28"), 2 * 86400);
  EXPECT_EQ(*parse_timestamp("2011-03-01") - *parse_timestamp("2011-02-28"), 86400);
}

// Brute force: walk the calendar day by day from 1970 to 2200 with a naive month table and check
// that every date parses to its day count, and the day after each month's last day does not.
TEST(Timestamp, EveryDayAgainstANaiveCalendar) {
  Timestamp day = 0;
  for (int y = 1970; y < 2200; ++y) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int lengths[12] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= lengths[m - 1]; ++d, ++day) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
        ASSERT_EQ(parse_timestamp(text), day * 86400) << text;
      }
      char past_end[32];
      std::snprintf(past_end, sizeof past_end, "%04d-%02d-%02d", y, m, lengths[m - 1] + 1);
      ASSERT_FALSE(parse_timestamp(past_end)) << past_end;
    }
  }
}

TEST(Timestamp, FormatsAsIsoUtc) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(kSep1 + k0826 + 59), "2011-09-01T08:26:59Z");
  EXPECT_EQ(format_timestamp(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59Z");
}

TEST(Timestamp, FormatAndParseRoundTrip) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<Timestamp> dist(-2208988800, 7258118400);  // 1900 .. 2200
  for (int k = 0; k < 20000; ++k) {
    const Timestamp t = dist(rng);
    ASSERT_EQ(parse_timestamp(format_timestamp(t)), t) << format_timestamp(t);
  }
}

}  // namespace
}  // namespace cobuy
