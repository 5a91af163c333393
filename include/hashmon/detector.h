// Online spike and outage detection on one count series (one tag in one country, or a
// NAB file): a seasonal, self-correcting baseline, a negative-binomial tail test fit for
// small counts, and an alert state machine (quiet -> pending -> firing -> resolved) with
// an onset rule, a hold-down and a resolve rule, in the manner of Prometheus' `for` and
// `keep_firing_for`.
#ifndef HASHMON_DETECTOR_H_
#define HASHMON_DETECTOR_H_

#include <cstdint>
#include <deque>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "hashmon/change_point.h"
#include "hashmon/detector_config.h"
#include "hashmon/neg_binomial.h"
#include "hashmon/seasonal_baseline.h"
#include "hashmon/trailing_max.h"
#include "hashmon/window_sums.h"

namespace hashmon {

enum class AlertState { kQuiet, kPending, kFiring };

struct AlertEvent {
  enum Kind { kFired, kResolved } kind;
  int64_t started = 0;      // onset, back-dated to the first elevated step
  int64_t detected_at = 0;  // event time of the step that fired
  int64_t ended = 0;        // kResolved: first step back at baseline
  int64_t resolved_at = 0;  // kResolved: event time of the step that resolved it
};

struct Assessment {
  double expected = 0;     // baseline for this step
  double log10_p = 0;      // most significant window's (corrected) tail probability
  double score = 0;        // in [0, 1]: >= 0.5 while an alert is starting or firing
  bool anomalous = false;  // passes the alert test
  bool spike = false;      // passes the spike test
  // With count_novelty_hours set: the most events one step had in those hours before this
  // one (the volume rule's bar for a one-step window); -1 when the rule is off.
  double recent_peak = -1;
  AlertState state = AlertState::kQuiet;
  // While firing: the onset as now estimated. It may move during the alert's first steps,
  // as the surge's own posts tell its start from a stray post before it.
  int64_t started = 0;
  std::optional<AlertEvent> event;
};

// The largest count a step holds, as the detector takes it. Beyond 2^53 a double holds no
// exact count, and the squares the baseline sums would overflow to infinity (which the
// saved state cannot hold) from about 1e154: a user's count export may hold 1e300. Such a
// count is far beyond any baseline either way.
inline constexpr double kMaxStepCount = 9007199254740992.0;

class SeriesDetector {
 public:
  explicit SeriesDetector(const DetectorConfig* config);

  // Feeds the count of the step starting at t_ms (steps in order; a step may be skipped,
  // which counts as zero). A gap step (source disconnected) changes no baseline and no
  // alert state. `incident` says the tag is in an outage elsewhere. A count above
  // kMaxStepCount is taken as that. The event returned is this step's: an alert that ended
  // in skipped steps shows in the state only, so a caller that needs every event observes
  // every step while an alert fires (as OutageTracker does).
  Assessment Observe(int64_t t_ms, double count, bool gap = false, bool incident = false) {
    return Observe(t_ms, count, gap, incident, [](int64_t) { return false; });
  }
  // The same, for a caller that knows when its source went unwatched: a skipped step for
  // which `skipped_in_gap(step_ms)` is true is observed as a gap, not as zero.
  template <typename InGap>
  Assessment Observe(int64_t t_ms, double count, bool gap, bool incident,
                     const InGap& skipped_in_gap) {
    FillSkippedSteps(t_ms, skipped_in_gap);
    return ObserveStep(t_ms, count, gap, incident);
  }

  // Tests a step that is still open (its count can only grow), with the counts of the
  // earlier steps that are still open too: returns an event if the alert fires already.
  // Does not change the baseline.
  std::optional<AlertEvent> Peek(int64_t t_ms, double partial_count,
                                 const std::vector<std::pair<int64_t, double>>& open_before = {},
                                 bool incident = false);
  // The same for a provisional alert (Provisional()): whether the open steps already say
  // more, as the step's close would find (a count can only grow), so that it is confirmed
  // as soon as the posts tell, not at the end of the minute. Returns true when it is
  // confirmed now.
  bool ConfirmEarly(int64_t t_ms, double partial_count,
                    const std::vector<std::pair<int64_t, double>>& open_before = {});

