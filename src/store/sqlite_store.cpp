#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>

#include "hashmon/embedded_data.h"

namespace hashmon {
namespace {

constexpr int kBusyTimeoutMs = 5000;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Migrate(SQLite::Database& db) {
  const auto migrations = EmbeddedMigrations();
  const int have = db.execAndGet("PRAGMA user_version").getInt();
  const int known = static_cast<int>(migrations.size());
  if (have > known) {
    throw std::runtime_error("database schema version " + std::to_string(have) +
                             " is newer than this hashmon understands (" + std::to_string(known) +
                             "); upgrade hashmon or use another --db");
  }
  for (int v = have; v < known; ++v) {
    SQLite::Transaction t(db);
    db.exec(std::string(migrations[v].second));
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    t.commit();
  }
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SQLite::Database> db, int lock_fd)
    : db_(std::move(db)), lock_fd_(lock_fd) {}

SqliteStore::~SqliteStore() {
  db_.reset();
  if (lock_fd_ >= 0) close(lock_fd_);
}

std::unique_ptr<SqliteStore> SqliteStore::OpenForWriting(const std::string& path, std::string* error) {
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // One writer per database: an advisory lock on a side file (SQLite's own locks are
    // fcntl locks on the database and are left alone).
    const std::string lock_path = path + ".lock";
    int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (fd >= 0) close(fd);
      *error = "another hashmon process is writing to " + path +
               " (lock " + lock_path + " is held); stop it first or use another --db";
      return nullptr;
    }
    db->setBusyTimeout(kBusyTimeoutMs);
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA foreign_keys = ON");
    Migrate(*db);
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), fd));
  } catch (const std::exception& e) {
    *error = std::string("cannot open ") + path + " for writing: " + e.what();
    return nullptr;
  }
}

std::unique_ptr<SqliteStore> SqliteStore::OpenReadOnly(const std::string& path, std::string* error) {
  try {
    if (access(path.c_str(), F_OK) != 0) {
      *error = "no database at " + path + "; run `hashmon replay` or `hashmon collect` first, or pass --db";
      return nullptr;
    }
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
    db->setBusyTimeout(kBusyTimeoutMs);
    const int have = db->execAndGet("PRAGMA user_version").getInt();
    const int known = static_cast<int>(EmbeddedMigrations().size());
    if (have > known) {
      *error = "database schema version " + std::to_string(have) + " is newer than this hashmon (" +
               std::to_string(known) + "); upgrade hashmon";
      return nullptr;
    }
    if (have == 0) {
      *error = path + " is not a hashmon database (schema version 0)";
      return nullptr;
    }
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), -1));
  } catch (const std::exception& e) {
    *error = std::string("cannot open ") + path + ": " + e.what();
    return nullptr;
  }
}

int SqliteStore::schema_version() { return db_->execAndGet("PRAGMA user_version").getInt(); }

std::optional<Checkpoint> SqliteStore::LoadCheckpoint(const std::string& source) {
  SQLite::Statement q(*db_, "SELECT cursor, complete FROM checkpoints WHERE source = ?");
  q.bind(1, source);
  if (!q.executeStep()) return std::nullopt;
  return Checkpoint{q.getColumn(0).getString(), q.getColumn(1).getInt() != 0};
}

