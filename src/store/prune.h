// Retention: what a history holds from before a time, deleted while a collector goes on
// writing it. Counts, spikes and the gaps that ended by then go; outages, their evidence
// and the detectors' state (which carries what the baselines learnt) stay.
#ifndef HASHMON_STORE_PRUNE_H_
#define HASHMON_STORE_PRUNE_H_

#include <cstdint>
#include <optional>
#include <string>

namespace hashmon {

struct PruneResult {
  int64_t counts = 0;  // rows of `buckets`
  int64_t spikes = 0;
  int64_t gaps = 0;
};

// Deletes from the history at `path` what it holds from before `before_ms`, an hour of
// counts per transaction, so that a collector's commit waits for at most one hour's delete
// (SQLite has one writer at a time). The file keeps its size; SQLite reuses the freed pages.
// nullopt with *error (what to do) when it cannot.
std::optional<PruneResult> PruneHistory(const std::string& path, int64_t before_ms,
                                        std::string* error);

}  // namespace hashmon

#endif  // HASHMON_STORE_PRUNE_H_
