// The SQLite history (WAL mode, one writer, any number of readers), through SQLiteCpp.
#ifndef HASHMON_STORE_SQLITE_STORE_H_
#define HASHMON_STORE_SQLITE_STORE_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hashmon/log.h"
#include "hashmon/pipeline.h"
#include "store/state_codec.h"

namespace hashmon {

// A cursor's tags as the history keeps them: tag keys joined by commas (a comma ends a
// hashtag, so no key holds one).
std::string JoinTagKeys(const std::vector<std::string>& keys);
std::vector<std::string> SplitTagKeys(const std::string& joined);

struct Checkpoint {
  std::string cursor;
  bool complete = false;
  int64_t updated_ms = 0;  // when it was last committed (to the second)
  // The tag keys a replayed input was read for, comma-separated (nullopt: not known).
  std::optional<std::string> tags;
};

// Where one input stands: its identity, how far it was read, and whether it was read to
// the end.
// A history whose rows cannot be what hashmon wrote (edited by hand, or damaged on disk):
// the message says which and what to do.
class DamagedHistoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SourceCursor {
  std::string source;
  std::string cursor;
  bool complete = false;
  std::string name = "";  // what a person calls it (a replayed file's path), if not `source`
  int64_t at_ms = 0;      // when (the committer's clock); 0: the system clock's now
  std::optional<std::string> tags = std::nullopt;  // see Checkpoint::tags (nullopt: keep it)
};

struct CountRow {
  int64_t time;  // bucket start, ms
  std::string tag;
  std::string country;
  int64_t count;
};

// The counts of [since_ms, until_ms) summed into buckets of `every_ms` aligned to the epoch
// (whole hours and UTC days): where `since_ms` or `until_ms` falls inside a bucket, that
// bucket holds only the range's part of it, so that the rows add up to the range's total.
struct CountQuery {
  std::string tag;      // key; empty = every tag
  std::string country;  // "" or "all" = every country
  int64_t since_ms = INT64_MIN;
  int64_t until_ms = INT64_MAX;
  int64_t every_ms = 60'000;
};

// An outage's number as a user writes it ("3", as in "Outage #3"): a whole number of 1 or
// more, or nothing.
std::optional<int64_t> ParseOutageNumber(std::string_view text);

// What to add to an SQLite error that says the database is read-only for this user: the
// database (and, in WAL mode, its -shm file, which even a reader writes) belongs to the
// collector's user. "" for any other error.
std::string PermissionHint(const std::string& sqlite_error);

// Why the database at `path`, whose PRAGMA user_version is `version`, cannot be read by this
// hashmon: it is not a hashmon history (0), or its schema is newer. "" when it can.
std::string SchemaVersionProblem(const std::string& path, int version);

// Whether a writer holds the lock of the history at `path` (see SqliteStore::OpenForWriting).
// The lock file is not made where there is none, and the probe's shared lock is let go at
// once.
bool WriterHoldsLock(const std::string& path);

// The size of the history at `path`: its file and its write-ahead log; -1 when there is no
// file.
int64_t HistoryBytes(const std::string& path);

// How long a writer waits for another's lock before SQLite says "database is locked".
inline constexpr int kSqliteBusyTimeoutMs = 5000;

// What stops this user from creating or writing the database at `path`, with the fix: a
// directory that does not exist, or one (or a file) this user may not write. "" when
// nothing on the file system explains it.
std::string WhyNotWritable(const std::string& path);

class SqliteStore {
 public:
  // Opens (creating if needed) for the single writer: applies migrations, WAL mode, and
  // takes an exclusive lock so that a second writer fails fast. Returns null and sets
  // *error with what to do on failure. An upgrade of an older history is said on `log`.
  static std::unique_ptr<SqliteStore> OpenForWriting(const std::string& path, std::string* error,
                                                     Logger* log = nullptr);
  // Opens an existing database read-only; works while a writer is active.
  static std::unique_ptr<SqliteStore> OpenReadOnly(const std::string& path, std::string* error);
  ~SqliteStore();

  std::optional<Checkpoint> LoadCheckpoint(const std::string& source);
  // Keeps what the history holds under a source's old name (its cursor and gaps) under its
  // new one; a cursor already kept under the new name stays.
  void RenameSource(const std::string& from, const std::string& to);

  // Writes a batch and the cursors of the inputs it came from (several when they are read
  // side by side; none for the end of a replay) in one transaction. Throws SQLite::Exception
  // (busy, full disk ...); the caller keeps the batch and retries.
  void Commit(const Batch& batch, const std::vector<SourceCursor>& cursors);

  // Calls fn for each post counted at or after since_ms (to refill the dedup window).
  void ForEachSeen(
      int64_t since_ms,
      const std::function<void(const std::string& source, const std::string& id, int64_t)>& fn);
  void PruneSeen(int64_t before_ms);

