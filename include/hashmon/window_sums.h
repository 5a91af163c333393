// The sums the detector tests over one window of recent steps: their events, their
// expectation (and its square, for the sum's dispersion), how many were elevated, and the
// busiest step. Steps are added newest first, each with the level it was expected at; the
// window is then judged against the level from before its oldest step (Finish): a surge's
// first steps must not raise the bar for the steps after them.
#ifndef HASHMON_WINDOW_SUMS_H_
#define HASHMON_WINDOW_SUMS_H_

#include <array>
#include <utility>

namespace hashmon {

struct WindowSums {
  double sum = 0, mean = 0, mean_sq = 0, busiest = -1, busiest_expected = 0;
  double level = 1, weight = 0;  // the level and its weight before the oldest step
  int have = 0, elevated = 0;
  // The first steps' counts and expectations (per unit of level), newest first, for the
  // two-bursts rule.
  static constexpr int kKept = 64;
  std::array<double, kKept> counts, expecteds;  // only the first `have` are set

  // Adds the step before those added so far: its count, what the baseline expected of it
  // when its level was `level_before` (with that weight), and whether it was elevated.
  void Add(double count, double expected, bool is_elevated, double level_before = 1,
           double weight_before = 0);
  // Rescales the expectations to the oldest step's level; call once, after the last Add.
  void Finish();
  // The most events two separate runs of `span` steps hold (at least one step apart, each
  // with `min_burst` events or more), and their expectation; among the first kKept steps.
  std::pair<double, double> TwoBusiestSpans(int span, double min_burst) const;
};

}  // namespace hashmon

#endif  // HASHMON_WINDOW_SUMS_H_
