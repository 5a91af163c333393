// What one count series is expected to hold in a step, learnt online: a deseasonalised level
// with the weight of the steps behind it, hour-of-day and day-of-week profiles once there is
// history enough to know them, and how much more than Poisson the counts vary (per step, and
// over the sustained-surge test's windows). Spikes teach it only slowly: counts beyond
// update_clip_sigmas are clipped before they are learnt.
#ifndef HASHMON_SEASONAL_BASELINE_H_
#define HASHMON_SEASONAL_BASELINE_H_

#include <array>
#include <cstdint>
#include <iosfwd>

#include "hashmon/detector_config.h"
#include "hashmon/state_text.h"

namespace hashmon {

class SeasonalBaseline {
 public:
  explicit SeasonalBaseline(const DetectorConfig* config);

  // The expected count of the step at t_ms, in a series with `days` of history before it
  // (-INFINITY for none yet).
  double Expected(int64_t t_ms, double days) const;
  // Learns the step at t_ms with this count (clipped unless `clip` is false: a warm-up).
  void Learn(int64_t t_ms, double days, double count, bool clip);

  double level() const { return level_; }
  double level_weight() const { return level_weight_; }
  // The level and its weight as they were (before a surge taught them) or as given (an
  // export's first value).
  void SetLevel(double level, double weight) { level_ = level, level_weight_ = weight; }
  // The Gamma posterior shape of the level (level * weight): how sure the level is.
  double Shape() const;
  // The extra-Poisson variation of the counts, variance = mean + this * mean^2 ...
  double data_dispersion() const { return dispersion_; }
  // ... and with the uncertainty of the level itself: a young or sparse series has fat tails.
  double Dispersion() const { return dispersion_ + 1 / Shape(); }
  // The same for a sum over a sustained-surge window, as learnt from whole windows laid end
  // to end.
  double WindowDispersion() const;

  // Saved state, in three parts in the order the detector's saved state has them (see
  // SeriesDetector::Serialize); `version` is the saved state's.
  void WriteLevel(StateText* text) const;
  void ReadLevel(std::istream& in, int version);
  void WriteProfiles(StateText* text) const;
  void ReadProfiles(std::istream& in, int version);
  void WriteWindows(StateText* text) const;
  void ReadWindows(std::istream& in, int version);

 private:
  // A profile is kept as decayed sums of counts and of steps per bucket; its factors (the
  // buckets' mean rates over the overall mean rate, centred on 1) are derived from them
  // after each step.
  template <size_t kBuckets>
  struct Profile {
    std::array<double, kBuckets> sum{}, steps{}, factor = Ones();
    void Add(size_t bucket, double count, double decay);
    void UpdateFactors(double prior_events);
    static std::array<double, kBuckets> Ones() {
      std::array<double, kBuckets> a;
      a.fill(1);
      return a;
    }
  };
  bool UsesHourProfile(double days) const;
  bool UsesDayProfile(double days) const;
  void LearnDispersion(double count, double mean);
  // Adds a step (its count as learnt, and its expectation) to the window being filled.
  void LearnWindowDispersion(double count, double mean);

  const DetectorConfig* cfg_;
  double level_;
  double level_weight_;
  double dispersion_;
  double excess_variance_ = 0, mean_squared_ = 0;  // decayed sums behind dispersion_
  // The same over the sustained-surge test's windows, laid end to end: chatter that wanders
  // with the news for hours varies more over a half hour than its minutes say.
  double window_excess_variance_ = 0, window_mean_squared_ = 0;
  double window_sum_ = 0, window_expected_ = 0;  // the window being filled
  int window_steps_ = 0;
  struct Decays {
    double level, cold_start_level, hour_bucket, weekly;
  } decay_;
  Profile<24> hours_;
  Profile<7> days_;
};

}  // namespace hashmon

#endif  // HASHMON_SEASONAL_BASELINE_H_
