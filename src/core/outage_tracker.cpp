#include "hashmon/outage_tracker.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "hashmon/time_util.h"

namespace hashmon {

OutageTracker::OutageTracker(TrackerConfig config)
    : cfg_(std::move(config)), total_detector_(cfg_.detector) {
  total_detector_.alert_p = cfg_.tag_total_alert_p;
  // The total says when the tag surges worldwide, so that a country may join on little
  // evidence. Judged against the cold-start prior, a chatty tag's first minutes would be such a
  // surge, and its busiest countries would join it: on generated quiet weeks with three times
  // the usual chatter (scripts/eval-outages --seeds 10) that made 11 alerts, and with the
  // total's windows needing history 1, with no outage flagged later (315 of 400 within 2
  // minutes either way).
  total_detector_.window_needs_history = true;
  // Nor does it clip its first quarter hour (a few minutes more than its widest window):
  // clipped against that prior, a chatty tag's total learns its usual volume so slowly that
  // it still "surges" minutes after the windows are judged, and a busy country joins that
  // surge on little evidence. Over 300 cold half-days of scripts/gen-independent.py
  // --chatter 3, 2 false alerts became 1; at --chatter 6, 3 of 100 became 2; every
  // scripts/eval-outages and scripts/eval-independent figure stayed the same.
  total_detector_.warmup_steps = 15;
}

namespace {
// A source's first post (WatchFrom) more than this before the first mention counts as this
// long before: hours of silence are plenty to judge an early outage by, and a first post
// whose clock is wrong teaches no more than that.
constexpr int64_t kMaxWatchLeadMs = 6 * 3'600'000LL;
}  // namespace

bool SetTrackerOption(TrackerConfig* config, const std::string& name, const std::string& value,
                      std::string* why) {
  const std::pair<const char*, double*> fields[] = {
      {"tag_total_alert_p", &config->tag_total_alert_p},
      {"crowd_alert_p", &config->crowd_alert_p},
      {"incident_join_minutes", &config->incident_join_minutes},
      {"confirm_minutes", &config->confirm_minutes},
  };
  for (const auto& [field, target] : fields) {
    if (name != field) continue;
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !std::isfinite(v) || v < 0) {
      if (why) *why = name + " is a number from 0 up, not " + (value.empty() ? "nothing" : value);
      return false;
    }
    *target = v;
    return true;
  }
  return SetDetectorOption(&config->detector, name, value, why);
}

std::vector<OutageWave> WavesOf(const OutageCountry& c) {
  if (!c.waves.empty()) return c.waves;
  return {{c.started, c.detected_at, c.ended, c.resolved_at, c.mentions, c.peak_time, c.peak_count,
           c.evidence}};
}

void SumWaves(OutageCountry* c) {
  if (c->waves.empty()) return;
  c->started = c->waves.front().started;
  c->detected_at = c->waves.front().detected_at;
  c->ended = c->waves.back().ended;
  c->resolved_at = c->waves.back().resolved_at;
  c->mentions = c->peak_time = c->peak_count = 0;
  c->evidence = 0;
  for (const OutageWave& w : c->waves) {
    c->mentions += w.mentions;
    c->evidence += w.evidence;
    if (w.peak_count > c->peak_count || c->peak_time == 0)
      c->peak_count = w.peak_count, c->peak_time = w.peak_time;
  }
}

int64_t SplitPoint(const Outage& o, int64_t join_window_ms) {
  std::vector<std::pair<int64_t, int64_t>> spans;  // each wave's start and end (0: firing)
  for (const auto& [cc, c] : o.countries) {
    for (const OutageWave& w : WavesOf(c)) spans.emplace_back(w.started, w.ended);
  }
  std::sort(spans.begin(), spans.end());
  int64_t ended = INT64_MIN;  // the latest end so far; INT64_MAX once a wave still fires
  for (const auto& [started, wave_ended] : spans) {
    if (ended != INT64_MIN && ended != INT64_MAX && started - ended > join_window_ms)
      return started;
    ended = wave_ended == 0 ? INT64_MAX : std::max(ended, wave_ended);
  }
  return 0;
}

int64_t LatestWaveStart(const OutageCountry& c) {
  return c.waves.empty() ? c.started : c.waves.back().started;
}

int64_t LastOpened(const Outage& o, int64_t join_window_ms) {
  struct Detection {
    int64_t at, resolved_at;
    bool returned;  // a country's second wave or later
  };
  std::vector<Detection> detections;
  for (const auto& [cc, c] : o.countries) {
    const std::vector<OutageWave> waves = WavesOf(c);
    for (size_t i = 0; i < waves.size(); ++i)
      detections.push_back({waves[i].detected_at, waves[i].resolved_at, i > 0});
  }
  std::sort(detections.begin(), detections.end(),
            [](const Detection& a, const Detection& b) { return a.at < b.at; });
  int64_t opened = INT64_MIN, firing_until = INT64_MIN;  // (INT64_MAX: some wave still fires)
  for (const Detection& d : detections) {
    const bool fresh = d.returned || d.at >= firing_until;
    if (opened == INT64_MIN || (fresh && d.at - opened > join_window_ms)) opened = d.at;
    firing_until = std::max(firing_until, d.resolved_at == 0 ? INT64_MAX : d.resolved_at);
  }
  return opened == INT64_MIN ? 0 : opened;
}

