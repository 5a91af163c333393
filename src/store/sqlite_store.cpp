#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "hashmon/alert.h"
#include "hashmon/embedded_data.h"
#include "store/sql_time.h"

namespace hashmon {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Migrate(SQLite::Database& db, const std::string& path, Logger* log) {
  const auto migrations = EmbeddedMigrations();
  const int have = db.execAndGet("PRAGMA user_version").getInt();
  const int known = static_cast<int>(migrations.size());
  if (have > known) {
    throw std::runtime_error("database schema version " + std::to_string(have) +
                             " is newer than this hashmon understands (" + std::to_string(known) +
                             "); upgrade hashmon or use another --db");
  }
  // An upgrade may read the whole history once (schema 9 adds up every count: a few seconds
  // for a year), so a collector that seems to hang at its start says why.
  if (log && have > 0 && have < known) {
    log->Info("upgrading " + path + " from schema " + std::to_string(have) + " to " +
              std::to_string(known) + " (once; on a long history this takes a few seconds)");
  }
  for (int v = have; v < known; ++v) {
    SQLite::Transaction t(db);
    db.exec(std::string(migrations[v].second));
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    t.commit();
  }
}

// Runs `sql` once for each item, `bind(statement, item)` setting its parameters; prepares
// nothing when there are no items.
template <typename Items, typename Bind>
void ExecEach(SQLite::Database& db, const char* sql, const Items& items, Bind bind) {
  if (items.empty()) return;
  SQLite::Statement st(db, sql);
  for (const auto& item : items) {
    bind(st, item);
    st.exec();
    st.reset();
  }
}

// A saved detector state's text: compressed (a blob), or text as histories before 2026-12
// kept it. A frame that does not decompress reads as "", a damaged row.
std::string SavedStateText(const SQLite::Column& state, StateCodec* codec) {
  if (!state.isBlob()) return state.getString();
  const std::string_view frame(static_cast<const char*>(state.getBlob()),
                               static_cast<size_t>(state.getBytes()));
  return codec->Unpack(frame).value_or("");
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SQLite::Database> db, int lock_fd)
    : db_(std::move(db)), lock_fd_(lock_fd) {}

SqliteStore::~SqliteStore() {
  db_.reset();
  if (lock_fd_ >= 0) close(lock_fd_);
}

std::unique_ptr<SqliteStore> SqliteStore::OpenForWriting(const std::string& path,
                                                         std::string* error, Logger* log) {
  try {
    auto db =
        std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // One writer per database: an advisory lock on a side file (SQLite's own locks are
    // fcntl locks on the database and are left alone).
    const std::string lock_path = path + ".lock";
    int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      const std::string why = WhyNotWritable(lock_path);
      *error = "cannot create the lock file " + lock_path + ": " + std::strerror(errno) +
               (why.empty() ? "" : "; " + why);
      return nullptr;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);
      *error = "another hashmon process is writing to " + path + " (lock " + lock_path +
               " is held); stop it first or use another --db";
      return nullptr;
    }
    db->setBusyTimeout(kSqliteBusyTimeoutMs);
    // A new history frees pages in steps, so that `prune --vacuum` can shrink it while a
    // collector writes (see ShrinkHistory). Only a new one: on an existing history the
    // pragma would take the write lock, which another writer may hold.
    if (db->execAndGet("PRAGMA page_count").getInt64() == 0)
      db->exec("PRAGMA auto_vacuum = INCREMENTAL");
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA foreign_keys = ON");
    Migrate(*db, path, log);
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), fd));
  } catch (const std::exception& e) {
    const std::string why = WhyNotWritable(path);
    *error = std::string("cannot open ") + path + " for writing: " + e.what() +
             (why.empty() ? "" : "; " + why);
    return nullptr;
  }
}

std::string WhyNotWritable(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  if (access(dir.c_str(), F_OK) != 0)
    return "the directory " + dir + " does not exist: create it with mkdir -p " + dir +
           " or pass another --db";
  if (access(path.c_str(), F_OK) == 0 && access(path.c_str(), W_OK) != 0)
    return "this user may not write " + path +
           ": run as the user it belongs to (e.g. sudo -u hashmon) or pass another --db";
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return "this user may not create files in " + dir +
           ", where SQLite keeps the -wal and -shm files beside the database: give it write "
           "access or pass another --db";
  return "";
}

