#include "hashmon/minute_counter.h"

#include <algorithm>

#include "hashmon/time_util.h"

namespace hashmon {

MinuteCounter::MinuteCounter(int64_t allowed_lateness_ms, int64_t max_lead_ms)
    : lateness_ms_(allowed_lateness_ms), max_lead_ms_(max_lead_ms) {}

void MinuteCounter::Add(const std::string& tag, const std::string& country, Method method,
                        int64_t event_ms, bool ahead) {
  const int64_t minute = MinuteOf(event_ms);
  ++deltas_[Key{tag, country, minute, static_cast<int>(method)}];
  if (ahead) {
    ++ahead_posts_;
  } else if (minute + kMillisPerMinute <= watermark_) {
    ++late_posts_;  // its minute already closed: stored, but detection has moved on
    last_late_lag_ms_ = watermark_ + lateness_ms_ - event_ms;
    max_late_lag_ms_ = std::max(max_late_lag_ms_, last_late_lag_ms_);
  } else {
    ++open_[OpenKey{minute, tag, country}];
  }
}

void MinuteCounter::Observe(int64_t event_ms) {
  const int64_t newest = newest_.See(event_ms);
  if (newest != INT64_MIN && newest - lateness_ms_ > watermark_) watermark_ = newest - lateness_ms_;
}

std::vector<BucketDelta> MinuteCounter::TakeDeltas() {
  std::vector<BucketDelta> out;
  out.reserve(deltas_.size());
  for (const auto& [k, n] : deltas_) {
    out.push_back(
        {std::get<0>(k), std::get<1>(k), std::get<2>(k), static_cast<Method>(std::get<3>(k)), n});
  }
  deltas_.clear();
  return out;
}

std::vector<ClosedMinute> MinuteCounter::TakeClosed(bool flush_all) {
  std::vector<ClosedMinute> out;
  int64_t last_minute = watermark_ == INT64_MIN ? INT64_MIN : watermark_ - kMillisPerMinute;
  if (flush_all) {  // every minute up to the confirmed newest time, and a little past it
    last_minute = watermark_ == INT64_MIN ? INT64_MAX : watermark_ + lateness_ms_ + max_lead_ms_;
  }
  auto it = open_.begin();
  while (it != open_.end() && std::get<0>(it->first) <= last_minute) {
    out.push_back(
        {std::get<1>(it->first), std::get<2>(it->first), std::get<0>(it->first), it->second});
    it = open_.erase(it);
  }
  if (flush_all) {
    for (const auto& [key, n] : open_) ahead_posts_ += n;
    open_.clear();
  }
  return out;
}

}  // namespace hashmon
