#include "hashmon/change_point.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace hashmon {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kT0 = 1'453'161'600'000;  // 2016-01-19T00:00:00Z

// Minute steps from kT0 with these counts, all expected at `baseline`.
std::vector<StepCount> Steps(const std::vector<double>& counts, double baseline) {
  std::vector<StepCount> steps;
  for (size_t i = 0; i < counts.size(); ++i)
    steps.push_back({kT0 + static_cast<int64_t>(i) * kMin, counts[i], baseline});
  return steps;
}

TEST(MostLikelyOnsetTest, TheOnsetIsWhereTheBaselineGivesWayToOneRate) {
  EXPECT_EQ(MostLikelyOnset(Steps({0, 1, 0, 0, 8, 10, 9, 11}, 0.5), kT0 + 7 * kMin),
            kT0 + 4 * kMin);
}

TEST(MostLikelyOnsetTest, ALowVolumeSurgeIsDatedToItsFirstPostsNotAStrayOneBefore) {
  // A stray post ten minutes early, then a post a minute with a pause or two.
  const std::vector<double> counts = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1};
  EXPECT_EQ(MostLikelyOnset(Steps(counts, 0.05), kT0 + 17 * kMin), kT0 + 10 * kMin);
}

TEST(MostLikelyOnsetTest, NoStepAfterLatestAndNoSilentStepIsAnOnset) {
  // The busiest steps come after `latest`: the onset is the latest step with a post up to it.
  EXPECT_EQ(MostLikelyOnset(Steps({0, 0, 3, 0, 20, 20}, 0.5), kT0 + 3 * kMin), kT0 + 2 * kMin);
  // Nothing above the baseline: `latest` itself.
  EXPECT_EQ(MostLikelyOnset(Steps({0, 0, 0}, 0.5), kT0 + 2 * kMin), kT0 + 2 * kMin);
}

TEST(MostLikelyEndTest, TheEndIsWhereOneRateGivesWayToTheBaseline) {
  EXPECT_EQ(MostLikelyEnd(Steps({9, 11, 10, 12, 9, 3, 1, 0, 1, 0, 1}, 0.5)), kT0 + 5 * kMin);
}

TEST(MostLikelyEndTest, OneStepIsItsOwnEndAndNoStepsHaveNone) {
  EXPECT_EQ(MostLikelyEnd(Steps({4}, 0.5)), kT0);
  EXPECT_EQ(MostLikelyEnd({}), INT64_MAX);
}

}  // namespace
}  // namespace hashmon
