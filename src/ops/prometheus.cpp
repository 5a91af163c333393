#include "ops/prometheus.h"

#include <algorithm>
#include <cstdio>

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

void ByLabel(Writer& w, const char* name, const char* type, const char* help, const char* label,
             const std::map<std::string, int64_t>& values) {
  w.Family(name, type, help);
  for (const auto& [k, v] : values) w.Sample(name, static_cast<double>(v), Writer::Label(label, k));
}

// A counter of the sources that record (collect --record); nothing when none does.
void PerRecordingSource(Writer& w, const std::vector<LiveSnapshot>& live, const char* name,
                        const char* help, int64_t LiveSnapshot::*value) {
  if (std::none_of(live.begin(), live.end(), [](const LiveSnapshot& s) { return s.recording; }))
    return;
  w.Family(name, "counter", help);
  for (const auto& s : live) {
    if (s.recording)
      w.Sample(name, static_cast<double>(s.*value), Writer::Label("source", s.source));
  }
}

}  // namespace

std::string RenderMetrics(const std::vector<LiveSnapshot>& live, const DbFacts& db,
                          const AlertFacts* alerts, int64_t now_ms) {
  Writer w;
  if (!live.empty()) {
    // The sources share one pipeline: its counters come from the latest snapshot.
    const LiveSnapshot* latest = &live.front();
    for (const auto& s : live) {
      if (s.pipeline.records > latest->pipeline.records) latest = &s;
    }
    const PipelineStats& p = latest->pipeline;
    w.Family("hashmon_start_time_seconds", "gauge",
             "When the process started, in seconds since the epoch.");
    w.Sample("hashmon_start_time_seconds", latest->started_ms / 1000.0);
    w.Family("hashmon_records_received_total", "counter",
             "Records (lines or messages) read from the sources.");
    w.Sample("hashmon_records_received_total", static_cast<double>(p.records));
    w.Family("hashmon_posts_decoded_total", "counter", "Posts decoded from the records.");
    w.Sample("hashmon_posts_decoded_total", static_cast<double>(p.posts));
    ByLabel(w, "hashmon_records_rejected_total", "counter",
            "Records that could not be used, by reason.", "reason", p.errors);
    ByLabel(w, "hashmon_notices_total", "counter",
            "Stream notices (deletes, limits, keep-alives ...), by kind.", "reason", p.notices);
    w.Family("hashmon_duplicates_total", "counter", "Posts seen before and not counted again.");
    w.Sample("hashmon_duplicates_total", static_cast<double>(p.duplicates));
    ByLabel(w, "hashmon_mentions_total", "counter", "Counted mentions of watched tags, by country.",
            "country", p.mentions_by_country);
    ByLabel(w, "hashmon_mentions_undetected_total", "counter",
            "Mentions counted and stored but not seen by detection: late (their minute had "
            "closed) or ahead (stamped ahead of the clock).",
            "reason", {{"late", p.late_mentions}, {"ahead", p.ahead_mentions}});
    w.Family("hashmon_source_mentions_late_total", "counter",
             "Mentions each source delivered after their minute had closed (counted, stored, "
             "not seen by detection): a source that keeps adding here needs a longer lateness.");
    for (const auto& s : live) {
      w.Sample("hashmon_source_mentions_late_total", static_cast<double>(s.late_mentions),
               Writer::Label("source", s.source));
    }
    PerRecordingSource(w, live, "hashmon_recorded_messages_total",
                       "Raw messages each source's recording holds (collect --record).",
                       &LiveSnapshot::recorded);
    PerRecordingSource(w, live, "hashmon_record_lost_messages_total",
                       "Raw messages missing from each source's recording: writes that failed (a "
                       "full disk). They were counted all the same.",
                       &LiveSnapshot::record_lost);
    w.Family("hashmon_source_connected", "gauge", "1 while the source's stream is connected.");
    for (const auto& s : live) {
      w.Sample("hashmon_source_connected", s.state == "connected" ? 1 : 0,
               Writer::Label("source", s.source));
    }
    w.Family("hashmon_reconnects_total", "counter", "Reconnections of each source, by reason.");
    for (const auto& s : live) {
      for (const auto& [reason, n] : s.reconnects) {
        w.Sample("hashmon_reconnects_total", static_cast<double>(n),
                 Writer::Label("source", s.source) + "," + Writer::Label("reason", reason));
      }
    }
    w.Family("hashmon_received_bytes_total", "counter", "Bytes read from each source.");
    for (const auto& s : live) {
      w.Sample("hashmon_received_bytes_total", static_cast<double>(s.bytes),
               Writer::Label("source", s.source));
    }
    w.Family("hashmon_cursor_lag_seconds", "gauge",
             "How far each source's committed cursor (as event time) is behind the wall clock.");
    for (const auto& s : live) {
      if (s.cursor_event_ms > 0) {
        w.Sample("hashmon_cursor_lag_seconds", (now_ms - s.cursor_event_ms) / 1000.0,
                 Writer::Label("source", s.source));
      }
    }
    w.Family("hashmon_last_post_timestamp_seconds", "gauge", "Event time of the newest post read.");
    if (p.newest_event_ms != INT64_MIN)
      w.Sample("hashmon_last_post_timestamp_seconds", p.newest_event_ms / 1000.0);
    w.Family("hashmon_open_outages", "gauge", "Country outages currently firing.");
    w.Sample("hashmon_open_outages", static_cast<double>(latest->open_outages));
    // Every source commits on its own schedule: the histogram adds them up.
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
    w.Family("hashmon_sqlite_commit_failures_total", "counter",
             "Commits that failed (busy or full disk); their counts are kept and retried.");
    w.Sample("hashmon_sqlite_commit_failures_total", static_cast<double>(failures));
  } else {
    ByLabel(w, "hashmon_mentions_total", "counter",
            "Counted mentions of watched tags in the database, by country.", "country",
            db.mentions_by_country);
    w.Family("hashmon_open_outages", "gauge",
             "Country outages currently firing, as the database shows them.");
    w.Sample("hashmon_open_outages", static_cast<double>(db.open_outages));
    w.Family("hashmon_last_count_timestamp_seconds", "gauge",
             "Start of the newest minute with a count.");
    if (db.newest_count_ms)
      w.Sample("hashmon_last_count_timestamp_seconds", db.newest_count_ms / 1000.0);
    w.Family("hashmon_checkpoint_age_seconds", "gauge",
             "Seconds since each source last committed.");
    for (const auto& [source, updated] : db.checkpoint_updated_s) {
      w.Sample("hashmon_checkpoint_age_seconds", now_ms / 1000.0 - static_cast<double>(updated),
               Writer::Label("source", source));
    }
  }
  if (alerts) {
    w.Family("hashmon_alerts_delivered_total", "counter", "Webhook alerts delivered.");
    w.Sample("hashmon_alerts_delivered_total", static_cast<double>(alerts->delivered));
    w.Family("hashmon_alert_delivery_failures_total", "counter",
             "Failed webhook deliveries (each is retried).");
    w.Sample("hashmon_alert_delivery_failures_total", static_cast<double>(alerts->failed_attempts));
    w.Family("hashmon_alerts_pending", "gauge", "Alerts in the outbox waiting for delivery.");
    w.Sample("hashmon_alerts_pending", static_cast<double>(alerts->pending));
    w.Family("hashmon_alerts_silenced_total", "counter",
             "Webhook alerts not sent: a configured silence covered them, or they resolved an "
             "outage whose start was silenced.");
    w.Sample("hashmon_alerts_silenced_total", static_cast<double>(alerts->silenced));
    w.Family("hashmon_alerts_withdrawn_total", "counter",
             "Webhook alerts not sent: the country's provisional alert was withdrawn before "
             "they were due, or before it was confirmed (webhook_when=confirmed).");
    w.Sample("hashmon_alerts_withdrawn_total", static_cast<double>(alerts->withdrawn));
  }
  return w.text();
}

}  // namespace hashmon
