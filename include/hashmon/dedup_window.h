// Remembers which posts were counted, by (source, id), for a bounded span of event time,
// so that reconnects, cursor rewinds and backfill never count a post twice.
#ifndef HASHMON_DEDUP_WINDOW_H_
#define HASHMON_DEDUP_WINDOW_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_set>

#include "hashmon/confirmed_time.h"
#include "hashmon/post.h"

namespace hashmon {

class DedupWindow {
 public:
  // Keys older than `window_ms` (event time, behind the newest key of the same source)
  // are forgotten, and never more than `max_keys` are kept. Each source keeps its own
  // time, so a source that runs ahead (another network, a faster feed) cannot make the
  // window forget what a slower one still resends.
  DedupWindow(int64_t window_ms, size_t max_keys);

  // Returns true if (source, id) is new, and remembers it.
  bool Insert(SourceKind source, const std::string& id, int64_t event_ms);
  bool Contains(SourceKind source, const std::string& id) const;

  size_t size() const { return keys_.size(); }
  int64_t window_ms() const { return window_ms_; }

  static std::string Key(SourceKind source, const std::string& id);

 private:
  struct Lane {
    ConfirmedTime confirmed;  // one post with a wrong clock must not empty the window
    int64_t newest_ms = INT64_MIN;
    std::deque<std::pair<int64_t, std::string>> order;  // insertion order
  };
  void Evict(Lane* lane);

  int64_t window_ms_;
  size_t max_keys_;
  std::unordered_set<std::string> keys_;
  std::map<SourceKind, Lane> lanes_;
};

}  // namespace hashmon

#endif  // HASHMON_DEDUP_WINDOW_H_
