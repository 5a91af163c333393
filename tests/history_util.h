// Builds a history (replay or live collection) and prints it as text, so that tests can
// say "the collector's history equals a clean replay's" in one comparison.
#ifndef HASHMON_TESTS_HISTORY_UTIL_H_
#define HASHMON_TESTS_HISTORY_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "feed/collector.h"
#include "feed/feed_server.h"
#include "hashmon/clock.h"
#include "hashmon/country_locator.h"

namespace hashmon::testing {

// Every count and outage in the database, one per line.
std::string HistoryOf(const std::string& db);

// Replays `feed` into a fresh database at `db`; returns its history. `tags`: the watched
// hashtags (empty: the default).
std::string ReplayHistory(const std::string& feed, const std::string& db,
                          const CountryLocator* locator, const std::vector<std::string>& tags = {});

struct CollectRun {
  CollectStats stats;
  std::map<std::string, int64_t> errors;  // the pipeline's rejected records, by reason
  int64_t duplicates = 0;                 // posts the pipeline had seen before
  std::string log;
  std::string history;
  std::string db;  // where it collected
  bool ok = false;
};

// Collects from `url` into `db` until the stream ends. Time is fake and passes only when
// `stalled()` says the server holds a silent connection and the collector has drained
// what came before it, so that only that connection times out. Without `stalled`, time
// stands still (and nothing spins, watching for a stall).
// `setup`, if given, sees the store and the clock before the collector starts. `tags`: the
// watched hashtags (empty: the default).
CollectRun CollectHistory(CollectOptions options, const std::string& db,
                          const CountryLocator* locator, const std::function<bool()>& stalled,
                          const std::function<void(SqliteStore*, FakeClock*)>& setup = nullptr,
                          const std::vector<std::string>& tags = {});

// The lines whose posts are from before `until_ms`, and those from `from_ms` on.
struct PostedAround {
  std::vector<std::string> before, after;
};
PostedAround SplitByPostTime(const std::vector<std::string>& lines, int64_t until_ms,
                             int64_t from_ms);

// Collects from `url` into `db` as `collect` without --until-eof does, with the wall clock
// at `wall_ms` (standing still), until the stream ends: the collector takes that for a
// failure and stops, as if the process had been stopped there.
// `setup` and `tags` as for CollectHistory.
CollectRun CollectLiveUntilCut(CollectOptions options, const std::string& db,
                               const CountryLocator* locator, int64_t wall_ms,
                               const std::function<void(SqliteStore*)>& setup = nullptr,
                               const std::vector<std::string>& tags = {});

// Runs `hashmon collect --until-eof --source URL --db DB [extra]` as a child process
// (stderr discarded); returns its pid.
pid_t StartCollectorProcess(const std::string& url, const std::string& db,
                            const std::vector<std::string>& extra = {});

// Starts a collector process with `start`, lets it run until the server has sent a random
// number of further lines (50 to 900), and kills it with SIGKILL; `rounds` times, unless a
// run finishes the feed first. Returns how many were killed.
int KillAtRandomMoments(const FeedServer& server, const std::function<pid_t()>& start, int rounds,
                        unsigned seed);

}  // namespace hashmon::testing

#endif  // HASHMON_TESTS_HISTORY_UTIL_H_