std::string EvidenceText(const std::string& text) {
  if (text.size() <= kMaxEvidenceTextBytes) return text;
  size_t cut = kMaxEvidenceTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "\u2026";
}

SeriesDetector& OutageTracker::Series(const SeriesKey& key, bool newborn_learns_silence) {
  auto [it, newborn] = series_.try_emplace(key);  // one lookup: this is on every mention
  if (!newborn) return *it->second;
  it->second =
      std::make_unique<SeriesDetector>(key.second == kTagTotal ? &total_detector_ : &cfg_.detector);
  SeriesDetector& s = *it->second;
  if (newborn_learns_silence) LearnSilence(s);
  return s;
}

void OutageTracker::LearnSilence(SeriesDetector& s) {
  // A series is born with its first mention, but every closed minute before it, since
  // hashmon began watching, had none: that silence is data. Without it a country whose
  // first mentions are an outage (an outage at night, early in the history) would be
  // judged against the cold-start prior (0.1 a minute, fat-tailed) and flagged late.
  if (watching_since_ == INT64_MIN || closed_through_ == INT64_MIN) return;
  const int64_t from =
      std::max(watching_since_, closed_through_ - kSilenceLearntMs + kMillisPerMinute);
  for (int64_t m = from; m <= closed_through_; m += kMillisPerMinute) s.Observe(m, 0, InGap(m));
}

int64_t OutageTracker::NextMinuteToObserve(int64_t m, int64_t last,
                                           const ClosedCounts& counts) const {
  const auto next = counts.lower_bound({m, std::string(), std::string()});
  const int64_t next_counted =
      next == counts.end() ? last + kMillisPerMinute : std::get<0>(next->first);
  if (next_counted == m) return m;
  const bool all_dormant = std::all_of(series_.begin(), series_.end(), [&](const auto& s) {
    return s.second->steps_seen() == 0 || s.second->Dormant(m);
  });
  return all_dormant ? next_counted : m;
}

void OutageTracker::WatchFrom(int64_t event_ms) {
  if (closed_through_ != INT64_MIN) return;  // the history has begun
  const int64_t minute = MinuteOf(event_ms);
  watching_since_ = watching_since_ == INT64_MIN ? minute : std::min(watching_since_, minute);
}

bool OutageTracker::InGap(int64_t minute) const {
  const auto after = gaps_.upper_bound(minute);
  return after != gaps_.begin() && std::prev(after)->second >= minute;
}

void OutageTracker::Fire(const SeriesKey& key, const AlertEvent& e, int64_t minute) {
  // Join the tag's open incident if it is still going or ended only just now.
  int64_t id = 0;
  for (auto& [oid, o] : outages_) {
    if (o.tag != key.first) continue;
    if (o.open() || e.started - o.ended <= cfg_.incident_join_ms) id = oid;
  }
  if (id == 0) {
    id = next_id_++;
    Outage o;
    o.id = id;
    o.tag = key.first;
    o.started = e.started;
    o.detected_at = e.detected_at;
    outages_[id] = o;
  }
  Outage& o = outages_[id];
  o.ended = 0;
  o.resolved_at = 0;
  o.started = std::min(o.started, e.started);
  OutageCountry& c = o.countries[key.second];
  // Its mentions are those from the onset on; the minutes already closed are counted here,
  // the rest as they close. So too for a country back after it ended (a relapse, within
  // incident_join_ms of the incident's end): its last alert counted up to its resolution,
  // and an onset is never dated before that.
  const bool new_alert = c.country.empty() || c.ended != 0;
  if (c.country.empty()) {
    c.country = key.second;
    c.started = e.started;
    c.detected_at = e.detected_at;
  }
  if (new_alert) {
    const int64_t before = ClosedMentions(key, e.started, minute);
    c.mentions += before;
    c.waves.push_back({e.started, e.detected_at, 0, 0, before, minute, 0});
  }
  c.ended = 0;
  c.resolved_at = 0;
  if (c.peak_time == 0) c.peak_time = minute;
  firing_in_[key] = id;
  o.opened_at = LastOpened(o, JoinWindowMs());
  if (c.confirmed_at == 0) ConfirmSaidMore(e.detected_at);
  Touch(id);
}

int64_t OutageTracker::ClosedMentions(const SeriesKey& key, int64_t from, int64_t to) const {
  const auto it = series_.find(key);
  if (it == series_.end()) return 0;
  double n = 0;
  for (int64_t m = from; m < to; m += kMillisPerMinute) n += it->second->CountAt(m);
  return static_cast<int64_t>(n);
}

