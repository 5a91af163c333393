// A consistent copy of a history, taken while a collector writes it: SQLite's online backup
// reads one snapshot (WAL readers never block the writer), and the copy is checked, synced
// and renamed into place, so a backup job never leaves half a file where the last good one
// was. (`cp` of a live WAL database can copy the file without the log's newest pages.)
#ifndef HASHMON_STORE_BACKUP_H_
#define HASHMON_STORE_BACKUP_H_

#include <cstdint>
#include <optional>
#include <string>

namespace hashmon {

struct BackupResult {
  int64_t bytes = 0;
  int schema_version = 0;
};

// Copies the history at `from` to `to` (replaced only once the copy is whole and passes
// SQLite's quick_check; a single file, not in WAL mode, readable on its own). nullopt with
// *error (what to do) when it cannot.
std::optional<BackupResult> BackUpHistory(const std::string& from, const std::string& to,
                                          std::string* error);

}  // namespace hashmon

#endif  // HASHMON_STORE_BACKUP_H_
