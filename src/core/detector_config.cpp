#include "hashmon/detector_config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "hashmon/time_util.h"

namespace hashmon {

DetectorConfig CountExportConfig(int64_t step_ms) {
  DetectorConfig config;
  config.step_ms = step_ms;
  // The news swings less over longer steps: on NAB's files the method of moments gives 0.5 to
  // 1.1 at 5 minutes, 0.45 to 0.75 at 15, 0.30 to 0.45 at an hour, 0.31 to 0.51 at 4 hours.
  constexpr double kFiveMinutes = 300'000;
  config.min_dispersion =
      std::clamp(std::pow(kFiveMinutes / static_cast<double>(step_ms), 0.3), 0.4, 1.0);
  config.prior_weight_steps = 0.1;
  config.level_from_first_step = true;
  // Half-lives and horizons of at least a few steps, for exports with hourly or daily steps.
  const double step_hours = static_cast<double>(step_ms) / kMillisPerHour;
  config.level_half_life_hours = std::max(config.level_half_life_hours, 12 * step_hours);
  config.cold_start_half_life_hours = std::max(config.cold_start_half_life_hours, 4 * step_hours);
  config.novelty_hours = std::max(config.novelty_hours, 7 * step_hours);
  config.count_novelty_hours = std::max(72.0, 7 * step_hours);
  // A dip of a step or two inside a surge is no recovery: at daily steps a 6-hour hold-down
  // ended before the next step, and a surge with a quiet day in it fired, resolved and fired
  // again. (At 5-minute and hourly steps, 6 hours is already 72 and 6 steps.)
  config.hold_down_hours = std::max(config.hold_down_hours, 3 * step_hours);
  // A topic's volume often swings back to (and past) a peak it had hours before; NAB's
  // standard score falls from 70.6 to 52.9 with relapses at half the last alert's rate, and
  // to 65.1 at twice it.
  config.relapse_fraction = 0;
  return config;
}

bool StepShorterThanABurst(const DetectorConfig& config) {
  return config.step_ms < config.burst_minutes * 60'000;
}

namespace {

constexpr double kPositive = std::numeric_limits<double>::min();  // above 0
constexpr double kUnbounded = 1e9;
constexpr double kStepsInADay = 1440;

// One setting's value: `text` as a whole number (within [lo, hi]), or false with *why.
bool ReadValue(const std::string& name, const std::string& text, double lo, double hi,
               double* value, std::string* why) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0' && std::isfinite(v) && v >= lo && v <= hi) {
    *value = v;
    return true;
  }
  if (why) {
    std::ostringstream range;
    range << name << " is a number from ";
    if (lo == kPositive)
      range << "just above 0";
    else
      range << lo;
    if (hi == kUnbounded)
      range << " up";
    else
      range << " to " << hi;
    range << ", not " << (text.empty() ? "nothing" : text);
    *why = range.str();
  }
  return false;
}

// "windows": window lengths in steps, "1,3,10", each from 1 to a day of minutes.
bool ReadWindows(const std::string& text, std::vector<int>* windows, std::string* why) {
  std::vector<int> w;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    double steps = 0;
    if (!ReadValue("each of windows", item, 1, kStepsInADay, &steps, why)) return false;
    w.push_back(static_cast<int>(steps));
  }
  if (w.empty()) {
    if (why) *why = "windows is a list of steps, e.g. 1,3,10";
    return false;
  }
  *windows = w;
  return true;
}

}  // namespace

