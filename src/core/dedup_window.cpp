#include "hashmon/dedup_window.h"

#include <algorithm>

namespace hashmon {

DedupWindow::DedupWindow(int64_t window_ms, size_t max_keys) : window_ms_(window_ms), max_keys_(max_keys) {}

std::string DedupWindow::Key(SourceKind source, const std::string& id) {
  std::string key = SourceKindName(source);
  key.push_back(':');
  key += id;
  return key;
}

bool DedupWindow::Insert(SourceKind source, const std::string& id, int64_t event_ms) {
  std::string key = Key(source, id);
  if (!keys_.insert(key).second) return false;
  order_.emplace_back(event_ms, std::move(key));
  newest_ms_ = std::max(newest_ms_, event_ms);
  Evict();
  return true;
}

bool DedupWindow::Contains(SourceKind source, const std::string& id) const {
  return keys_.count(Key(source, id)) > 0;
}

void DedupWindow::Evict() {
  while (!order_.empty() &&
         (order_.size() > max_keys_ || order_.front().first < newest_ms_ - window_ms_)) {
    keys_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace hashmon
