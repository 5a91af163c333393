#include "hashmon/time_util.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

constexpr int64_t kNow = 1'453'191'300'000;  // 2016-01-19T08:15:00Z

// A post's time is read as written, or not at all: a day or an hour that does not exist is
// no time (the post is refused, not counted in a minute nobody wrote).
TEST(ParseIsoTime, ReadsOnlyTimesThatExist) {
  EXPECT_EQ(ParseIsoTime("2016-01-19T10:15:00+02:00"), ParseIsoTime("2016-01-19T08:15:00Z"));
  EXPECT_TRUE(ParseIsoTime("2016-02-29T08:15:00Z"));  // a leap day
  EXPECT_TRUE(ParseIsoTime("2000-02-29T08:15:00Z"));
  for (const char* none : {"2016-02-30T08:15:00Z", "2015-02-29T08:15:00Z", "2100-02-29T00:00:00Z",
                           "2016-04-31T08:15:00Z", "2016-01-19T24:00:00Z", "2016-13-01T00:00:00Z"})
    EXPECT_FALSE(ParseIsoTime(none)) << none;
}

TEST(ParseTwitterTime, ReadsOnlyTimesThatExist) {
  EXPECT_EQ(ParseTwitterTime("Tue Jan 19 10:15:00 +0200 2016"),
            ParseIsoTime("2016-01-19T08:15:00Z"));
  for (const char* none : {"Tue Feb 30 08:15:00 +0000 2016", "Tue Jan 19 25:15:00 +0000 2016",
                           "Tue Jan 19 08:75:00 +0000 2016"})
    EXPECT_FALSE(ParseTwitterTime(none)) << none;
}

TEST(ParseUserTime, TakesIsoTimesRelativeTimesAndEpochSeconds) {
  EXPECT_EQ(ParseUserTime("2016-01-19T08:15:00Z", 0), kNow);
  EXPECT_EQ(ParseUserTime("-30m", kNow), kNow - 30 * kMillisPerMinute);
  EXPECT_EQ(ParseUserTime("-2h", kNow), kNow - 2 * kMillisPerHour);
  EXPECT_EQ(ParseUserTime("-7d", kNow), kNow - 7 * kMillisPerDay);
  EXPECT_EQ(ParseUserTime("+2h", kNow), kNow + 2 * kMillisPerHour);  // a silence's end
  EXPECT_EQ(ParseUserTime("1453191300", 0), kNow);
}

TEST(ParseUserTime, RefusesWhatItCannotRead) {
  for (const char* text :
       {"", "-", "-h", "-2", "-2w", "-2hh", "-2 h", "+", "+2", "2h", "yesterday"}) {
    EXPECT_FALSE(ParseUserTime(text, kNow).has_value()) << text;
  }
}

TEST(ParseUserTime, RefusesACountTooLongToBeMeantInsteadOfOverflowing) {
  EXPECT_EQ(ParseUserTime("-999999999d", kNow), kNow - 999'999'999 * kMillisPerDay);
  EXPECT_FALSE(ParseUserTime("-1000000000d", kNow).has_value());
  EXPECT_FALSE(ParseUserTime("-99999999999999999999999d", kNow).has_value());
}

TEST(ParseDuration, TakesACountAndAUnit) {
  EXPECT_EQ(ParseDuration("250ms"), 250);
  EXPECT_EQ(ParseDuration("90"), 90'000);
  EXPECT_EQ(ParseDuration("90s"), 90'000);
  EXPECT_EQ(ParseDuration("2m"), 2 * kMillisPerMinute);
  EXPECT_EQ(ParseDuration("2min"), 2 * kMillisPerMinute);
  EXPECT_EQ(ParseDuration("1h"), kMillisPerHour);
  EXPECT_EQ(ParseDuration("1d"), kMillisPerDay);
  for (const char* text : {"", "h", "1w", "-1h", "1.5h"}) {
    EXPECT_FALSE(ParseDuration(text).has_value()) << text;
  }
}

TEST(ParseDuration, RefusesACountTooLongToBeMeantInsteadOfOverflowing) {
  EXPECT_EQ(ParseDuration("999999999d"), 999'999'999 * kMillisPerDay);
  EXPECT_FALSE(ParseDuration("1000000000d").has_value());
  EXPECT_FALSE(ParseDuration("99999999999999999999999").has_value());
}

TEST(WholeMinutesWithin, AreTheMinutesAGapCoversFromStartToEnd) {
  const int64_t nine = *ParseIsoTime("2016-01-19T09:00:00Z");
  const int64_t eleven = *ParseIsoTime("2016-01-19T11:00:00Z");
  // From the very start of 09:00 to the very start of 11:00: 09:00 to 10:59, both whole.
  EXPECT_EQ(WholeMinutesWithin(nine, eleven), std::pair(nine, eleven - kMillisPerMinute));
  // Half of 09:00 and half of 11:00 were watched: neither is whole inside the gap.
  EXPECT_EQ(WholeMinutesWithin(nine + 30'000, eleven + 30'000),
            std::pair(nine + kMillisPerMinute, eleven - kMillisPerMinute));
  // A few seconds' disconnection covers no minute whole.
  const auto [first, last] = WholeMinutesWithin(nine + 58'000, nine + 63'000);
  EXPECT_GT(first, last);
}

}  // namespace
}  // namespace hashmon
