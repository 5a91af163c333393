#include "ops/prometheus.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace hashmon {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const std::string& name, double value, const std::string& labels = "") {
    out_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + Num(value) + "\n";
  }
  static std::string Label(const char* key, const std::string& value) {
    return std::string(key) + "=\"" + Escape(value) + "\"";
  }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// A family of one unlabelled sample.
void Single(Writer& w, const char* name, const char* type, const char* help, double value) {
  w.Family(name, type, help);
  w.Sample(name, value);
}

void ByLabel(Writer& w, const char* name, const char* type, const char* help, const char* label,
             const std::map<std::string, int64_t>& values) {
  w.Family(name, type, help);
  for (const auto& [k, v] : values) w.Sample(name, static_cast<double>(v), Writer::Label(label, k));
}

// A family with one sample per source, labelled with it; `value` may say there is none.
template <typename Value>
void PerSource(Writer& w, const std::vector<LiveSnapshot>& live, const char* name, const char* type,
               const char* help, Value value) {
  w.Family(name, type, help);
  for (const auto& s : live) {
    if (const std::optional<double> v = value(s))
      w.Sample(name, *v, Writer::Label("source", s.source));
  }
}

// A counter of each source, by reason (a map member of the snapshot).
template <typename Number>
void PerSourceByReason(Writer& w, const std::vector<LiveSnapshot>& live, const char* name,
                       const char* help, std::map<std::string, Number> LiveSnapshot::*by_reason) {
  w.Family(name, "counter", help);
  for (const auto& s : live) {
    for (const auto& [reason, n] : s.*by_reason) {
      w.Sample(name, static_cast<double>(n),
               Writer::Label("source", s.source) + "," + Writer::Label("reason", reason));
    }
  }
}

// A counter of the sources that record (collect --record); nothing when none does.
void PerRecordingSource(Writer& w, const std::vector<LiveSnapshot>& live, const char* name,
                        const char* help, int64_t LiveSnapshot::*value) {
  if (std::none_of(live.begin(), live.end(), [](const LiveSnapshot& s) { return s.recording; }))
    return;
  PerSource(w, live, name, "counter", help, [value](const LiveSnapshot& s) {
    return s.recording ? std::optional<double>(static_cast<double>(s.*value)) : std::nullopt;
  });
}

// The sources share one pipeline: its figures come from the latest snapshot, the one that has
// seen the most.
const LiveSnapshot& Latest(const std::vector<LiveSnapshot>& live) {
  const LiveSnapshot* latest = &live.front();
  for (const auto& s : live) {
    if (s.pipeline.records > latest->pipeline.records) latest = &s;
  }
  return *latest;
}

void PipelineMetrics(Writer& w, const PipelineStats& p) {
  Single(w, "hashmon_records_received_total", "counter",
         "Records (lines or messages) read from the sources.", static_cast<double>(p.records));
  Single(w, "hashmon_posts_decoded_total", "counter", "Posts decoded from the records.",
         static_cast<double>(p.posts));
  ByLabel(w, "hashmon_records_rejected_total", "counter",
          "Records that could not be used, by reason.", "reason", p.errors);
  ByLabel(w, "hashmon_notices_total", "counter",
          "Stream notices (deletes, limits, keep-alives ...), by kind.", "reason", p.notices);
  Single(w, "hashmon_duplicates_total", "counter", "Posts seen before and not counted again.",
         static_cast<double>(p.duplicates));
  ByLabel(w, "hashmon_mentions_total", "counter", "Counted mentions of watched tags, by country.",
          "country", p.mentions_by_country);
  ByLabel(w, "hashmon_mentions_undetected_total", "counter",
          "Mentions counted and stored but not seen by detection: late (their minute had "
          "closed) or ahead (stamped ahead of the clock).",
          "reason", {{"late", p.late_mentions}, {"ahead", p.ahead_mentions}});
}

