#include "hashmon/window_sums.h"

#include <algorithm>

namespace hashmon {

void WindowSums::Add(double count, double expected, bool is_elevated, double level_before,
                     double weight_before) {
  // Kept per unit of level until Finish() knows the oldest step's.
  const double season = expected / level_before;
  sum += count;
  mean += season;
  mean_sq += season * season;
  elevated += is_elevated;
  if (count > busiest) busiest = count, busiest_expected = season;
  if (have < kKept) counts[have] = count, expecteds[have] = season;
  level = level_before;
  weight = weight_before;
  ++have;
}

void WindowSums::Finish() {
  mean *= level;
  mean_sq *= level * level;
  busiest_expected *= level;  // (expecteds[] stay per unit of level: few windows need them)
}

std::pair<double, double> WindowSums::TwoBusiestSpans(int span, double min_burst) const {
  // Two runs of `span` steps with at least one step between them (two bursts side by side
  // are a surge going on), each holding a burst's worth of posts: their posts and expectation.
  const int n = std::min(have, kKept);
  std::array<double, kKept> span_count{}, span_expected{};
  for (int i = 0; i + span <= n; ++i) {
    for (int j = i; j < i + span; ++j) span_count[i] += counts[j], span_expected[i] += expecteds[j];
    if (span_count[i] < min_burst) span_count[i] = span_expected[i] = 0;
  }
  double best = 0, best_expected = 0, before = 0, before_expected = 0;
  for (int i = span + 1; i + span <= n; ++i) {
    const int earlier = i - span - 1;  // the newest run that ends a step before run i
    if (span_count[earlier] > before)
      before = span_count[earlier], before_expected = span_expected[earlier];
    if (before + span_count[i] > best)
      best = before + span_count[i], best_expected = before_expected + span_expected[i];
  }
  return {best, best_expected * level};
}

}  // namespace hashmon