bool SetDetectorOption(DetectorConfig* c, const std::string& name, const std::string& value,
                       std::string* why) {
  if (name == "windows") return ReadWindows(value, &c->windows, why);
  struct Field {
    const char* name;
    double* d;
    int* i;
    bool* b;  // 0 or 1
    double lo = 0, hi = kUnbounded;
  };
  constexpr double p_lo = kPositive, p_hi = 1;  // a probability
  const Field fields[] = {
      {"leave_busiest_out", nullptr, nullptr, &c->leave_busiest_out, 0, 1},
      {"sustained_window", nullptr, &c->sustained_window, nullptr, 0, kStepsInADay},
      {"leave_two_bursts_out", nullptr, nullptr, &c->leave_two_bursts_out, 0, 1},
      {"window_needs_history", nullptr, nullptr, &c->window_needs_history, 0, 1},
      {"level_half_life_hours", &c->level_half_life_hours, nullptr, nullptr, kPositive},
      {"cold_start_half_life_hours", &c->cold_start_half_life_hours, nullptr, nullptr, kPositive},
      {"season_half_life_days", &c->season_half_life_days, nullptr, nullptr, kPositive},
      {"season_prior_events", &c->season_prior_events, nullptr, nullptr},
      {"time_of_day_after_days", &c->time_of_day_after_days, nullptr, nullptr},
      {"day_of_week_after_days", &c->day_of_week_after_days, nullptr, nullptr},
      {"prior_rate_per_step", &c->prior_rate_per_step, nullptr, nullptr, kPositive},
      {"prior_weight_steps", &c->prior_weight_steps, nullptr, nullptr, kPositive},
      {"update_clip_sigmas", &c->update_clip_sigmas, nullptr, nullptr, kPositive},
      {"warmup_steps", nullptr, &c->warmup_steps, nullptr, 0, kUnbounded},
      {"level_from_first_step", nullptr, nullptr, &c->level_from_first_step, 0, 1},
      {"initial_dispersion", &c->initial_dispersion, nullptr, nullptr},
      {"min_dispersion", &c->min_dispersion, nullptr, nullptr},
      {"alert_p", &c->alert_p, nullptr, nullptr, p_lo, p_hi},
      {"min_count", &c->min_count, nullptr, nullptr},
      {"spike_p", &c->spike_p, nullptr, nullptr, p_lo, p_hi},
      {"spike_min_count", &c->spike_min_count, nullptr, nullptr},
      {"onset_steps", nullptr, &c->onset_steps, nullptr, 1, kStepsInADay},
      {"min_elevated_steps", nullptr, &c->min_elevated_steps, nullptr, 0, kStepsInADay},
      {"burst_minutes", &c->burst_minutes, nullptr, nullptr, 0, kStepsInADay},
      {"busiest_out_p", &c->busiest_out_p, nullptr, nullptr, p_lo, p_hi},
      {"burst_allowance", &c->burst_allowance, nullptr, nullptr},
      {"burst_max_posts", &c->burst_max_posts, nullptr, nullptr},
      {"quiet_quantile", &c->quiet_quantile, nullptr, nullptr, p_lo, p_hi},
      {"resolve_after_minutes", &c->resolve_after_minutes, nullptr, nullptr},
      {"resolve_expected_events", &c->resolve_expected_events, nullptr, nullptr},
      {"resolve_max_minutes", &c->resolve_max_minutes, nullptr, nullptr},
      {"resolve_lull_p", &c->resolve_lull_p, nullptr, nullptr, p_lo, p_hi},
      {"hold_down_hours", &c->hold_down_hours, nullptr, nullptr},
      {"relapse_fraction", &c->relapse_fraction, nullptr, nullptr},
      {"novelty_hours", &c->novelty_hours, nullptr, nullptr},
      {"count_novelty_hours", &c->count_novelty_hours, nullptr, nullptr},
      {"max_backdate_steps", nullptr, &c->max_backdate_steps, nullptr, 0, kStepsInADay},
      {"incident_alert_p", &c->incident_alert_p, nullptr, nullptr, p_lo, p_hi},
      {"incident_min_count", &c->incident_min_count, nullptr, nullptr},
      {"max_firing_hours", &c->max_firing_hours, nullptr, nullptr, kPositive},
  };
  for (const auto& f : fields) {
    if (name != f.name) continue;
    double v = 0;
    if (!ReadValue(name, value, f.lo, f.hi, &v, why)) return false;
    if ((f.i || f.b) && v != std::floor(v)) {
      if (why) *why = name + " is a whole number, not " + value;
      return false;
    }
    if (f.d) *f.d = v;
    if (f.i) *f.i = static_cast<int>(v);
    if (f.b) *f.b = v != 0;
    return true;
  }
  if (why) *why = "unknown setting";
  return false;
}

}  // namespace hashmon
