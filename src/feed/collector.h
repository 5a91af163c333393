// The live collector: keeps one stream connected (reconnecting by the backoff rules),
// splits it into records for the pipeline, and commits counts, detection state, gaps and
// the source's cursor together about once a second, so a crash loses nothing that was
// committed and doubles nothing that is resent.
#ifndef HASHMON_FEED_COLLECTOR_H_
#define HASHMON_FEED_COLLECTOR_H_

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feed/first_post.h"
#include "feed/http_stream.h"
#include "feed/jetstream_zstd.h"
#include "feed/mastodon_stream.h"
#include "feed/recorder.h"
#include "feed/sse_framer.h"
#include "hashmon/backoff.h"
#include "hashmon/clock.h"
#include "hashmon/log.h"
#include "hashmon/pipeline.h"
#include "hashmon/prefilter.h"
#include "ops/live_status.h"
#include "store/sqlite_store.h"

namespace hashmon {

// How a source frames its records.
enum class StreamProtocol {
  kNdjson,      // chunked HTTP, a JSON record per line (X API v2, relays)
  kSse,         // HTTP Server-Sent Events (Mastodon streaming)
  kJetstream,   // WebSocket, a JSON event per message, resumable by time (v1 and v2)
  kMastodonWs,  // WebSocket, Mastodon streaming: {"event","payload"} messages, no resume
};

// Parses "ndjson", "x-v2", "sse", "mastodon-sse", "jetstream", "mastodon-ws".
std::optional<StreamProtocol> ParseStreamProtocol(const std::string& name);

inline bool IsWebSocket(StreamProtocol p) {
  return p == StreamProtocol::kJetstream || p == StreamProtocol::kMastodonWs;
}

// A Jetstream subscribe URL: posts only (unless the URL names its collections), and,
// given a time cursor, resuming `rewind_us` before it. v1 (`/subscribe`) and v2
// (`/xrpc/network.bsky.jetstream.subscribeEvents`) name their filters differently; both
// take a time in microseconds as the cursor. v2 also takes the id of the dictionary its
// messages are to be compressed with (0: not compressed).
std::string JetstreamSubscribeUrl(const std::string& base, int64_t cursor_us, int64_t rewind_us,
                                  uint32_t zstd_dictionary = 0);

struct CollectOptions {
  StreamProtocol protocol = StreamProtocol::kNdjson;
  std::string url;
  // Other hosts of the same stream (Jetstream's official instances), tried in turn, each
  // after `failover_after` connections in a row have failed at the one before: an instance
  // that is down is left for the next, and the time cursor carries over (see SourceName).
  std::vector<std::string> other_urls;
  int failover_after = 3;
  std::map<std::string, std::string> headers;
  int64_t idle_timeout_ms = 30'000;
  int64_t commit_every_ms = 1'000;
  // How long a stopping collector (a signal, or the end of an until_eof stream) keeps
  // retrying a commit that fails (a full disk, a database lock) before it gives up on what
  // it counted since the last one: a live stream's posts do not come again. systemd waits
  // 90 s (TimeoutStopSec) before it kills.
  int64_t exit_commit_grace_ms = 60'000;
  // Stop when the server ends the stream cleanly (tests, demos, finite relays); then
  // every open minute is flushed as at the end of a replay.
  bool until_eof = false;
  // Gives up after this many failed connections in a row (0 = never).
  int max_failures = 0;
  // For relays that resume from a line number (hashmon serve-feed, in-house relays):
  // the query parameter to send it in. Empty: the stream has no resume.
  std::string resume_param;
  // Jetstream: a reconnect asks for events from this long before the committed cursor
  // ("a negative buffer to ensure gapless playback"); de-duplication drops the repeats.
  int64_t rewind_us = 5'000'000;
  // Jetstream v2: ask for compressed messages (zstd with the server's dictionary, fetched
  // before the first connection). Any failure to get or use it falls back to plain JSON.
  bool jetstream_zstd = true;
  // X (on access levels that have it): a reconnect asks the stream to send again the
  // minutes since the last data, at most this many (`backfill_minutes`, 1 to 5; 0: never),
  // and a restart asks for all of them. De-duplication drops what comes twice.
  int backfill_max_minutes = 0;
  int64_t heartbeat_every_ms = 10'000;
  // Mastodon: the hashtags this source streams (as configured, not URL-encoded). Over
  // WebSocket they share one socket: the URL streams the first, and a `subscribe` message
  // asks for each other once connected.
  std::vector<std::string> mastodon_tags;
  // Mastodon: the hashtag timelines, up to the tag (https://HOST/api/v1/timelines/tag/).
  // After a reconnect, each tag's statuses newer than the last one seen are fetched from
  // its timeline (min_id), since the streaming API has no resume. Empty: no gap fill.
  std::string gap_fill_url;
  // Mastodon: asked before the first connection (https://HOST/api/v1/streaming). A
  // redirect names the host that serves the streaming API, which the stream's URL then
  // moves to (see streaming_host.h). Asked again at each connection until it answers.
  std::string streaming_discovery_url;
  // Several collectors (one per source) may share one pipeline and store: they then
  // take this lock around every use of them. The store's `seen` table makes this exactly
  // once too: a commit by one source may carry another's mentions ahead of that source's
  // cursor, and a restart that re-reads them finds them seen.
  std::recursive_mutex* shared = nullptr;
  // Put the pipeline back where the database says (de-duplication, detection). With a
  // shared pipeline, that is done once, before the collectors are made.
  bool restore_pipeline = true;
  // At the end of a finite stream (until_eof), close every open minute. With a shared
  // pipeline, the owner does that once all sources have ended.
  bool flush_at_end = true;
  // Called before each piece of the stream is processed, on the thread that processes it
  // (tests use it to play a reader slower than the network).
  std::function<void()> before_chunk;
  // Where every raw message (line, WebSocket message, gap-filled status) also goes, as it
  // came, before it is parsed (optional; `collect --record`). A write that fails loses
  // that part of the recording, never a count.
  Recorder* recorder = nullptr;
  // Where to publish status for the HTTP API (optional).
  LiveStatus* live = nullptr;
  std::string display_name;  // the source's name in status and metrics
  // What to tell the user when the server refuses the credentials (401/403).
  std::string auth_hint =
      "check the bearer token in HASHMON_X_BEARER_TOKEN (or the config file) and that the app may "
      "use this endpoint";
};

struct CollectStats {
  int connections = 0;
  int reconnects = 0;
  std::map<std::string, int> failures;  // by reason
  int64_t bytes = 0;
  int64_t gap_filled = 0;  // statuses fetched to fill gaps
  // Mentions from this source that came after their minute had closed: counted and stored,
  // but not seen by detection (with several sources, the slow one's).
  int64_t late_mentions = 0;
  int failovers = 0;  // moves to another host (CollectOptions::other_urls)
  // The gaps recorded (time the source went unwatched), in ms, by reason.
  std::map<std::string, int64_t> unwatched_ms;
};

// Why a connection ended, as the reconnect metrics name it: ended, stalled, http_NNN, network.
std::string FailureReason(const StreamOutcome& out);

// Why a stream is reconnecting, as the log says it (rate-limited under `key`), with what to
// fix where the user can: credentials refused (then `auth_hint`, at error level), a path the
// server does not have, or a host and port where nothing has answered since the start.
// `reason` is FailureReason's. (collect and record say it alike.)
struct ReconnectNote {
  LogLevel level = LogLevel::kWarn;
  std::string key;
  std::string text;
};
ReconnectNote DescribeReconnect(const StreamOutcome& out, const std::string& reason,
                                bool ever_answered, const std::string& url,
                                const std::string& auth_hint, int64_t delay_ms);

class Collector {
 public:
  Collector(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log,
            CollectOptions options);

