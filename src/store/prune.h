// Retention: what a history holds from before a time, deleted while a collector goes on
// writing it. Counts, spikes and the gaps that ended by then go; outages, their evidence
// and the detectors' state (which carries what the baselines learnt) stay. Then, if asked,
// the freed space is given back to the file system.
#ifndef HASHMON_STORE_PRUNE_H_
#define HASHMON_STORE_PRUNE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace hashmon {

// What is kept at least. The detectors' baselines learn the time of day and the day of week
// from their own saved state, not from the counts; a week is kept anyway, so that `query`
// and the dashboard still show what a current outage is measured against.
inline constexpr int64_t kHistoryKeptAtLeastMs = 7 * 86'400'000LL;

struct PruneResult {
  int64_t counts = 0;  // rows of `buckets`
  int64_t spikes = 0;
  int64_t gaps = 0;
  bool stopped = false;  // `stop` was set before every count due was deleted
};

struct PruneOptions {
  // The counts of this many seconds are deleted per transaction: a collector's commit waits
  // for at most one such delete (SQLite has one writer at a time).
  int64_t step_seconds = 3'600;
  // Beside a collector (> 0): a pause after every 100 ms or so of steps, in which the
  // collector's waiting commit gets the lock (SQLite hands it to whoever asks first, and a
  // writer's busy handler polls only every 50 ms or so, so steps back to back could keep it
  // waiting past its 250 ms); and steps whose span follows how long the last one took
  // (100 to 200 ms each where it can, between five minutes and an hour of counts).
  int pause_ms = 0;
  const std::atomic<bool>* stop = nullptr;  // checked between steps
};

// Long enough for a waiting writer's busy handler to poll the lock at least once.
inline constexpr int kPauseForAWriterMs = 60;

// The steps to take while a collector writes the history: at most about 200 ms each (from
// five minutes of counts, 60 ms at 960 series that count every minute), inside the 250 ms
// a collector's commit waits, with pauses for the collector's commits.
PruneOptions BesideACollector(const std::atomic<bool>* stop = nullptr);

// Deletes from the history at `path` what it holds from before `before_ms`, the oldest
// step first. The file keeps its size; SQLite reuses the freed pages (see ShrinkHistory).
// nullopt with *error (what to do) when it cannot.
std::optional<PruneResult> PruneHistory(const std::string& path, int64_t before_ms,
                                        std::string* error, const PruneOptions& options = {});

struct ShrinkResult {
  int64_t bytes_before = 0;  // the file and its write-ahead log
  int64_t bytes_after = 0;
  bool converted = false;  // a history made before incremental vacuuming, rewritten once
};

// Gives the history's free pages back to the file system. A history made by this version
// keeps SQLite's incremental auto-vacuum, which frees a batch of pages per transaction
// (pausing `pause_ms` after each), while a collector writes. An older one is rewritten once with
// VACUUM (which needs its size free again, and no writer: a running collector is refused with what
// to do).
std::optional<ShrinkResult> ShrinkHistory(const std::string& path, std::string* error,
                                          int pause_ms = 0);

}  // namespace hashmon

#endif  // HASHMON_STORE_PRUNE_H_