void SourceMetrics(Writer& w, const std::vector<LiveSnapshot>& live, int64_t now_ms) {
  PerSource(w, live, "hashmon_source_mentions_late_total", "counter",
            "Mentions each source delivered after their minute had closed (counted, stored, "
            "not seen by detection): a source that keeps adding here needs a longer lateness.",
            [](const LiveSnapshot& s) { return std::optional<double>(s.late_mentions); });
  PerRecordingSource(w, live, "hashmon_recorded_messages_total",
                     "Raw messages each source's recording holds (collect --record).",
                     &LiveSnapshot::recorded);
  PerRecordingSource(w, live, "hashmon_record_lost_messages_total",
                     "Raw messages missing from each source's recording: writes that failed (a "
                     "full disk). They were counted all the same.",
                     &LiveSnapshot::record_lost);
  PerSource(
      w, live, "hashmon_source_connected", "gauge", "1 while the source's stream is connected.",
      [](const LiveSnapshot& s) { return std::optional<double>(s.state == "connected" ? 1 : 0); });
  PerSourceByReason(w, live, "hashmon_reconnects_total", "Reconnections of each source, by reason.",
                    &LiveSnapshot::reconnects);
  PerSourceByReason(w, live, "hashmon_source_unwatched_seconds_total",
                    "Time each source went unwatched, by reason: disconnected, not running (what "
                    "the next connection did not get back), older than the server keeps "
                    "(Jetstream began later than the cursor). Recorded as gaps: no data, not zero "
                    "mentions.",
                    &LiveSnapshot::unwatched_seconds);
  PerSource(w, live, "hashmon_source_failovers_total", "counter",
            "Moves of each source to another host of its stream (Jetstream's instances) after "
            "failed connections.",
            [](const LiveSnapshot& s) { return std::optional<double>(s.failovers); });
  PerSource(w, live, "hashmon_received_bytes_total", "counter", "Bytes read from each source.",
            [](const LiveSnapshot& s) { return std::optional<double>(s.bytes); });
  PerSource(w, live, "hashmon_cursor_lag_seconds", "gauge",
            "How far each source's committed cursor (as event time) is behind the wall clock.",
            [now_ms](const LiveSnapshot& s) {
              return s.cursor_event_ms > 0
                         ? std::optional<double>((now_ms - s.cursor_event_ms) / 1000.0)
                         : std::nullopt;
            });
}

// Every source commits on its own schedule: the histogram adds them up.
void CommitMetrics(Writer& w, const std::vector<LiveSnapshot>& live) {
  std::array<int64_t, kCommitBuckets.size()> buckets{};
  int64_t count = 0, failures = 0;
  double seconds = 0;
  for (const auto& s : live) {
    for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += s.commit_buckets[i];
    count += s.commit_count;
    seconds += s.commit_seconds;
    failures += s.commit_failures;
  }
  w.Family("hashmon_sqlite_commit_duration_seconds", "histogram",
           "Time to commit a batch to SQLite.");
  for (size_t i = 0; i < kCommitBuckets.size(); ++i) {
    w.Sample("hashmon_sqlite_commit_duration_seconds_bucket", static_cast<double>(buckets[i]),
             Writer::Label("le", Num(kCommitBuckets[i])));
  }
  w.Sample("hashmon_sqlite_commit_duration_seconds_bucket", static_cast<double>(count),
           Writer::Label("le", "+Inf"));
  w.Sample("hashmon_sqlite_commit_duration_seconds_sum", seconds);
  w.Sample("hashmon_sqlite_commit_duration_seconds_count", static_cast<double>(count));
  Single(w, "hashmon_sqlite_commit_failures_total", "counter",
         "Commits that failed (busy or full disk); their counts are kept and retried.",
         static_cast<double>(failures));
}

