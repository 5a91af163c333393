// Counts mentions into (tag, country, minute) buckets by event time. Counts are handed to
// the store as deltas at every commit, whether or not their minute has closed; a minute
// closes (for detection) when the watermark, the newest event time seen minus the allowed
// lateness, passes its end. A post later than that still counts, in its own minute.
#ifndef HASHMON_MINUTE_COUNTER_H_
#define HASHMON_MINUTE_COUNTER_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "hashmon/confirmed_time.h"
#include "hashmon/country_locator.h"

namespace hashmon {

struct BucketDelta {
  std::string tag;  // tag key
  std::string country;
  int64_t minute;  // ms since epoch, start of the minute
  Method method;
  int64_t count;
};

struct ClosedMinute {
  std::string tag;
  std::string country;
  int64_t minute;
  int64_t count;
};

// The allowed lateness, in whole minutes, that would have taken a post this far behind the
// newest (its minute ends up to a minute after it).
inline int64_t LatenessMinutesToTake(int64_t lag_ms) { return lag_ms / 60'000 + 2; }

class MinuteCounter {
 public:
  // An event time further than `max_lead_ms` ahead of the confirmed newest (see Observe)
  // when the input ends is a wrong clock: counted, but its minute is not closed for detection.
  explicit MinuteCounter(int64_t allowed_lateness_ms, int64_t max_lead_ms = 3'600'000);

  // Counts a mention. One `ahead` (stamped too far ahead of the clock) is for the store
  // only: its minute never closes, and it is counted in ahead_posts().
  void Add(const std::string& tag, const std::string& country, Method method, int64_t event_ms,
           bool ahead = false);

  // Moves the watermark forward to the newest event time minus lateness (never back). The
  // newest is a ConfirmedTime, so that one post with a wrong clock (a year ahead) cannot
  // close every minute before its own.
  void Observe(int64_t event_ms);

  // Counts added since the last call, for the store.
  std::vector<BucketDelta> TakeDeltas();

  // Minutes that closed since the last call, in time order, with their total counts.
  // With flush_all (end of input), every open minute closes, but those too far ahead (see
  // the constructor), which are dropped and counted in ahead_posts().
  std::vector<ClosedMinute> TakeClosed(bool flush_all = false);

  int64_t watermark() const { return watermark_; }
  // The count so far of a minute that has not closed.
  int64_t OpenCount(const std::string& tag, const std::string& country, int64_t minute) const {
    auto it = open_.find(OpenKey{minute, tag, country});
    return it == open_.end() ? 0 : it->second;
  }
  // The count so far of a minute that has not closed, over every country of a tag
  // (unattributed included): one range of the open map, which is ordered by minute and tag.
  int64_t OpenTagCount(const std::string& tag, int64_t minute) const {
    int64_t n = 0;
    for (auto it = open_.lower_bound(OpenKey{minute, tag, std::string()});
         it != open_.end() && std::get<0>(it->first) == minute && std::get<1>(it->first) == tag;
         ++it) {
      n += it->second;
    }
    return n;
  }
  // Restores an open minute's count after a restart (already stored, so no delta).
  void RestoreOpen(const std::string& tag, const std::string& country, int64_t minute,
                   int64_t count) {
    open_[OpenKey{minute, tag, country}] += count;
  }
  // Restores the watermark after a restart.
  void set_watermark(int64_t w) { watermark_ = std::max(watermark_, w); }
  int64_t late_posts() const { return late_posts_; }
  // How far behind the newest posts the last late post was, and the most any was.
  int64_t last_late_lag_ms() const { return last_late_lag_ms_; }
  int64_t max_late_lag_ms() const { return max_late_lag_ms_; }
  int64_t ahead_posts() const { return ahead_posts_; }

 private:
  using Key = std::tuple<std::string, std::string, int64_t, int>;  // tag, country, minute, method
  using OpenKey = std::tuple<int64_t, std::string, std::string>;   // minute, tag, country
  int64_t lateness_ms_;
  int64_t max_lead_ms_;
  int64_t watermark_ = INT64_MIN;
  ConfirmedTime newest_;
  int64_t late_posts_ = 0;
  int64_t last_late_lag_ms_ = 0, max_late_lag_ms_ = 0;
  int64_t ahead_posts_ = 0;
  std::map<Key, int64_t> deltas_;
  std::map<OpenKey, int64_t> open_;
};

}  // namespace hashmon

#endif  // HASHMON_MINUTE_COUNTER_H_
