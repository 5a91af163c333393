#include "store/prune.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite_store.h"

namespace hashmon {
namespace {

// A collector's commit waits for the delete in progress (it tries for 250 ms, then backs
// off): an hour of counts is 57,600 rows at 960 series that count every minute, deleted in
// about 0.4 s on the development machine.
constexpr int64_t kStepSeconds = 3'600;

// Deletes the counts before `before_s`, the oldest hour first, each hour in its own
// transaction. An hour is found from the oldest minute left, so that a post from a wrong
// clock decades back costs one step, not one per hour between.
int64_t DeleteCountsBefore(SQLite::Database& db, int64_t before_s) {
  int64_t deleted = 0;
  SQLite::Statement oldest(db, "SELECT MIN(minute) FROM buckets WHERE minute < ?");
  SQLite::Statement remove(db, "DELETE FROM buckets WHERE minute >= ? AND minute < ?");
  for (;;) {
    oldest.bind(1, before_s);
    const bool found = oldest.executeStep() && !oldest.getColumn(0).isNull();
    const int64_t from = found ? oldest.getColumn(0).getInt64() : 0;
    oldest.reset();
    if (!found) return deleted;
    SQLite::Transaction t(db);
    remove.bind(1, from);
    remove.bind(2, std::min(from + kStepSeconds, before_s));
    deleted += remove.exec();
    remove.reset();
    t.commit();
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

}  // namespace

std::optional<PruneResult> PruneHistory(const std::string& path, int64_t before_ms,
                                        std::string* error) {
  if (!std::filesystem::is_regular_file(path)) {
    *error = "no database at " + path + " (give the collector's with --db or $HASHMON_DB)";
    return std::nullopt;
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.setBusyTimeout(kSqliteBusyTimeoutMs);
    *error = SchemaVersionProblem(path, db.execAndGet("PRAGMA user_version").getInt());
    if (!error->empty()) return std::nullopt;
    const int64_t before_s = before_ms / 1000;
    PruneResult result;
    result.counts = DeleteCountsBefore(db, before_s);
    result.spikes = DeleteBefore(db, "DELETE FROM spikes WHERE minute < ?", before_s);
    result.gaps =
        DeleteBefore(db, "DELETE FROM gaps WHERE ended IS NOT NULL AND ended < ?", before_s);
    return result;
  } catch (const std::exception& e) {
    *error = std::string("cannot prune ") + path + ": " + e.what() + PermissionHint(e.what());
    return std::nullopt;
  }
}

}  // namespace hashmon
