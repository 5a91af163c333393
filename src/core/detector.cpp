#include "hashmon/detector.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "hashmon/change_point.h"
#include "hashmon/neg_binomial.h"
#include "hashmon/state_text.h"
#include "hashmon/time_util.h"

namespace hashmon {

SeriesDetector::SeriesDetector(const DetectorConfig* config) : cfg_(config), baseline_(config) {}

double SeriesDetector::Expected(int64_t t_ms) const {
  return baseline_.Expected(t_ms, HistoryDays(t_ms));
}

double SeriesDetector::HistoryDays(int64_t t_ms) const {
  return first_t_ == INT64_MIN ? -INFINITY : static_cast<double>(t_ms - first_t_) / kMillisPerDay;
}

bool SeriesDetector::AboveQuietLimit(double count, double mean) const {
  // Above the smallest k with P(X > k) <= 1 - quiet_quantile (the step is "elevated").
  // The tail falls as k grows, so that is P(X >= ceil(count)) <= 1 - quiet_quantile: one
  // tail evaluation, where finding k would take a search of them each minute.
  const double at_least = std::ceil(count);
  if (at_least <= 0) return false;
  const double cap = std::max(20.0, std::ceil(mean * 50)) + 1;  // beyond: a degenerate tail
  if (at_least > cap) return true;
  const double target = std::log10(1 - cfg_->quiet_quantile);
  return NegBinomialUpperTailLog10(at_least, mean, baseline_.Dispersion()) <= target;
}

double SeriesDetector::WindowLog10(const WindowSums& s, int w, bool incident, bool bursty) const {
  const bool burst_rules = !incident && ShorterThanABurst();
  // While an incident is open, posts spread thinly over the window count as they are.
  // A step with more posts than a harmless burst holds is not one burst: it is spread enough.
  const bool crowded_step = burst_rules && s.busiest > cfg_->burst_max_posts;
  const int min_elevated = incident || crowded_step ? 1 : std::min(w, cfg_->min_elevated_steps);
  const double min_count = incident ? cfg_->incident_min_count : cfg_->min_count;
  if (s.have < w || s.sum <= 0 || s.elevated < min_elevated || s.sum < min_count) return 0;
  const double corr = std::log10(static_cast<double>(cfg_->windows.size()));
  const double phi = StepsDispersion(s) + LevelUncertainty(s);
  const double allowance = burst_rules ? cfg_->burst_allowance : 0;
  if (s.sum - allowance <= 0) return 0;
  if (cfg_->leave_busiest_out && burst_rules) {
    if (w == 1) return 0;  // one step alone could be a burst
    const double rest = s.sum - std::min(s.busiest, cfg_->burst_max_posts),
                 rest_mean = std::max(s.mean - s.busiest_expected, 1e-9);
    if (NegBinomialUpperTailLog10(rest, rest_mean, phi) + corr >= std::log10(cfg_->busiest_out_p))
      return 0;
    // Where harmless bursts happen, two will now and then come within minutes: a window
    // that can hold three must be more than its two busiest.
    const int span = BurstSteps();
    if (bursty && cfg_->leave_two_bursts_out && w >= 3 * span) {
      const auto [two, two_expected] = s.TwoBusiestSpans(span, cfg_->burst_allowance);
      if (NegBinomialUpperTailLog10(s.sum - two, std::max(s.mean - two_expected, 1e-9), phi) +
              corr >=
          std::log10(cfg_->busiest_out_p))
        return 0;
    }
  }
  return std::min(0.0, NegBinomialUpperTailLog10(s.sum - allowance, s.mean, phi) + corr);
}

SeriesDetector::Test SeriesDetector::TestWindows(
    int64_t t_ms, double count, const std::vector<std::pair<int64_t, double>>& open_before,
    int64_t closed_before, bool incident) const {
  Test best{0, count, 1, baseline_.level()};
  // Steps the series has seen, this one and the open ones before it included.
  const int64_t seen = closed_before + static_cast<int64_t>(open_before.size()) + 1;
  const double expected = Expected(t_ms);
  const bool elevated = AboveQuietLimit(count, expected);
  const bool bursty = HadBurstRecently(t_ms);
  for (size_t i = 0; i < cfg_->windows.size(); ++i) {
    const int w = cfg_->windows[i];
    // A window that reaches back to the series' first steps is judged against the prior
    // alone: a series as busy as it will stay from its first minute would be an outage.
    if (cfg_->window_needs_history && seen - w < w) continue;
    // Nor, where an outage may come back, one that reaches back into the alert just
    // resolved: its tail, a few minutes of the outage's own posts, would pass for the return
    // (a relapse fired on the sample day's stray posts the minute after it resolved).
    if (RelapsePossible(t_ms) && t_ms - (w - 1) * cfg_->step_ms < resolved_at_) continue;
    WindowSums s;
    s.Add(count, expected, elevated, baseline_.level(), baseline_.level_weight());
    // Newest first: still-open steps before this one, then closed steps.
    for (auto it = open_before.rbegin(); it != open_before.rend() && s.have < w; ++it) {
      const double e = Expected(it->first);
      s.Add(it->second, e, AboveQuietLimit(it->second, e), baseline_.level(),
            baseline_.level_weight());
    }
    for (auto it = recent_.rbegin(); it != recent_.rend() && s.have < w; ++it)
      s.Add(it->count, it->expected, it->elevated, it->level_before, it->weight_before);
    s.Finish();
    if (s.sum <= CountBar(i, t_ms)) continue;
    const double lp = WindowLog10(s, w, incident, bursty);
    if (lp < best.log10_p) best = Test{lp, s.sum, w, s.level};
  }
  return best;
}

double SeriesDetector::SurpriseLog10(const std::vector<StepCount>& steps) const {
  double best = 0;
  for (int w : cfg_->windows) {
    WindowSums s;
    // Every step counts as elevated: the sum alone is tested.
    for (auto it = steps.rbegin(); it != steps.rend() && s.have < w; ++it)
      s.Add(it->count, it->expected, true);
    s.Finish();
    best = std::min(best, WindowLog10(s, w, /*incident=*/true, /*bursty=*/false));
  }
  return best;
}

double SeriesDetector::StepsDispersion(const WindowSums& s) const {
  // A sum of steps, each with variance m + phi m^2, has variance M + (phi * sum m^2 / M^2) M^2.
  return baseline_.data_dispersion() * s.mean_sq / (s.mean * s.mean);
}

double SeriesDetector::LevelUncertainty(const WindowSums& s) const {
  // 1 / shape of the Gamma posterior of the level the window is judged against.
  return 1 / (s.weight > 0 ? std::max(s.level * s.weight, 1e-3) : baseline_.Shape());
}

bool SeriesDetector::ShorterThanABurst() const { return StepShorterThanABurst(*cfg_); }

int SeriesDetector::BurstSteps() const {
  return std::max(1, static_cast<int>(std::ceil(cfg_->burst_minutes * 60'000 /
                                                static_cast<double>(cfg_->step_ms))));
}

void SeriesDetector::NoteEndedBurst(int64_t t_ms) {
  // recent_ ends with this step. A burst has just ended when the steps of a resolve's quiet
  // stretch are back at baseline and the burst-long run before them holds a burst's worth of
  // posts, above baseline.
  const int span = BurstSteps();
  const int after = std::max(1, static_cast<int>(cfg_->resolve_after_minutes * 60'000 /
                                                 static_cast<double>(cfg_->step_ms)));
  if (static_cast<int>(recent_.size()) < span + after) return;
  auto it = recent_.rbegin();
  for (int i = 0; i < after; ++i, ++it)
    if (it->elevated) return;
  double posts = 0;
  bool elevated = false;
  for (int i = 0; i < span; ++i, ++it) posts += it->count, elevated |= it->elevated;
  if (elevated && posts >= cfg_->burst_allowance) last_burst_t_ = t_ms;
}

bool SeriesDetector::HadBurstRecently(int64_t t_ms) const {
  return last_burst_t_ != INT64_MIN &&
         t_ms - last_burst_t_ <= static_cast<int64_t>(cfg_->novelty_hours * kMillisPerHour);
}

double SeriesDetector::CountAt(int64_t t_ms) const {
  for (auto it = recent_.rbegin(); it != recent_.rend() && it->t >= t_ms; ++it) {
    if (it->t == t_ms) return it->count;
  }
  return 0;
}

int64_t SeriesDetector::EstimateOnset(
    int64_t alarm_t, const std::vector<std::pair<int64_t, double>>& open_steps) const {
  // Candidates reach max_backdate_steps before the alarm, but not into the last alert (its
  // steps until it was resolved); the steps since the alarm (while the onset is revised)
  // are evidence too.
  const int64_t from = std::max(alarm_t - cfg_->max_backdate_steps * cfg_->step_ms, resolved_at_);
  std::vector<StepCount> steps;
  for (const Step& s : recent_)
    if (s.t >= from) steps.push_back({s.t, s.count, s.expected});
  for (const auto& [t, count] : open_steps)
    if (t >= from) steps.push_back({t, count, Expected(t)});
  return MostLikelyOnset(steps, alarm_t);
}

bool SeriesDetector::GoesOn(double count, double expected, const Test& test) const {
  // Against the level from before the window: a low-volume surge's first posts raised the
  // current one, and one post a minute would no longer look elevated.
  return AboveQuietLimit(count,
                         expected * std::min(1.0, test.level / std::max(baseline_.level(), 1e-9)));
}

double SeriesDetector::SustainedLog10(int64_t t_ms, double count, int64_t closed_before) const {
  const int w = cfg_->sustained_window;
  // Judged once the series has seen the window and the hour before it.
  if (w <= 0 || !ShorterThanABurst() || closed_before + 1 < 3 * w) return 0;
  const double expected = Expected(t_ms);
  if (count <= expected) return 0;  // the surge goes on in this step
  WindowSums s;
  s.Add(count, expected, false, baseline_.level(), baseline_.level_weight());
  int above = 1;
  double expected_sum = expected;  // as the steps were expected, for the hour before's rate
  for (auto it = recent_.rbegin(); it != recent_.rend() && s.have < w; ++it) {
    s.Add(it->count, it->expected, it->elevated, it->level_before, it->weight_before);
    above += it->count > it->expected;
    expected_sum += it->expected;
  }
  s.Finish();
  if (s.have < w || 2 * above < w) return 0;  // spread over the window, not a few minutes
  // Less what two harmless bursts could hold, and judged against the level before it.
  const auto [bursts, bursts_expected] = s.TwoBusiestSpans(BurstSteps(), cfg_->burst_allowance);
  const double posts = s.sum - bursts;
  if (posts < cfg_->min_count) return 0;
  // The steps' dispersion, as for the other windows, or what whole windows have shown.
  const double phi =
      std::max(StepsDispersion(s), baseline_.WindowDispersion()) + LevelUncertainty(s);
  const double corr = std::log10(static_cast<double>(cfg_->windows.size() + 1));
  const double log10_p =
      NegBinomialUpperTailLog10(posts, std::max(s.mean - bursts_expected, 1e-9), phi);
  return std::min(0.0, std::max(log10_p, AgainstTheHourBeforeLog10(posts, expected_sum)) + corr);
}

double SeriesDetector::AgainstTheHourBeforeLog10(double posts, double window_expected) const {
  // Where the hour before ran above its expectation, the baseline may be lagging the day's
  // rise (a young one does, by hours): then the half hour must beat that hour's rate too,
  // as far as its posts tell it (a Gamma posterior: a negative binomial predictive).
  const int w = cfg_->sustained_window;
  const auto before = EarlierSums(w - 1, 2 * w);
  if (!before) return 0;
  const auto [before_posts, before_expected] = *before;
  if (before_posts + 0.5 <= before_expected) return -INFINITY;  // no rise to lag behind
  const double rate = (before_posts + 0.5) / std::max(before_expected, 1e-9);
  return NegBinomialUpperTailLog10(posts, rate * window_expected, 1 / (before_posts + 0.5));
}

std::optional<std::pair<double, double>> SeriesDetector::EarlierSums(int skip, int window) const {
  if (recent_.size() < static_cast<size_t>(skip) + static_cast<size_t>(window)) return std::nullopt;
  double posts = 0, expected = 0;
  auto it = recent_.rbegin() + skip;
  for (int i = 0; i < window; ++i, ++it) posts += it->count, expected += it->expected;
  return std::make_pair(posts, expected);
}

bool SeriesDetector::OwnEvidence(int64_t t_ms, double count,
                                 const std::vector<std::pair<int64_t, double>>& open_before,
                                 int64_t closed_before) const {
  if (count <= 0) return false;
  const Test own = TestWindows(t_ms, count, open_before, closed_before, /*incident=*/false);
  return GoesOn(count, Expected(t_ms), own) && own.log10_p < std::log10(cfg_->alert_p);
}

std::optional<AlertEvent> SeriesDetector::EndWithIncident(int64_t t_ms, int64_t incident_ended) {
  if (!FiringOnIncidentEvidence()) return std::nullopt;
  Withdraw();  // quiet, as if withdrawn, but resolved: a hold-down follows
  hold_down_until_ = t_ms + static_cast<int64_t>(cfg_->hold_down_hours * kMillisPerHour);
  resolved_at_ = t_ms + cfg_->step_ms;
  relapse_rate_ = 0;  // it had no outage of its own to come back
  const int64_t ended = std::max(started_, incident_ended);
  return AlertEvent{AlertEvent::kResolved, started_, 0, ended, resolved_at_};
}

bool SeriesDetector::BeyondTwoBursts(const std::vector<std::pair<int64_t, double>>& open_steps,
                                     int64_t onset) const {
  std::vector<double> counts;  // the steps since the onset, oldest first
  double sum = 0, mean = 0, mean_sq = 0;
  auto add = [&](double count, double expected) {
    counts.push_back(count);
    sum += count, mean += expected, mean_sq += expected * expected;
  };
  for (const Step& s : recent_)
    if (s.t >= onset) add(s.count, s.expected);
  for (const auto& [t, count] : open_steps)
    if (t >= onset) add(count, Expected(t));
  // Two bursts hold at most burst_max_posts each, within burst_minutes each: in one run of
  // that length (both at once), or in two runs apart. The most posts they could explain:
  const int span = BurstSteps();
  const double one = cfg_->burst_max_posts;
  double together = 0, apart = 0, best_before = 0;
  std::vector<double> run(counts.size(), 0);
  for (size_t i = 0; i < counts.size(); ++i) {
    for (size_t j = i; j < counts.size() && j < i + span; ++j) run[i] += counts[j];
    together = std::max(together, std::min(run[i], 2 * one));
    if (i >= static_cast<size_t>(span)) best_before = std::max(best_before, run[i - span]);
    apart = std::max(apart, std::min(best_before, one) + std::min(run[i], one));
  }
  const double rest = sum - std::max(together, apart);
  if (rest < cfg_->min_count || mean <= 0) return false;
  const double phi = baseline_.data_dispersion() * mean_sq / (mean * mean) + 1 / baseline_.Shape();
  return NegBinomialUpperTailLog10(rest, mean, phi) < std::log10(cfg_->alert_p);
}

void SeriesDetector::Withdraw() {
  // A resolution withdrawn never was (the one before it is not known any more).
  if (state_ != AlertState::kFiring) {
    resolved_at_ = INT64_MIN;
    relapse_rate_ = 0;
  }
  state_ = AlertState::kQuiet;
  on_incident_evidence_ = false;
  on_burst_evidence_ = false;
  anomalous_run_ = 0;
  hold_down_until_ = INT64_MIN;
}

void SeriesDetector::ReviseOnset(int64_t t_ms) {
  // At the first alarm a surge may be a few posts, and a stray post just before them
  // looks like its start; the surge's next steps tell. So the onset is estimated anew
  // over its first max_backdate_steps steps, among the same candidates as at the alarm.
  if (t_ms - firing_since_ > cfg_->max_backdate_steps * cfg_->step_ms) return;
  started_ = EstimateOnset(firing_since_, {});
}

void SeriesDetector::StartFiring(int64_t t_ms, int64_t onset) {
  state_ = AlertState::kFiring;
  firing_since_ = t_ms;
  firing_sum_ = 0;
  firing_sum_sq_ = 0;
  firing_steps_ = 0;
  started_ = onset;
  // The surge's first steps, before it was certain, taught the level (a young series'
  // loose clipping lets them teach a lot): forget that, so that the baseline held while
  // firing, and judged against for the end, is the one from before the onset.
  for (const Step& s : recent_) {
    if (s.t < started_) continue;
    baseline_.SetLevel(s.level_before, s.weight_before);
    break;
  }
}

double SeriesDetector::NoveltyBar(TrailingMax* surprises, int64_t t_ms) {
  const int64_t since = t_ms - static_cast<int64_t>(cfg_->novelty_hours * kMillisPerHour);
  surprises->ForgetBefore(since);
  return surprises->MaxSince(since, 0);
}

double SeriesDetector::CountBar(size_t window_index, int64_t t_ms) const {
  if (cfg_->count_novelty_hours <= 0 || window_index >= window_maxima_.size()) return -1;
  const int64_t horizon = static_cast<int64_t>(cfg_->count_novelty_hours * kMillisPerHour);
  return window_maxima_[window_index].MaxSince(t_ms - horizon, -1);
}

void SeriesDetector::RememberWindowSums(int64_t t_ms) {
  if (cfg_->count_novelty_hours <= 0) return;
  const int64_t horizon = static_cast<int64_t>(cfg_->count_novelty_hours * kMillisPerHour);
  window_maxima_.resize(cfg_->windows.size());
  for (size_t i = 0; i < cfg_->windows.size(); ++i) {
    double sum = 0;
    int have = 0;
    for (auto it = recent_.rbegin(); it != recent_.rend() && have < cfg_->windows[i]; ++it, ++have)
      sum += it->count;
    window_maxima_[i].Add(t_ms, sum);
    window_maxima_[i].ForgetBefore(t_ms - horizon);
  }
}

void SeriesDetector::RememberSurprise(int64_t t_ms, double surprise) {
  novelty_.Add(t_ms, surprise);
}

std::optional<AlertEvent> SeriesDetector::Peek(
    int64_t t_ms, double partial_count, const std::vector<std::pair<int64_t, double>>& open_before,
    bool incident) {
  if (state_ == AlertState::kFiring) return std::nullopt;
  const bool held_down = t_ms < hold_down_until_;
  if (held_down && !RelapsePossible(t_ms)) return std::nullopt;
  if (cfg_->onset_steps > anomalous_run_ + 1) return std::nullopt;
  if (partial_count <= 0) return std::nullopt;
  const Test t = TestWindows(t_ms, partial_count, open_before, steps_, incident);
  if (!incident && !GoesOn(partial_count, Expected(t_ms), t)) return std::nullopt;
  const double alert_p = incident ? cfg_->incident_alert_p : cfg_->alert_p;
  if (t.log10_p >= std::log10(alert_p)) return std::nullopt;
  if ((held_down || -t.log10_p <= NoveltyBar(&novelty_, t_ms)) && !Relapse(t_ms, partial_count, t))
    return std::nullopt;
  std::vector<std::pair<int64_t, double>> open_steps = open_before;
  open_steps.emplace_back(t_ms, partial_count);
  const bool own = !incident || OwnEvidence(t_ms, partial_count, open_before, steps_);
  StartFiring(t_ms, EstimateOnset(t_ms, open_steps));
  on_incident_evidence_ = !own;
  on_burst_evidence_ = ShorterThanABurst() && !BeyondTwoBursts(open_steps);
  return AlertEvent{AlertEvent::kFired, started_, t_ms, 0, 0};
}

bool SeriesDetector::ConfirmEarly(int64_t t_ms, double partial_count,
                                  const std::vector<std::pair<int64_t, double>>& open_before) {
  if (!Provisional() || partial_count <= 0) return false;
  std::vector<std::pair<int64_t, double>> open_steps = open_before;
  open_steps.emplace_back(t_ms, partial_count);
  if (on_burst_evidence_) {
    // With the onset as the step's close would revise it (ReviseOnset).
    const bool revising = t_ms - firing_since_ <= cfg_->max_backdate_steps * cfg_->step_ms;
    const int64_t onset = revising ? EstimateOnset(firing_since_, open_steps) : started_;
    if (BeyondTwoBursts(open_steps, onset)) on_burst_evidence_ = false;
  }
  if (on_incident_evidence_ && OwnEvidence(t_ms, partial_count, open_before, steps_))
    on_incident_evidence_ = false;
  return !Provisional();
}

Assessment SeriesDetector::ObserveStep(int64_t t_ms, double count, bool gap, bool incident) {
  count = std::min(count, kMaxStepCount);
  if (first_t_ == INT64_MIN) first_t_ = t_ms;
  last_t_ = t_ms;
  Assessment a;
  a.expected = Expected(t_ms);
  a.state = state_;
  if (gap) {  // no data: neither zero mentions nor a recovery (an alert goes on firing)
    a.score = Score(NothingToTest());
    return a;
  }
  ++steps_;
  if (count > 0) last_event_t_ = t_ms;
  if (steps_ == 1 && cfg_->level_from_first_step) {
    baseline_.SetLevel(std::max(count, cfg_->prior_rate_per_step), baseline_.level_weight());
    a.expected = Expected(t_ms);
  }
  const bool elevated = AboveQuietLimit(count, a.expected);
  const Test test =
      count > 0 ? TestWindows(t_ms, count, {}, steps_ - 1, incident) : NothingToTest();
  a.log10_p = test.log10_p;
  const auto one_step = std::find(cfg_->windows.begin(), cfg_->windows.end(), 1);
  if (one_step != cfg_->windows.end())
    a.recent_peak = CountBar(static_cast<size_t>(one_step - cfg_->windows.begin()), t_ms);
  const Judgement j = Judge(t_ms, count, a.expected, test, incident);
  a.anomalous = j.anomalous;
  // Whether the series has evidence of its own: asked when it fires on the incident's, and
  // then at each step until it has. (Before this step joins recent_, as in `test`.)
  const bool was_firing = state_ == AlertState::kFiring;
  const bool ask_own = was_firing ? on_incident_evidence_ : incident && a.anomalous;
  const bool own = ask_own && (j.sustained_surge || OwnEvidence(t_ms, count, {}, steps_ - 1));
  a.spike = elevated && count >= cfg_->spike_min_count &&
            NegBinomialUpperTailLog10(count, a.expected, baseline_.Dispersion()) <
                std::log10(cfg_->spike_p);
  recent_.push_back(
      Step{t_ms, count, a.expected, elevated, baseline_.level(), baseline_.level_weight()});
  while (recent_.size() > StepsToKeep(t_ms)) recent_.pop_front();

  if (state_ != AlertState::kFiring && !elevated) NoteEndedBurst(t_ms);
  a.event = AdvanceAlert(t_ms, count, j);
  NoteWhatItFiresOn(was_firing, own, incident);
  if (!Frozen(t_ms, count, a.expected, elevated, incident))
    baseline_.Learn(t_ms, HistoryDays(t_ms), count, steps_ > cfg_->warmup_steps);
  // Surprises during an alert raise the bar too: a second surge within the novelty window
  // must beat the first to alert again.
  if (count > 0) {
    RememberSurprise(t_ms, -test.log10_p);
    sustained_novelty_.Add(t_ms, -j.sustained_log10);
  }
  RememberWindowSums(t_ms);
  a.state = state_;
  if (state_ == AlertState::kFiring) a.started = started_;
  a.score = Score(test);
  return a;
}

SeriesDetector::Judgement SeriesDetector::Judge(int64_t t_ms, double count, double expected,
                                                const Test& test, bool incident) {
  Judgement j;
  const double bar = NoveltyBar(&novelty_, t_ms);
  const double alert_p = incident ? cfg_->incident_alert_p : cfg_->alert_p;
  // The surge must go on in this step: above the quiet limit of the baseline it was
  // judged against, or (with an incident open, when one post in a minute is news) not
  // silent.
  const bool passes = (GoesOn(count, expected, test) || (incident && count > 0)) &&
                      test.log10_p < std::log10(alert_p);
  j.relapse = passes && Relapse(t_ms, count, test);
  j.anomalous = passes && (-test.log10_p > bar || j.relapse);
  j.sustained_log10 = count > 0 ? SustainedLog10(t_ms, count, steps_ - 1) : 0;
  j.sustained_surge = j.sustained_log10 < std::log10(cfg_->alert_p) &&
                      -j.sustained_log10 > NoveltyBar(&sustained_novelty_, t_ms);
  j.anomalous = j.anomalous || j.sustained_surge;
  return j;
}

void SeriesDetector::NoteWhatItFiresOn(bool was_firing, bool own, bool incident) {
  // Fired now on the incident's evidence, or still firing on it alone.
  on_incident_evidence_ =
      state_ == AlertState::kFiring && !own && (was_firing ? on_incident_evidence_ : incident);
  // Fired now, or still firing, on what two bursts could make (recent_ holds this step).
  if (state_ != AlertState::kFiring)
    on_burst_evidence_ = false;
  else if (!was_firing || on_burst_evidence_)
    on_burst_evidence_ = ShorterThanABurst() && !BeyondTwoBursts({});
}

bool SeriesDetector::Frozen(int64_t t_ms, double count, double expected, bool elevated,
                            bool incident) const {
  // An alert holds the baseline still (for up to max_firing_hours). While the tag is in
  // outage elsewhere, an elevated step is not learnt either: it may be the outage reaching
  // this country before the test is sure (a young series, whose baseline is still a guess,
  // would otherwise learn the outage as normal and never fire). Nor, in a young series, is
  // any step above its expectation: a newborn's fat tails call two posts a minute ordinary,
  // and with window_needs_history its first minutes are judged by one-minute windows only.
  return (state_ == AlertState::kFiring &&
          t_ms - firing_since_ < static_cast<int64_t>(cfg_->max_firing_hours * kMillisPerHour)) ||
         (incident && state_ != AlertState::kFiring && (elevated || (Young() && count > expected)));
}

int SeriesDetector::WidestWindow() const {
  return *std::max_element(cfg_->windows.begin(), cfg_->windows.end());
}

bool SeriesDetector::Young() const { return steps_ < WidestWindow(); }

int64_t SeriesDetector::MaxFillSteps() const {
  return std::max<int64_t>(1, 7 * kMillisPerDay / cfg_->step_ms);
}

bool SeriesDetector::Dormant(int64_t t_ms) const {
  if (state_ != AlertState::kQuiet || last_t_ == INT64_MIN) return false;
  const int64_t silent_since = std::max(last_event_t_, first_t_);
  return t_ms - silent_since > MaxFillSteps() * cfg_->step_ms;
}

size_t SeriesDetector::StepsToKeep(int64_t t_ms) const {
  // Enough for the widest window and for back-dating; while the onset is still being
  // re-estimated, also every step since the earliest onset it may choose. (The state is
  // saved every minute, so it is kept no longer than needed.)
  const bool redating = state_ == AlertState::kFiring &&
                        t_ms - firing_since_ <= cfg_->max_backdate_steps * cfg_->step_ms;
  const int back = (redating ? 2 : 1) * cfg_->max_backdate_steps;
  // The sustained-surge test reads its window and the hour before it.
  const int sustained = ShorterThanABurst() ? 3 * cfg_->sustained_window : 0;
  return static_cast<size_t>(std::max({WidestWindow(), back, sustained, 1}) + 1);
}

bool SeriesDetector::RelapsePossible(int64_t t_ms) const {
  // Within the longer of the hold-down and the novelty horizon after the resolution: the
  // spans in which the outage's end, or its own surprises, would keep it from firing again.
  const double hours = std::max(cfg_->hold_down_hours, cfg_->novelty_hours);
  return cfg_->relapse_fraction > 0 && relapse_rate_ > 0 && resolved_at_ != INT64_MIN &&
         t_ms - resolved_at_ < static_cast<int64_t>(hours * kMillisPerHour);
}

bool SeriesDetector::Relapse(int64_t t_ms, double count, const Test& test) const {
  // The step itself, or the window that passed: a wave rises over minutes, and its first
  // full minute says so before a wider window does.
  const double rate = std::max(count, test.window_count / test.window);
  return RelapsePossible(t_ms) && rate >= cfg_->relapse_fraction * relapse_rate_;
}

std::optional<AlertEvent> SeriesDetector::AdvanceAlert(int64_t t_ms, double count,
                                                       const Judgement& j) {
  // Events are dated to the end of the step that decided them.
  const int64_t decided_at = t_ms + cfg_->step_ms;
  if (state_ == AlertState::kFiring) {
    ReviseOnset(t_ms);
    firing_sum_ += count;
    firing_sum_sq_ += count * count;
    ++firing_steps_;
    const std::optional<int64_t> quiet_since = BackAtBaselineSince(t_ms);
    if (!quiet_since) return std::nullopt;
    state_ = AlertState::kQuiet;
    anomalous_run_ = 0;
    hold_down_until_ = t_ms + static_cast<int64_t>(cfg_->hold_down_hours * kMillisPerHour);
    resolved_at_ = decided_at;
    relapse_rate_ = firing_sum_ / static_cast<double>(firing_steps_);
    return AlertEvent{AlertEvent::kResolved, started_, 0, *quiet_since, decided_at};
  }
  if (!j.anomalous || (t_ms < hold_down_until_ && !j.relapse)) {
    anomalous_run_ = 0;
    state_ = AlertState::kQuiet;
    return std::nullopt;
  }
  if (++anomalous_run_ < cfg_->onset_steps) {
    state_ = AlertState::kPending;
    return std::nullopt;
  }
  StartFiring(t_ms, EstimateOnset(t_ms, {}));
  return AlertEvent{AlertEvent::kFired, started_, decided_at, 0, 0};
}

std::optional<int64_t> SeriesDetector::BackAtBaselineSince(int64_t t_ms) const {
  // Back at baseline when the last `resolve_after_minutes` together are no more than the
  // baseline allows: a low-volume country's scattered mentions keep it firing. At minute
  // resolution a slow series pauses: wait for a rate-sized quiet stretch.
  const bool fine = ShorterThanABurst();
  const double rate = fine ? firing_sum_ / static_cast<double>(firing_steps_) : 1e9;
  const int64_t k = std::min<int64_t>(
      std::max<int64_t>(1,
                        static_cast<int64_t>(cfg_->resolve_max_minutes * 60'000) / cfg_->step_ms),
      std::max<int64_t>(
          {1, static_cast<int64_t>(cfg_->resolve_after_minutes * 60'000) / cfg_->step_ms,
           static_cast<int64_t>(std::ceil(cfg_->resolve_expected_events / std::max(rate, 1e-3)))}));
  double sum = 0, mean = 0, mean_sq = 0;
  int64_t have = 0, first_t = t_ms;
  // The step that fired was anomalous: the return to baseline comes after it. Nor does the
  // quiet stretch reach back across a gap (the steps missing from recent_): quiet minutes
  // before and after one say nothing of those in between.
  for (auto it = recent_.rbegin(); it != recent_.rend() && have < k && it->t > firing_since_ &&
                                   first_t - it->t <= cfg_->step_ms;
       ++it, ++have) {
    sum += it->count;
    mean += it->expected;
    mean_sq += it->expected * it->expected;
    first_t = it->t;
  }
  // A sum of k steps, each with variance m + phi m^2, has variance M + (phi / k) M^2 (as in
  // WindowLog10): the stretch as a whole varies less than one step does. With phi itself,
  // a country at 4 posts a minute over a baseline of 1 was back at baseline 7 minutes into
  // a 142-minute outage (scripts/eval-independent, seed 19).
  const double phi = have > 0 ? baseline_.data_dispersion() * mean_sq / std::max(mean * mean, 1e-12)
                              : baseline_.data_dispersion();
  // The data's own dispersion, without the level's uncertainty: a young series' fat tails
  // make alerts harder, as they should, but must not make an end easier. Nor may hours of
  // silence before the onset, which drive the level towards nothing, make a stray post half
  // an hour after the end look like the outage going on: the baseline here is at least what
  // the cold-start prior would still say after that silence.
  const double prior_floor = cfg_->prior_rate_per_step * cfg_->prior_weight_steps /
                             (baseline_.level_weight() + cfg_->prior_weight_steps);
  mean = std::max(mean, prior_floor * static_cast<double>(have));
  const bool quiet =
      have == k && NegBinomialUpperTailLog10(sum, mean, phi) > std::log10(1 - cfg_->quiet_quantile);
  if (!quiet || StillLikeTheOutage(sum, mean, have)) return std::nullopt;
  return std::min(first_t, EstimateEnd(prior_floor));
}

bool SeriesDetector::StillLikeTheOutage(double sum, double baseline, int64_t steps) const {
  // Where the outage adds a few posts a minute to a baseline of about one, a lull in its
  // posts fits the baseline's upper tail as well as the outage: a stretch above the baseline's
  // mean ends the alert only if it would be unusually few for the rate seen while firing.
  // Without this, scripts/eval-independent ended 2 of 242 country outages over an hour early.
  // (Only at minute resolution, where the stretch holds resolve_expected_events: one
  // 5-minute step of a topic's volume, with a dispersion near 1, is never unusually few, and
  // held NAB's alerts through every news tail, its standard score 70.6 -> 15.6.)
  if (!ShorterThanABurst() || sum <= baseline || firing_steps_ <= 0) return false;
  const double n = static_cast<double>(firing_steps_);
  const double rate = firing_sum_ / n;
  const double firing_mean = rate * static_cast<double>(steps);
  if (firing_mean <= sum) return true;
  // "Unusually few" by the surge's own variability (its steps' variance beyond Poisson, by
  // the method of moments), for a sum of `steps` steps as in WindowLog10. The baseline's
  // dispersion, learnt from a few posts a minute and their bursts, said far more: scaled to
  // the surge's rate it made nearly any lull plausible, and a cold-started country whose
  // afternoon chatter doubled while its baseline was held kept firing 3 hours past the end.
  const double variance = std::max(0.0, firing_sum_sq_ / n - rate * rate);
  const double phi =
      std::max(cfg_->min_dispersion, (variance - rate) / std::max(rate * rate, 1e-12)) /
      static_cast<double>(steps);
  const double at_most_sum =
      1 - std::pow(10.0, NegBinomialUpperTailLog10(sum + 1, firing_mean, phi));
  return at_most_sum > cfg_->resolve_lull_p;
}

int64_t SeriesDetector::EstimateEnd(double baseline_floor) const {
  // An end is dated within what was watched since the last gap: one that fell in a gap is
  // dated where the quiet was first seen, never back at the gap's start (when it went
  // unwatched) or before.
  std::vector<StepCount> steps;
  int64_t last_t = INT64_MIN;
  for (const Step& s : recent_) {
    if (last_t != INT64_MIN && s.t - last_t > cfg_->step_ms) steps.clear();
    last_t = s.t;
    if (s.t > started_) steps.push_back({s.t, s.count, std::max(s.expected, baseline_floor)});
  }
  return MostLikelyEnd(steps);
}

double SeriesDetector::Score(const Test& test) const {
  // Below 0.5 the strength of the evidence so far; from 0.5 on, firing, and how strongly.
  const double strength = std::min(1.0, test.log10_p / std::log10(cfg_->alert_p));
  return state_ == AlertState::kFiring ? 0.5 + 0.5 * std::min(1.0, std::max(0.0, strength) / 2)
                                       : 0.49 * std::max(0.0, strength);
}

std::string SeriesDetector::Serialize() const {
  std::string out = "v11";
  out.reserve(4096);
  StateText text(&out);
  baseline_.WriteLevel(&text);
  // (The 0 is a slot no longer used.)
  text << steps_ << first_t_ << last_t_ << static_cast<int>(state_) << anomalous_run_ << 0
       << resolved_at_ << hold_down_until_ << started_ << firing_since_ << firing_sum_
       << firing_steps_;
  baseline_.WriteProfiles(&text);
  text << recent_.size();
  for (const auto& s : recent_)
    text << s.t << s.count << s.expected << s.elevated << s.level_before << s.weight_before;
  novelty_.Write(&out);
  text << last_burst_t_ << window_maxima_.size();
  for (const auto& maxima : window_maxima_) maxima.Write(&out);
  text << last_event_t_ << on_incident_evidence_ << on_burst_evidence_;
  sustained_novelty_.Write(&out);
  baseline_.WriteWindows(&text);
  text << relapse_rate_ << firing_sum_sq_;
  return out;
}

bool SeriesDetector::Deserialize(const std::string& text) {
  std::istringstream in(text);
  std::string version;
  int state = 0;
  size_t n = 0;
  in >> version;
  // v1 kept no level per step; v1 and v2 kept profiles that a prior re-added at every
  // step had flattened, so they are read and relearnt from scratch.
  // v3 did not know when the last harmless burst was; v4 kept no window sums for the count
  // novelty rule (a series resumed from it judges volume against what it sees from then on).
  // v5 did not know when the last step with events was (taken as the last step seen).
  // v6 did not know whether an alert fired on an incident's evidence alone (taken as not),
  // v7 whether on what two bursts could make (taken as not).
  // v8 kept no surprises of the sustained-surge test (none taken as seen), nor what its
  // windows' sums have varied (learnt anew).
  // Until 2026-12, resolved_at_'s slot was an unused 0 (taken as resolved long ago).
  // v9 kept no rate of the last resolved alert (taken as none: no relapse is recognised
  // until the next alert has resolved). v10 kept no sum of squares of the firing steps
  // (taken as Poisson: the surge varies no more than its rate says).
  if (version.size() < 2 || version.size() > 3 || version[0] != 'v' ||
      !std::all_of(version.begin() + 1, version.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const int v = std::stoi(version.substr(1));
  if (v < 1 || v > 11) return false;
  baseline_.ReadLevel(in, v);
  int unused_slot = 0;
  in >> steps_ >> first_t_ >> last_t_ >> state >> anomalous_run_ >> unused_slot >> resolved_at_ >>
      hold_down_until_ >> started_ >> firing_since_ >> firing_sum_ >> firing_steps_;
  baseline_.ReadProfiles(in, v);
  in >> n;
  recent_.clear();
  for (size_t i = 0; i < n && in; ++i) {
    Step s{};
    in >> s.t >> s.count >> s.expected >> s.elevated;
    if (version == "v1") {
      s.level_before = baseline_.level();
      s.weight_before = baseline_.level_weight();
    } else {
      in >> s.level_before >> s.weight_before;
    }
    recent_.push_back(s);
  }
  novelty_.Read(in);
  last_burst_t_ = INT64_MIN;
  if (v >= 4) in >> last_burst_t_;
  window_maxima_.clear();
  if (v >= 5) {
    in >> n;
    for (size_t i = 0; i < n && in && i < cfg_->windows.size(); ++i)
      window_maxima_.emplace_back().Read(in);
  }
  last_event_t_ = last_t_;
  if (v >= 6) in >> last_event_t_;
  on_incident_evidence_ = on_burst_evidence_ = false;
  if (v >= 7) in >> on_incident_evidence_;
  if (v >= 8) in >> on_burst_evidence_;
  sustained_novelty_ = TrailingMax();
  if (v >= 9) sustained_novelty_.Read(in);
  baseline_.ReadWindows(in, v);
  relapse_rate_ = 0;
  if (v >= 10) in >> relapse_rate_;
  if (v >= 11) {
    in >> firing_sum_sq_;
  } else {
    const double rate = firing_steps_ > 0 ? firing_sum_ / static_cast<double>(firing_steps_) : 0;
    firing_sum_sq_ = static_cast<double>(firing_steps_) * (rate + rate * rate);
  }
  if (state < static_cast<int>(AlertState::kQuiet) || state > static_cast<int>(AlertState::kFiring))
    return false;  // not a state this detector knows: a damaged row
  state_ = static_cast<AlertState>(state);
  return static_cast<bool>(in);
}

}  // namespace hashmon
