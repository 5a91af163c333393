#include "hashmon/window_sums.h"

#include <gtest/gtest.h>

#include <vector>

namespace hashmon {
namespace {

// A window of steps given oldest first (as a series saw them), each expected at 1 per step
// at level 1.
WindowSums Window(const std::vector<double>& oldest_first) {
  WindowSums s;
  for (auto it = oldest_first.rbegin(); it != oldest_first.rend(); ++it) s.Add(*it, 1, *it > 2);
  s.Finish();
  return s;
}

TEST(WindowSumsTest, SumsTheEventsTheExpectationAndTheElevatedSteps) {
  const WindowSums s = Window({0, 4, 1, 3});
  EXPECT_EQ(s.have, 4);
  EXPECT_DOUBLE_EQ(s.sum, 8);
  EXPECT_DOUBLE_EQ(s.mean, 4);
  EXPECT_DOUBLE_EQ(s.mean_sq, 4);
  EXPECT_EQ(s.elevated, 2);
  EXPECT_DOUBLE_EQ(s.busiest, 4);
  EXPECT_DOUBLE_EQ(s.busiest_expected, 1);
}

TEST(WindowSumsTest, IsJudgedAtTheLevelFromBeforeItsOldestStep) {
  // The surge's first step raised the level from 1 to 3 before the newest was expected:
  // the newest's expectation of 6 was 2 per unit of level, so 2 at the level before.
  WindowSums s;
  s.Add(5, /*expected=*/6, true, /*level_before=*/3, 20);
  s.Add(5, /*expected=*/2, true, /*level_before=*/1, 10);
  s.Finish();
  EXPECT_DOUBLE_EQ(s.level, 1);
  EXPECT_DOUBLE_EQ(s.weight, 10);
  EXPECT_DOUBLE_EQ(s.mean, 4);
}

TEST(WindowSumsTest, TwoBusiestSpansAreTwoSeparateBurstsWorthOfPosts) {
  // Bursts of 5 and 4 posts in 2-step runs, apart; a 1-post step between them is no burst.
  const WindowSums s = Window({0, 3, 2, 0, 1, 0, 4, 0, 0});
  const auto [posts, expected] = s.TwoBusiestSpans(2, 3);
  EXPECT_DOUBLE_EQ(posts, 9);
  EXPECT_DOUBLE_EQ(expected, 4);
}

TEST(WindowSumsTest, TwoBurstsSideBySideAreNotTwoBursts) {
  // Runs must be a step apart: 3+3 and 3+3 back to back count as one run plus nothing.
  const WindowSums s = Window({3, 3, 3, 3});
  EXPECT_DOUBLE_EQ(s.TwoBusiestSpans(2, 3).first, 0);
  // ... and a run with fewer posts than a burst holds is none.
  EXPECT_DOUBLE_EQ(Window({2, 0, 0, 2}).TwoBusiestSpans(1, 3).first, 0);
}

}  // namespace
}  // namespace hashmon
