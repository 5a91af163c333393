// Writes raw stream messages as they arrive, one per line with the receive time, into
// hourly zstd files (DIR/2016-01-19T08.jsonl.zst). Each second's lines end a zstd frame,
// so a crash can tear at most the last frame, which replay skips. A write that fails (a
// full disk) loses the frame it was in: the file is cut back to the last whole frame, so
// the recording stays readable, and writing resumes with the next message that fits.
// With a time to keep, each new hour's file removes the hours that ended longer ago than
// that, so a recorder left running does not fill the disk.
#ifndef HASHMON_FEED_RECORDER_H_
#define HASHMON_FEED_RECORDER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "hashmon/clock.h"
#include "hashmon/log.h"

namespace hashmon {

class Recorder {
 public:
  // `keep_ms`: how long an hour's file is kept after the hour ends (0: for ever). Only files
  // named as the recorder names them are ever removed; `log` (if any) hears of each.
  Recorder(std::string dir, Clock* clock, int64_t keep_ms = 0, Logger* log = nullptr);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Appends one message (a JSON object or any text) with the receive time.
  bool Write(std::string_view message, std::string* error);
  // Appends each complete line of a byte stream (NDJSON, SSE) as a message, without its
  // line end; a partial last line waits for the next call.
  bool WriteLines(std::string_view bytes, std::string* error);
  // The stream was cut: a partial line it held is not recorded.
  void DropPartialLine() {
    partial_.clear();
    skipping_long_line_ = false;
  }
  // Ends the current frame and flushes it to disk.
  bool Flush(std::string* error);

  int64_t lines() const { return lines_; }
  // Messages lost to failed writes (each in a frame the disk did not take).
  int64_t lost() const { return lost_; }
  // Hourly files removed because they were older than the time to keep.
  int64_t expired_files() const { return expired_files_; }

 private:
  bool Open(int64_t hour_ms, std::string* error);
  bool Compress(std::string_view in, bool end_frame, std::string* error);
  void Close();
  // After a failed write: cuts the file back to its last whole frame and starts a new one.
  void DropUnfinishedFrame();
  // Removes the hourly files whose hour ended more than keep_ms_ before now.
  void RemoveExpired(int64_t now_ms);

  std::string dir_;
  Clock* clock_;
  int64_t keep_ms_;
  Logger* log_;
  int64_t expired_files_ = 0;
  FILE* file_ = nullptr;
  std::string path_;
  long frame_start_ = 0;  // where the unfinished frame begins in the file
  int64_t frame_lines_ = 0;
  void* cctx_ = nullptr;  // ZSTD_CCtx
  int64_t hour_ = INT64_MIN;
  int64_t last_flush_ms_ = 0;
  int64_t lines_ = 0;
  int64_t lost_ = 0;
  std::string line_;
  std::string partial_;
  std::vector<char> compressed_;     // zstd's output, written to the file as it fills
  bool skipping_long_line_ = false;  // inside a line too long to record, until its end
};

}  // namespace hashmon

#endif  // HASHMON_FEED_RECORDER_H_
