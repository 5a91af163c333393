// Writes raw stream messages as they arrive, one per line with the receive time, into
// hourly zstd files (DIR/2016-01-19T08.jsonl.zst). Each second's lines end a zstd frame,
// so a crash can tear at most the last frame, which replay skips.
#ifndef HASHMON_FEED_RECORDER_H_
#define HASHMON_FEED_RECORDER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "hashmon/clock.h"

namespace hashmon {

class Recorder {
 public:
  Recorder(std::string dir, Clock* clock);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Appends one message (a JSON object or any text) with the receive time.
  bool Write(std::string_view message, std::string* error);
  // Ends the current frame and flushes it to disk.
  bool Flush(std::string* error);

  int64_t lines() const { return lines_; }

 private:
  bool Open(int64_t hour_ms, std::string* error);
  bool Compress(std::string_view in, bool end_frame, std::string* error);
  void Close();

  std::string dir_;
  Clock* clock_;
  FILE* file_ = nullptr;
  void* cctx_ = nullptr;  // ZSTD_CCtx
  int64_t hour_ = INT64_MIN;
  int64_t last_flush_ms_ = 0;
  int64_t lines_ = 0;
  std::string line_;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_RECORDER_H_
