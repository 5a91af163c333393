// `hashmon collect --check`: the settings a collector would start with, checked and shown
// without connecting to anything, writing anything or taking the database's lock, so a
// deployment (or systemd's ExecStartPre) can refuse a bad config before it replaces a
// running collector.
#ifndef HASHMON_CLI_COLLECT_CHECK_H_
#define HASHMON_CLI_COLLECT_CHECK_H_

#include <string>
#include <vector>

#include "cli/settings.h"
#include "hashmon/pipeline.h"

namespace hashmon {

// Prints the settings (secrets hidden) on stdout and each problem found on stderr, with
// what to do; returns 0 when the collector could start with them, else 1. `record_dirs`:
// where each source would be recorded (empty: no recording).
int PrintCollectCheck(const Settings& settings, const PipelineConfig& config,
                      const std::vector<SourceSpec>& specs,
                      const std::vector<std::string>& record_dirs);

// `hashmon collect --test-webhook`: sends the configured webhook a test alert (marked as a
// test, with the label test="true") and its resolution, in the configured format, and says
// what the receiver answered; 0 when it took both, else 1 with what to check.
int SendTestAlert(const Settings& settings, const PipelineConfig& config);

}  // namespace hashmon

#endif  // HASHMON_CLI_COLLECT_CHECK_H_
