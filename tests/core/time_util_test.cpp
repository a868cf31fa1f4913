#include "core/time_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

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
                          "12-01-2011",
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
