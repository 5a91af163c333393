// Runs one detector per (tag, country) minute series and turns their alerts into
// outages: a country's outage joins the open incident of its tag when they overlap in
// time, so several countries lighting up together make one international incident.
#ifndef HASHMON_OUTAGE_TRACKER_H_
#define HASHMON_OUTAGE_TRACKER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "hashmon/detector.h"
#include "hashmon/post.h"

namespace hashmon {

// One stretch of a country's outage, from its onset to the end of its posts' surge. A
// country whose outage ended and came back within its incident (incident_join_ms) has one
// for each time it came back: users told "resolved" were told wrongly, and want to know
// when it returned and how soon they heard.
struct OutageWave {
  int64_t started = 0;
  int64_t detected_at = 0;
  int64_t ended = 0;  // 0 while firing
  int64_t resolved_at = 0;
  // Its own share of its country's figures, so that a wave can leave for an incident of
  // its own (see TrackerChanges::moved) with what it counted.
  int64_t mentions = 0;
  int64_t peak_time = 0;
  int64_t peak_count = 0;
  int evidence = 0;  // sample posts kept while it fired (not stored; see RestoreOutage)
};

struct OutageCountry {
  std::string country;
  int64_t started = 0;
  int64_t detected_at = 0;
  // When its alert stopped being provisional (TrackerConfig::confirm_minutes): its
  // detected_at for an alert on evidence of its own, later for one that had to say more,
  // 0 while it still must (it may yet be withdrawn).
  int64_t confirmed_at = 0;
  int64_t ended = 0;  // 0 while firing
  int64_t resolved_at = 0;
  int64_t mentions = 0;
  int64_t peak_time = 0;
  int64_t peak_count = 0;
  int evidence = 0;  // sample posts kept
  // Its waves, in time order; the fields above span them (started and detected_at are the
  // first one's, ended and resolved_at the last one's, mentions and peak over all).
  std::vector<OutageWave> waves = {};
};

// A country's waves: those it has, or one spanning it (a country written before waves were
// kept, or built without them).
std::vector<OutageWave> WavesOf(const OutageCountry& country);
// The country's figures from its waves: its times from the first and the last, its
// mentions, peak and sample posts over them all.
void SumWaves(OutageCountry* country);
// When its latest wave started (its onset, for a country with one wave or none kept).
int64_t LatestWaveStart(const OutageCountry& country);

struct Outage {
  int64_t id = 0;
  std::string tag;
  int64_t started = 0;
  int64_t detected_at = 0;
  int64_t ended = 0;  // 0 while any country fires
  int64_t resolved_at = 0;
  int64_t peak_time = 0;
  int64_t peak_count = 0;  // most mentions in one minute, all its countries together
  // When it last opened (LastOpened): its detected_at, or when it came back. Countries join
  // a reopened incident on its evidence for as long as they join a new one
  // (TrackerConfig::incident_join_minutes).
  int64_t opened_at = 0;
  std::map<std::string, OutageCountry> countries;
  bool open() const { return ended == 0; }
};

// When the outage last opened (Outage::opened_at), from its countries' waves: its first
// detection, or a later one that came more than `join_window_ms` after the last opening and
// either after every wave had resolved or of a country that came back (its second wave or
// later). A crowd that comes back is an outage as fresh as the first, whether or not a
// quiet country's alert fired through the lull.
int64_t LastOpened(const Outage& outage, int64_t join_window_ms);
// Where an incident that grew from these countries' waves splits in two: the start of the
// first wave that began more than `join_window_ms` after every earlier wave had ended
// (which would not have joined them: see TrackerConfig::incident_join_ms). 0: nowhere.
int64_t SplitPoint(const Outage& outage, int64_t join_window_ms);

struct Spike {
  std::string tag;
  std::string country;
  int64_t minute;
  int64_t count;
  double expected;
  double score;
};

struct EvidencePost {
  int64_t outage_id;
  std::string country;
  SourceKind source;
  std::string post_id;
  int64_t created_at;
  std::string text;
};

// The text kept of a sample post: all of it up to kMaxEvidenceTextBytes, then cut at a
// character boundary with an ellipsis. X allows 25,000 characters to some, and a hostile
// record any number, where a reader of an outage report needs the first few lines.
inline constexpr size_t kMaxEvidenceTextBytes = 4096;
std::string EvidenceText(const std::string& text);

struct TrackerConfig {
  DetectorConfig detector;
  // Country outages this close in time belong to one incident.
  int64_t incident_join_ms = 30 * 60'000;
  // Sample posts stored per country per outage.
  int evidence_per_country = 5;
  // Also watch each tag's total over every country (unattributed mentions included). While
  // that total surges, each country is judged as if an incident were open: the crowd is
  // already reporting, so a country joining it needs less evidence than an outage out of
  // the blue. The total is never an outage of its own.
  bool watch_tag_total = true;
  // The total's own alert test is stricter than a country's: a false surge of the total
  // would turn every harmless local burst into an outage. A real outage's total is large
  // and passes it within a minute.
  double tag_total_alert_p = 1e-7;
  // A country fires alone: the incident's lesser evidence is for others only while the
  // tag's mentions that no firing country (nor the judged one) explains still surge: their
  // sum passes the incident's test at this p. One country's outage is often local, and
  // among twenty quiet countries over an hour, a chance pair of posts is likely: over 60
  // generated local outages, 4 other countries joined without this rule and none with it.
  // It is a gate, not an alarm, so its p is loose. Unattributed mentions count as
  // unexplained.
  double crowd_alert_p = 1e-2;
  // From this many firing countries on, the outage is international, and any country
  // joins on the incident's evidence alone.
  int joins_freely_from = 2;
  // ... but only this long after the incident was detected, or came back (Outage::opened_at;
  // 0: for as long as it lasts). The countries of a worldwide outage say so together, and
  // the lesser evidence serves them; over an outage of hours, a quiet country's chance pair
  // of posts, or a harmless burst, is likely somewhere, and would join it. A country that
  // joins later does so on evidence of its own, as if no incident were open. (Counted from
  // the first detection only, the countries of an outage back 15 minutes after its end had
  // their own evidence to show: over scripts/eval-outages --seeds 5, 21 of 35 were flagged
  // within 2 minutes of the return, now 31.)
  double incident_join_minutes = 15;
  // A provisional alert has this long to say more, or it is withdrawn: the country leaves
  // its outage as if it had never alerted, with its sample posts (an outage left with no
  // country goes), and an alert receiver that heard of it hears it resolved. Provisional
  // (SeriesDetector::Provisional) are
  // - a join on the incident's evidence alone, until a step would pass the alert test as if
  //   no incident were open: the lesser evidence lets a low-volume country join within a
  //   minute or two, and an outage there soon says more, where a harmless burst, or a chatty
  //   country's chance rise, does not;
  // - an alert on what two harmless bursts together could make, until the posts since its
  //   onset are significant without them: where every country has a burst a day, two now
  //   and then come together (scripts/eval-independent's quiet weeks: 5 alerts over 30
  //   weeks without this, none with it).
  // It is withdrawn, too, if it ends first. (0: never withdrawn.)
  double confirm_minutes = 15;
};

// Sets one field of the tracker's config by name (its own, as "confirm_minutes", or
// its detector's: SetDetectorOption); false for an unknown name or a bad value, with *why.
bool SetTrackerOption(TrackerConfig* config, const std::string& name, const std::string& value,
                      std::string* why = nullptr);

// The pseudo-country of a tag's total series (its detector state is stored under it).
inline constexpr const char* kTagTotal = "*";

// What changed since the last TakeChanges(), for the store.
// A country's join of an outage, withdrawn (see TrackerConfig::confirm_minutes).
struct WithdrawnJoin {
  int64_t outage_id;
  std::string country;
  int64_t decided_at;
  bool outage_left_empty;  // it was the outage's only country: the outage goes too
};

// A country's waves that left one outage for a new one: the join withdrawn had held the
// incident open, and without it they would have made an incident of their own.
struct MovedWaves {
  int64_t from_outage;
  int64_t to_outage;
  std::string country;
  // Its sample posts from this time on go with them (INT64_MIN: all of them).
  int64_t posts_since;
  bool left;  // it had no other wave in `from_outage`, and leaves it
  int64_t decided_at;
  // How many of the same TrackerChanges' `withdrawn` came before it: the store applies
  // both in the order they were decided (a country may move, then be withdrawn).
  size_t withdrawals_before;
};

struct TrackerChanges {
  std::vector<WithdrawnJoin> withdrawn;  // before `outages`: a country may join again
  std::vector<MovedWaves> moved;         // among `withdrawn`, before `outages`
  std::vector<Outage> outages;           // full current state of each outage that changed
  std::vector<Spike> spikes;
  std::vector<EvidencePost> evidence;
  std::vector<std::pair<std::pair<std::string, std::string>, std::string>> detector_states;
  int64_t closed_through = INT64_MIN;
  int64_t watching_since = INT64_MIN;
  int64_t next_outage_id = 1;
  bool empty() const {
    return withdrawn.empty() && moved.empty() && outages.empty() && spikes.empty() &&
           evidence.empty() && detector_states.empty();
  }
};

class OutageTracker {
 public:
  // A series met for the first time learns as silence at most this much of the time
  // before it (LearnSilence), and a gap is kept as long (MarkGap, InGap), so that the
  // silence it learns leaves out the minutes no one watched.
  static constexpr int64_t kSilenceLearntMs = 7 * 86'400'000LL;
  static constexpr int64_t kGapsKeptMs = kSilenceLearntMs;

