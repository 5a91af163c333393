// Counting by event time, closing minutes behind a watermark, de-duplicating by id.
#include "hashmon/minute_counter.h"

#include <gtest/gtest.h>

#include "hashmon/dedup_window.h"
#include "hashmon/time_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::kMin;
constexpr int64_t kOnset = testing::kOutageDay + (8 * 60 + 15) * kMin;  // 08:15 UTC

TEST(MinuteCounter, CountsIntoTheMinuteOfTheEventTime) {
  MinuteCounter c(2 * kMin);
  c.Add("twitterdown", "BR", Method::kProfile, kOnset + 59'999);
  c.Add("twitterdown", "BR", Method::kProfile, kOnset + 1);
  c.Add("twitterdown", "BR", Method::kPlace, kOnset + kMin);
  auto deltas = c.TakeDeltas();
  ASSERT_EQ(deltas.size(), 2u);
  EXPECT_EQ(deltas[0].minute, kOnset);
  EXPECT_EQ(deltas[0].count, 2);
  EXPECT_EQ(deltas[1].minute, kOnset + kMin);
  EXPECT_TRUE(c.TakeDeltas().empty());  // handed over once
}

TEST(MinuteCounter, OpenTagCountSumsEveryCountryOfTheTagInThatMinute) {
  MinuteCounter c(2 * kMin);
  c.Add("twitterdown", "BR", Method::kProfile, kOnset + 1);
  c.Add("twitterdown", "??", Method::kNone, kOnset + 2);
  c.Add("twitterdown", "LT", Method::kLang, kOnset + 3);
  c.Add("twitterdown", "LT", Method::kLang, kOnset + kMin);   // the next minute
  c.Add("twitterdownx", "BR", Method::kProfile, kOnset + 4);  // another tag
  EXPECT_EQ(c.OpenTagCount("twitterdown", kOnset), 3);
  EXPECT_EQ(c.OpenTagCount("twitterdown", kOnset + kMin), 1);
  EXPECT_EQ(c.OpenTagCount("instadown", kOnset), 0);
}

TEST(MinuteCounter, MinuteClosesWhenTheWatermarkPassesItsEnd) {
  MinuteCounter c(2 * kMin);
  c.Add("t", "GB", Method::kLang, kOnset + 10);
  c.Observe(kOnset + 10);
  c.Observe(kOnset + 3 * kMin - 1);
  c.Observe(kOnset + 3 * kMin - 1);  // watermark = end of minute minus 1 ms
  EXPECT_TRUE(c.TakeClosed().empty());
  c.Observe(kOnset + 3 * kMin);
  c.Observe(kOnset + 3 * kMin);
  auto closed = c.TakeClosed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].minute, kOnset);
  EXPECT_EQ(closed[0].count, 1);
}

TEST(MinuteCounter, LateArrivalStillCountsInItsOwnMinute) {
  MinuteCounter c(2 * kMin);
  c.Observe(kOnset + 10 * kMin);
  c.Observe(kOnset + 10 * kMin);
  c.Add("t", "DE", Method::kCoords, kOnset);
  EXPECT_EQ(c.late_posts(), 1);
  auto deltas = c.TakeDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].minute, kOnset);
}

TEST(MinuteCounter, WatermarkNeverMovesBack) {
  MinuteCounter c(0);
  c.Observe(kOnset + 5 * kMin);
  c.Observe(kOnset + 5 * kMin);
  for (int i = 0; i < 3; ++i) c.Observe(kOnset);
  EXPECT_EQ(c.watermark(), kOnset + 5 * kMin);
}

TEST(MinuteCounter, TimeMovesOnWhenASecondPostConfirmsIt) {
  MinuteCounter c(0);
  c.Observe(kOnset);
  EXPECT_EQ(c.watermark(), INT64_MIN);  // one post alone says nothing yet
  c.Observe(kOnset + kMin);
  EXPECT_EQ(c.watermark(), kOnset);
  c.Observe(kOnset + 2 * kMin);
  EXPECT_EQ(c.watermark(), kOnset + kMin);  // the middle of the last three
}

TEST(MinuteCounter, APostWithAWrongClockClosesNoMinute) {
  // A post stamped a year ahead, among posts of 08:15 and 08:16: 08:15 stays open until
  // the others' time passes it, and so stays open to its late posts.
  MinuteCounter c(2 * kMin);
  const int64_t year = 365LL * 1440 * kMin;
  c.Add("t", "BR", Method::kPlace, kOnset + 10);
  c.Observe(kOnset + 10);
  c.Observe(kOnset + 20);
  c.Observe(kOnset + year);
  c.Observe(kOnset + kMin);
  EXPECT_TRUE(c.TakeClosed().empty());
  c.Add("t", "BR", Method::kPlace, kOnset + 30);
  EXPECT_EQ(c.late_posts(), 0);
  c.Observe(kOnset + 3 * kMin);
  auto closed = c.TakeClosed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].count, 2);
}

