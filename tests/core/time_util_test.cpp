#include "core/time_util.h"

#include <gtest/gtest.h>

namespace cobuy {
namespace {

TEST(Timestamp, ParsesTheAcceptedForms) {
  EXPECT_EQ(parse_timestamp("1970-01-01"), 0);
  EXPECT_EQ(parse_timestamp("2011-09-01"), 1314835200);
  EXPECT_EQ(parse_timestamp("2011-09-01T00:00:00"), 1314835200);
  EXPECT_EQ(parse_timestamp("2011-09-01 08:26:00"), 1314835200 + 8 * 3600 + 26 * 60);
  EXPECT_EQ(parse_timestamp("2011-09-01 08:26"), 1314835200 + 8 * 3600 + 26 * 60);
  EXPECT_EQ(parse_timestamp("2011-09-01T08:26:00.250Z"), 1314835200 + 8 * 3600 + 26 * 60);
  EXPECT_EQ(parse_timestamp("2011-09-01T02:00:00+02:00"), 1314835200);
  EXPECT_EQ(parse_timestamp("1314835200"), 1314835200);
  EXPECT_EQ(parse_timestamp("9/1/2011 8:26"), 1314835200 + 8 * 3600 + 26 * 60);
  EXPECT_EQ(parse_timestamp(" 2011-09-01 "), 1314835200);
}

TEST(Timestamp, RejectsBadDates) {
  for (const char* bad : {"", "yesterday", "2011-13-01", "2011-00-10", "2011-02-30", "2011-02-29", "2011-09-01T25:00",
                          "2011-09-01X", "2011/09/01", "12-01-2011", "2011-9-1", "1.5"}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

TEST(Timestamp, LeapYears) {
  EXPECT_TRUE(parse_timestamp("2012-02-29"));
  EXPECT_TRUE(parse_timestamp("2000-02-29"));
  EXPECT_FALSE(parse_timestamp("1900-02-29"));
  EXPECT_EQ(*parse_timestamp("2012-03-01") - *parse_timestamp("2012-02-28"), 2 * 86400);
}

TEST(Timestamp, FormatRoundTrips) {
  EXPECT_EQ(format_timestamp(1314835200), "2011-09-01T00:00:00Z");
  for (Timestamp t : {Timestamp{0}, Timestamp{951782400}, Timestamp{1323436800 + 3599}, Timestamp{-86400}}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t) << format_timestamp(t);
  }
}

}  // namespace
}  // namespace cobuy
