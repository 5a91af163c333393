#include "store/backup.h"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace hashmon {
namespace {

bool SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = fsync(fd) == 0;
  close(fd);
  return synced;
}

// Copies `from` into a new database at `temp`, and checks it.
void CopyInto(const std::string& from, const std::string& temp, BackupResult* result) {
  SQLite::Database source(from, SQLite::OPEN_READONLY);
  source.setBusyTimeout(5'000);
  SQLite::Database copy(temp, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  {
    SQLite::Backup backup(copy, source);
    // All pages in one step: one snapshot of the source, whatever the writer does meanwhile.
    for (int busy = 0; backup.executeStep(-1) != SQLITE_DONE; ++busy) {
      if (busy == 50) throw std::runtime_error("the history stayed locked");
    }
  }
  // The copy is one file on its own: no write-ahead log beside it to lose in a move.
  copy.exec("PRAGMA journal_mode = DELETE");
  const std::string check = copy.execAndGet("PRAGMA quick_check").getString();
  if (check != "ok") throw std::runtime_error("the copy failed SQLite's quick_check: " + check);
  result->schema_version = copy.execAndGet("PRAGMA user_version").getInt();
}

}  // namespace

std::optional<BackupResult> BackUpHistory(const std::string& from, const std::string& to,
                                          std::string* error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(from, ec)) {
    *error = "no database at " + from + " (pass the collector's with --db, or set HASHMON_DB)";
    return std::nullopt;
  }
  if (fs::is_directory(to, ec)) {
    *error = to + " is a directory: give the backup a file name, such as " +
             (fs::path(to) / "hashmon-backup.db").string();
    return std::nullopt;
  }
  if (fs::exists(to, ec) && fs::equivalent(from, to, ec)) {
    *error = "the backup would overwrite the history itself: give another file";
    return std::nullopt;
  }
  const fs::path parent = fs::path(to).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  if (!fs::is_directory(dir, ec)) {
    *error = "the directory " + dir + " does not exist: create it with mkdir -p " + dir +
             " or give the backup another path";
    return std::nullopt;
  }
  const std::string temp =
      dir + "/." + fs::path(to).filename().string() + ".tmp-" + std::to_string(getpid());
  fs::remove(temp, ec);  // what a killed backup of this process id left
  BackupResult result;
  try {
    CopyInto(from, temp, &result);
    if (!SyncPath(temp, O_RDONLY)) throw std::runtime_error(std::strerror(errno));
    if (std::rename(temp.c_str(), to.c_str()) != 0) throw std::runtime_error(std::strerror(errno));
  } catch (const std::exception& e) {
    fs::remove(temp, ec);
    fs::remove(temp + "-journal", ec);
    *error =
        "could not back up " + from + " to " + to + ": " + e.what() + "; " + to + " is as it was";
    return std::nullopt;
  }
  SyncPath(dir, O_RDONLY | O_DIRECTORY);  // the rename lasts once the directory is on disk
  result.bytes = static_cast<int64_t>(fs::file_size(to, ec));
  return result;
}

}  // namespace hashmon