  explicit OutageTracker(TrackerConfig config);

  // A mention arrived; `open_count` is its minute's count so far. May fire an alert
  // early: a count can only grow, so an anomalous partial count stays anomalous.
  void OnMention(const std::string& tag, const std::string& country, int64_t minute,
                 int64_t open_count, int64_t event_ms, SourceKind source,
                 const std::string& post_id, const std::string& text);

  // Closed minutes' counts by (minute, tag, country). Zero minutes need no entry.
  using ClosedCounts = std::map<std::tuple<int64_t, std::string, std::string>, int64_t>;

  // Every minute up to and including `minute` is closed, with these counts.
  void CloseThrough(int64_t minute, const ClosedCounts& counts);

  // The source's first post (any post, with a watched tag or not) came at `event_ms`:
  // hashmon has been watching since, so the minutes from then to a country's first
  // mention are silence the baselines learn. Without it the history begins with the first
  // mention, and an outage soon after the feed begins is judged against the cold-start
  // prior. Counts only before the first minute closes; the earliest call wins.
  void WatchFrom(int64_t event_ms);

  // Marks minutes as a gap (the source was disconnected): no baseline or alert changes.
  void MarkGap(int64_t from_minute, int64_t to_minute);
  // Marks the whole minutes within [from_ms, to_ms] as a gap: a minute watched in part
  // still carries information.
  void MarkGapWithin(int64_t from_ms, int64_t to_ms);
  // Whether a minute is in a gap of the last week (kGapsKeptMs).
  bool InGap(int64_t minute) const;

