#include "hashmon/detector_config.h"

#include <algorithm>
#include <cmath>
#include <exception>
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

bool SetDetectorOption(DetectorConfig* c, const std::string& name, const std::string& value) {
  try {
    if (name == "windows") {
      std::vector<int> w;
      std::stringstream in(value);
      for (std::string item; std::getline(in, item, ',');) w.push_back(std::stoi(item));
      if (w.empty()) return false;
      c->windows = w;
      return true;
    }
    const double v = std::stod(value);
    struct Field {
      const char* name;
      double* d;
      int* i;
      bool* b = nullptr;  // 0 is false, anything else true
    };
    const Field fields[] = {
        {"leave_busiest_out", nullptr, nullptr, &c->leave_busiest_out},
        {"sustained_window", nullptr, &c->sustained_window},
        {"leave_two_bursts_out", nullptr, nullptr, &c->leave_two_bursts_out},
        {"window_needs_history", nullptr, nullptr, &c->window_needs_history},
        {"level_half_life_hours", &c->level_half_life_hours, nullptr},
        {"cold_start_half_life_hours", &c->cold_start_half_life_hours, nullptr},
        {"season_half_life_days", &c->season_half_life_days, nullptr},
        {"season_prior_events", &c->season_prior_events, nullptr},
        {"time_of_day_after_days", &c->time_of_day_after_days, nullptr},
        {"day_of_week_after_days", &c->day_of_week_after_days, nullptr},
        {"prior_rate_per_step", &c->prior_rate_per_step, nullptr},
        {"prior_weight_steps", &c->prior_weight_steps, nullptr},
        {"update_clip_sigmas", &c->update_clip_sigmas, nullptr},
        {"warmup_steps", nullptr, &c->warmup_steps},
        {"level_from_first_step", nullptr, nullptr, &c->level_from_first_step},
        {"initial_dispersion", &c->initial_dispersion, nullptr},
        {"min_dispersion", &c->min_dispersion, nullptr},
        {"alert_p", &c->alert_p, nullptr},
        {"min_count", &c->min_count, nullptr},
        {"spike_p", &c->spike_p, nullptr},
        {"spike_min_count", &c->spike_min_count, nullptr},
        {"onset_steps", nullptr, &c->onset_steps},
        {"min_elevated_steps", nullptr, &c->min_elevated_steps},
        {"burst_minutes", &c->burst_minutes, nullptr},
        {"busiest_out_p", &c->busiest_out_p, nullptr},
        {"burst_allowance", &c->burst_allowance, nullptr},
        {"burst_max_posts", &c->burst_max_posts, nullptr},
        {"quiet_quantile", &c->quiet_quantile, nullptr},
        {"resolve_after_minutes", &c->resolve_after_minutes, nullptr},
        {"resolve_expected_events", &c->resolve_expected_events, nullptr},
        {"resolve_max_minutes", &c->resolve_max_minutes, nullptr},
        {"resolve_lull_p", &c->resolve_lull_p, nullptr},
        {"hold_down_hours", &c->hold_down_hours, nullptr},
        {"relapse_fraction", &c->relapse_fraction, nullptr},
        {"novelty_hours", &c->novelty_hours, nullptr},
        {"count_novelty_hours", &c->count_novelty_hours, nullptr},
        {"max_backdate_steps", nullptr, &c->max_backdate_steps},
        {"incident_alert_p", &c->incident_alert_p, nullptr},
        {"incident_min_count", &c->incident_min_count, nullptr},
        {"max_firing_hours", &c->max_firing_hours, nullptr},
    };
    for (const auto& f : fields) {
      if (name != f.name) continue;
      if (f.d) *f.d = v;
      if (f.i) *f.i = static_cast<int>(v);
      if (f.b) *f.b = v != 0;
      return true;
    }
  } catch (const std::exception&) {
  }
  return false;
}

}  // namespace hashmon