  // The baseline for a step (exposed for reports and tests).
  double Expected(int64_t t_ms) const;

  // The incident's alert test on the sum alone (no step need be elevated, no novelty bar)
  // of steps the caller describes, oldest first: how surprising a series derived from this
  // one is, with this one's dispersion. As log10 of the corrected tail probability.
  double SurpriseLog10(const std::vector<StepCount>& steps) const;

  // The count a recent closed step had (0 for a step skipped, a gap, or too old to keep).
  double CountAt(int64_t t_ms) const;

  AlertState state() const { return state_; }
  // Firing on the incident's lesser evidence alone: no step since it fired would have
  // passed the alert test without the incident open elsewhere.
  bool FiringOnIncidentEvidence() const {
    return state_ == AlertState::kFiring && on_incident_evidence_;
  }
  // Firing on evidence that two harmless bursts could make: since its onset, the series'
  // posts, less what two bursts could hold (its busiest runs of burst_minutes: up to
  // burst_max_posts each, or twice that in one run), are not significant. Where bursts
  // happen every day in every country, two of them now and then come together; an outage
  // soon says more. (Only where the burst rules apply: steps shorter than a burst.)
  bool FiringOnBurstEvidence() const { return state_ == AlertState::kFiring && on_burst_evidence_; }
  // Either: the alert is provisional until it says more (see OutageTracker).
  bool Provisional() const { return FiringOnIncidentEvidence() || FiringOnBurstEvidence(); }
  // Ends such an alert with the incident it joined (the countries with evidence of their
  // own have all ended, the last at `incident_ended`): a chatty country that joined on a
  // chance rise would otherwise fire on its usual chatter, held above the baseline it
  // froze, for as long as that lasts. Decided at the end of the step at t_ms.
  std::optional<AlertEvent> EndWithIncident(int64_t t_ms, int64_t incident_ended);
  // Another country's outage of the same tag is confirmed: two harmless bursts here,
  // at the same time, no longer explain this alert (FiringOnBurstEvidence() is false).
  void ConfirmedByCrowd() { on_burst_evidence_ = false; }
  // Withdraws a provisional alert, firing or just resolved, as if it had never fired (see
  // TrackerConfig::confirm_minutes): quiet, and with no hold-down, since nothing was
  // resolved and an outage there must still fire at once.
  void Withdraw();
  // While firing: the step that fired.
  int64_t firing_since() const { return firing_since_; }
  int64_t steps_seen() const { return steps_; }

  // Silent (no event, no alert) for longer than Observe fills skipped steps: more silent
  // steps change nothing that a caller must see step by step, so a caller may skip them
  // until the series' next event, which Observe then fills as it fills any skipped steps.
  // A stretch of years between two posts (archives far apart, or a post with a wrong clock)
  // then costs a couple of weeks of steps, not a step per minute of the years.
  bool Dormant(int64_t t_ms) const;

  // Resumable state, as compact text.
  std::string Serialize() const;
  bool Deserialize(const std::string& text);

