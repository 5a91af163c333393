// Replays recorded feeds through the pipeline into the store, exactly as if they were
// live: counts, cursors and de-duplication state are committed together, so a replay that
// is stopped and run again resumes where it stopped, and replaying a file twice changes
// nothing.
#ifndef HASHMON_FEED_REPLAYER_H_
#define HASHMON_FEED_REPLAYER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feed/block_reader.h"
#include "feed/first_post.h"
#include "feed/input_file.h"
#include "hashmon/clock.h"
#include "hashmon/decoder.h"
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
  // Room before each block for the end of the line before it: a line that spans two blocks
  // is parsed in place when its first part fits, copied out when not (tests shrink it).
  size_t headroom_bytes = 256u << 10;
  // A longer line is skipped whole (counted as line_too_long): it would have to be held in
  // memory to be parsed, and no feed writes one.
  size_t max_line_bytes = 64u << 20;
  // Parse only records the pre-filter flags (never with --speed, which needs every time).
  bool prefilter = true;
  // Let the reader thread run the pre-filter on every block, not only when the parser is
  // behind (tests: that path must give the same counts).
  bool scan_in_reader_always = false;
  // Called about twice a second (monotonic clock) with the progress so far.
  std::function<void(const ReplayProgress&)> on_progress;
};

struct ReplayItem;  // a line, or the end of a member, that an input hands over

class Replayer {
 public:
  // `store` may be null: records are decoded and counted but nothing is written.
  Replayer(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log,
           ReplayOptions options);
  ~Replayer();

  // Replays one path (file, archive, directory or "-"). Returns false on a fatal error.
  bool ReplayPath(const std::string& path, std::string* error);

  // Replays several inputs side by side, merged by event time, as if their posts had come
  // in together live: two sources recorded apart (or one recording per hashtag) make one
  // history, and no input's posts come too late for detection because another input was
  // read first. Each input is a list of paths read one after another (a directory's
  // files). Up to kMaxOpenInputs are read at once; the rest wait for one to end. Returns
  // false if any input failed (the others are still replayed; *error tells the first).
  bool ReplayInputs(const std::vector<std::vector<std::string>>& inputs, std::string* error);
  static constexpr size_t kMaxOpenInputs = 8;

  // End of input: closes every open minute and commits what is left.
  bool Finish(std::string* error);

  const ReplayProgress& progress() const { return progress_; }
  int64_t skipped_members() const { return skipped_members_; }

 private:
  struct Input;  // one input being read: its members, block by block, into lines
  bool OpenInput(const std::vector<std::string>& paths, std::string* error);
  // Reads on until the input has a line or an event to hand over; false once it has ended.
  bool Fill(Input* in);
  bool OpenMember(Input* in);
  // Reads the member's next block and splits it into lines (items), in these steps:
  void ReadBlock(Input* in);
  // The member's first block: whether its lines may be pre-filtered, and whether it tells
  // when the input began.
  void BeginMember(Input* in, const BlockReader::Block& b);
  // The rest of a line over max_line_bytes at the block's start: how many bytes it takes.
  size_t SkipRestOfLongLine(Input* in, const BlockReader::Block& b);
  // Bytes the items' lines point into (and the pipeline may parse in place).
  struct Text {
    char* data;
    size_t len;
  };
  // The partial line carried from the last block, followed by the block's bytes.
  Text JoinCarry(Input* in, BlockReader::Block* b, size_t skipped);
  // Adds the complete lines of `text` to the items; returns the bytes they took.
  size_t SplitLines(Input* in, const BlockReader::Block& b, Text text, size_t skipped);
  // The block's end: a read error, or the member's end with its unterminated last line.
  void EndBlock(Input* in, const BlockReader::Block& b);
  // The event time an input's next line would take its confirmed time to (for the merge).
  int64_t HeadTime(Input* in);
  // A line's post time (INT64_MIN for a line that is not a post), read without consuming it.
  // Tells the pipeline when an input read from its start began (its first post).
  void LookForFirstPost(Input* in, std::string_view bytes, bool eof);
  // Counts and logs a line over max_line_bytes, which is not parsed.
  void SkipLongLine(Input* in);
  int64_t PostTime(Input* in, const ReplayItem& item);
  // Hands the input's next line (or member end) to the pipeline.
  void Take(Input* in);
  bool CommitAll(std::string* error, bool final_attempts);
  // Of the watched tags, those `read_before` was not read for (all were, where that is
  // not known), and in *read_for those it was: what its cursor is written with from now on.
  std::vector<std::string> TagsNotReadFor(const Checkpoint& read_before, std::string* read_for);
  void Pace();
  void ReportProgress(bool force);

  Pipeline* pipeline_;
  SqliteStore* store_;
  Clock* clock_;
  Logger* log_;
  ReplayOptions options_;
  // The tags the history has counted, read once where a cursor does not say what its input
  // was read for (written before schema 11).
  std::optional<std::vector<std::string>> tags_counted_;
  Prefilter prefilter_;
  FirstPostWatch first_post_;        // begins the history at each input's first post
  Decoder time_decoder_;             // reads the time of the next line of each input (merge only)
  std::vector<int64_t> candidates_;  // pre-filter matches for the block being split
  std::vector<std::unique_ptr<Input>> inputs_;
  uint64_t uncommitted_bytes_ = 0;
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

// Commits *unsaved with the inputs' cursors and clears it. On failure (busy database, full
// disk) it logs a rate-limited message, keeps the batch for the next try, and returns
// false with the reason in *failure.
bool CommitOrKeep(SqliteStore* store, Batch* unsaved, const std::vector<SourceCursor>& cursors,
                  Logger* log, std::string* failure);

}  // namespace hashmon

#endif  // HASHMON_FEED_REPLAYER_H_
