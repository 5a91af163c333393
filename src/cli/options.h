// Option parsing shared by subcommands: durations, times, tags and countries.
#ifndef HASHMON_CLI_OPTIONS_H_
#define HASHMON_CLI_OPTIONS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashmon/country_locator.h"
#include "hashmon/log.h"
#include "hashmon/pipeline.h"
#include "hashmon/time_util.h"
#include "store/sqlite_store.h"

namespace hashmon {

// The database `query`, `serve` and `silence` use without --db: $HASHMON_DB (the
// collector's, where the environment names it), else hashmon.db.
std::string DatabaseByDefault();

// --lateness (or "lateness" in the config file): a duration; on failure *error says what
// was expected.
std::optional<int64_t> ParseLateness(const std::string& text, std::string* error);

// --idle-timeout (or "idle_timeout"): a duration of at least a second (*error says what was
// expected, for the caller to prefix with the option's name). Shorter, a stream
// would be cut between any two messages (0 reconnected 333 times in 20 s).
constexpr int64_t kMinIdleTimeoutMs = 1'000;
std::optional<int64_t> ParseIdleTimeout(const std::string& text, std::string* error);

// --since/--until: ISO 8601 or relative to now ("-2h"). Empty leaves the bound open.
// Returns false with *error (what to fix) when a value cannot be read, or when --since is
// not before --until (nothing could match, and an empty answer would not say why).
bool ParseTimeRange(const std::string& since, const std::string& until, int64_t now_ms,
                    int64_t* since_ms, int64_t* until_ms, std::string* error);

// --tag as a tag key ("#TwitterDown" -> "twitterdown").
std::string TagOption(const std::string& tag);

// An item of a comma-separated option without the spaces around it ("--tag 'a, b'" is a and
// b), for CLI11's transform.
std::string WithoutSurroundingSpaces(const std::string& item);
// --country as stored: an ISO 3166 code in upper case (GB, not UK), or ?? (no country); "all" or
// nothing is "" (every country). Anything else is nullopt with *error, which names the code
// where the text names a country ("brazil": Brazil is BR).
std::optional<std::string> CountryOption(const std::string& country, std::string* error);

// What is wrong with the tags a user asked to watch, with the fix (empty: nothing). A tag
// with a space in it, or of digits alone, is no hashtag in any feed: it would match nothing,
// and say so only by an empty history.
std::string WatchedTagsError(const std::vector<std::string>& tags);

// The default watched countries.
const std::vector<std::string>& DefaultCountries();

// Logs rejected records, rate-limited per reason.
void LogRejectedRecords(Pipeline* pipeline, Logger* log);

// What `replay` and `collect` write with: the history, open for writing, and the country data.
struct WritingSetup {
  std::unique_ptr<CountryLocator> locator;
  std::unique_ptr<SqliteStore> store;
};

// Opens `db` for writing while the country data builds on another thread: each takes several
// milliseconds, and a collector's start or a short replay waits for both. False, with the
// reason in `error`, when the history cannot be opened.
bool OpenHistoryForWriting(const std::string& db, Logger* log, WritingSetup* setup,
                           std::string* error);

// Request headers with the bearer token from HASHMON_X_BEARER_TOKEN, if set (tokens come
// from the environment, never the command line, which shows in ps).
std::map<std::string, std::string> BearerHeaders();

// Installs SIGINT/SIGTERM/SIGHUP handlers that set the returned flag: stop, flush, commit,
// exit 0. (SIGHUP only where it is not ignored, as nohup(1) leaves it.)
const std::atomic<bool>& StopOnSignals();

// For commands whose work runs on other threads (servers): returns once SIGINT or SIGTERM
// arrives.
void WaitForStopSignal();

// --set KEY=VALUE overrides of the detector's settings (DetectorConfig's field names).
// Returns false, with the offending item in *error, for an unknown name or a bad value.
bool ApplyDetectorSettings(const std::vector<std::string>& settings, DetectorConfig* config,
                           std::string* error);
// ... and of the outage tracker's (TrackerConfig's), for `replay` and `collect`.
bool ApplyTrackerSettings(const std::vector<std::string>& settings, TrackerConfig* config,
                          std::string* error);

// --keep (record) and --record-keep (collect): how long an hour's recording is kept after
// the hour, at least an hour; "" is for ever (0). nullopt with *error naming `option`.
std::optional<int64_t> ParseTimeToKeep(const std::string& text, const std::string& option,
                                       std::string* error);

// keep_history: how long the history keeps its counts (at least 7 days); 0 for "" (for
// ever). nullopt with *error (what to give instead).
std::optional<int64_t> ParseHistoryToKeep(const std::string& text, std::string* error);

// Whether a recording can go into `dir` (made if need be); if not, *error says so and
// what to give instead. A wrong path is better said at the start than by every write.
bool WritableDirectory(const std::string& dir, const std::string& option, std::string* error);

bool StderrIsTerminal();
bool StdoutIsTerminal();

// Prints a JSON array of the history to stdout: as it is ("json"), or one element a line
// ("jsonl", for line tools and appending to a file).
void PrintJsonRows(const std::string& array, const std::string& format);

// A CSV cell as RFC 4180 has it: quoted where it holds a comma, a quote or a line break
// (a source is named by its URL, whose query may hold commas; a silence's comment is prose).
std::string CsvField(const std::string& text);

// Flushes stdout and std::cout: false, with errno as the failed write left it, if any of
// what was written to them did not get out.
bool FlushStdout();
// What a failed write's errno says, or (0: an earlier write failed) the likely cause.
std::string WriteFailure(int error);

// Whether everything written to stdout reached it. Flushes it; if not, says so on stderr: a
// full disk must not leave a truncated CSV that looks complete to the script that asked.
bool StdoutWritten();

}  // namespace hashmon

#endif  // HASHMON_CLI_OPTIONS_H_