  // Puts a fresh pipeline back where the last run on this database stopped: watermark,
  // the de-duplication window and (if it detects) detection state and open minutes. What
  // it cannot restore (a damaged detector state) is said on `log`, if given.
  void RestorePipeline(Pipeline* pipeline, Logger* log);

  std::optional<std::string> GetMeta(const std::string& key);
  // A meta value that is a number; one that is not (a damaged row) throws
  // DamagedHistoryError, saying what to do.
  std::optional<int64_t> GetMetaNumber(const std::string& key);

  std::vector<CountRow> QueryCounts(const CountQuery& q);
  // The same rows, one at a time (in time, tag and country order), so that an answer of
  // years holds one row in memory, not all of them; `fn` returns false to read no more.
  void ForEachCount(const CountQuery& q, const std::function<bool(const CountRow&)>& fn);

  // Detection state after a restart: detectors, open outages, the closed-through minute,
  // and the counts of minutes that were still open.
  void LoadDetection(OutageTracker* tracker, MinuteCounter* counter, Logger* log);

  struct OutageQuery {
    int64_t since_ms = INT64_MIN;
    int64_t until_ms = INT64_MAX;
    std::string country;  // "" = any
    std::string tag;      // "" = any
    int64_t id = 0;       // 0 = any (outages only)
  };
  struct OutageRow {
    Outage outage;
    std::vector<EvidencePost> evidence;
  };
  std::vector<OutageRow> QueryOutages(const OutageQuery& q);
  std::vector<Spike> QuerySpikes(const OutageQuery& q);
  std::vector<GapRecord> QueryGaps(const OutageQuery& q);
  // Each input's cursor and when it was last committed: live sources by name, replayed
  // files by identity ("file:<hash>:<entry>"), the most recently committed first.
  struct SourceRow {
    std::string source;
    std::string cursor;
    bool complete = false;
    int64_t committed_ms = 0;
    std::string name;  // a replayed file's path (and entry); "" for a live source
    // The tag keys a replayed input was read for, comma-separated (nullopt: not known).
    std::optional<std::string> tags;
  };
  std::vector<SourceRow> QuerySources();
  std::vector<std::string> Tags();  // the tags (keys) the history has counted

  // A summary for status pages and metrics.
  struct Summary {
    int64_t open_outages = 0;     // country outages without an end
    int64_t newest_count_ms = 0;  // start of the newest minute with a count (0: none)
    std::map<std::string, int64_t> mentions_by_country;
    int64_t latest_outage_id = 0;  // 0: none
    int64_t latest_outage_started = 0;
    int64_t latest_outage_ended = 0;  // 0 while ongoing
    struct Source {
      std::string name;
      std::string cursor;
      int64_t updated_s = 0;
    };
    std::vector<Source> sources;
  };
  Summary Summarize();

  // Queue alerts in the outbox (alert_outbox) as outages begin and end, in the same
  // transaction as the detection change. The collector turns it on; a replay of
  // history leaves it off, so old outages are not announced as news.
  void set_alerting(bool on) { alerting_ = on; }

  int schema_version();
  // Whether the history keeps each series' total (schema 9), which the read side asks
  // instead of every count.
  bool HasSeriesTotals() { return schema_version() >= 9; }
  void set_busy_timeout_ms(int ms) { db_->setBusyTimeout(ms); }
  SQLite::Database& db() { return *db_; }

 private:
  SqliteStore(std::unique_ptr<SQLite::Database> db, int lock_fd);
  void WriteDetection(const TrackerChanges& c);
  // Each changed outage's row, its countries' rows and waves, and the alerts they call for.
  void WriteOutages(const std::vector<Outage>& outages);
  void EnqueueAlerts(const Outage& o, const OutageCountry& x);
  // A country's waves, once it has more than one (OutageWave).
  void WriteWaves(int64_t outage_id, const OutageCountry& x);
  void QueueAlert(const char* status, int64_t outage_id, const std::string& tag,
                  const std::string& country, int64_t starts_at_ms, int64_t ends_at_ms);
  // Withdrawn joins and moved waves, in the order they were decided.
  void WriteRegrouping(const TrackerChanges& c);
  // Deletes a withdrawn join (its rows and sample posts); an alert that was firing for it
  // is resolved.
  void WriteWithdrawal(const WithdrawnJoin& w);
  // Moves waves' sample posts to their new outage, and deletes the rows of a country that
  // left its old one (its firing alert there resolved). The outages' rows follow.
  void WriteMove(const MovedWaves& m);
  // Queues "resolved" for the country's alert in the outage, if it is stored as firing.
  void ResolveIfFiring(int64_t outage_id, const std::string& country, int64_t decided_at);
  bool alerting_ = false;
  StateCodec state_codec_;
  std::unique_ptr<SQLite::Database> db_;
  int lock_fd_ = -1;
};

}  // namespace hashmon

#endif  // HASHMON_STORE_SQLITE_STORE_H_
