// Replays recorded feeds through the pipeline into the store, exactly as if they were
// live: counts, cursors and de-duplication state are committed together, so a replay that
// is stopped and run again resumes where it stopped, and replaying a file twice changes
// nothing.
#ifndef HASHMON_FEED_REPLAYER_H_
#define HASHMON_FEED_REPLAYER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "feed/input_file.h"
#include "feed/sse_framer.h"
#include "hashmon/clock.h"
#include "hashmon/log.h"
#include "hashmon/pipeline.h"
#include "hashmon/prefilter.h"
#include "store/sqlite_store.h"

namespace hashmon {

struct ReplayProgress {
  int64_t bytes = 0;
  int64_t posts = 0;
  int64_t mentions = 0;
  int64_t newest_event_ms = INT64_MIN;
  int64_t elapsed_ms = 0;
};

struct ReplayOptions {
  // Event-time pacing: 60 replays an hour of feed in a minute. 0 = as fast as possible.
  double speed = 0;
  // Commit after this many input bytes (and at the end of each file).
  size_t commit_bytes = 64u << 20;
  // Read size; tests vary it to prove chunking changes nothing.
  size_t read_bytes = 4u << 20;
  // Parse only records the pre-filter flags (never with --speed, which needs every time).
  bool prefilter = true;
  // Let the reader thread run the pre-filter on every block, not only when the parser is
  // behind (tests: that path must give the same counts).
  bool scan_in_reader_always = false;
  // Called about twice a second (monotonic clock) with the progress so far.
  std::function<void(const ReplayProgress&)> on_progress;
};

class Replayer {
 public:
  // `store` may be null: records are decoded and counted but nothing is written.
  Replayer(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log, ReplayOptions options);

  // Replays one path (file, archive, directory or "-"). Returns false on a fatal error.
  bool ReplayPath(const std::string& path, std::string* error);

  // End of input: closes every open minute and commits what is left.
  bool Finish(std::string* error);

  const ReplayProgress& progress() const { return progress_; }
  int64_t skipped_members() const { return skipped_members_; }

 private:
  bool ReplayMember(Member* member, std::string* error);
  void ProcessLine(char* line, size_t len, bool unterminated);
  void ProcessBuffer(char* data, size_t len, size_t* consumed);
  bool Commit(const std::string& source, uint64_t offset, bool complete, std::string* error);
  void Pace();
  void ReportProgress(bool force);

  Pipeline* pipeline_;
  SqliteStore* store_;
  Clock* clock_;
  Logger* log_;
  ReplayOptions options_;
  Prefilter prefilter_;
  bool member_prefilter_ = false;
  SseFramer framer_;
  std::vector<int64_t> candidates_;  // pre-filter matches for the block being parsed
  Batch unsaved_;  // batches whose commit failed, retried with the next one
  ReplayProgress progress_;
  int64_t start_ms_ = 0;
  int64_t last_progress_ms_ = 0;
  int64_t pace_wall_start_ = INT64_MIN;
  int64_t pace_event_start_ = INT64_MIN;
  int64_t skipped_members_ = 0;
};

// Appends b to a (both pending writes).
void MergeBatch(Batch* a, Batch&& b);

// Commits *unsaved with the source's cursor and clears it. On failure (busy database, full
// disk) it logs a rate-limited message, keeps the batch for the next try, and returns
// false with the reason in *failure.
bool CommitOrKeep(SqliteStore* store, Batch* unsaved, const std::string& source, const std::string& cursor,
                  bool complete, Logger* log, std::string* failure);

}  // namespace hashmon

#endif  // HASHMON_FEED_REPLAYER_H_