void OutageTracker::Redate(const SeriesKey& key, Outage& o, OutageCountry& c, int64_t started) {
  // The onset of the wave that fires moves; only the first wave's is the country's
  // `started`. (The detector dates no onset before its last alert's end.)
  if (c.waves.empty()) return;
  OutageWave& wave = c.waves.back();
  const int64_t reach = (cfg_.detector.max_backdate_steps + 1) * cfg_.detector.step_ms;
  if (started == 0 || started == wave.started || started > wave.detected_at ||
      started < wave.detected_at - reach)
    return;
  // Mentions follow the onset: the minutes it gained are counted, those it lost are not.
  const int64_t gained = started < wave.started ? ClosedMentions(key, started, wave.started)
                                                : -ClosedMentions(key, wave.started, started);
  c.mentions += gained;
  wave.mentions += gained;
  wave.started = started;
  if (c.waves.size() == 1) c.started = started;
  o.started = started;
  for (const auto& [cc, oc] : o.countries) o.started = std::min(o.started, oc.started);
  Touch(o.id);
}

void OutageTracker::Resolve(const SeriesKey& key, const AlertEvent& e) {
  auto it = firing_in_.find(key);
  if (it == firing_in_.end()) return;
  Outage& o = outages_[it->second];
  OutageCountry& c = o.countries[key.second];
  c.ended = e.ended;
  c.resolved_at = e.resolved_at;
  // The quiet minutes that told the end are after it: their stray posts are not the
  // outage's.
  const int64_t after_end = ClosedMentions(key, e.ended, e.resolved_at);
  c.mentions -= after_end;
  if (!c.waves.empty()) {
    c.waves.back().ended = e.ended;
    c.waves.back().resolved_at = e.resolved_at;
    c.waves.back().mentions -= after_end;
  }
  firing_in_.erase(it);
  EndJoinersWith(o.id, e);
  bool any_firing = false;
  for (const auto& [k, id] : firing_in_) any_firing = any_firing || id == o.id;
  if (!any_firing) {
    o.ended = 0;
    o.resolved_at = 0;
    for (const auto& [cc, oc] : o.countries) {
      o.ended = std::max(o.ended, oc.ended);
      o.resolved_at = std::max(o.resolved_at, oc.resolved_at);
    }
  }
  Touch(o.id);
}

void OutageTracker::EndJoinersWith(int64_t id, const AlertEvent& e) {
  std::vector<std::pair<SeriesKey, SeriesDetector*>> joiners;
  for (const auto& [key, outage_id] : firing_in_) {
    if (outage_id != id) continue;
    const auto s = series_.find(key);
    if (s == series_.end() || !s->second->FiringOnIncidentEvidence()) return;
    joiners.emplace_back(key, s->second.get());
  }
  int64_t ended = 0;
  for (const auto& [cc, oc] : outages_[id].countries) ended = std::max(ended, oc.ended);
  for (const auto& [key, series] : joiners) {
    if (Unconfirmed(key)) {  // at the end of the minute, when every series has seen it
      to_withdraw_.push_back(key);
      continue;
    }
    const auto end = series->EndWithIncident(e.resolved_at - cfg_.detector.step_ms, ended);
    if (end) {
      changed_series_.insert(key);
      Resolve(key, *end);
    }
  }
}

bool OutageTracker::Unconfirmed(const SeriesKey& key) const {
  if (cfg_.confirm_minutes <= 0) return false;
  const auto f = firing_in_.find(key);
  const auto s = series_.find(key);
  if (f == firing_in_.end() || s == series_.end() || !s->second->Provisional()) return false;
  const auto& countries = outages_.at(f->second).countries;
  const auto c = countries.find(key.second);
  // A country in the outage before this alert (with incident_join_minutes 0 it may fire
  // again after its hold-down) keeps its entry, and ends with the incident instead.
  return c != countries.end() && c->second.detected_at >= s->second->firing_since();
}

void OutageTracker::Withdraw(const SeriesKey& key, int64_t decided_at) {
  const auto f = firing_in_.find(key);
  if (f == firing_in_.end()) return;  // withdrawn already
  const int64_t id = f->second;
  Outage& o = outages_[id];
  const auto c = o.countries.find(key.second);
  if (c == o.countries.end()) return;  // (Unconfirmed() said it is there)
  series_.at(key)->Withdraw();
  changed_series_.insert(key);
  firing_in_.erase(f);
  const int64_t joined_from = c->second.started;
  o.countries.erase(c);
  evidence_.erase(std::remove_if(evidence_.begin(), evidence_.end(),
                                 [&](const EvidencePost& e) {
                                   return e.outage_id == id && e.country == key.second;
                                 }),
                  evidence_.end());
  const bool left_empty = o.countries.empty();
  withdrawn_.push_back({id, key.second, decided_at, left_empty});
  if (left_empty) {
    outages_.erase(id);
    dirty_.erase(id);
    return;
  }
  Summarise(o, joined_from, decided_at - kMillisPerMinute);
  Touch(id);
  Regroup(id, decided_at);
}

