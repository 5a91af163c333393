#include "store/silence_store.h"

#include <SQLiteCpp/Statement.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>

#include "hashmon/time_util.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

constexpr int kSilencesVersion = 4;

// The database for writing silences: it must exist and have the silences table. Not the
// store's writer lock: the collector holds that, and a silence is one short transaction.
std::unique_ptr<SQLite::Database> OpenDb(const std::string& path, int mode, std::string* error) {
  if (!std::filesystem::exists(path)) {
    *error = "no database at " + path + " (give the collector's with --db, or set HASHMON_DB)";
    return nullptr;
  }
  try {
    auto db = std::make_unique<SQLite::Database>(path, mode);
    db->setBusyTimeout(kSqliteBusyTimeoutMs);
    if (db->execAndGet("PRAGMA user_version").getInt() < kSilencesVersion) {
      *error =
          path + " predates silences: run `hashmon collect` (or replay) with this version once";
      return nullptr;
    }
    return db;
  } catch (const std::exception& e) {
    *error = "cannot open " + path + ": " + e.what() + PermissionHint(e.what());
    return nullptr;
  }
}

StoredSilence Row(SQLite::Statement& q) {
  StoredSilence s;
  s.id = q.getColumn(0).getInt64();
  s.silence.tag = q.getColumn(1).getString();
  s.silence.country = q.getColumn(2).getString();
  s.silence.from_ms = q.getColumn(3).getInt64();
  s.silence.until_ms = q.getColumn(4).getInt64();
  s.silence.comment = q.getColumn(5).getString();
  s.created_ms = q.getColumn(6).getInt64();
  return s;
}

constexpr const char* kColumns = "id, tag, country, from_ms, until_ms, comment, created_ms";

}  // namespace

std::optional<int64_t> AddSilence(const std::string& db_path, const Silence& s, int64_t now_ms,
                                  std::string* error) {
  auto db = OpenDb(db_path, SQLite::OPEN_READWRITE, error);
  if (!db) return std::nullopt;
  try {
    SQLite::Statement add(*db,
                          "INSERT INTO silences (tag, country, from_ms, until_ms, comment, "
                          "created_ms) VALUES (?, ?, ?, ?, ?, ?)");
    add.bind(1, s.tag);
    add.bind(2, s.country);
    add.bind(3, static_cast<int64_t>(s.from_ms == INT64_MIN ? now_ms : s.from_ms));
    add.bind(4, static_cast<int64_t>(s.until_ms));
    add.bind(5, s.comment);
    add.bind(6, static_cast<int64_t>(now_ms));
    add.exec();
    return db->getLastInsertRowid();
  } catch (const std::exception& e) {
    *error = "cannot add the silence to " + db_path + ": " + e.what() + PermissionHint(e.what());
    return std::nullopt;
  }
}

bool ListSilences(const std::string& db_path, bool all, int64_t now_ms,
                  std::vector<StoredSilence>* out, std::string* error) {
  auto db = OpenDb(db_path, SQLite::OPEN_READONLY, error);
  if (!db) return false;
  try {
    SQLite::Statement q(*db, std::string("SELECT ") + kColumns +
                                 " FROM silences WHERE ? OR until_ms > ? ORDER BY id");
    q.bind(1, all ? 1 : 0);
    q.bind(2, static_cast<int64_t>(now_ms));
    while (q.executeStep()) out->push_back(Row(q));
    return true;
  } catch (const std::exception& e) {
    *error = "cannot read the silences of " + db_path + ": " + e.what();
    return false;
  }
}

bool ExpireSilence(const std::string& db_path, int64_t id, int64_t now_ms, std::string* error) {
  auto db = OpenDb(db_path, SQLite::OPEN_READWRITE, error);
  if (!db) return false;
  try {
    SQLite::Statement end(*db, "UPDATE silences SET until_ms = ? WHERE id = ? AND until_ms > ?");
    end.bind(1, static_cast<int64_t>(now_ms));
    end.bind(2, static_cast<int64_t>(id));
    end.bind(3, static_cast<int64_t>(now_ms));
    if (end.exec() == 1) return true;
    *error = "no silence " + std::to_string(id) + " is on (see `hashmon silence list --all`)";
    return false;
  } catch (const std::exception& e) {
    *error =
        "cannot expire silence " + std::to_string(id) + ": " + e.what() + PermissionHint(e.what());
    return false;
  }
}

const char* SilenceState(const Silence& s, int64_t now_ms) {
  return now_ms >= s.until_ms ? "expired" : now_ms < s.from_ms ? "pending" : "active";
}

std::string SilencesJson(const std::vector<StoredSilence>& rows, int64_t now_ms) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto text_or_null = [&w](const std::string& text) {
    text.empty() ? w.Null() : w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  };
  w.StartArray();
  for (const auto& r : rows) {
    w.StartObject();
    const bool config = r.id == 0;
    w.Key("id");
    config ? w.Null() : w.Int64(r.id);
    w.Key("source");
    w.String(config ? "config" : "database");
    w.Key("state");
    w.String(SilenceState(r.silence, now_ms));
    w.Key("tag");
    text_or_null(r.silence.tag);
    w.Key("country");
    text_or_null(r.silence.country);
    w.Key("from");
    r.silence.from_ms == INT64_MIN ? w.Null() : w.String(FormatIsoTime(r.silence.from_ms).c_str());
    w.Key("until");
    w.String(FormatIsoTime(r.silence.until_ms).c_str());
    w.Key("comment");
    w.String(r.silence.comment.data(), static_cast<rapidjson::SizeType>(r.silence.comment.size()));
    w.Key("created");
    config ? w.Null() : w.String(FormatIsoTime(r.created_ms).c_str());
    w.EndObject();
  }
  w.EndArray();
  return std::string(sb.GetString(), sb.GetSize());
}

std::vector<Silence> ActiveSilences(SQLite::Database& db, int64_t now_ms) {
  std::vector<Silence> out;
  SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                              " FROM silences WHERE from_ms <= ? AND until_ms > ? ORDER BY id");
  q.bind(1, static_cast<int64_t>(now_ms));
  q.bind(2, static_cast<int64_t>(now_ms));
  while (q.executeStep()) out.push_back(Row(q).silence);
  return out;
}

}  // namespace hashmon