 private:
  struct Test {
    double log10_p;
    double window_count;
    int window;
    double level;  // the baseline level the window was judged against
  };
  // The test of a step with nothing to test (no events, or a gap): no surprise at all.
  Test NothingToTest() const { return Test{0, 0, 1, baseline_.level()}; }
  // A window's test (0 when a rule excludes it). `bursty`: the series had a harmless burst
  // lately (the two-bursts rule applies).
  double WindowLog10(const WindowSums& s, int w, bool incident, bool bursty) const;
  // A window sum's dispersion (variance = M + this * M^2) as its steps' dispersion makes it,
  // and the extra that the uncertainty of the level it is judged against adds.
  double StepsDispersion(const WindowSums& s) const;
  double LevelUncertainty(const WindowSums& s) const;
  // `closed_before`: the steps the series has closed before this one.
  Test TestWindows(int64_t t_ms, double count,
                   const std::vector<std::pair<int64_t, double>>& open_before,
                   int64_t closed_before, bool incident) const;
  // Days of history before t_ms (-INFINITY before the first step).
  double HistoryDays(int64_t t_ms) const;
  // Whether a step's count is above what a quiet step at this mean reaches (quiet_quantile).
  bool AboveQuietLimit(double count, double mean) const;
  // The onset of a surge whose alarm came at `alarm_t`, from the recent closed steps and
  // these still-open ones (oldest first; at the alarm, the alarm's step last).
  int64_t EstimateOnset(int64_t alarm_t,
                        const std::vector<std::pair<int64_t, double>>& open_steps) const;
  void ReviseOnset(int64_t t_ms);
  // Whether a step's count keeps a surge going (see Observe).
  bool GoesOn(double count, double expected, const Test& test) const;
  // The sustained-surge test (DetectorConfig::sustained_window) of the step at t_ms with
  // this count, after `closed_before` closed steps: log10 of its corrected tail
  // probability, or 0 when a rule excludes it.
  double SustainedLog10(int64_t t_ms, double count, int64_t closed_before) const;
  // The same test against the rate of the hour before the window, for the window's posts
  // (less two bursts) and its steps' expectations summed: 0 if recent_ lacks that hour, -inf
  // if that hour ran below its expectation (the test then asks nothing more).
  double AgainstTheHourBeforeLog10(double posts, double window_expected) const;
  // The posts and the expectation of `window` closed steps before the newest `skip`, if
  // recent_ holds them all.
  std::optional<std::pair<double, double>> EarlierSums(int skip, int window) const;
  // Whether a step would pass the alert test with no incident open (no novelty bar: the
  // question is whether the series has evidence of its own, not whether to alarm again).
  bool OwnEvidence(int64_t t_ms, double count,
                   const std::vector<std::pair<int64_t, double>>& open_before,
                   int64_t closed_before) const;
  void StartFiring(int64_t t_ms, int64_t onset);
  // Observe's steps. The steps skipped since the last one had no events (up to
  // MaxFillSteps): each is observed as zero, or as a gap where the caller says so.
  template <typename InGap>
  void FillSkippedSteps(int64_t t_ms, const InGap& in_gap) {
    if (last_t_ == INT64_MIN) return;
    const int64_t max_fill = MaxFillSteps();
    int64_t filled = 0;
    for (int64_t s = last_t_ + cfg_->step_ms; s < t_ms && filled < max_fill;
         s += cfg_->step_ms, ++filled) {
      ObserveStep(s, 0, in_gap(s), false);
    }
  }
  // One step, none skipped before it.
  Assessment ObserveStep(int64_t t_ms, double count, bool gap, bool incident);
  // Whether the step is anomalous: by the windows' `test`, or as a sustained surge.
  struct Judgement {
    bool anomalous = false;
    bool relapse = false;  // anomalous, and the last outage coming back
    bool sustained_surge = false;
    double sustained_log10 = 0;  // the sustained-surge test's (0: not asked)
  };
  Judgement Judge(int64_t t_ms, double count, double expected, const Test& test, bool incident);
  // After the alert's step: whether it fires on the incident's evidence alone, or on what
  // two bursts could make (`own`: the step showed evidence of its own).
  void NoteWhatItFiresOn(bool was_firing, bool own, bool incident);
  // Whether the baseline must not learn this step.
  bool Frozen(int64_t t_ms, double count, double expected, bool elevated, bool incident) const;
  // The alert state machine's step: fires, resolves, or neither.
  std::optional<AlertEvent> AdvanceAlert(int64_t t_ms, double count, const Judgement& j);
  // While firing: the first step of a quiet stretch long enough to end the alert, if the
  // steps up to t_ms make one.
  std::optional<int64_t> BackAtBaselineSince(int64_t t_ms) const;
  // Whether a quiet-looking stretch of `steps` steps (its sum and the baseline's mean for
  // them) could still be a lull of the firing surge, judged by the surge's own rate and
  // variability.
  bool StillLikeTheOutage(double sum, double baseline, int64_t steps) const;
  // The end of the firing surge, from the steps kept after its onset.
  int64_t EstimateEnd(double baseline_floor) const;
  // The step's anomaly score in [0, 1] (see Assessment).
  double Score(const Test& test) const;
  size_t StepsToKeep(int64_t t_ms) const;

