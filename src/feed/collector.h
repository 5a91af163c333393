// The live collector: keeps one stream connected (reconnecting by the backoff rules),
// splits it into records for the pipeline, and commits counts, detection state, gaps and
// the source's cursor together about once a second, so a crash loses nothing that was
// committed and doubles nothing that is resent.
#ifndef HASHMON_FEED_COLLECTOR_H_
#define HASHMON_FEED_COLLECTOR_H_

#include <atomic>
#include <map>
#include <string>

#include "feed/http_stream.h"
#include "hashmon/backoff.h"
#include "hashmon/clock.h"
#include "hashmon/log.h"
#include "hashmon/pipeline.h"
#include "hashmon/prefilter.h"
#include "store/sqlite_store.h"

namespace hashmon {

struct CollectOptions {
  std::string url;
  std::map<std::string, std::string> headers;
  int64_t idle_timeout_ms = 30'000;
  int64_t commit_every_ms = 1'000;
  // Stop when the server ends the stream cleanly (tests, demos, finite relays); then
  // every open minute is flushed as at the end of a replay.
  bool until_eof = false;
  // Gives up after this many failed connections in a row (0 = never).
  int max_failures = 0;
  // For relays that resume from a line number (hashmon serve-feed, in-house relays):
  // the query parameter to send it in. Empty: the stream has no resume.
  std::string resume_param;
};

struct CollectStats {
  int connections = 0;
  int reconnects = 0;
  std::map<std::string, int> failures;  // by reason
  int64_t bytes = 0;
};

class Collector {
 public:
  Collector(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log, CollectOptions options);

  // Runs until *stop, or the end of the stream with until_eof. Returns false (with
  // *error) only for a problem a retry cannot fix.
  bool Run(const std::atomic<bool>* stop, std::string* error);

  const CollectStats& stats() const { return stats_; }
  // Bytes received so far; safe to read from another thread.
  int64_t bytes_received() const { return bytes_received_.load(); }

 private:
  void OnBytes(const char* data, size_t len);
  bool Commit(bool force);
  void SleepUnlessStopped(int64_t ms, const std::atomic<bool>* stop);

  Pipeline* pipeline_;
  SqliteStore* store_;
  Clock* clock_;
  Logger* log_;
  CollectOptions options_;
  Prefilter prefilter_;
  std::string source_;
  std::string carry_;
  int64_t cursor_ = 0;  // lines consumed, for resumable relays
  std::atomic<int64_t> bytes_received_{0};
  Batch unsaved_;
  int64_t last_commit_ms_ = 0;
  CollectStats stats_;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_COLLECTOR_H_
