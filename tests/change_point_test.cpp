#include "hashmon/change_point.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "test_util.h"

namespace hashmon {
namespace {

using testing::kMin;
using testing::kOutageDay;

// Minute steps from kOutageDay with these counts, all expected at `baseline`.
std::vector<StepCount> Steps(const std::vector<double>& counts, double baseline) {
  std::vector<StepCount> steps;
  for (size_t i = 0; i < counts.size(); ++i)
    steps.push_back({kOutageDay + static_cast<int64_t>(i) * kMin, counts[i], baseline});
  return steps;
}

TEST(MostLikelyOnsetTest, TheOnsetIsWhereTheBaselineGivesWayToOneRate) {
  EXPECT_EQ(MostLikelyOnset(Steps({0, 1, 0, 0, 8, 10, 9, 11}, 0.5), kOutageDay + 7 * kMin),
            kOutageDay + 4 * kMin);
}

TEST(MostLikelyOnsetTest, ALowVolumeSurgeIsDatedToItsFirstPostsNotAStrayOneBefore) {
  // A stray post ten minutes early, then a post a minute with a pause or two.
  const std::vector<double> counts = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1};
  EXPECT_EQ(MostLikelyOnset(Steps(counts, 0.05), kOutageDay + 17 * kMin), kOutageDay + 10 * kMin);
}

TEST(MostLikelyOnsetTest, NoStepAfterLatestAndNoSilentStepIsAnOnset) {
  // The busiest steps come after `latest`: the onset is the latest step with a post up to it.
  EXPECT_EQ(MostLikelyOnset(Steps({0, 0, 3, 0, 20, 20}, 0.5), kOutageDay + 3 * kMin),
            kOutageDay + 2 * kMin);
  // Nothing above the baseline: `latest` itself.
  EXPECT_EQ(MostLikelyOnset(Steps({0, 0, 0}, 0.5), kOutageDay + 2 * kMin), kOutageDay + 2 * kMin);
}

TEST(MostLikelyEndTest, TheEndIsWhereOneRateGivesWayToTheBaseline) {
  EXPECT_EQ(MostLikelyEnd(Steps({9, 11, 10, 12, 9, 3, 1, 0, 1, 0, 1}, 0.5)), kOutageDay + 5 * kMin);
}

TEST(MostLikelyEndTest, OneStepIsItsOwnEndAndNoStepsHaveNone) {
  EXPECT_EQ(MostLikelyEnd(Steps({4}, 0.5)), kOutageDay);
  EXPECT_EQ(MostLikelyEnd({}), INT64_MAX);
}

}  // namespace
}  // namespace hashmon