void OutageTracker::Regroup(int64_t id, int64_t decided_at) {
  // Each part may split again (a join withdrawn may have bridged more than one lull).
  for (int64_t split = SplitPoint(outages_.at(id), cfg_.incident_join_ms); split != 0;
       split = SplitPoint(outages_.at(id), cfg_.incident_join_ms)) {
    Outage& from = outages_.at(id);
    const int64_t to_id = next_id_++;
    Outage& to = outages_[to_id];  // (std::map: `from` stays valid)
    to.id = to_id;
    to.tag = from.tag;
    for (auto& [cc, c] : from.countries) MoveWaves(from, to, c, split, decided_at);
    for (auto it = from.countries.begin(); it != from.countries.end();)
      it = it->second.waves.empty() ? from.countries.erase(it) : std::next(it);
    const int64_t through = decided_at - kMillisPerMinute;
    Summarise(from, split, through);
    Summarise(to, 0, through);
    Touch(id);
    Touch(to_id);
    id = to_id;
  }
}

void OutageTracker::MoveWaves(Outage& from, Outage& to, OutageCountry& c, int64_t split,
                              int64_t decided_at) {
  const auto first = std::find_if(c.waves.begin(), c.waves.end(),
                                  [&](const OutageWave& w) { return w.started >= split; });
  if (first == c.waves.end()) return;
  OutageCountry& moved = to.countries[c.country];
  moved.country = c.country;
  moved.waves.assign(first, c.waves.end());
  c.waves.erase(first, c.waves.end());
  SumWaves(&moved);
  const bool left = c.waves.empty();
  // A country's confirmation is of its first alert; a later wave, in an outage of its own,
  // is confirmed as detected unless it fires on another country's evidence still.
  moved.confirmed_at = left ? c.confirmed_at : moved.detected_at;
  const int64_t posts_since = left ? INT64_MIN : c.waves.back().resolved_at;
  for (EvidencePost& e : evidence_) {
    if (e.outage_id == from.id && e.country == c.country && e.created_at >= posts_since)
      e.outage_id = to.id;
  }
  moved_.push_back({from.id, to.id, c.country, posts_since, left, decided_at, withdrawn_.size()});
  const SeriesKey key{from.tag, c.country};
  const auto f = firing_in_.find(key);
  if (f != firing_in_.end() && f->second == from.id) {
    f->second = to.id;
    if (Unconfirmed(key)) moved.confirmed_at = 0;
  }
  SumWaves(&c);  // (its confirmation stays; one left with no wave is erased by Regroup)
}

void OutageTracker::ConfirmEarly(const SeriesKey& key, int64_t minute, int64_t open_count,
                                 int64_t event_ms) {
  // Oldest open minute first, each with the minutes before it, as their closes would judge
  // them: a minute that says more on its own is dated to its end, as its close would be,
  // not to this post (which may be a minute later).
  SeriesDetector& series = *series_.at(key);
  auto count = [&](int64_t m) {
    return m == minute ? open_count : open_counts_(key.first, key.second, m);
  };
  const int64_t oldest =
      !open_counts_ ? minute
                    : std::max(closed_through_ + kMillisPerMinute, minute - 10 * kMillisPerMinute);
  for (int64_t m = oldest; m <= minute; m += kMillisPerMinute) {
    const int64_t n = count(m);
    if (n == 0 || !series.ConfirmEarly(m, static_cast<double>(n), OpenBefore(m, count))) continue;
    changed_series_.insert(key);
    ConfirmSaidMore(std::min(event_ms, m + kMillisPerMinute));  // and others it confirms
    return;
  }
}

bool OutageTracker::ConfirmedElsewhere(const SeriesKey& key) const {
  for (auto it = firing_in_.lower_bound({key.first, ""});
       it != firing_in_.end() && it->first.first == key.first; ++it) {
    if (it->first == key) continue;
    const auto& countries = outages_.at(it->second).countries;
    const auto c = countries.find(it->first.second);
    if (c != countries.end() && c->second.confirmed_at != 0) return true;
  }
  return false;
}

void OutageTracker::ConfirmSaidMore(int64_t decided_at) {
  // Each confirmation may confirm others (see ConfirmedElsewhere): until none changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& [key, id] : firing_in_) {
      OutageCountry& c = outages_[id].countries[key.second];
      if (c.confirmed_at != 0) continue;
      SeriesDetector& series = *series_.at(key);
      if (series.FiringOnBurstEvidence() && ConfirmedElsewhere(key)) {
        series.ConfirmedByCrowd();
        changed_series_.insert(key);
      }
      if (Unconfirmed(key)) continue;
      c.confirmed_at = std::max(decided_at, c.detected_at);
      Touch(id);
      changed = true;
    }
  }
}