  // Runs until *stop, or the end of the stream with until_eof. Returns false (with
  // *error) only for a problem a retry cannot fix.
  bool Run(const std::atomic<bool>* stop, std::string* error);

  const CollectStats& stats() const { return stats_; }

  // Commits what is pending, retrying a failure until `deadline_ms` (monotonic): the last
  // commit of a stopping collector. Run makes it; with a shared pipeline, the owner makes
  // it for each collector after Flush(), with one deadline for all. Returns false, with
  // *error saying what was not saved, if the database stayed unwritable.
  bool CommitBeforeExit(int64_t deadline_ms, std::string* error);
  int64_t exit_commit_grace_ms() const { return options_.exit_commit_grace_ms; }
  // Bytes received so far; safe to read from another thread.
  int64_t bytes_received() const { return bytes_received_.load(); }

 private:
  // What logs and the API call this source (its name in the history, unless told one).
  const std::string& DisplayName() const {
    return options_.display_name.empty() ? source_ : options_.display_name;
  }
  void OnBytes(const char* data, size_t len);
  // Hands the complete lines of data to the pipeline; returns the bytes they span.
  size_t ProcessLines(const char* data, size_t len);
  void OnMessage(char* data, size_t len);
  // Jetstream v2: fetches the server's dictionary when compression is wanted and there is
  // none yet (or the server refused the last one); gives compression up when that fails.
  void PrepareCompression();
  // Decompresses a compressed message into inflated_; false (counted, said) if it cannot.
  bool Inflate(const char* data, size_t len);
  StreamOutcome Connect(const std::atomic<bool>* stop, const std::function<void()>& on_connected);
  std::string ConnectUrl() const;
  std::string CursorText() const;
  // Mastodon: remembers the newest status id seen, for gap fill. An SSE `data:` line
  // holds the Status as JSON; a WebSocket message holds it as a JSON string (quotes
  // escaped).
  // Logs an X stream's error object, if the last of these complete lines is one.
  void LogWhatTheServerSays(const char* data, size_t complete);
  void NoteStatusId(std::string_view line);
  void NoteStatusIdInMessage(std::string_view message);
  void KeepNewerStatusId(const std::string& id);
  // Fills every hashtag's gap from its timeline, the statuses counted in event time.
  // Returns since when posts may still be missing (INT64_MIN: all since the last status
  // seen, or since the source went unwatched when no status was ever seen), or nothing
  // when it filled the gap whole or has none to fill.
  std::optional<int64_t> FillGap();
  // One status a gap fill fetched: its event time and its JSON.
  struct FetchedStatus {
    int64_t created_at;
    std::string json;
  };
  // Appends one hashtag's statuses newer than `min_id` to `fetched`; returns false when
  // it stopped short of the newest (the page limit, or a failed request).
  bool FetchGapOf(const std::string& tag, std::string min_id, std::vector<FetchedStatus>* fetched);
  // Mastodon: where gap fill starts when the database has no checkpoint for this source:
  // the newest of the checkpoints of the one-socket-per-hashtag sources it replaces.
  void RestoreFromSocketPerTag();
  void DiscoverStreamingHost();
  // Writes raw input to the recorder (whole lines of `bytes`, or one message).
  void Record(std::string_view data, bool lines);
  bool Commit(bool force);
  // Whether what was posted while the source went unwatched comes again in event time,
  // before what follows: Jetstream (time cursor), resumable relays, Mastodon's gap fill.
  bool ResumesInEventTime() const;
  // The part of [from_ms, to_ms), unwatched before a connection at to_ms, that the
  // connection does not get back (first >= second: none). `fill_missing_since`: FillGap's.
  std::pair<int64_t, int64_t> Unrecovered(int64_t from_ms, int64_t to_ms,
                                          std::optional<int64_t> fill_missing_since) const;
  // At a connection: the gaps of the time the source went unwatched, since the last run's
  // last commit (what the connection does not get back) and since `disconnected_since`.
  void AddUnwatchedGaps(int64_t disconnected_since, std::optional<int64_t> fill_missing_since);
  // Records a gap of the source's (in the pipeline, and in its stats), whose posts may be
  // missing from `missing_from_ms` (all of it unless told; see GapRecord).
  void AddGap(int64_t from_ms, int64_t to_ms, const char* reason,
              int64_t missing_from_ms = INT64_MIN);
  // Jetstream, at a connection's first event (at `event_us`): when the server began later
  // than the cursor asked (it keeps a day or two), what it no longer had is a gap.
  void CheckResumedFrom(int64_t event_us);
  // Says (at most every few minutes) how many of this source's mentions came too late for
  // detection since it last said so, how late, and what lateness would have taken them.
  void WarnOfLateMentions(int64_t now_ms);
  void Publish(const char* state);
  void SleepUnlessStopped(int64_t ms, const std::atomic<bool>* stop);
  // After a connection: a line it cut off is counted (truncated_line) and dropped, here and
  // in the recording.
  void EndConnection();
  // After `failures_in_a_row` failed connections: the next of options_.other_urls.
  void MoveToTheNextHost(int failures_in_a_row, const std::string& reason);
  // Says (rate-limited) why the stream is reconnecting, and what to fix when it was refused.
  void LogReconnect(const StreamOutcome& out, const std::string& reason, int64_t delay);
  std::unique_lock<std::recursive_mutex> Lock() {
    return options_.shared ? std::unique_lock<std::recursive_mutex>(*options_.shared)
                           : std::unique_lock<std::recursive_mutex>();
  }

