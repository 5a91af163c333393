// Finds a source's first post among the first records a reader sees, before any pre-filter,
// and tells the pipeline when it came (Pipeline::WatchFrom): hashmon has been watching since
// then, so the silence before a country's first mention is data. A live collector and a
// replay of its recording see the same first records, so they begin the history alike.
#ifndef HASHMON_FEED_FIRST_POST_H_
#define HASHMON_FEED_FIRST_POST_H_

#include <string>
#include <string_view>

#include "hashmon/decoder.h"
#include "hashmon/pipeline.h"

namespace hashmon {

class FirstPostWatch {
 public:
  explicit FirstPostWatch(Pipeline* pipeline) : pipeline_(pipeline) {}

  // One line (NDJSON, or SSE with its "event:" lines) or one WebSocket message. After the
  // first post, or after a few records that hold none, it looks no further.
  void See(std::string_view record);
  // Each line of `text`, until done.
  void SeeLines(std::string_view text);
  bool done() const { return done_; }
  // Looks again, from the next record (a reader that starts another input).
  void Rearm() { done_ = false, looked_ = 0, event_.clear(); }

 private:
  static constexpr int kMaxRecords = 8;
  Pipeline* pipeline_;
  Decoder decoder_;
  std::string event_;  // the SSE event the next data line belongs to
  int looked_ = 0;
  bool done_ = false;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_FIRST_POST_H_
