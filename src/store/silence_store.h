// Silences kept in the database (`hashmon silence add | list | expire`), so that an
// operator can hold webhook alerts back while the collector runs, without a restart. The
// notifier reads them at every round, beside those of the config file.
#ifndef HASHMON_STORE_SILENCE_STORE_H_
#define HASHMON_STORE_SILENCE_STORE_H_

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashmon/silence.h"

namespace hashmon {

struct StoredSilence {
  int64_t id = 0;  // 0 for one from the config file
  Silence silence;
  int64_t created_ms = 0;
};

// Adds a silence to the database at `db_path` (which a collector or replay made); returns
// its id, or nullopt with *error.
std::optional<int64_t> AddSilence(const std::string& db_path, const Silence& silence,
                                  int64_t now_ms, std::string* error);

// The silences not yet over at `now_ms` (with `all`, every one), oldest first.
bool ListSilences(const std::string& db_path, bool all, int64_t now_ms,
                  std::vector<StoredSilence>* out, std::string* error);

// Ends silence `id` now. False with *error if there is no such silence still on.
bool ExpireSilence(const std::string& db_path, int64_t id, int64_t now_ms, std::string* error);

// "active", "pending" (it begins later) or "expired", at `now_ms`.
const char* SilenceState(const Silence& silence, int64_t now_ms);

// [{"id","source","state","tag","country","from","until","comment","created"}] (an unnamed
// tag or country is null: every one; a silence from the config file has source "config"
// and a null id and created), for `silence list --format json` and /api/v1/silences.
std::string SilencesJson(const std::vector<StoredSilence>& rows, int64_t now_ms);

// The silences on at `now_ms` in an open database (for the notifier).
std::vector<Silence> ActiveSilences(SQLite::Database& db, int64_t now_ms);

}  // namespace hashmon

#endif  // HASHMON_STORE_SILENCE_STORE_H_
