// /metrics in the Prometheus text format (version 0.0.4): counters end in _total, times
// are seconds, and labels stay low-cardinality (reason, country, source).
#ifndef HASHMON_OPS_PROMETHEUS_H_
#define HASHMON_OPS_PROMETHEUS_H_

#include <map>
#include <string>
#include <vector>

#include "ops/live_status.h"

namespace hashmon {

// What the database shows, for a read-only `hashmon serve` (no collector in the process).
struct DbFacts {
  int64_t open_outages = 0;
  int64_t newest_count_ms = 0;
  std::map<std::string, int64_t> mentions_by_country;
  std::map<std::string, int64_t> checkpoint_updated_s;  // by source
  // The database file and its write-ahead log, in bytes (-1: not known), so that growth
  // can be watched and `hashmon prune` run in time; shown by a collector too.
  int64_t database_bytes = -1;
};

struct AlertFacts {
  int64_t delivered = 0;
  int64_t failed_attempts = 0;
  int64_t pending = 0;
  int64_t silenced = 0;
  int64_t withdrawn = 0;
};

// A collector's retention (keep_history).
struct RetentionFacts {
  int64_t deleted_counts = 0;
  int64_t failed_passes = 0;
  int64_t last_pass_s = 0;  // 0: none finished yet
};

// `live` holds one snapshot per source of a collector (their pipeline is shared), and is
// empty in a read-only server; `alerts` is null without a webhook, `retention` without
// keep_history.
std::string RenderMetrics(const std::vector<LiveSnapshot>& live, const DbFacts& db,
                          const AlertFacts* alerts, int64_t now_ms,
                          const RetentionFacts* retention = nullptr);

}  // namespace hashmon

#endif  // HASHMON_OPS_PROMETHEUS_H_