void OutageTracker::Summarise(Outage& o, int64_t peak_from, int64_t through) {
  bool firing = false;
  o.started = o.detected_at = INT64_MAX;
  o.ended = o.resolved_at = 0;
  for (const auto& [cc, c] : o.countries) {
    o.started = std::min(o.started, c.started);
    o.detected_at = std::min(o.detected_at, c.detected_at);
    o.ended = std::max(o.ended, c.ended);
    o.resolved_at = std::max(o.resolved_at, c.resolved_at);
    firing = firing || c.ended == 0;
  }
  if (firing) o.ended = o.resolved_at = 0;
  o.opened_at = LastOpened(o, JoinWindowMs());
  if (o.peak_time < peak_from) return;  // before the country that left had any minute in it
  // Each country's minutes count from its onset to the step that resolved it, as they did
  // when they closed (CloseThrough). A minute too old for a detector to keep counts as none.
  o.peak_count = 0;
  for (int64_t m = o.started; m <= through; m += kMillisPerMinute) {
    int64_t total = 0;
    for (const auto& [cc, c] : o.countries) {
      if (m >= c.started && (c.resolved_at == 0 || m < c.resolved_at))
        total += ClosedMentions({o.tag, cc}, m, m + kMillisPerMinute);
    }
    if (total > o.peak_count) o.peak_count = total, o.peak_time = m;
  }
  // Minutes older than the detectors keep count as none; a country's own peak minute is
  // known, and its outage had at least that many mentions then.
  for (const auto& [cc, c] : o.countries) {
    if (c.peak_count > o.peak_count) o.peak_count = c.peak_count, o.peak_time = c.peak_time;
  }
}

void OutageTracker::OnMention(const std::string& tag, const std::string& country, int64_t minute,
                              int64_t open_count, int64_t event_ms, SourceKind source,
                              const std::string& post_id, const std::string& text) {
  const bool was_in_outage = TagInOutage(tag);
  const size_t firing_before = firing_in_.size();  // only this tag's countries fire below
  // Unattributed mentions are counted, and part of the tag's total, but not monitored.
  SeriesDetector* series = country == "??" ? nullptr : &Series({tag, country});
  if (cfg_.watch_tag_total) PeekTagTotal(tag, minute);
  if (series != nullptr && minute > closed_through_ && series->state() != AlertState::kFiring) {
    const SeriesKey key{tag, country};
    auto count = [&](int64_t m) { return open_counts_(tag, country, m); };
    if (auto e = series->Peek(minute, static_cast<double>(open_count), OpenBefore(minute, count),
                              CrowdElsewhere(key, minute, nullptr))) {
      e->detected_at = event_ms;
      Fire(key, *e, minute);
      changed_series_.insert(key);
    }
  }
  // A country waiting with a few posts joins the moment the outage opens, and again the
  // moment another country joins it (from two on, it is international: see CrowdElsewhere).
  if ((!was_in_outage && TagInOutage(tag)) || firing_in_.size() > firing_before)
    JoinWaiting(tag, minute, event_ms);
  if (series == nullptr) return;
  auto f = firing_in_.find({tag, country});
  if (f == firing_in_.end()) return;
  OutageCountry& c = outages_[f->second].countries[country];
  if (c.confirmed_at == 0 && minute > closed_through_ && series->Provisional())
    ConfirmEarly({tag, country}, minute, open_count, event_ms);
  if (c.evidence < cfg_.evidence_per_country) {
    ++c.evidence;
    if (!c.waves.empty()) ++c.waves.back().evidence;
    evidence_.push_back({f->second, country, source, post_id, event_ms, EvidenceText(text)});
    Touch(f->second);
  }
}

std::vector<std::pair<int64_t, double>> OutageTracker::OpenBefore(
    int64_t minute, const std::function<int64_t(int64_t)>& count) const {
  std::vector<std::pair<int64_t, double>> open_before;
  if (!open_counts_ || closed_through_ == INT64_MIN) return open_before;
  for (int64_t m = std::max(closed_through_ + kMillisPerMinute, minute - 10 * kMillisPerMinute);
       m < minute; m += kMillisPerMinute) {
    open_before.emplace_back(m, static_cast<double>(count(m)));
  }
  return open_before;
}

void OutageTracker::JoinWaiting(const std::string& tag, int64_t minute, int64_t event_ms) {
  // A country whose last posts, too few to alert alone, are enough now that the tag is in
  // outage joins at once, not at its next post (a small country may be quiet for minutes).
  if (!open_counts_) return;
  const int64_t oldest = std::max(closed_through_ + kMillisPerMinute, minute - kMillisPerMinute);
  // Each one that joins may make the outage international, and others join on less then.
  for (bool joined = true; joined;) {
    joined = false;
    for (auto it = series_.lower_bound({tag, ""}); it != series_.end() && it->first.first == tag;
         ++it) {
      const SeriesKey& key = it->first;
      if (key.second == kTagTotal || it->second->state() == AlertState::kFiring) continue;
      auto count = [&](int64_t m) { return open_counts_(tag, key.second, m); };
      for (int64_t m = minute; m >= oldest; m -= kMillisPerMinute) {
        const int64_t n = count(m);
        if (n == 0) continue;  // the newest minute with posts carries the surge, if any
        if (auto e = it->second->Peek(m, static_cast<double>(n), OpenBefore(m, count),
                                      CrowdElsewhere(key, m, nullptr))) {
          e->detected_at = event_ms;
          Fire(key, *e, m);
          changed_series_.insert(key);
          joined = true;
        }
        break;
      }
    }
  }
}

