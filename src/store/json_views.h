// The JSON shapes of the history, shared by `hashmon query ... --format json` and the
// HTTP API, so that both give the same, stable field names. Times are ISO 8601 UTC;
// an open end is null.
#ifndef HASHMON_STORE_JSON_VIEWS_H_
#define HASHMON_STORE_JSON_VIEWS_H_

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "store/sqlite_store.h"

namespace hashmon {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes "key": the ISO 8601 time `ms`, or null when it is 0 (not yet, or never).
void WriteTimeOrNull(JsonWriter& w, const char* key, int64_t ms);

// [{"time","tag","country","count"}]
// One row of counts: {"time", "tag", "country", "count"} (an array of them is written as
// the rows are read, never held as rows first).
void WriteCountRow(JsonWriter& w, const CountRow& r);
// [{"id","tag","started","detected_at","ended","resolved_at","peak_time","peak_count",
//   "international","countries":[...],"evidence":[...]}]
std::string OutagesJson(const std::vector<SqliteStore::OutageRow>& rows);
// One of them: {"id", ...}
std::string OutageJson(const SqliteStore::OutageRow& row);
// [{"time","tag","country","count","expected","score"}]
std::string SpikesJson(const std::vector<Spike>& spikes);
// [{"source","from","to","reason"}]
std::string GapsJson(const std::vector<GapRecord>& gaps);
std::string SourcesJson(const std::vector<SqliteStore::SourceRow>& sources);

}  // namespace hashmon

#endif  // HASHMON_STORE_JSON_VIEWS_H_
