#include "hashmon/change_point.h"

#include <algorithm>
#include <cmath>

namespace hashmon {

int64_t MostLikelyOnset(const std::vector<StepCount>& steps, int64_t latest) {
  // A crowd's first minutes are dated by their posts together, so a low-volume country (one
  // post a minute, some minutes none) is dated to its first posts, while a stray post long
  // before a surge is left out. Candidates are tried newest first, with the sums of the
  // steps from each to the newest.
  double posts = 0, expected = 0, posts_log_expected = 0, best = 0;
  int64_t onset = latest;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const double e = std::max(it->expected, 1e-6);
    posts += it->count;
    expected += e;
    posts_log_expected += it->count * std::log(e);
    if (it->count <= 0 || it->t > latest) continue;  // a surge begins with a post
    const double n = static_cast<double>(it - steps.rbegin() + 1), rate = posts / n;
    if (rate <= expected / n) continue;
    const double log_likelihood_ratio =
        posts * std::log(rate) - posts_log_expected - posts + expected;
    if (log_likelihood_ratio > best) {
      best = log_likelihood_ratio;
      onset = it->t;
    }
  }
  return onset;
}

int64_t MostLikelyEnd(const std::vector<StepCount>& steps) {
  // The mirror of MostLikelyOnset. Where an outage's posts die away over minutes, the quiet
  // stretch that ends an alert begins when they are back at the baseline's level; the end is
  // where the surge's rate gave way (over scripts/eval-independent, whose outages decay with
  // a 3-minute time constant, 41 of 242 ends came 11 to 17 minutes after the real one, and 6
  // with this).
  const size_t n = steps.size();
  if (n < 2) return n == 1 ? steps.front().t : INT64_MAX;
  // after[i]: the log-likelihood of steps i.. at the baseline (without the log n! terms,
  // the same under both models).
  std::vector<double> after(n + 1, 0.0);
  for (size_t i = n; i-- > 0;) {
    const double e = std::max(steps[i].expected, 1e-6);
    after[i] = after[i + 1] + steps[i].count * std::log(e) - e;
  }
  double posts = 0, best = -INFINITY;
  int64_t end = steps.back().t;
  for (size_t c = 1; c < n; ++c) {  // steps[0 .. c) at one rate, steps[c ..] at the baseline
    posts += steps[c - 1].count;
    const double rate = posts / static_cast<double>(c);
    const double before = posts > 0 ? posts * std::log(rate) - posts : 0;
    if (before + after[c] > best) best = before + after[c], end = steps[c].t;
  }
  return end;
}

}  // namespace hashmon
