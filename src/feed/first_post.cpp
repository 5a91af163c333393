#include "feed/first_post.h"

namespace hashmon {

void FirstPostWatch::See(std::string_view record) {
  if (done_) return;
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
  if (record.substr(0, 6) == "event:") {
    record.remove_prefix(6);
    while (!record.empty() && record.front() == ' ') record.remove_prefix(1);
    event_ = std::string(record);
    return;
  }
  std::string_view event;
  if (record.substr(0, 5) == "data:") {
    record.remove_prefix(record.size() > 5 && record[5] == ' ' ? 6 : 5);
    event = event_;
  }
  if (record.empty() || record[0] != '{') return;  // framing, comments, keep-alives
  const Record r = decoder_.DecodeCopy(record, event);
  if (r.kind == RecordKind::kPost) {
    pipeline_->WatchFrom(r.post.created_at);
    done_ = true;
  } else if (++looked_ >= kMaxRecords) {
    done_ = true;
  }
}

void FirstPostWatch::SeeLines(std::string_view text) {
  while (!done_ && !text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return;  // a partial line: the next chunk has it whole
    See(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
}

}  // namespace hashmon