void CollectorMetrics(Writer& w, const std::vector<LiveSnapshot>& live, int64_t now_ms) {
  const LiveSnapshot& latest = Latest(live);
  const PipelineStats& p = latest.pipeline;
  Single(w, "hashmon_start_time_seconds", "gauge",
         "When the process started, in seconds since the epoch.", latest.started_ms / 1000.0);
  PipelineMetrics(w, p);
  SourceMetrics(w, live, now_ms);
  w.Family("hashmon_last_post_timestamp_seconds", "gauge", "Event time of the newest post read.");
  if (p.newest_event_ms != INT64_MIN)
    w.Sample("hashmon_last_post_timestamp_seconds", p.newest_event_ms / 1000.0);
  Single(w, "hashmon_open_outages", "gauge", "Country outages currently firing.",
         static_cast<double>(latest.open_outages));
  CommitMetrics(w, live);
}

void DatabaseMetrics(Writer& w, const DbFacts& db, int64_t now_ms) {
  ByLabel(w, "hashmon_mentions_total", "counter",
          "Counted mentions of watched tags in the database, by country.", "country",
          db.mentions_by_country);
  Single(w, "hashmon_open_outages", "gauge",
         "Country outages currently firing, as the database shows them.",
         static_cast<double>(db.open_outages));
  w.Family("hashmon_last_count_timestamp_seconds", "gauge",
           "Start of the newest minute with a count.");
  if (db.newest_count_ms)
    w.Sample("hashmon_last_count_timestamp_seconds", db.newest_count_ms / 1000.0);
  w.Family("hashmon_checkpoint_age_seconds", "gauge", "Seconds since each source last committed.");
  for (const auto& [source, updated] : db.checkpoint_updated_s) {
    w.Sample("hashmon_checkpoint_age_seconds", now_ms / 1000.0 - static_cast<double>(updated),
             Writer::Label("source", source));
  }
}

void AlertMetrics(Writer& w, const AlertFacts& a) {
  Single(w, "hashmon_alerts_delivered_total", "counter", "Webhook alerts delivered.",
         static_cast<double>(a.delivered));
  Single(w, "hashmon_alert_delivery_failures_total", "counter",
         "Failed webhook deliveries (each is retried).", static_cast<double>(a.failed_attempts));
  Single(w, "hashmon_alerts_pending", "gauge", "Alerts in the outbox waiting for delivery.",
         static_cast<double>(a.pending));
  Single(w, "hashmon_alerts_silenced_total", "counter",
         "Webhook alerts not sent: a configured silence covered them, or they resolved an "
         "outage whose start was silenced.",
         static_cast<double>(a.silenced));
  Single(w, "hashmon_alerts_withdrawn_total", "counter",
         "Webhook alerts not sent: the country's provisional alert was withdrawn before "
         "they were due, or before it was confirmed (webhook_when=confirmed).",
         static_cast<double>(a.withdrawn));
}

void RetentionMetrics(Writer& w, const RetentionFacts& r) {
  Single(w, "hashmon_retention_deleted_counts_total", "counter",
         "Counts (rows of a tag, country and minute) deleted as older than keep_history.",
         static_cast<double>(r.deleted_counts));
  Single(w, "hashmon_retention_failed_passes_total", "counter",
         "Hourly retention passes that failed (the log says why; the next pass tries again).",
         static_cast<double>(r.failed_passes));
  if (r.last_pass_s > 0) {
    Single(w, "hashmon_retention_last_pass_timestamp_seconds", "gauge",
           "When the last retention pass had deleted everything older than keep_history.",
           static_cast<double>(r.last_pass_s));
  }
}

}  // namespace

std::string RenderMetrics(const std::vector<LiveSnapshot>& live, const DbFacts& db,
                          const AlertFacts* alerts, int64_t now_ms,
                          const RetentionFacts* retention) {
  Writer w;
  if (live.empty())
    DatabaseMetrics(w, db, now_ms);
  else
    CollectorMetrics(w, live, now_ms);
  if (db.database_bytes >= 0) {
    Single(w, "hashmon_database_bytes", "gauge",
           "Size of the SQLite history and its write-ahead log (see hashmon prune).",
           static_cast<double>(db.database_bytes));
  }
  if (alerts) AlertMetrics(w, *alerts);
  if (retention) RetentionMetrics(w, *retention);
  return w.text();
}

}  // namespace hashmon
