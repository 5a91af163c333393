#include "hashmon/time_util.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

constexpr int64_t kNow = 1'453'191'300'000;  // 2016-01-19T08:15:00Z

TEST(ParseUserTime, TakesIsoTimesRelativeTimesAndEpochSeconds) {
  EXPECT_EQ(ParseUserTime("2016-01-19T08:15:00Z", 0), kNow);
  EXPECT_EQ(ParseUserTime("-30m", kNow), kNow - 30 * kMillisPerMinute);
  EXPECT_EQ(ParseUserTime("-2h", kNow), kNow - 2 * kMillisPerHour);
  EXPECT_EQ(ParseUserTime("-7d", kNow), kNow - 7 * kMillisPerDay);
  EXPECT_EQ(ParseUserTime("1453191300", 0), kNow);
}

TEST(ParseUserTime, RefusesWhatItCannotRead) {
  for (const char* text : {"", "-", "-h", "-2", "-2w", "-2hh", "-2 h", "yesterday"}) {
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