  TrackerChanges TakeChanges();

  // Restores state saved by the store after a restart. A state that cannot be read (a
  // damaged row) leaves the series to start again from no history, and returns false; an
  // outage open in that series is then ended at the last closed minute (RestoreOutage),
  // since nothing would tell its end.
  bool RestoreSeries(const std::string& tag, const std::string& country, const std::string& state);
  void RestoreOutage(const Outage& outage);
  void RestoreClock(int64_t closed_through, int64_t next_outage_id,
                    int64_t watching_since = INT64_MIN);

  int64_t closed_through() const { return closed_through_; }
  // How to read the count of a minute that is still open (the counter's); for the country
  // kTagTotal, the count over every country of the tag, unattributed included.
  void set_open_counts(std::function<int64_t(const std::string&, const std::string&, int64_t)> f) {
    open_counts_ = std::move(f);
  }
  const std::map<int64_t, Outage>& outages() const { return outages_; }

 private:
  using SeriesKey = std::pair<std::string, std::string>;  // tag, country
  // The detector of a series; a series met for the first time has been silent since
  // watching began, and learns so (see Series in the .cpp), unless its state is about
  // to be restored.
  SeriesDetector& Series(const SeriesKey& key, bool newborn_learns_silence = true);
  // Observes the closed minutes since watching began (up to a week) as silent.
  void LearnSilence(SeriesDetector& series);
  // For SeriesDetector::Observe of minute m: which of the minutes a dormant series skipped
  // were gaps. Only the gaps of the week before m count: older ones may be forgotten
  // already (ForgetWritten, and a restart loads a week's), and a result must not depend on
  // whether the minutes were closed one at a time or all at once.
  auto SkippedInGap(int64_t m) const {
    return [this, m](int64_t minute) { return minute > m - kGapsKeptMs && InGap(minute); };
  }
  // The first minute from m on (up to last + a minute) that some series must see: m, unless
  // no mention falls in it and every series is dormant (SeriesDetector::Dormant), when it is
  // the next minute with mentions.
  int64_t NextMinuteToObserve(int64_t m, int64_t last, const ClosedCounts& counts) const;
  void Fire(const SeriesKey& key, const AlertEvent& e, int64_t minute);
  void Resolve(const SeriesKey& key, const AlertEvent& e);
  // Once every country of outage `id` with evidence of its own has ended, those still
  // firing on the incident's evidence alone end with it (the last end being decided by
  // `e`). A chance rise of a chatty country must not hold the incident open for hours.
  void EndJoinersWith(int64_t id, const AlertEvent& e);
  // Whether the series fires on an incident it joined on the incident's evidence alone, and
  // has shown none of its own yet (its join would be withdrawn, not resolved).
  bool Unconfirmed(const SeriesKey& key) const;
  // Withdraws such a join (decided at `decided_at`): the country leaves its outage as if it
  // had never joined.
  void Withdraw(const SeriesKey& key, int64_t decided_at);
  // After a join withdrawn from outage `id`: the waves that came after the lull it bridged
  // (SplitPoint) leave for an outage of their own, as they would have without it.
  void Regroup(int64_t id, int64_t decided_at);
  // Moves the waves of `country` from `split` on out of outage `from` into `to`.
  void MoveWaves(Outage& from, Outage& to, OutageCountry& country, int64_t split,
                 int64_t decided_at);
  // Dates the confirmation of each firing country whose alert has now said more, or
  // whose alert rests only on what two bursts could make while another country of its
  // tag is confirmed (a country's two bursts at once are rare; at the moment of an outage
  // elsewhere, rarer still).
  void ConfirmSaidMore(int64_t decided_at);
  // Whether another country of the key's tag fires, confirmed.
  bool ConfirmedElsewhere(const SeriesKey& key) const;
  // A mention of a provisional series (count `open_count` in its still-open `minute`):
  // confirms it at once if the open minutes already say more (SeriesDetector::ConfirmEarly).
  void ConfirmEarly(const SeriesKey& key, int64_t minute, int64_t open_count, int64_t event_ms);
  // An outage's times and peak from its countries, after one left it. A peak from before
  // `peak_from` (the onset of the country that left) stands; a later one is found again
  // over the minutes through `through` that its countries' detectors still keep (the last
  // half hour at least), so a peak older than that, without the country that left, may
  // be missed.
  void Summarise(Outage& o, int64_t peak_from, int64_t through);
  // The detector's onset estimate moved while the country fires: so do `started`s.
  void Redate(const SeriesKey& key, Outage& o, OutageCountry& c, int64_t started);
  // The mentions of a series' closed minutes in [from, to).
  int64_t ClosedMentions(const SeriesKey& key, int64_t from, int64_t to) const;
  void Touch(int64_t outage_id) { dirty_.insert(outage_id); }
  // (minute, tag) -> mentions from every country, unattributed included.
  using TagTotals = std::map<std::pair<int64_t, std::string>, int64_t>;
  // The minutes being closed by CloseThrough, before the series have seen them.
  struct Closing {
    const ClosedCounts* counts;
    const TagTotals* tag_totals;
  };
  // CloseThrough's steps. The first close: where the history begins (false: not yet, the
  // minutes closed come before the source was watched).
  bool BeginHistory(int64_t minute, const ClosedCounts& counts);
  // New series appear with their first closed minute; returns the tag totals of `counts`.
  TagTotals BirthSeries(const ClosedCounts& counts);
  // Every series sees minute `m`; then the outages' peaks, withdrawals and confirmations.
  void CloseMinute(int64_t m, const Closing& closing);
  // A country's series sees minute `m` (`n` mentions): its alert fires, goes on (adding to
  // its outage's mentions, `totals` by outage id) or ends.
  void ObserveCountry(const SeriesKey& key, SeriesDetector& det, int64_t m, int64_t n, bool gap,
                      const Closing& closing, std::map<int64_t, int64_t>* totals);
  // Drops closed outages already written (they live in the store) and gaps over a day old.
  void ForgetWritten();
  // Whether the judged series may join on an incident's lesser evidence: see
  // crowd_alert_p. `closing`: the minutes CloseThrough is closing, if it is.
  bool CrowdElsewhere(const SeriesKey& judged, int64_t minute, const Closing* closing) const;
  bool TagInOutage(const std::string& tag) const;
  // When the tag's open outage last opened (Outage::opened_at), or its total's surge was
  // first detected (the earlier), if either is on. (Not their estimated onsets: the total's
  // may lie far back, where the countries' daily rise began.)
  std::optional<int64_t> IncidentDetected(const std::string& tag) const;
  // How long after an incident opens countries join it on its evidence alone.
  int64_t JoinWindowMs() const { return static_cast<int64_t>(cfg_.incident_join_minutes * 60'000); }
  // The mentions of a series (kTagTotal: of the tag) in a minute: the counter's while the
  // minute is open, the closing counts while it closes, else the series' recent steps.
  double CountOf(const SeriesKey& key, const SeriesDetector& series, int64_t minute,
                 const Closing* closing) const;
  // When a tag's outage opens: the quiet countries whose recent open minutes now pass the
  // incident test fire at once.
  void JoinWaiting(const std::string& tag, int64_t minute, int64_t event_ms);
  // The counts of the still-open minutes before `minute` (at most ten), oldest first.
  std::vector<std::pair<int64_t, double>> OpenBefore(
      int64_t minute, const std::function<int64_t(int64_t)>& count) const;
  // Feeds an open minute's partial tag total to the tag's total series (see TrackerConfig).
  void PeekTagTotal(const std::string& tag, int64_t minute);

  TrackerConfig cfg_;
  DetectorConfig total_detector_;  // cfg_.detector with the tag total's stricter test
  std::map<SeriesKey, std::unique_ptr<SeriesDetector>> series_;
  std::set<SeriesKey> changed_series_;
  std::set<SeriesKey> unreadable_;          // restored series whose saved state could not be read
  std::map<SeriesKey, int64_t> firing_in_;  // series -> outage id while firing
  std::map<int64_t, Outage> outages_;       // open ones and those that changed recently
  std::set<int64_t> dirty_;
  std::map<int64_t, int64_t> gaps_;  // first minute -> last, merged: none overlap or touch
  std::vector<Spike> spikes_;
  std::vector<EvidencePost> evidence_;
  std::vector<WithdrawnJoin> withdrawn_;
  std::vector<MovedWaves> moved_;
  std::vector<SeriesKey> to_withdraw_;  // decided during the minute being closed
  int64_t closed_through_ = INT64_MIN;
  int64_t watching_since_ = INT64_MIN;  // the first minute of the history (see WatchFrom)
  int64_t next_id_ = 1;
  std::function<int64_t(const std::string&, const std::string&, int64_t)> open_counts_;
};

}  // namespace hashmon

#endif  // HASHMON_OUTAGE_TRACKER_H_