  Pipeline* pipeline_;
  SqliteStore* store_;
  Clock* clock_;
  Logger* log_;
  CollectOptions options_;
  Prefilter prefilter_;
  std::string source_;
  std::string carry_;
  std::string line_;                 // the line being parsed (in place), copied out of the piece
  bool skipping_long_line_ = false;  // inside a line over kMaxLine, until its newline
  SseFramer framer_;
  FirstPostWatch first_post_;  // begins the history at the source's first post
  int64_t cursor_ = 0;         // lines consumed (resumable relays) or newest time_us (Jetstream)
  // Jetstream: the cursor this connection resumes after, until its first event (0: none).
  int64_t resuming_from_us_ = 0;
  bool jetstream_v2_ = false;               // this connection is to Jetstream v2's stream
  std::unique_ptr<ZstdFrameDecoder> zstd_;  // Jetstream v2, while compression is on
  bool zstd_given_up_ = false;              // for this run, after a failure to set it up
  bool zstd_refused_ = false;               // a handshake asking for it failed: fetch again
  std::string inflated_;                    // the message being parsed, decompressed
  std::string last_status_id_;  // Mastodon: the newest status id seen (on any tag's stream)
  bool streaming_host_known_ = false;
  std::atomic<int64_t> bytes_received_{0};
  std::mutex record_mu_;  // gap fill and the stream may write to the recorder
  Batch unsaved_;
  int64_t last_commit_ms_ = 0;
  int64_t commit_interval_ms_ = 0;   // commit_every_ms, or longer while commits fail
  std::string last_commit_failure_;  // why the last commit failed (empty: it did not)
  int64_t last_data_ms_ = 0;         // wall time of the last bytes, for status and backfill
  bool resumed_ = false;             // a checkpoint of an earlier run was found
  int64_t stopped_at_ms_ = 0;        // that run's last commit, wall ms (0: none, or finite)
  bool answered_ = false;            // a server has answered 200 since the start
  CollectStats stats_;
  int64_t late_lag_ms_ = 0;  // the latest of the late mentions since the last warning
  int64_t late_warned_ = 0;  // stats_.late_mentions at the last warning
  int64_t late_warned_at_ms_ = INT64_MIN;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_COLLECTOR_H_
