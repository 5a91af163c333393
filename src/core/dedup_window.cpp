#include "hashmon/dedup_window.h"

#include <algorithm>

namespace hashmon {

DedupWindow::DedupWindow(int64_t window_ms, size_t max_keys)
    : window_ms_(window_ms), max_keys_(max_keys) {}

std::string DedupWindow::Key(SourceKind source, const std::string& id) {
  std::string key = SourceKindName(source);
  key.push_back(':');
  key += id;
  return key;
}

bool DedupWindow::Insert(SourceKind source, const std::string& id, int64_t event_ms) {
  std::string key = Key(source, id);
  if (!keys_.insert(key).second) return false;
  Lane& lane = lanes_[source];
  lane.order.emplace_back(event_ms, std::move(key));
  lane.newest_ms = std::max(lane.newest_ms, lane.confirmed.See(event_ms));
  Evict(&lane);
  return true;
}

bool DedupWindow::Contains(SourceKind source, const std::string& id) const {
  return keys_.count(Key(source, id)) > 0;
}

void DedupWindow::Evict(Lane* lane) {
  const int64_t oldest_kept =
      lane->newest_ms == INT64_MIN ? INT64_MIN : lane->newest_ms - window_ms_;
  while (!lane->order.empty() &&
         (keys_.size() > max_keys_ || lane->order.front().first < oldest_kept)) {
    keys_.erase(lane->order.front().second);
    lane->order.pop_front();
  }
}

}  // namespace hashmon
