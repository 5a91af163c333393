// hashmon prune: retention, while the collector writes the history.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/clock.h"
#include "hashmon/time_util.h"
#include "store/prune.h"

namespace hashmon {
namespace {

// The detectors' baselines learn the time of day and the day of week from their own saved
// state, not from the counts; a week is kept anyway, so that `query` and the dashboard
// still show what a current outage is measured against.
constexpr int64_t kKeptAtLeastMs = 7 * 86'400'000LL;

struct PruneArgs {
  std::string db = DatabaseByDefault();
  std::string before;
};

int RunPrune(const PruneArgs& a) {
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
  if (*before > now - kKeptAtLeastMs) {
    std::fprintf(stderr,
                 "hashmon prune: --before %s would delete counts of the last 7 days, which the "
                 "dashboard shows beside a current outage; give -7d or earlier\n",
                 a.before.c_str());
    return 2;
  }
  std::string error;
  const auto pruned = PruneHistory(a.db, *before, &error);
  if (!pruned) {
    std::fprintf(stderr, "hashmon prune: %s\n", error.c_str());
    return 1;
  }
  std::printf(
      "deleted from %s what came before %s: %lld counts, %lld spikes, %lld gaps; outages and "
      "their evidence are kept. The file keeps its size and reuses the space.\n",
      a.db.c_str(), FormatIsoTime(*before).c_str(), static_cast<long long>(pruned->counts),
      static_cast<long long>(pruned->spikes), static_cast<long long>(pruned->gaps));
  return 0;
}

}  // namespace

void RegisterPrune(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<PruneArgs>();
  CLI::App* cmd = app.add_subcommand(
      "prune",
      "Delete counts, spikes and gaps older than a time (safe while the collector writes)");
  cmd->add_option("--db", args->db, "The history (default: $HASHMON_DB, else hashmon.db)");
  cmd->add_option("--before", args->before,
                  "Delete what came before this: -400d (relative to now) or an ISO 8601 time; "
                  "at least 7 days back")
      ->required();
  cmd->callback([args, exit] { exit->value = RunPrune(*args); });
}

}  // namespace hashmon
