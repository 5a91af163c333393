#include "store/prune.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/sqlite_store.h"

namespace hashmon {
namespace {

// SQLite's auto_vacuum = INCREMENTAL (see schema creation in SqliteStore::OpenForWriting).
constexpr int kIncrementalVacuum = 2;
// Pages freed per transaction while shrinking: 4 MiB of 4 KiB pages, which a collector's
// commit may wait for (about 50 ms on the development machine).
constexpr int kPagesPerShrinkStep = 1'024;

bool Stopped(const PruneOptions& options) { return options.stop && options.stop->load(); }

// Write transactions beside a collector (pause_ms > 0): after steps that held the lock for
// about 100 ms in all, it is let go for pause_ms, in which the collector's waiting commit
// takes it (its busy handler polls about every 50 ms, for 250 ms). With no collector,
// steps follow each other.
class StepPacer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StepPacer(int pause_ms) : pause_ms_(pause_ms) {}

  void Begin() { began_ = Clock::now(); }
  // After a step: how long it took.
  Clock::duration End() {
    const Clock::duration took = Clock::now() - began_;
    held_ += took;
    if (pause_ms_ > 0 && held_ >= std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms_));
      held_ = Clock::duration::zero();
    }
    return took;
  }
  bool beside_a_collector() const { return pause_ms_ > 0; }

 private:
  const int pause_ms_;
  Clock::time_point began_;
  Clock::duration held_{};
};

// Beside a collector, the span of counts per step follows how long the last one took, to
// hold the lock 100 to 200 ms a step (or less, at an hour's span). Not much less: `buckets`
// is kept in (tag, country, minute) order, so a step writes a page of each series whatever
// its span. At 960 series a five-minute step took 60 ms and an hour's 250 ms; steps kept
// at a minute wrote 18 times the pages of hour-long ones and took 14 times as long. (A
// collector's commit waits for one step at most: 250 ms would be too long.)
int64_t NextStepSeconds(int64_t step_s, StepPacer::Clock::duration took) {
  if (took < std::chrono::milliseconds(100)) return std::min<int64_t>(step_s * 2, 3'600);
  if (took > std::chrono::milliseconds(200)) return std::max<int64_t>(step_s / 2, 300);
  return step_s;
}

// Deletes the counts before `before_s`, the oldest step first, each step in its own
// transaction. A step is found from the oldest minute left, so that a post from a wrong
// clock decades back costs one step, not one per hour between.
int64_t DeleteCountsBefore(SQLite::Database& db, int64_t before_s, const PruneOptions& options,
                           bool* stopped) {
  int64_t deleted = 0;
  int64_t step_s = options.step_seconds;
  StepPacer pacer(options.pause_ms);
  SQLite::Statement oldest(db, "SELECT MIN(minute) FROM buckets WHERE minute < ?");
  SQLite::Statement remove(db, "DELETE FROM buckets WHERE minute >= ? AND minute < ?");
  for (;;) {
    oldest.bind(1, before_s);
    const bool found = oldest.executeStep() && !oldest.getColumn(0).isNull();
    const int64_t from = found ? oldest.getColumn(0).getInt64() : 0;
    oldest.reset();
    if (!found) return deleted;
    if (Stopped(options)) {
      *stopped = true;
      return deleted;
    }
    pacer.Begin();
    SQLite::Transaction t(db);
    remove.bind(1, from);
    remove.bind(2, std::min(from + step_s, before_s));
    deleted += remove.exec();
    remove.reset();
    t.commit();
    const auto took = pacer.End();
    if (pacer.beside_a_collector()) step_s = NextStepSeconds(step_s, took);
  }
}

int64_t DeleteBefore(SQLite::Database& db, const char* sql, int64_t before_s) {
  SQLite::Transaction t(db);
  SQLite::Statement remove(db, sql);
  remove.bind(1, before_s);
  const int64_t deleted = remove.exec();
  t.commit();
  return deleted;
}

// Frees the pages of an incrementally vacuumed history a batch per transaction, then lets
// the checkpoint cut the file (in WAL mode a shrink reaches the file at a checkpoint).
void FreePagesInSteps(SQLite::Database& db, int pause_ms) {
  StepPacer pacer(pause_ms);
  for (int64_t left = db.execAndGet("PRAGMA freelist_count").getInt64(); left > 0;) {
    pacer.Begin();
    db.exec("PRAGMA incremental_vacuum(" + std::to_string(kPagesPerShrinkStep) + ")");
    pacer.End();
    const int64_t now_left = db.execAndGet("PRAGMA freelist_count").getInt64();
    if (now_left >= left) break;  // nothing more it can free
    left = now_left;
  }
}

// What to do when VACUUM fails for want of space: it writes a copy of the history in the
// temporary directory, then the history again into the write-ahead log.
std::string NoSpaceHint(const std::string& what, const std::string& path) {
  if (what.find("full") == std::string::npos) return "";
  return " (VACUUM needs free space the size of the history twice: once in the temporary "
         "directory, $SQLITE_TMPDIR or else /var/tmp, and once beside " +
         path + "; free some, or set SQLITE_TMPDIR to a directory with room)";
}

// Rewrites a history made before incremental vacuuming (no collector may write it
// meanwhile), so that from then on it shrinks in steps.
bool ConvertAndVacuum(const std::string& path, std::string* error) {
  if (WriterHoldsLock(path)) {
    *error = "a collector writes " + path +
             ", which was made before hashmon could shrink a history while collecting: stop "
             "the collector once and run `hashmon prune --vacuum` again (it rewrites the file, "
             "and needs its size free twice); from then on --vacuum works while it collects";
    return false;
  }
  auto store = SqliteStore::OpenForWriting(path, error);  // holds the writer's lock meanwhile
  if (!store) return false;
  try {
    store->db().exec("PRAGMA auto_vacuum = INCREMENTAL");
    store->db().exec("VACUUM");
    store->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return true;
  } catch (const std::exception& e) {
    *error = std::string("cannot vacuum ") + path + ": " + e.what() + NoSpaceHint(e.what(), path);
    return false;
  }
}

}  // namespace