void SqliteStore::Commit(const Batch& batch, const std::string& source, const std::string& cursor,
                         bool complete) {
  SQLite::Transaction t(*db_);
  if (!batch.deltas.empty()) {
    SQLite::Statement up(*db_,
                         "INSERT INTO buckets (tag, country, minute, method, count) VALUES (?,?,?,?,?) "
                         "ON CONFLICT (tag, country, minute, method) DO UPDATE SET count = count + "
                         "excluded.count");
    for (const auto& d : batch.deltas) {
      up.bind(1, d.tag);
      up.bind(2, d.country);
      up.bind(3, static_cast<int64_t>(d.minute / 1000));
      up.bind(4, MethodName(d.method));
      up.bind(5, static_cast<int64_t>(d.count));
      up.exec();
      up.reset();
    }
  }
  if (!batch.mentions.empty()) {
    SQLite::Statement seen(*db_, "INSERT OR IGNORE INTO seen (source, id, created_at) VALUES (?,?,?)");
    for (const auto& m : batch.mentions) {
      seen.bind(1, SourceKindName(m.source));
      seen.bind(2, m.id);
      seen.bind(3, static_cast<int64_t>(m.created_at));
      seen.exec();
      seen.reset();
    }
  }
  if (!batch.deletes.empty()) {
    SQLite::Statement del(*db_, "UPDATE evidence SET text = NULL WHERE source = ? AND post_id = ?");
    for (const auto& d : batch.deletes) {
      del.bind(1, SourceKindName(d.source));
      del.bind(2, d.id);
      del.exec();
      del.reset();
    }
  }
  if (!source.empty()) {
    SQLite::Statement cp(*db_,
                         "INSERT INTO checkpoints (source, cursor, complete, updated) VALUES (?,?,?,?) "
                         "ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, "
                         "complete = excluded.complete, updated = excluded.updated");
    cp.bind(1, source);
    cp.bind(2, cursor);
    cp.bind(3, complete ? 1 : 0);
    cp.bind(4, static_cast<int64_t>(NowSeconds()));
    cp.exec();
  }
  if (batch.watermark != INT64_MIN) {
    SQLite::Statement meta(*db_,
                           "INSERT INTO meta (key, value) VALUES ('watermark', ?) ON CONFLICT (key) "
                           "DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS "
                           "INTEGER))");
    meta.bind(1, std::to_string(batch.watermark));
    meta.exec();
  }
  t.commit();
}

void SqliteStore::ForEachSeen(
    int64_t since_ms,
    const std::function<void(const std::string&, const std::string&, int64_t)>& fn) {
  SQLite::Statement q(*db_, "SELECT source, id, created_at FROM seen WHERE created_at >= ? ORDER BY created_at");
  q.bind(1, static_cast<int64_t>(since_ms));
  while (q.executeStep()) fn(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64());
}

void SqliteStore::PruneSeen(int64_t before_ms) {
  SQLite::Statement q(*db_, "DELETE FROM seen WHERE created_at < ?");
  q.bind(1, static_cast<int64_t>(before_ms));
  q.exec();
}

std::optional<std::string> SqliteStore::GetMeta(const std::string& key) {
  SQLite::Statement q(*db_, "SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

std::vector<std::string> SqliteStore::Tags() {
  std::vector<std::string> tags;
  SQLite::Statement q(*db_, "SELECT DISTINCT tag FROM buckets ORDER BY tag");
  while (q.executeStep()) tags.push_back(q.getColumn(0).getString());
  return tags;
}

std::vector<CountRow> SqliteStore::QueryCounts(const CountQuery& cq) {
  const int64_t step = std::max<int64_t>(60, cq.every_ms / 1000);
  std::string sql =
      "SELECT (minute / ?1) * ?1 AS t, tag, country, SUM(count) FROM buckets "
      "WHERE minute >= ?2 AND minute < ?3";
  if (!cq.tag.empty()) sql += " AND tag = ?4";
  const bool one_country = !cq.country.empty() && cq.country != "all";
  if (one_country) sql += " AND country = ?5";
  sql += " GROUP BY t, tag, country ORDER BY t, tag, country";
  SQLite::Statement q(*db_, sql);
  q.bind(1, static_cast<int64_t>(step));
  q.bind(2, static_cast<int64_t>(cq.since_ms == INT64_MIN ? INT64_MIN / 1000 : cq.since_ms / 1000));
  q.bind(3, static_cast<int64_t>(cq.until_ms == INT64_MAX ? INT64_MAX / 1000 : cq.until_ms / 1000));
  if (!cq.tag.empty()) q.bind(4, cq.tag);
  if (one_country) q.bind(5, cq.country);
  std::vector<CountRow> rows;
  while (q.executeStep()) {
    rows.push_back({q.getColumn(0).getInt64() * 1000, q.getColumn(1).getString(),
                    q.getColumn(2).getString(), q.getColumn(3).getInt64()});
  }
  return rows;
}

}  // namespace hashmon