void OutageTracker::CloseThrough(int64_t minute, const ClosedCounts& counts) {
  if (closed_through_ == INT64_MIN && !BeginHistory(minute, counts)) return;
  const TagTotals tag_totals = BirthSeries(counts);
  const Closing closing{&counts, &tag_totals};
  for (int64_t m = closed_through_ + kMillisPerMinute; m <= minute; m += kMillisPerMinute) {
    m = NextMinuteToObserve(m, minute, counts);
    if (m > minute) break;
    CloseMinute(m, closing);
  }
  closed_through_ = std::max(closed_through_, minute);
  ForgetWritten();
}

bool OutageTracker::BeginHistory(int64_t minute, const ClosedCounts& counts) {
  // Minutes before the source's first post were not watched: a pipeline closes through its
  // watermark, which trails the first post by the allowed lateness, and those minutes are
  // no silence to learn (two of them made a chatty tag's first posts look like a surge).
  if (counts.empty() && watching_since_ != INT64_MIN && minute < watching_since_) return false;
  // The history begins: with the first closed mention's minute, or earlier, with the
  // source's first post (WatchFrom). The series already born learn the silence before.
  closed_through_ = counts.empty() ? minute : std::get<0>(counts.begin()->first) - kMillisPerMinute;
  const int64_t first = closed_through_ + kMillisPerMinute;
  watching_since_ = watching_since_ == INT64_MIN
                        ? first
                        : std::clamp(watching_since_, first - kMaxWatchLeadMs, first);
  for (auto& [key, det] : series_) {
    if (det->steps_seen() == 0) LearnSilence(*det);
  }
  return true;
}

OutageTracker::TagTotals OutageTracker::BirthSeries(const ClosedCounts& counts) {
  TagTotals tag_totals;
  for (const auto& [k, n] : counts) {
    if (std::get<2>(k) != "??") Series({std::get<1>(k), std::get<2>(k)});
    if (!cfg_.watch_tag_total) continue;
    Series({std::get<1>(k), kTagTotal});
    tag_totals[{std::get<0>(k), std::get<1>(k)}] += n;
  }
  return tag_totals;
}

void OutageTracker::CloseMinute(int64_t m, const Closing& closing) {
  const bool gap = InGap(m);
  std::map<int64_t, int64_t> totals;  // outage id -> mentions this minute
  for (auto& [key, det] : series_) {
    const bool total = key.second == kTagTotal;
    int64_t n = 0;  // mentions this minute (for the total: from every country)
    if (total) {
      if (auto t = closing.tag_totals->find({m, key.first}); t != closing.tag_totals->end())
        n = t->second;
    } else if (auto c = closing.counts->find({m, key.first, key.second});
               c != closing.counts->end()) {
      n = c->second;
    }
    if (n == 0 && (det->steps_seen() == 0 || det->Dormant(m)))
      continue;   // not born yet, or long silent (its next mention fills the silence)
    if (total) {  // watched for CrowdElsewhere, never an outage itself
      det->Observe(m, static_cast<double>(n), gap, false, SkippedInGap(m));
      changed_series_.insert(key);
      continue;
    }
    ObserveCountry(key, *det, m, n, gap, closing, &totals);
  }
  for (const auto& [id, total] : totals) {
    Outage& o = outages_[id];
    if (total > o.peak_count) o.peak_count = total, o.peak_time = m;
  }
  // Withdrawals come once every series has seen the minute (for the outage's peak).
  const auto confirm_ms = static_cast<int64_t>(cfg_.confirm_minutes * kMillisPerMinute);
  for (const auto& [key, id] : firing_in_) {
    if (Unconfirmed(key) && m + kMillisPerMinute - series_.at(key)->firing_since() >= confirm_ms)
      to_withdraw_.push_back(key);
  }
  for (const auto& key : to_withdraw_) Withdraw(key, m + kMillisPerMinute);
  to_withdraw_.clear();
  ConfirmSaidMore(m + kMillisPerMinute);
}

