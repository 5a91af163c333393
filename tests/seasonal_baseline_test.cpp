#include "hashmon/seasonal_baseline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "hashmon/detector_config.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::kMin;
constexpr int64_t kDay = 1440 * kMin;
using testing::kMonday;

class SeasonalBaselineTest : public ::testing::Test {
 protected:
  // Feeds `minutes` minute counts from kMonday + from, drawn at rate(t).
  template <typename Rate>
  void Feed(SeasonalBaseline* b, int64_t from, int minutes, Rate rate) {
    for (int m = 0; m < minutes; ++m) {
      const int64_t t = kMonday + from + m * kMin;
      std::poisson_distribution<int> posts(rate(t));
      b->Learn(t, Days(t), posts(rng_), /*clip=*/true);
    }
  }
  static double Days(int64_t t) { return static_cast<double>(t - kMonday) / kDay; }
  static double HourOfDay(int64_t t) {
    return static_cast<double>((t - kMonday) % kDay) / (60 * kMin);
  }

  DetectorConfig cfg_;
  std::mt19937 rng_{7};
};

TEST_F(SeasonalBaselineTest, AColdStartExpectsThePriorRate) {
  const SeasonalBaseline b(&cfg_);
  EXPECT_DOUBLE_EQ(b.Expected(kMonday, -INFINITY), cfg_.prior_rate_per_step);
  // The prior is worth prior_weight_steps steps at that rate: a loose guess, with fat tails.
  EXPECT_NEAR(b.Shape(), cfg_.prior_rate_per_step * cfg_.prior_weight_steps, 1e-12);
  EXPECT_GT(b.Dispersion(), 1.0);
}

TEST_F(SeasonalBaselineTest, LearnsTheLevelOfASteadySeriesWithinHours) {
  SeasonalBaseline b(&cfg_);
  Feed(&b, 0, 6 * 60, [](int64_t) { return 2.0; });
  EXPECT_NEAR(b.Expected(kMonday + 6 * 60 * kMin, Days(kMonday + 6 * 60 * kMin)), 2.0, 0.3);
  // Poisson counts: little extra-Poisson variation is learnt.
  EXPECT_LT(b.data_dispersion(), 0.1);
}

TEST_F(SeasonalBaselineTest, KnowsTheTimeOfDayOnceADayOfHistoryIsIn) {
  SeasonalBaseline b(&cfg_);
  auto daily = [](int64_t t) { return HourOfDay(t) >= 8 && HourOfDay(t) < 20 ? 3.0 : 0.3; };
  Feed(&b, 0, 7 * 1440, daily);
  const int64_t noon = kMonday + 7 * kDay + 12 * 60 * kMin,
                night = kMonday + 7 * kDay + 2 * 60 * kMin;
  EXPECT_GT(b.Expected(noon, Days(noon)), 4 * b.Expected(night, Days(night)));
  // Before time_of_day_after_days of history, the profile is not used.
  EXPECT_DOUBLE_EQ(b.Expected(noon, 0.5), b.Expected(night, 0.5));
}

TEST_F(SeasonalBaselineTest, ASpikeTeachesTheLevelOnlySlowly) {
  SeasonalBaseline clipped(&cfg_), unclipped(&cfg_);
  for (SeasonalBaseline* b : {&clipped, &unclipped}) Feed(b, 0, 1440, [](int64_t) { return 1.0; });
  const int64_t t = kMonday + kDay;
  const double before = clipped.Expected(t, Days(t));
  clipped.Learn(t, Days(t), 200, /*clip=*/true);
  unclipped.Learn(t, Days(t), 200, /*clip=*/false);
  // Clipped at update_clip_sigmas: a 200-post minute teaches no more than a 3-sigma one.
  const double clipped_rise = clipped.Expected(t + kMin, Days(t + kMin)) - before;
  const double unclipped_rise = unclipped.Expected(t + kMin, Days(t + kMin)) - before;
  EXPECT_LT(clipped_rise, 0.1 * before);
  EXPECT_GT(unclipped_rise, 20 * clipped_rise);
}

TEST_F(SeasonalBaselineTest, LearnsHowMuchMoreThanPoissonTheCountsVary) {
  // A rate that jumps between 0.5 and 4 from minute to minute: variance well beyond the mean.
  SeasonalBaseline b(&cfg_);
  std::bernoulli_distribution busy(0.3);
  Feed(&b, 0, 7 * 1440, [&](int64_t) { return busy(rng_) ? 4.0 : 0.5; });
  EXPECT_GT(b.data_dispersion(), 0.3);
}

TEST_F(SeasonalBaselineTest, AQuietMorningsRiseOnAColdStartIsNotExtraPoissonVariation) {
  // A collector started at midnight in a quiet country: a post every twenty minutes at
  // night, rising to one every two minutes by noon. The young level lags the rise, so its
  // morning minutes hold a post where a tenth was expected; the counts are still Poisson
  // about their rate, and the dispersion learnt must say so, not that a minute at half a
  // post may well hold five.
  SeasonalBaseline b(&cfg_);
  Feed(&b, 0, 12 * 60, [](int64_t t) { return 0.05 + 0.45 * HourOfDay(t) / 12; });
  EXPECT_LT(b.data_dispersion(), 0.5);
}

TEST_F(SeasonalBaselineTest, ItsSavedStateReadsBackToTheSameExpectations) {
  SeasonalBaseline b(&cfg_);
  Feed(&b, 0, 3 * 1440, [](int64_t t) { return 0.5 + HourOfDay(t) / 12; });
  std::string saved;
  StateText text(&saved);
  b.WriteLevel(&text);
  b.WriteProfiles(&text);
  b.WriteWindows(&text);
  SeasonalBaseline restored(&cfg_);
  std::istringstream in(saved);
  restored.ReadLevel(in, 9);
  restored.ReadProfiles(in, 9);
  restored.ReadWindows(in, 9);
  ASSERT_TRUE(in);
  for (int h = 0; h < 24; ++h) {
    const int64_t t = kMonday + 3 * kDay + h * 60 * kMin;
    EXPECT_DOUBLE_EQ(restored.Expected(t, Days(t)), b.Expected(t, Days(t)));
  }
  EXPECT_DOUBLE_EQ(restored.Dispersion(), b.Dispersion());
  EXPECT_DOUBLE_EQ(restored.WindowDispersion(), b.WindowDispersion());
}

}  // namespace
}  // namespace hashmon
