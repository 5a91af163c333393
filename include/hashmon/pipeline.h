// The core pipeline: record -> decoder -> matcher -> dedup -> locator -> counter. Owners of
// sockets and files feed it records; the store takes its batches at each commit.
#ifndef HASHMON_PIPELINE_H_
#define HASHMON_PIPELINE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hashmon/clock.h"
#include "hashmon/country_locator.h"
#include "hashmon/decoder.h"
#include "hashmon/dedup_window.h"
#include "hashmon/minute_counter.h"
#include "hashmon/outage_tracker.h"
#include "hashmon/tag_key.h"

namespace hashmon {

struct PipelineConfig {
  std::vector<std::string> tags = {"twitterdown"};
  // A minute closes this long (event time) after its end.
  int64_t allowed_lateness_ms = 2 * 60'000;
  // Posts are de-duplicated within this much event time.
  int64_t dedup_window_ms = 6 * 3'600'000;
  size_t dedup_max_keys = 2'000'000;
  // Outage detection; off for `inspect`.
  bool detect = true;
  // Live collection: the wall clock. A post stamped further ahead of it than
  // `max_clock_lead_ms` (a remote server's wrong clock, or a hostile one) is counted and
  // stored, but moves no time on and is not judged.
  Clock* live_clock = nullptr;
  int64_t max_clock_lead_ms = 5 * 60'000;
  TrackerConfig tracker;
};

// One counted mention, kept so the store can remember it was seen (exactly once across
// restarts) and keep sample posts as evidence.
struct Mention {
  SourceKind source;
  std::string id;
  int64_t created_at;
  std::string tag;
  std::string country;
  Method method;
  std::string text;
};

// A span of wall time when a source was disconnected: no data, not zero mentions.
struct GapRecord {
  std::string source;
  int64_t from_ms;
  int64_t to_ms;
  std::string reason;
  // Where posts may be missing from (to_ms: nowhere; INT64_MIN: all of the gap). Before it,
  // the source sent again what was posted (a cursor, gap fill): detection judges those
  // minutes. The history keeps only the gap.
  int64_t missing_from_ms = INT64_MIN;

  // Where posts may be missing from, within the gap (to_ms: nowhere).
  int64_t PostsMissingFrom() const { return std::max(from_ms, missing_from_ms); }
  // Whether the source sent again all that was posted during the (ended) gap.
  bool NothingMissing() const { return to_ms != 0 && PostsMissingFrom() >= to_ms; }
};

struct DeletedPost {
  SourceKind source;
  std::string id;
};

// What a commit writes, in one transaction with the source's cursor.
struct Batch {
  std::vector<BucketDelta> deltas;
  std::vector<Mention> mentions;
  std::vector<DeletedPost> deletes;
  std::vector<TrackerChanges> detection;  // in order
  std::vector<GapRecord> gaps;
  int64_t watermark = INT64_MIN;
  bool empty() const {
    return deltas.empty() && mentions.empty() && deletes.empty() && detection.empty() &&
           gaps.empty();
  }
};

struct PipelineStats {
  int64_t records = 0;
  int64_t posts = 0;
  int64_t mentions = 0;
  std::map<std::string, int64_t> mentions_by_country;
  int64_t duplicates = 0;
  int64_t deletes = 0;
  // Counted and stored, but not seen by detection: their minute had already closed
  // (`late`), or their time was too far ahead of the clock or of the other posts (`ahead`).
  int64_t late_mentions = 0;
  int64_t ahead_mentions = 0;
  // How far behind the newest posts the last late mention was, and the most any was.
  int64_t last_late_lag_ms = 0;
  int64_t max_late_lag_ms = 0;
  int64_t newest_event_ms = INT64_MIN;
  // Provisional alerts withdrawn (a country's join that said no more in time; see
  // TrackerConfig::confirm_minutes): shown, and sent to alert receivers, while they lasted.
  int64_t withdrawn_alerts = 0;
  std::map<std::string, int64_t> notices;  // by reason
  std::map<std::string, int64_t> ignored;  // by reason
  std::map<std::string, int64_t> errors;   // by reason
  int64_t error_total() const;
};

class Pipeline {
 public:
  Pipeline(PipelineConfig config, const CountryLocator* locator);

  // Processes one record (see Decoder::Decode for the buffer contract). `unterminated`
  // marks the last line of an input that ended without a newline: if it does not parse,
  // it is counted as a torn line rather than as malformed JSON.
  void OnRecord(char* text, size_t len, std::string_view sse_event = {}, bool unterminated = false);
  // Counts a record rejected before decoding (e.g. a line too long to buffer).
  void CountError(const char* reason) { ++stats_.records, ++stats_.errors[reason]; }
  // Processes an already decoded post (also used by the record path).
  void OnPost(const Post& post);

  // Takes what the next commit must write.
  Batch TakeBatch();

  // End of input: closes every open minute (and so settles detection up to there).
  void Flush();

  // A source's first post came at `event_ms` (see OutageTracker::WatchFrom). Readers call
  // it with the first post of what they read, whatever its tags and whether or not a
  // pre-filter lets it through, so that the history begins the same either way.
  void WatchFrom(int64_t event_ms) {
    if (config_.detect) tracker_.WatchFrom(event_ms);
  }

  // Records that a source was disconnected; detection treats those minutes as no data.
  void AddGap(GapRecord gap);

  // Called with reason and the record when a record is rejected (for rate-limited logs).
  void set_error_hook(std::function<void(const char* reason, std::string_view record)> hook) {
    error_hook_ = std::move(hook);
  }

  // Called for every decoded post with the watched tags it carries (for `inspect`).
  void set_post_hook(std::function<void(const Post&, const std::vector<int>&)> hook) {
    post_hook_ = std::move(hook);
  }

  // Remembers a post id seen before a restart (from the store).
  void RememberSeen(SourceKind source, const std::string& id, int64_t event_ms);

  // The watched tags this post carries (indices into watched().keys()), each once.
  std::vector<int> MatchTags(const Post& post) const;

  const WatchedTags& watched() const { return watched_; }
  const PipelineStats& stats() const { return stats_; }
  MinuteCounter& counter() { return counter_; }
  OutageTracker& tracker() { return tracker_; }
  const CountryLocator& locator() const { return *locator_; }
  const PipelineConfig& config() const { return config_; }

 private:
  void CloseMinutes(bool flush_all);
  // The counter's late and ahead mentions, into stats_.
  void TakeUndetectedCounts();

  PipelineConfig config_;
  const CountryLocator* locator_;
  WatchedTags watched_;
  Decoder decoder_;
  DedupWindow dedup_;
  MinuteCounter counter_;
  OutageTracker tracker_;
  PipelineStats stats_;
  Batch pending_;
  std::function<void(const char*, std::string_view)> error_hook_;
  std::function<void(const Post&, const std::vector<int>&)> post_hook_;
};

}  // namespace hashmon

#endif  // HASHMON_PIPELINE_H_