void OutageTracker::ObserveCountry(const SeriesKey& key, SeriesDetector& det, int64_t m, int64_t n,
                                   bool gap, const Closing& closing,
                                   std::map<int64_t, int64_t>* totals) {
  const AlertState before = det.state();
  const bool unconfirmed = det.Provisional() && Unconfirmed(key);  // (the look first)
  const Assessment a = det.Observe(m, static_cast<double>(n), gap, CrowdElsewhere(key, m, &closing),
                                   SkippedInGap(m));
  changed_series_.insert(key);
  if (a.event && a.event->kind == AlertEvent::kFired) Fire(key, *a.event, m);
  if (a.spike)
    spikes_.push_back({key.first, key.second, m, n, a.expected, 1 - std::pow(10.0, a.log10_p)});
  auto f = firing_in_.find(key);
  if (f != firing_in_.end() || before == AlertState::kFiring) {
    const int64_t id = f != firing_in_.end() ? f->second : 0;
    if (id != 0) {
      OutageCountry& oc = outages_[id].countries[key.second];
      // A minute that closes after the alarm may still come before the onset (of the wave
      // that fires: a country back in its outage was quiet between its waves).
      if (m >= LatestWaveStart(oc)) {
        oc.mentions += n;
        if (n > oc.peak_count) oc.peak_count = n, oc.peak_time = m;
        if (!oc.waves.empty()) {
          OutageWave& wave = oc.waves.back();
          wave.mentions += n;
          if (n > wave.peak_count) wave.peak_count = n, wave.peak_time = m;
        }
        (*totals)[id] += n;
      }
      Redate(key, outages_[id], oc, a.started);
      Touch(id);
    }
  }
  if (a.event && a.event->kind == AlertEvent::kResolved) {
    if (unconfirmed)  // it ended before it said more: withdrawn, not resolved
      to_withdraw_.push_back(key);
    else
      Resolve(key, *a.event);
  }
}

void OutageTracker::ForgetWritten() {
  // Closed outages, once written, live in the store; gaps are kept a week (kGapsKeptMs).
  for (auto it = outages_.begin(); it != outages_.end();) {
    const bool keep = it->second.open() || dirty_.count(it->first) ||
                      closed_through_ - it->second.ended <= cfg_.incident_join_ms;
    it = keep ? std::next(it) : outages_.erase(it);
  }
  while (!gaps_.empty() && gaps_.begin()->second < closed_through_ - kGapsKeptMs)
    gaps_.erase(gaps_.begin());
}

bool OutageTracker::TagInOutage(const std::string& tag) const {
  const auto firing = firing_in_.lower_bound({tag, ""});
  if (firing != firing_in_.end() && firing->first.first == tag) return true;
  const auto total = series_.find({tag, kTagTotal});
  return total != series_.end() && total->second->state() == AlertState::kFiring;
}

std::optional<int64_t> OutageTracker::IncidentDetected(const std::string& tag) const {
  std::optional<int64_t> first;
  for (auto it = firing_in_.lower_bound({tag, ""});
       it != firing_in_.end() && it->first.first == tag; ++it) {
    const auto o = outages_.find(it->second);
    if (o != outages_.end() && (!first || o->second.opened_at < *first))
      first = o->second.opened_at;
  }
  const auto total = series_.find({tag, kTagTotal});
  if (total != series_.end() && total->second->state() == AlertState::kFiring &&
      (!first || total->second->firing_since() < *first))
    first = total->second->firing_since();
  return first;
}

bool OutageTracker::CrowdElsewhere(const SeriesKey& judged, int64_t minute,
                                   const Closing* closing) const {
  // This is asked on every mention: the common answers need no more than a look.
  const std::string& tag = judged.first;
  if (cfg_.incident_join_minutes > 0) {
    const std::optional<int64_t> detected = IncidentDetected(tag);
    if (detected && minute - *detected > cfg_.incident_join_minutes * kMillisPerMinute)
      return false;
  }
  const auto firing_begin = firing_in_.lower_bound({tag, ""});
  int firing = 0;
  for (auto it = firing_begin; it != firing_in_.end() && it->first.first == tag; ++it)
    firing += it->first != judged;
  const auto total = series_.find({tag, kTagTotal});
  if (firing == 0)  // no country fires: the total's own alert is the crowd
    return total != series_.end() && total->second->state() == AlertState::kFiring;
  if (firing >= cfg_.joins_freely_from || total == series_.end()) return true;
  // Too few countries fire to call the outage international. Their mentions are
  // explained, and so are the judged country's own: the rest must still surge.
  std::vector<std::pair<const SeriesKey*, const SeriesDetector*>> explained;
  auto explain = [&](const SeriesKey& key) {
    const auto s = series_.find(key);
    if (s != series_.end()) explained.emplace_back(&s->first, s->second.get());
  };
  for (auto it = firing_begin; it != firing_in_.end() && it->first.first == tag; ++it) {
    if (it->first != judged) explain(it->first);
  }
  explain(judged);
  const SeriesDetector& all = *total->second;
  const auto& windows = cfg_.detector.windows;
  const int span = std::max(1, *std::max_element(windows.begin(), windows.end()));
  std::vector<StepCount> unexplained;
  for (int64_t m = minute - (span - 1) * kMillisPerMinute; m <= minute; m += kMillisPerMinute) {
    double n = CountOf(total->first, all, m, closing), expected = all.Expected(m);
    for (const auto& [key, series] : explained) {
      n -= CountOf(*key, *series, m, closing);
      expected -= series->Expected(m);
    }
    // (The total's baseline is not the sum of its countries': keep at least a tenth.)
    unexplained.push_back({m, std::max(0.0, n), std::max(expected, 0.1 * all.Expected(m))});
  }
  return all.SurpriseLog10(unexplained) < std::log10(cfg_.crowd_alert_p);
}

