#include "history_util.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include "feed/replayer.h"
#include "hashmon/decoder.h"
#include "hashmon/time_util.h"
#include "store/sqlite_store.h"

namespace hashmon::testing {
namespace {

// The test feeds squeeze a day into a few thousand lines, so a resend after a fault (or a
// gap fill while the stream runs ahead) can go back hours of event time: replays and
// collections alike remember two days.
constexpr int64_t kSqueezedDayDedupMs = 48 * 3'600'000;

// The pipeline that replays and collections of the test feeds share (watching `tags`, or
// the default tag).
PipelineConfig SqueezedDayConfig(const std::vector<std::string>& tags) {
  PipelineConfig config;
  config.dedup_window_ms = kSqueezedDayDedupMs;
  if (!tags.empty()) config.tags = tags;
  return config;
}

}  // namespace

std::string HistoryOf(const std::string& db) {
  std::string error;
  auto store = SqliteStore::OpenReadOnly(db, &error);
  if (!store) return "cannot open " + db + ": " + error;
  std::string out;
  for (const auto& r : store->QueryCounts(CountQuery{})) {
    out += FormatIsoTime(r.time) + "," + r.tag + "," + r.country + "," + std::to_string(r.count) +
           "\n";
  }
  for (const auto& o : store->QueryOutages({})) {
    out += "outage " + FormatIsoTime(o.outage.started) + " " +
           std::to_string(o.outage.countries.size()) + "\n";
  }
  return out;
}

std::string ReplayHistory(const std::string& feed, const std::string& db,
                          const CountryLocator* locator, const std::vector<std::string>& tags) {
  std::ostringstream log_out;
  FakeClock clock;
  Logger log(&log_out, &clock);
  Pipeline pipeline(SqueezedDayConfig(tags), locator);
  std::string error;
  auto store = SqliteStore::OpenForWriting(db, &error);
  Replayer r(&pipeline, store.get(), &clock, &log, {});
  EXPECT_TRUE(r.ReplayPath(feed, &error)) << error;
  EXPECT_TRUE(r.Finish(&error)) << error;
  store.reset();
  return HistoryOf(db);
}

namespace {

CollectRun RunCollector(CollectOptions o, const std::string& db, const CountryLocator* locator,
                        const std::function<bool()>& stalled,
                        const std::function<void(SqliteStore*, FakeClock*)>& setup,
                        const std::vector<std::string>& tags) {
  CollectRun run;
  FakeClock clock(1'700'000'000'000);
  std::ostringstream log_out;
  Logger log(&log_out, &clock);
  Pipeline pipeline(SqueezedDayConfig(tags), locator);
  std::string error;
  auto store = SqliteStore::OpenForWriting(db, &error);
  EXPECT_TRUE(store) << error;
  if (setup) setup(store.get(), &clock);
  Collector collector(&pipeline, store.get(), &clock, &log, o);
  std::atomic<bool> stop{false}, done{false};
  std::thread time_keeper([&] {
    if (!stalled) return;  // time never needs to pass: nothing to watch
    // The collector has drained what came before a stall once its byte count has stood
    // still for 10,000 polls and 100 ms: polls alone are a few milliseconds on a fast
    // machine, and a loaded one may not run the collector's thread for that long.
    int quiet_polls = 0;
    int64_t last_bytes = -1;
    auto last_change = std::chrono::steady_clock::now();
    // The bytes received when the clock last jumped during this stall. The collector's
    // watchdog looks at the clock every 20 ms: the clock jumps once a stall, or again only
    // if bytes came after the jump (which then counted as data, not silence). Otherwise the
    // stall would last as many idle timeouts as the scheduler allowed polls.
    int64_t jumped_at_bytes = -1;
    while (!done) {
      const int64_t bytes = collector.bytes_received();
      if (bytes != last_bytes) last_change = std::chrono::steady_clock::now();
      quiet_polls = bytes == last_bytes ? quiet_polls + 1 : 0;
      last_bytes = bytes;
      if (!stalled()) {
        jumped_at_bytes = -1;
      } else if (quiet_polls > 10'000 && bytes != jumped_at_bytes &&
                 std::chrono::steady_clock::now() - last_change > std::chrono::milliseconds(100)) {
        clock.Advance(o.idle_timeout_ms + 1000);
        jumped_at_bytes = bytes;
        quiet_polls = 0;
      }
      std::this_thread::yield();
    }
  });
  run.ok = collector.Run(&stop, &error);
  if (!run.ok) log_out << "collector: " << error << "\n";
  done = true;
  time_keeper.join();
  run.stats = collector.stats();
  for (const auto& [reason, n] : pipeline.stats().errors) run.errors[reason] = n;
  run.duplicates = pipeline.stats().duplicates;
  run.log = log_out.str();
  run.db = db;
  store.reset();
  run.history = HistoryOf(db);
  return run;
}

}  // namespace

CollectRun CollectHistory(CollectOptions o, const std::string& db, const CountryLocator* locator,
                          const std::function<bool()>& stalled,
                          const std::function<void(SqliteStore*, FakeClock*)>& setup,
                          const std::vector<std::string>& tags) {
  o.until_eof = true;
  if (o.max_failures == 0) o.max_failures = 20;
  return RunCollector(o, db, locator, stalled, setup, tags);
}

CollectRun CollectLiveUntilCut(CollectOptions o, const std::string& db,
                               const CountryLocator* locator, int64_t wall_ms,
                               const std::function<void(SqliteStore*)>& setup,
                               const std::vector<std::string>& tags) {
  o.until_eof = false;
  o.max_failures = 1;
  return RunCollector(
      o, db, locator, nullptr,
      [&](SqliteStore* store, FakeClock* clock) {
        clock->Advance(wall_ms - clock->NowMs());
        if (setup) setup(store);
      },
      tags);
}

PostedAround SplitByPostTime(const std::vector<std::string>& lines, int64_t until_ms,
                             int64_t from_ms) {
  Decoder decoder;
  PostedAround split;
  for (const std::string& line : lines) {
    const int64_t posted = decoder.DecodeCopy(line).post.created_at;
    if (posted < until_ms) split.before.push_back(line);
    if (posted >= from_ms) split.after.push_back(line);
  }
  return split;
}

pid_t StartCollectorProcess(const std::string& url, const std::string& db,
                            const std::vector<std::string>& extra) {
  std::vector<std::string> args = {HASHMON_BINARY, "collect", "--until-eof", "--source", url,
                                   "--db",         db};
  args.insert(args.end(), extra.begin(), extra.end());
  const pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stderr);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(HASHMON_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int KillAtRandomMoments(const FeedServer& server, const std::function<pid_t()>& start, int rounds,
                        unsigned seed) {
  std::mt19937 rng(seed);
  int kills = 0;
  for (int round = 0; round < rounds; ++round) {
    const int64_t at = server.lines_sent() + std::uniform_int_distribution<int64_t>(50, 900)(rng);
    const pid_t pid = start();
    int status = 0;
    while (server.lines_sent() < at) {
      if (waitpid(pid, &status, WNOHANG) == pid) return kills;  // it finished the feed
      std::this_thread::yield();
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ++kills;
  }
  return kills;
}

}  // namespace hashmon::testing