PruneOptions BesideACollector(const std::atomic<bool>* stop) {
  PruneOptions options;
  options.step_seconds = 300;
  options.pause_ms = kPauseForAWriterMs;
  options.stop = stop;
  return options;
}

std::optional<PruneResult> PruneHistory(const std::string& path, int64_t before_ms,
                                        std::string* error, const PruneOptions& options) {
  if (!std::filesystem::is_regular_file(path)) {
    *error = "no database at " + path + " (give the collector's with --db or $HASHMON_DB)";
    return std::nullopt;
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.setBusyTimeout(kSqliteBusyTimeoutMs);
    // As the collector writes: no sync at each step's commit (WAL syncs at checkpoints). A
    // step a power cut takes back is deleted again by the next prune.
    db.exec("PRAGMA synchronous = NORMAL");
    *error = SchemaVersionProblem(path, db.execAndGet("PRAGMA user_version").getInt());
    if (!error->empty()) return std::nullopt;
    const int64_t before_s = before_ms / 1000;
    PruneResult result;
    result.counts = DeleteCountsBefore(db, before_s, options, &result.stopped);
    if (result.stopped) return result;
    result.spikes = DeleteBefore(db, "DELETE FROM spikes WHERE minute < ?", before_s);
    result.gaps =
        DeleteBefore(db, "DELETE FROM gaps WHERE ended IS NOT NULL AND ended < ?", before_s);
    return result;
  } catch (const std::exception& e) {
    *error = std::string("cannot prune ") + path + ": " + e.what() + PermissionHint(e.what());
    return std::nullopt;
  }
}

std::optional<ShrinkResult> ShrinkHistory(const std::string& path, std::string* error,
                                          int pause_ms) {
  if (!std::filesystem::is_regular_file(path)) {
    *error = "no database at " + path + " (give the collector's with --db or $HASHMON_DB)";
    return std::nullopt;
  }
  ShrinkResult result;
  result.bytes_before = HistoryBytes(path);
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.setBusyTimeout(kSqliteBusyTimeoutMs);
    db.exec("PRAGMA synchronous = NORMAL");  // (as in PruneHistory)
    result.converted = db.execAndGet("PRAGMA auto_vacuum").getInt() != kIncrementalVacuum;
    if (!result.converted) {
      FreePagesInSteps(db, pause_ms);
      // A reader in the middle of a transaction keeps the log from being cut: it is then
      // cut at a later checkpoint.
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
  } catch (const std::exception& e) {
    *error = std::string("cannot shrink ") + path + ": " + e.what() + PermissionHint(e.what());
    return std::nullopt;
  }
  if (result.converted && !ConvertAndVacuum(path, error)) return std::nullopt;
  result.bytes_after = HistoryBytes(path);
  return result;
}

}  // namespace hashmon
