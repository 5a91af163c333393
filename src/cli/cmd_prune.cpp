// hashmon prune: retention, while the collector writes the history.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/clock.h"
#include "hashmon/time_util.h"
#include "store/prune.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

struct PruneArgs {
  std::string db = DatabaseByDefault();
  std::string before;
  bool vacuum = false;
};

double Megabytes(int64_t bytes) { return static_cast<double>(bytes) / 1e6; }

int Shrink(const std::string& db) {
  std::string error;
  const auto shrunk = ShrinkHistory(db, &error, WriterHoldsLock(db) ? kPauseForAWriterMs : 0);
  if (!shrunk) {
    std::fprintf(stderr, "hashmon prune: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s: %.1f MB before, %.1f MB now%s\n", db.c_str(), Megabytes(shrunk->bytes_before),
              Megabytes(shrunk->bytes_after),
              shrunk->converted ? " (rewritten once; from now on --vacuum works while a "
                                  "collector writes)"
                                : "");
  return 0;
}

int Prune(const PruneArgs& a) {
  SystemClock clock;
  const int64_t now = clock.NowMs();
  const auto before = ParseUserTime(a.before, now);
  if (!before) {
    std::fprintf(stderr,
                 "hashmon prune: --before takes an ISO 8601 time (2016-01-01T00:00:00Z) or one "
                 "relative to now (-400d), not \"%s\"\n",
                 a.before.c_str());
    return 2;
  }
  if (*before > now - kHistoryKeptAtLeastMs) {
    std::fprintf(stderr,
                 "hashmon prune: --before %s would delete counts of the last 7 days, which the "
                 "dashboard shows beside a current outage; give -7d or earlier\n",
                 a.before.c_str());
    return 2;
  }
  std::string error;
  // With a collector writing, its commits get the lock between short steps.
  const PruneOptions options = WriterHoldsLock(a.db) ? BesideACollector() : PruneOptions{};
  const auto pruned = PruneHistory(a.db, *before, &error, options);
  if (!pruned) {
    std::fprintf(stderr, "hashmon prune: %s\n", error.c_str());
    return 1;
  }
  std::printf(
      "deleted from %s what came before %s: %lld counts, %lld spikes, %lld gaps; outages and "
      "their evidence are kept.%s\n",
      a.db.c_str(), FormatIsoTime(*before).c_str(), static_cast<long long>(pruned->counts),
      static_cast<long long>(pruned->spikes), static_cast<long long>(pruned->gaps),
      a.vacuum ? "" : " The file keeps its size and reuses the space (--vacuum shrinks it).");
  return 0;
}

int RunPrune(const PruneArgs& a) {
  if (a.before.empty() && !a.vacuum) {
    std::fprintf(stderr,
                 "hashmon prune: give --before (what to delete, such as -400d), --vacuum "
                 "(give the freed space back to the disk), or both\n");
    return 2;
  }
  if (!a.before.empty()) {
    if (const int code = Prune(a); code != 0) return code;
  }
  return a.vacuum ? Shrink(a.db) : 0;
}

}  // namespace

void RegisterPrune(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<PruneArgs>();
  CLI::App* cmd = app.add_subcommand(
      "prune",
      "Delete counts, spikes and gaps older than a time, and shrink the file (safe while the "
      "collector writes)");
  cmd->add_option("--db", args->db, "The history (default: $HASHMON_DB, else hashmon.db)");
  cmd->add_option("--before", args->before,
                  "Delete what came before this: -400d (relative to now) or an ISO 8601 time; "
                  "at least 7 days back");
  cmd->add_flag("--vacuum", args->vacuum,
                "Then give the freed space back to the disk (a history made before "
                "December 2026 is rewritten once, with the collector stopped)");
  cmd->callback([args, exit] { exit->value = RunPrune(*args); });
}

}  // namespace hashmon
