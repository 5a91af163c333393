// Retention inside a collector: what the history holds from before a moving time (now less
// `keep_history`) is deleted at the start and then once an hour, on a thread of its own and
// in steps of at most about 200 ms, with pauses in which the collector's commits get in.
#ifndef HASHMON_STORE_RETENTION_H_
#define HASHMON_STORE_RETENTION_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "hashmon/clock.h"
#include "hashmon/log.h"
#include "store/prune.h"

namespace hashmon {

// For /metrics and the status; updated by the retention thread, read by the API's.
struct RetentionStats {
  int64_t keep_ms = 0;  // set once, before the thread starts
  std::atomic<int64_t> deleted_counts{0};
  std::atomic<int64_t> failed_passes{0};
  std::atomic<int64_t> last_pass_s{0};  // when the last pass finished every deletion due
};

class HistoryRetention {
 public:
  // `hard_stop` (a signal) stops a pass between steps; the history is left consistent and
  // the next start goes on where it stopped. After about 100 ms of steps the pass pauses
  // `pause_ms`, so that the collector's own commits get the lock (see PruneOptions).
  HistoryRetention(std::string db_path, int64_t keep_ms, Clock* clock, Logger* log,
                   const std::atomic<bool>* hard_stop, int pause_ms = kPauseForAWriterMs);
  // Lets the pass in progress finish (unless `hard_stop` is set), then stops.
  ~HistoryRetention();

  // A pass now, then one every `every_ms`.
  void Start(int64_t every_ms = 3'600'000);
  // One pass: deletes what came before now less `keep_ms`. False when it failed (logged,
  // with what to do, and tried again at the next pass).
  bool Pass();

  const RetentionStats& stats() const { return stats_; }

 private:
  const std::string db_path_;
  const int64_t keep_ms_;
  Clock* clock_;
  Logger* log_;
  const std::atomic<bool>* hard_stop_;
  const int pause_ms_;
  RetentionStats stats_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace hashmon

#endif  // HASHMON_STORE_RETENTION_H_