  const DetectorConfig* cfg_;
  SeasonalBaseline baseline_;
  int64_t steps_ = 0;
  int64_t first_t_ = INT64_MIN;
  int64_t last_t_ = INT64_MIN;
  int64_t last_event_t_ = INT64_MIN;  // the last step with events (not a gap)
  int WidestWindow() const;
  // Fewer steps seen than the widest window holds: the level is still mostly the prior's.
  bool Young() const;
  int64_t MaxFillSteps() const;
  // Recent steps, newest last; enough for the widest window and for back-dating.
  struct Step {
    int64_t t;
    double count;
    double expected;
    bool elevated;
    double level_before;  // the level and its weight before this step taught them
    double weight_before;
  };
  std::deque<Step> recent_;
  // Alert state machine.
  AlertState state_ = AlertState::kQuiet;
  bool on_incident_evidence_ = false;  // see FiringOnIncidentEvidence
  bool on_burst_evidence_ = false;     // see FiringOnBurstEvidence
  // Whether the steps since the onset (the closed ones, then `open_steps`) are significant
  // with two bursts' worth of posts taken away.
  bool BeyondTwoBursts(const std::vector<std::pair<int64_t, double>>& open_steps) const {
    return BeyondTwoBursts(open_steps, started_);
  }
  // ... with the posts since `onset`.
  bool BeyondTwoBursts(const std::vector<std::pair<int64_t, double>>& open_steps,
                       int64_t onset) const;
  int anomalous_run_ = 0;
  int64_t hold_down_until_ = INT64_MIN;
  // When the last alert was resolved (its resolved_at): the next one's onset is not dated
  // before it, so that a country's outages never overlap, whatever the hold-down.
  int64_t resolved_at_ = INT64_MIN;
  // The last resolved alert's mean count per step while it fired (0: none to come back).
  double relapse_rate_ = 0;
  // Whether a step with this count and test is that outage coming back (DetectorConfig::
  // relapse_fraction), if it passes the alert test; RelapsePossible: whether any could be.
  bool RelapsePossible(int64_t t_ms) const;
  bool Relapse(int64_t t_ms, double count, const Test& test) const;
  // When the last harmless burst (a cluster, then a quiet stretch, outside alerts) ended.
  int64_t last_burst_t_ = INT64_MIN;
  void NoteEndedBurst(int64_t t_ms);
  bool HadBurstRecently(int64_t t_ms) const;
  // Minute counts, say: a step shorter than a harmless burst lasts, so one burst may fill
  // several steps (and an outage's pauses are steps of their own).
  bool ShorterThanABurst() const;
  int BurstSteps() const;  // steps a burst may cover
  int64_t started_ = 0;
  int64_t firing_since_ = 0;
  // The firing steps' count, sum and sum of squares: the surge's rate and variability.
  double firing_sum_ = 0;
  double firing_sum_sq_ = 0;
  int64_t firing_steps_ = 0;
  // Surprise (-log10 p) of the steps in novelty_hours.
  TrailingMax novelty_;
  TrailingMax sustained_novelty_;  // the same, for the sustained-surge test
  // The most surprise among `surprises` in novelty_hours before t_ms (older ones dropped).
  double NoveltyBar(TrailingMax* surprises, int64_t t_ms);
  void RememberSurprise(int64_t t_ms, double surprise);
  // Sums over each window's steps (parallel to cfg_->windows) in count_novelty_hours.
  std::vector<TrailingMax> window_maxima_;
  double CountBar(size_t window_index, int64_t t_ms) const;
  void RememberWindowSums(int64_t t_ms);
};

}  // namespace hashmon

#endif  // HASHMON_DETECTOR_H_
