// What a running collector shows the HTTP API: a snapshot it publishes at each commit
// (about once a second). The API only ever reads the snapshot, under a short lock, so
// serving never touches the collector's own objects or blocks its writes.
#ifndef HASHMON_OPS_LIVE_STATUS_H_
#define HASHMON_OPS_LIVE_STATUS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "hashmon/pipeline.h"

namespace hashmon {

// Upper bounds (seconds) of the SQLite commit latency histogram.
inline constexpr std::array<double, 10> kCommitBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,  0.1,    0.25,  0.5,  1.0};

struct LiveSnapshot {
  int64_t started_ms = 0;
  // The source.
  std::string source;              // a name without tokens or query string
  std::string url;                 // where it connects now (another host after a failover)
  std::string state = "starting";  // connecting, connected, reconnecting, stopped
  int64_t connected_since_ms = 0;
  int64_t last_data_ms = 0;
  int64_t connections = 0;
  std::map<std::string, int64_t> reconnects;  // by reason
  int64_t failovers = 0;                      // moves to another host of the stream
  int64_t gap_filled = 0;
  std::map<std::string, double> unwatched_seconds;  // the gaps recorded, by reason
  int64_t bytes = 0;
  int64_t late_mentions = 0;     // this source's mentions that came too late for detection
  uint32_t zstd_dictionary = 0;  // Jetstream v2: the dictionary its messages come compressed with
  // `collect --record`: messages written to the recording, and those a failed write lost.
  bool recording = false;
  int64_t recorded = 0;
  int64_t record_lost = 0;
  // What was read and counted.
  PipelineStats pipeline;
  int64_t cursor_event_ms = 0;  // event time the committed cursor stands for
  int64_t open_outages = 0;
  // Commits.
  int64_t last_commit_ms = 0;
  int64_t commit_failures = 0;
  std::array<int64_t, kCommitBuckets.size()> commit_buckets{};  // cumulative counts per bound
  int64_t commit_count = 0;
  double commit_seconds = 0;
};

class LiveStatus {
 public:
  template <typename Fn>
  void Update(Fn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    fn(snapshot_);
  }
  LiveSnapshot Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshot_;
  }
  // Records one commit's latency in the histogram.
  void ObserveCommit(double seconds, bool ok);

 private:
  mutable std::mutex mu_;
  LiveSnapshot snapshot_;
};

}  // namespace hashmon

#endif  // HASHMON_OPS_LIVE_STATUS_H_