std::string PermissionHint(const std::string& sqlite_error) {
  return sqlite_error.find("readonly") == std::string::npos
             ? ""
             : " (it belongs to the collector's user: run this as that user, e.g. sudo -u "
               "hashmon, or give this user write access to the database's directory, where "
               "SQLite keeps the -shm file that readers write too)";
}

std::unique_ptr<SqliteStore> SqliteStore::OpenReadOnly(const std::string& path,
                                                       std::string* error) {
  try {
    if (access(path.c_str(), F_OK) != 0) {
      *error = "no database at " + path +
               "; run `hashmon replay` or `hashmon collect` first, or pass --db (or set "
               "HASHMON_DB)";
      return nullptr;
    }
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
    db->setBusyTimeout(kSqliteBusyTimeoutMs);
    *error = SchemaVersionProblem(path, db->execAndGet("PRAGMA user_version").getInt());
    if (!error->empty()) return nullptr;
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), -1));
  } catch (const std::exception& e) {
    *error = std::string("cannot open ") + path + ": " + e.what() + PermissionHint(e.what());
    return nullptr;
  }
}

bool WriterHoldsLock(const std::string& path) {
  const int fd = open((path + ".lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

int64_t HistoryBytes(const std::string& path) {
  std::error_code error;
  const auto main = std::filesystem::file_size(path, error);
  if (error) return -1;
  const auto wal = std::filesystem::file_size(path + "-wal", error);
  return static_cast<int64_t>(main + (error ? 0 : wal));
}

std::string SchemaVersionProblem(const std::string& path, int version) {
  const int known = static_cast<int>(EmbeddedMigrations().size());
  if (version > known) {
    return "database schema version " + std::to_string(version) + " is newer than this hashmon (" +
           std::to_string(known) + "); upgrade hashmon";
  }
  if (version == 0) return path + " is not a hashmon database (schema version 0)";
  return "";
}

int SqliteStore::schema_version() { return db_->execAndGet("PRAGMA user_version").getInt(); }

std::optional<Checkpoint> SqliteStore::LoadCheckpoint(const std::string& source) {
  SQLite::Statement q(*db_,
                      "SELECT cursor, complete, updated, tags FROM checkpoints WHERE source = ?");
  q.bind(1, source);
  if (!q.executeStep()) return std::nullopt;
  Checkpoint c{q.getColumn(0).getString(), q.getColumn(1).getInt() != 0,
               q.getColumn(2).getInt64() * 1000, std::nullopt};
  if (!q.getColumn(3).isNull()) c.tags = q.getColumn(3).getString();
  return c;
}

void SqliteStore::RenameSource(const std::string& from, const std::string& to) {
  SQLite::Transaction t(*db_);
  for (const char* table : {"checkpoints", "gaps"}) {
    SQLite::Statement st(
        *db_, std::string("UPDATE OR IGNORE ") + table + " SET source = ?2 WHERE source = ?1");
    st.bind(1, from);
    st.bind(2, to);
    st.exec();
  }
  SQLite::Statement left(*db_, "DELETE FROM checkpoints WHERE source = ?");  // `to` had its own
  left.bind(1, from);
  left.exec();
  t.commit();
}

void SqliteStore::Commit(const Batch& batch, const std::vector<SourceCursor>& cursors) {
  SQLite::Transaction t(*db_);
  ExecEach(*db_,
           "INSERT INTO buckets (tag, country, minute, method, count) VALUES (?,?,?,?,?) "
           "ON CONFLICT (tag, country, minute, method) DO UPDATE SET count = count + "
           "excluded.count",
           batch.deltas, [](SQLite::Statement& st, const auto& d) {
             st.bind(1, d.tag);
             st.bind(2, d.country);
             st.bind(3, static_cast<int64_t>(d.minute / 1000));
             st.bind(4, MethodName(d.method));
             st.bind(5, static_cast<int64_t>(d.count));
           });
  ExecEach(*db_, "INSERT OR IGNORE INTO seen (source, id, created_at) VALUES (?,?,?)",
           batch.mentions, [](SQLite::Statement& st, const auto& m) {
             st.bind(1, SourceKindName(m.source));
             st.bind(2, m.id);
             st.bind(3, static_cast<int64_t>(m.created_at));
           });
  ExecEach(*db_, "UPDATE evidence SET text = NULL WHERE source = ? AND post_id = ?", batch.deletes,
           [](SQLite::Statement& st, const auto& d) {
             st.bind(1, SourceKindName(d.source));
             st.bind(2, d.id);
           });
  const int64_t now_s = NowSeconds();
  ExecEach(*db_,
           "INSERT INTO checkpoints (source, cursor, complete, updated, name, tags) "
           "VALUES (?,?,?,?,?,?) "
           "ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, "
           "complete = excluded.complete, updated = excluded.updated, name = excluded.name, "
           "tags = coalesce(excluded.tags, tags)",
           cursors, [now_s](SQLite::Statement& st, const SourceCursor& c) {
             st.bind(1, c.source);
             st.bind(2, c.cursor);
             st.bind(3, c.complete ? 1 : 0);
             st.bind(4, c.at_ms > 0 ? c.at_ms / 1000 : now_s);
             st.bind(5, c.name);
             if (c.tags) {
               st.bind(6, *c.tags);
             } else {
               st.bind(6);  // NULL
             }
           });
  for (const auto& changes : batch.detection) WriteDetection(changes);
  ExecEach(*db_,
           "INSERT INTO gaps (source, started, ended, reason, missing_from) VALUES (?,?,?,?,?)",
           batch.gaps, [](SQLite::Statement& st, const GapRecord& gap) {
             st.bind(1, gap.source);
             st.bind(2, static_cast<int64_t>(gap.from_ms / 1000));
             st.bind(3, static_cast<int64_t>(gap.to_ms / 1000));
             st.bind(4, gap.reason);
             st.bind(5, static_cast<int64_t>(gap.PostsMissingFrom()));
           });
  if (batch.watermark != INT64_MIN) {
    SQLite::Statement meta(
        *db_,
        "INSERT INTO meta (key, value) VALUES ('watermark', ?) ON CONFLICT (key) "
        "DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS "
        "INTEGER))");
    meta.bind(1, std::to_string(batch.watermark));
    meta.exec();
  }
  t.commit();
}

namespace {

void PutMeta(SQLite::Database& db, const char* key, int64_t value) {
  SQLite::Statement m(db,
                      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                      "value = excluded.value");
  m.bind(1, key);
  m.bind(2, std::to_string(value));
  m.exec();
}

}  // namespace

// Compares a country's outage with what is stored (inside the commit's transaction) and
// queues an alert for each change an operator must hear of: it began, it ended, it came back.
void SqliteStore::EnqueueAlerts(const Outage& o, const OutageCountry& x) {
  SQLite::Statement prev(
      *db_, "SELECT ended IS NULL FROM outage_countries WHERE outage_id = ? AND country = ?");
  prev.bind(1, static_cast<int64_t>(o.id));
  prev.bind(2, x.country);
  const bool existed = prev.executeStep();
  const bool was_firing = existed && prev.getColumn(0).getInt() != 0;
  // Stored as ended and firing again: the outage came back within its incident. Each
  // time is an alert of its own, which starts with its wave.
  const int64_t since = LatestWaveStart(x);
  if (!existed || (!was_firing && x.ended == 0))
    QueueAlert("firing", o.id, o.tag, x.country, since, 0);
  if ((!existed || was_firing) && x.ended != 0)
    QueueAlert("resolved", o.id, o.tag, x.country, since, x.ended);
}

void SqliteStore::QueueAlert(const char* status, int64_t outage_id, const std::string& tag,
                             const std::string& country, int64_t starts_at_ms, int64_t ends_at_ms) {
  SQLite::Statement add(
      *db_,
      "INSERT INTO alert_outbox (fingerprint, status, outage_id, tag, country, starts_at, ends_at, "
      "created_ms, next_attempt_ms) VALUES (?,?,?,?,?,?,?,?,?)");
  add.bind(1, AlertFingerprint(tag, country, outage_id));
  add.bind(2, status);
  add.bind(3, static_cast<int64_t>(outage_id));
  add.bind(4, tag);
  add.bind(5, country);
  add.bind(6, static_cast<int64_t>(starts_at_ms));
  if (ends_at_ms)
    add.bind(7, static_cast<int64_t>(ends_at_ms));
  else
    add.bind(7);
  add.bind(8, static_cast<int64_t>(NowSeconds() * 1000));
  add.bind(9, static_cast<int64_t>(0));  // due at once
  add.exec();
}

void SqliteStore::ResolveIfFiring(int64_t outage_id, const std::string& country,
                                  int64_t decided_at) {
  if (!alerting_) return;
  SQLite::Statement firing(*db_,
                           "SELECT o.tag, oc.started FROM outage_countries oc JOIN outages o "
                           "ON o.id = oc.outage_id WHERE oc.outage_id = ? AND oc.country = ? "
                           "AND oc.ended IS NULL");
  firing.bind(1, static_cast<int64_t>(outage_id));
  firing.bind(2, country);
  if (firing.executeStep()) {
    QueueAlert("resolved", outage_id, firing.getColumn(0).getString(), country,
               Ms(firing.getColumn(1)), decided_at);
  }
}

void SqliteStore::WriteRegrouping(const TrackerChanges& c) {
  size_t next_move = 0;
  for (size_t i = 0; i <= c.withdrawn.size(); ++i) {
    for (; next_move < c.moved.size() && c.moved[next_move].withdrawals_before <= i; ++next_move)
      WriteMove(c.moved[next_move]);
    if (i < c.withdrawn.size()) WriteWithdrawal(c.withdrawn[i]);
  }
}

void SqliteStore::WriteMove(const MovedWaves& m) {
  {
    SQLite::Statement posts(*db_,
                            "UPDATE evidence SET outage_id = ? WHERE outage_id = ? AND country = ? "
                            "AND created_at >= ?");
    posts.bind(1, static_cast<int64_t>(m.to_outage));
    posts.bind(2, static_cast<int64_t>(m.from_outage));
    posts.bind(3, m.country);
    posts.bind(4, static_cast<int64_t>(m.posts_since));
    posts.exec();
  }
  if (!m.left) return;  // its row in the old outage is rewritten, ended, with the outage
  ResolveIfFiring(m.from_outage, m.country, m.decided_at);
  for (const char* sql : {"DELETE FROM outage_waves WHERE outage_id = ? AND country = ?",
                          "DELETE FROM outage_countries WHERE outage_id = ? AND country = ?"}) {
    SQLite::Statement del(*db_, sql);
    del.bind(1, static_cast<int64_t>(m.from_outage));
    del.bind(2, m.country);
    del.exec();
  }
}

void SqliteStore::WriteWithdrawal(const WithdrawnJoin& w) {
  ResolveIfFiring(w.outage_id, w.country, w.decided_at);
  for (const char* sql : {"DELETE FROM evidence WHERE outage_id = ? AND country = ?",
                          "DELETE FROM outage_waves WHERE outage_id = ? AND country = ?",
                          "DELETE FROM outage_countries WHERE outage_id = ? AND country = ?"}) {
    SQLite::Statement del(*db_, sql);
    del.bind(1, static_cast<int64_t>(w.outage_id));
    del.bind(2, w.country);
    del.exec();
  }
  if (w.outage_left_empty) {
    SQLite::Statement del(*db_, "DELETE FROM outages WHERE id = ?");
    del.bind(1, static_cast<int64_t>(w.outage_id));
    del.exec();
  }
}

void SqliteStore::WriteWaves(int64_t outage_id, const OutageCountry& x) {
  // A country of one wave has no rows (its outage_countries row is the wave). Its waves
  // shrink only when later ones leave for an incident of their own (MovedWaves).
  const size_t rows = x.waves.size() < 2 ? 0 : x.waves.size();
  SQLite::Statement gone(
      *db_, "DELETE FROM outage_waves WHERE outage_id = ? AND country = ? AND wave >= ?");
  gone.bind(1, static_cast<int64_t>(outage_id));
  gone.bind(2, x.country);
  gone.bind(3, static_cast<int64_t>(rows));
  gone.exec();
  if (rows == 0) return;
  SQLite::Statement w(*db_,
                      "INSERT OR REPLACE INTO outage_waves (outage_id, country, wave, started, "
                      "detected_at, ended, resolved_at, mentions, peak_time, peak_count) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?)");
  for (size_t i = 0; i < rows; ++i) {
    const OutageWave& wave = x.waves[i];
    w.bind(1, static_cast<int64_t>(outage_id));
    w.bind(2, x.country);
    w.bind(3, static_cast<int64_t>(i));
    BindTime(w, 4, wave.started);
    BindTime(w, 5, wave.detected_at);
    BindTime(w, 6, wave.ended);
    BindTime(w, 7, wave.resolved_at);
    w.bind(8, static_cast<int64_t>(wave.mentions));
    BindTime(w, 9, wave.peak_time);
    w.bind(10, static_cast<int64_t>(wave.peak_count));
    w.exec();
    w.reset();
  }
}

void SqliteStore::WriteOutages(const std::vector<Outage>& outages) {
  SQLite::Statement out(
      *db_,
      "INSERT OR REPLACE INTO outages (id, tag, started, detected_at, ended, resolved_at, "
      "peak_time, peak_count) VALUES (?,?,?,?,?,?,?,?)");
  SQLite::Statement oc(
      *db_,
      "INSERT OR REPLACE INTO outage_countries (outage_id, country, started, detected_at, ended, "
      "resolved_at, mentions, peak_time, peak_count, confirmed_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
  for (const auto& o : outages) {
    out.bind(1, static_cast<int64_t>(o.id));
    out.bind(2, o.tag);
    BindTime(out, 3, o.started);
    BindTime(out, 4, o.detected_at);
    BindTime(out, 5, o.ended);
    BindTime(out, 6, o.resolved_at);
    out.bind(7, static_cast<int64_t>(Sec(o.peak_time)));
    out.bind(8, static_cast<int64_t>(o.peak_count));
    out.exec();
    out.reset();
    for (const auto& [cc, x] : o.countries) {
      if (alerting_) EnqueueAlerts(o, x);
      oc.bind(1, static_cast<int64_t>(o.id));
      oc.bind(2, cc);
      BindTime(oc, 3, x.started);
      BindTime(oc, 4, x.detected_at);
      BindTime(oc, 5, x.ended);
      BindTime(oc, 6, x.resolved_at);
      oc.bind(7, static_cast<int64_t>(x.mentions));
      oc.bind(8, static_cast<int64_t>(Sec(x.peak_time)));
      oc.bind(9, static_cast<int64_t>(x.peak_count));
      BindTime(oc, 10, x.confirmed_at);
      oc.exec();
      oc.reset();
      WriteWaves(o.id, x);
    }
  }
}

void SqliteStore::WriteDetection(const TrackerChanges& c) {
  WriteRegrouping(c);
  WriteOutages(c.outages);
  ExecEach(*db_,
           "INSERT OR IGNORE INTO evidence (outage_id, country, source, post_id, created_at, "
           "text) VALUES (?,?,?,?,?,?)",
           c.evidence, [](SQLite::Statement& st, const EvidencePost& e) {
             st.bind(1, static_cast<int64_t>(e.outage_id));
             st.bind(2, e.country);
             st.bind(3, SourceKindName(e.source));
             st.bind(4, e.post_id);
             st.bind(5, static_cast<int64_t>(e.created_at));
             st.bind(6, e.text);
           });
  ExecEach(*db_,
           "INSERT OR REPLACE INTO spikes (tag, country, minute, count, expected, score) "
           "VALUES (?,?,?,?,?,?)",
           c.spikes, [](SQLite::Statement& st, const Spike& x) {
             st.bind(1, x.tag);
             st.bind(2, x.country);
             st.bind(3, static_cast<int64_t>(Sec(x.minute)));
             st.bind(4, static_cast<int64_t>(x.count));
             st.bind(5, x.expected);
             st.bind(6, x.score);
           });
  ExecEach(*db_, "INSERT OR REPLACE INTO detector_state (tag, country, state) VALUES (?,?,?)",
           c.detector_states, [this](SQLite::Statement& st, const auto& key_state) {
             st.bind(1, key_state.first.first);
             st.bind(2, key_state.first.second);
             // A blob: compressed (StateCodec); text if it could not be.
             if (const auto packed = state_codec_.Pack(key_state.second)) {
               st.bind(3, packed->data(), static_cast<int>(packed->size()));
             } else {
               st.bind(3, key_state.second);
             }
           });
  if (c.closed_through != INT64_MIN) PutMeta(*db_, "closed_through", c.closed_through);
  if (c.watching_since != INT64_MIN) PutMeta(*db_, "watching_since", c.watching_since);
  PutMeta(*db_, "next_outage_id", c.next_outage_id);
}

void SqliteStore::LoadDetection(OutageTracker* tracker, MinuteCounter* counter, Logger* log) {
  SQLite::Statement ds(*db_, "SELECT tag, country, state FROM detector_state");
  while (ds.executeStep()) {
    const std::string tag = ds.getColumn(0).getString();
    const std::string country = ds.getColumn(1).getString();
    const std::string text = SavedStateText(ds.getColumn(2), &state_codec_);
    if (!tracker->RestoreSeries(tag, country, text) && log) {
      log->Warn("the saved detector state of #" + tag + " in " + country +
                " cannot be read (a damaged row in detector_state): that series starts "
                "again from no history, so it may alert late or early for a day, and an "
                "outage open there ends at the last minute the history had closed");
    }
  }
  const auto closed = GetMetaNumber("closed_through");
  const int64_t next_id = GetMetaNumber("next_outage_id").value_or(1);
  // Absent in histories from before it.
  const int64_t watching = GetMetaNumber("watching_since").value_or(INT64_MIN);
  if (!closed) {  // no minute closed yet; the source's first post may be known
    if (watching != INT64_MIN) tracker->RestoreClock(INT64_MIN, next_id, watching);
    return;
  }
  const int64_t closed_through = *closed;
  tracker->RestoreClock(closed_through, next_id, watching);
  // The tracker keeps a week of gaps (the minutes it must not judge), and so does a restart.
  SQLite::Statement gaps(*db_,
                         "SELECT COALESCE(missing_from, started * 1000), ended FROM gaps "
                         "WHERE ended IS NOT NULL AND ended >= ?");
  gaps.bind(1, static_cast<int64_t>((closed_through - OutageTracker::kGapsKeptMs) / 1000));
  while (gaps.executeStep())
    tracker->MarkGapWithin(gaps.getColumn(0).getInt64(), gaps.getColumn(1).getInt64() * 1000);
  OutageQuery open_ones;
  for (auto& row : QueryOutages(open_ones)) {
    if (row.outage.open() || closed_through - row.outage.ended <= 30 * 60'000)
      tracker->RestoreOutage(row.outage);
  }
  SQLite::Statement open(
      *db_,
      "SELECT tag, country, minute, SUM(count) FROM buckets WHERE minute > ? GROUP BY 1, 2, 3");
  open.bind(1, static_cast<int64_t>(closed_through / 1000));
  while (open.executeStep()) {
    counter->RestoreOpen(open.getColumn(0).getString(), open.getColumn(1).getString(),
                         open.getColumn(2).getInt64() * 1000, open.getColumn(3).getInt64());
  }
}

void SqliteStore::ForEachSeen(
    int64_t since_ms,
    const std::function<void(const std::string&, const std::string&, int64_t)>& fn) {
  SQLite::Statement q(
      *db_, "SELECT source, id, created_at FROM seen WHERE created_at >= ? ORDER BY created_at");
  q.bind(1, static_cast<int64_t>(since_ms));
  while (q.executeStep())
    fn(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64());
}

void SqliteStore::RestorePipeline(Pipeline* pipeline, Logger* log) {
  if (pipeline->config().detect) LoadDetection(&pipeline->tracker(), &pipeline->counter(), log);
  // Before any watermark (one post is not yet time confirmed), every post seen is recent.
  int64_t seen_since = INT64_MIN;
  if (const auto wm = GetMetaNumber("watermark")) {
    const int64_t watermark = *wm;
    pipeline->counter().set_watermark(watermark);
    seen_since = watermark - pipeline->config().dedup_window_ms;
  }
  ForEachSeen(seen_since, [&](const std::string& source, const std::string& id, int64_t t) {
    pipeline->RememberSeen(SourceKindFromName(source), id, t);
  });
}

void SqliteStore::PruneSeen(int64_t before_ms) {
  SQLite::Statement q(*db_, "DELETE FROM seen WHERE created_at < ?");
  q.bind(1, static_cast<int64_t>(before_ms));
  q.exec();
}

std::optional<int64_t> SqliteStore::GetMetaNumber(const std::string& key) {
  const auto text = GetMeta(key);
  if (!text) return std::nullopt;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [stop, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || stop != end) {
    throw DamagedHistoryError(
        "the history's meta value " + key + " is \"" + text->substr(0, 40) +
        "\", not a number: the database is damaged. Restore it from a backup, or delete "
        "that row (sqlite3 DB \"DELETE FROM meta WHERE key = '" +
        key + "'\") and detection starts that clock again");
  }
  return value;
}

std::string JoinTagKeys(const std::vector<std::string>& keys) {
  std::string joined;
  for (const auto& key : keys) joined += (joined.empty() ? "" : ",") + key;
  return joined;
}

std::vector<std::string> SplitTagKeys(const std::string& joined) {
  std::vector<std::string> keys;
  for (size_t from = 0; from < joined.size();) {
    const size_t comma = std::min(joined.find(',', from), joined.size());
    if (comma > from) keys.push_back(joined.substr(from, comma - from));
    from = comma + 1;
  }
  return keys;
}

std::optional<std::string> SqliteStore::GetMeta(const std::string& key) {
  SQLite::Statement q(*db_, "SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

}  // namespace hashmon