TEST(MinuteCounter, EndOfInputLeavesOutAMinuteFarAheadOfTheRest) {
  // Closing every minute up to a year ahead would judge a year of empty minutes; the
  // post is counted (its delta is kept), and reported as ahead.
  MinuteCounter c(2 * kMin);
  const int64_t year = 365LL * 1440 * kMin;
  for (int64_t t : {kOnset, kOnset + 1, kOnset + year, kOnset + kMin}) {
    c.Add("t", "BR", Method::kPlace, t);
    c.Observe(t);
  }
  const auto closed = c.TakeClosed(true);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed.back().minute, kOnset + kMin);
  EXPECT_EQ(c.ahead_posts(), 1);
  EXPECT_EQ(c.TakeDeltas().size(), 3u);
}

TEST(MinuteCounter, EndOfInputFlushesEveryOpenMinute) {
  MinuteCounter c(2 * kMin);
  c.Add("t", "ZA", Method::kNone, kOnset);
  c.Add("t", "ZA", Method::kNone, kOnset + kMin);
  c.Observe(kOnset + kMin);
  EXPECT_EQ(c.TakeClosed(true).size(), 2u);
}

TEST(DedupWindow, RemembersIdsPerSource) {
  DedupWindow d(60 * kMin, 100);
  EXPECT_TRUE(d.Insert(SourceKind::kX, "1", kOnset));
  EXPECT_FALSE(d.Insert(SourceKind::kX, "1", kOnset + 5));
  EXPECT_TRUE(d.Insert(SourceKind::kMastodon, "1", kOnset));  // another id space
}

TEST(DedupWindow, ForgetsIdsOlderThanTheWindow) {
  DedupWindow d(10 * kMin, 100);
  d.Insert(SourceKind::kX, "old", kOnset);
  d.Insert(SourceKind::kX, "new", kOnset + 11 * kMin);
  EXPECT_TRUE(d.Contains(SourceKind::kX, "old"));  // one post alone does not move time
  d.Insert(SourceKind::kX, "newer", kOnset + 11 * kMin + 1);
  EXPECT_FALSE(d.Contains(SourceKind::kX, "old"));
  EXPECT_TRUE(d.Contains(SourceKind::kX, "new"));
}

TEST(DedupWindow, APostWithAWrongClockDoesNotEmptyIt) {
  // Stamped a year ahead: if it moved time, every id before it would be forgotten, and a
  // reconnect's resent posts counted twice.
  DedupWindow d(10 * kMin, 100);
  d.Insert(SourceKind::kX, "a", kOnset);
  d.Insert(SourceKind::kX, "b", kOnset + 1);
  d.Insert(SourceKind::kX, "wrong", kOnset + 365LL * 1440 * kMin);
  d.Insert(SourceKind::kX, "c", kOnset + 2);
  d.Insert(SourceKind::kX, "d", kOnset + 3);
  EXPECT_FALSE(d.Insert(SourceKind::kX, "a", kOnset));
}

TEST(DedupWindow, IsBoundedInSize) {
  DedupWindow d(1'000 * kMin, 3);
  for (int i = 0; i < 10; ++i) d.Insert(SourceKind::kX, std::to_string(i), kOnset);
  EXPECT_EQ(d.size(), 3u);
}

TEST(TimeUtil, ParsesFeedTimestamps) {
  EXPECT_EQ(*ParseIsoTime("2016-01-19T08:15:00Z"), 1453191300000);
  EXPECT_EQ(*ParseIsoTime("2016-01-19T08:15:00.250Z"), 1453191300250);
  EXPECT_EQ(*ParseIsoTime("2016-01-19T10:15:00+02:00"), 1453191300000);
  EXPECT_EQ(*ParseIsoTime("2016-01-19 08:15:00"), 1453191300000);
  EXPECT_EQ(*ParseTwitterTime("Tue Jan 19 08:15:00 +0000 2016"), 1453191300000);
  EXPECT_FALSE(ParseIsoTime("2016-13-19T08:15:00Z"));
  EXPECT_FALSE(ParseIsoTime("yesterday"));
  EXPECT_EQ(FormatIsoTime(1453191300999), "2016-01-19T08:15:00Z");
  EXPECT_EQ(MinuteOf(1453191359999), 1453191300000);
}

}  // namespace
}  // namespace hashmon
