// Dating a surge: where a count series changed between its baseline and one constant rate
// above it, as the most likely change point of a Poisson rate. The detector dates an
// alert's onset and its end with these; both are pure functions of the steps they are given.
#ifndef HASHMON_CHANGE_POINT_H_
#define HASHMON_CHANGE_POINT_H_

#include <cstdint>
#include <vector>

namespace hashmon {

// One step of a series: when it starts, its count, and what the baseline expected of it.
struct StepCount {
  int64_t t;
  double count;
  double expected;
};

// The onset among `steps` (oldest first) that starts no later than `latest`: before it the
// baseline, from it on one constant rate above it. A surge begins with a post, so only steps
// with a count are candidates. `latest` when no step makes a likelier change.
int64_t MostLikelyOnset(const std::vector<StepCount>& steps, int64_t latest);

// The first step back at baseline among `steps` (oldest first, all after an onset): before
// it one constant rate, from it on the baseline. The only step's start for one step, and
// INT64_MAX for none.
int64_t MostLikelyEnd(const std::vector<StepCount>& steps);

}  // namespace hashmon

#endif  // HASHMON_CHANGE_POINT_H_
