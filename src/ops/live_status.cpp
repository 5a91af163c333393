#include "ops/live_status.h"

namespace hashmon {

void LiveStatus::ObserveCommit(double seconds, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < kCommitBuckets.size(); ++i) {
    if (seconds <= kCommitBuckets[i]) ++snapshot_.commit_buckets[i];
  }
  ++snapshot_.commit_count;
  snapshot_.commit_seconds += seconds;
  if (!ok) ++snapshot_.commit_failures;
}

}  // namespace hashmon