double OutageTracker::CountOf(const SeriesKey& key, const SeriesDetector& series, int64_t minute,
                              const Closing* closing) const {
  if (minute <= closed_through_) return series.CountAt(minute);
  if (closing != nullptr) {
    if (key.second == kTagTotal) {
      const auto t = closing->tag_totals->find({minute, key.first});
      return t == closing->tag_totals->end() ? 0 : static_cast<double>(t->second);
    }
    const auto c = closing->counts->find({minute, key.first, key.second});
    return c == closing->counts->end() ? 0 : static_cast<double>(c->second);
  }
  return open_counts_ ? static_cast<double>(open_counts_(key.first, key.second, minute)) : 0;
}

void OutageTracker::PeekTagTotal(const std::string& tag, int64_t minute) {
  if (!open_counts_ || minute <= closed_through_) return;
  SeriesDetector& total = Series({tag, kTagTotal});
  if (total.state() == AlertState::kFiring) return;  // nothing more to learn this minute
  auto count = [&](int64_t m) { return open_counts_(tag, kTagTotal, m); };
  if (total.Peek(minute, static_cast<double>(count(minute)), OpenBefore(minute, count))) {
    changed_series_.insert({tag, kTagTotal});
  }
}

void OutageTracker::MarkGap(int64_t from_minute, int64_t to_minute) {
  // Kept merged, so that InGap is one lookup: a newborn series asks of every minute of
  // its week of silence, and a flapping source may leave thousands of gaps in a week.
  if (from_minute > to_minute) return;
  auto it = gaps_.upper_bound(from_minute);
  if (it != gaps_.begin() && std::prev(it)->second + kMillisPerMinute >= from_minute) --it;
  while (it != gaps_.end() && it->first <= to_minute + kMillisPerMinute) {
    from_minute = std::min(from_minute, it->first);
    to_minute = std::max(to_minute, it->second);
    it = gaps_.erase(it);
  }
  gaps_.emplace(from_minute, to_minute);
}

void OutageTracker::MarkGapWithin(int64_t from_ms, int64_t to_ms) {
  const auto [first, last] = WholeMinutesWithin(from_ms, to_ms);
  MarkGap(first, last);
}

TrackerChanges OutageTracker::TakeChanges() {
  TrackerChanges c;
  c.withdrawn = std::move(withdrawn_);
  withdrawn_.clear();
  c.moved = std::move(moved_);
  moved_.clear();
  for (int64_t id : dirty_) {
    auto it = outages_.find(id);
    if (it != outages_.end()) c.outages.push_back(it->second);
  }
  dirty_.clear();
  c.spikes = std::move(spikes_);
  spikes_.clear();
  c.evidence = std::move(evidence_);
  evidence_.clear();
  for (const auto& key : changed_series_)
    c.detector_states.push_back({key, series_[key]->Serialize()});
  changed_series_.clear();
  c.closed_through = closed_through_;
  c.watching_since = watching_since_;
  c.next_outage_id = next_id_;
  return c;
}

bool OutageTracker::RestoreSeries(const std::string& tag, const std::string& country,
                                  const std::string& state) {
  if (Series({tag, country}, /*newborn_learns_silence=*/false).Deserialize(state)) return true;
  series_.erase({tag, country});  // not half of a state: none
  unreadable_.insert({tag, country});
  return false;
}

void OutageTracker::RestoreOutage(const Outage& outage) {
  Outage& o = outages_[outage.id] = outage;
  for (auto& [cc, c] : o.countries) {
    c.waves = WavesOf(c);
    // The store counts each wave's sample posts by their times; without those counts (an
    // outage built by other means), most are taken as an outage begins, by its first wave.
    int kept = 0;
    for (const OutageWave& w : c.waves) kept += w.evidence;
    if (kept == 0) c.waves.front().evidence = c.evidence;
    if (c.ended == 0) firing_in_[{o.tag, cc}] = o.id;
  }
  for (const auto& [cc, c] : outage.countries) {
    if (c.ended != 0 || !unreadable_.count({o.tag, cc})) continue;
    const int64_t end = closed_through_ + kMillisPerMinute;  // the last closed minute's end
    Resolve({o.tag, cc}, AlertEvent{AlertEvent::kResolved, c.started, 0, end, end});
  }
  o.opened_at = LastOpened(o, JoinWindowMs());
}

void OutageTracker::RestoreClock(int64_t closed_through, int64_t next_outage_id,
                                 int64_t watching_since) {
  closed_through_ = closed_through;
  watching_since_ = watching_since;
  next_id_ = std::max(next_id_, next_outage_id);
}

}  // namespace hashmon
