// /metrics as Prometheus reads it: each family declared once with its HELP and TYPE before its
// samples, one sample per source where a figure is a source's own, and the figures of the
// pipeline the sources share taken once.
#include "ops/prometheus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace hashmon {
namespace {

constexpr int64_t kNow = 1'453'192'200'000;  // 2016-01-19T08:30:00Z

LiveSnapshot Source(const std::string& name, int64_t records) {
  LiveSnapshot s;
  s.started_ms = kNow - 60'000;
  s.source = name;
  s.state = "connected";
  s.pipeline.records = records;
  s.pipeline.posts = records / 2;
  s.pipeline.mentions_by_country = {{"BR", records / 4}};
  s.pipeline.newest_event_ms = kNow - 2'000;
  s.bytes = records * 100;
  s.cursor_event_ms = kNow - 5'000;
  s.commit_buckets.fill(1);
  s.commit_buckets.back() = 2;
  s.commit_count = 2;
  s.commit_seconds = 0.5;
  s.commit_failures = 1;
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Each family's name as `# TYPE` declares it, in order.
std::vector<std::string> Families(const std::string& text) {
  std::vector<std::string> names;
  static const std::regex type(R"(^# TYPE (\S+) (counter|gauge|histogram)$)");
  for (const auto& line : Lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, type)) names.push_back(m[1]);
  }
  return names;
}

bool Has(const std::string& text, const std::string& line) {
  for (const auto& l : Lines(text)) {
    if (l == line) return true;
  }
  return false;
}

TEST(PrometheusTest, EachFamilyIsDeclaredOnceWithItsHelpBeforeItsSamples) {
  const std::string text =
      RenderMetrics({Source("jetstream", 10), Source("x", 20)}, {}, nullptr, kNow);
  std::set<std::string> declared;
  std::string current;
  for (const auto& line : Lines(text)) {
    if (line.rfind("# HELP ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(declared.insert(current).second) << current << " declared twice";
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_EQ(line.substr(7, current.size() + 1), current + " ") << line;
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(name.rfind(current, 0), 0u) << line << " outside its family " << current;
  }
  EXPECT_GE(declared.size(), 15u);
}

TEST(PrometheusTest, TheSharedPipelineIsCountedOnceFromTheSourceThatSawTheMost) {
  const std::string text =
      RenderMetrics({Source("jetstream", 10), Source("x", 20)}, {}, nullptr, kNow);
  EXPECT_TRUE(Has(text, "hashmon_records_received_total 20"));
  EXPECT_TRUE(Has(text, "hashmon_posts_decoded_total 10"));
  EXPECT_TRUE(Has(text, "hashmon_mentions_total{country=\"BR\"} 5"));
  EXPECT_TRUE(Has(text, "hashmon_last_post_timestamp_seconds 1453192198"));
}

TEST(PrometheusTest, EachSourceHasItsOwnConnectionBytesAndLag) {
  LiveSnapshot x = Source("x", 20);
  x.state = "reconnecting";
  x.reconnects = {{"timeout", 3}};
  x.unwatched_seconds = {{"disconnected", 12.5}, {"not running", 7200}};
  LiveSnapshot jetstream = Source("jetstream", 10);
  jetstream.failovers = 2;
  const std::string text = RenderMetrics({jetstream, x}, {}, nullptr, kNow);
  EXPECT_TRUE(Has(text, "hashmon_source_failovers_total{source=\"jetstream\"} 2"));
  EXPECT_TRUE(Has(text, "hashmon_source_failovers_total{source=\"x\"} 0"));
  EXPECT_TRUE(Has(text, "hashmon_source_connected{source=\"jetstream\"} 1"));
  EXPECT_TRUE(Has(text, "hashmon_source_connected{source=\"x\"} 0"));
  EXPECT_TRUE(Has(text, "hashmon_reconnects_total{source=\"x\",reason=\"timeout\"} 3"));
  EXPECT_TRUE(Has(
      text, "hashmon_source_unwatched_seconds_total{source=\"x\",reason=\"disconnected\"} 12.5"));
  EXPECT_TRUE(Has(
      text, "hashmon_source_unwatched_seconds_total{source=\"x\",reason=\"not running\"} 7200"));
  EXPECT_TRUE(Has(text, "hashmon_received_bytes_total{source=\"jetstream\"} 1000"));
  EXPECT_TRUE(Has(text, "hashmon_cursor_lag_seconds{source=\"x\"} 5"));
}

TEST(PrometheusTest, TheCommitHistogramAddsUpEverySourcesCommits) {
  const std::string text =
      RenderMetrics({Source("jetstream", 10), Source("x", 20)}, {}, nullptr, kNow);
  EXPECT_TRUE(Has(text, "hashmon_sqlite_commit_duration_seconds_bucket{le=\"0.001\"} 2"));
  EXPECT_TRUE(Has(text, "hashmon_sqlite_commit_duration_seconds_bucket{le=\"1\"} 4"));
  EXPECT_TRUE(Has(text, "hashmon_sqlite_commit_duration_seconds_bucket{le=\"+Inf\"} 4"));
  EXPECT_TRUE(Has(text, "hashmon_sqlite_commit_duration_seconds_sum 1"));
  EXPECT_TRUE(Has(text, "hashmon_sqlite_commit_duration_seconds_count 4"));
  EXPECT_TRUE(Has(text, "hashmon_sqlite_commit_failures_total 2"));
}

TEST(PrometheusTest, RecordingFamiliesAppearOnlyWhenASourceRecords) {
  const auto without = Families(RenderMetrics({Source("x", 20)}, {}, nullptr, kNow));
  EXPECT_EQ(std::count(without.begin(), without.end(), "hashmon_recorded_messages_total"), 0);

  LiveSnapshot recording = Source("x", 20);
  recording.recording = true;
  recording.recorded = 19;
  recording.record_lost = 1;
  const std::string text = RenderMetrics({Source("jetstream", 10), recording}, {}, nullptr, kNow);
  EXPECT_TRUE(Has(text, "hashmon_recorded_messages_total{source=\"x\"} 19"));
  EXPECT_TRUE(Has(text, "hashmon_record_lost_messages_total{source=\"x\"} 1"));
  EXPECT_EQ(text.find("hashmon_recorded_messages_total{source=\"jetstream\"}"), std::string::npos);
}

TEST(PrometheusTest, AReadOnlyServerShowsWhatTheDatabaseHolds) {
  DbFacts db;
  db.open_outages = 2;
  db.newest_count_ms = kNow - 60'000;
  db.mentions_by_country = {{"PH", 7}};
  db.checkpoint_updated_s = {{"jetstream", kNow / 1000 - 30}};
  db.database_bytes = 1'134'067'712;
  const std::string text = RenderMetrics({}, db, nullptr, kNow);
  EXPECT_TRUE(Has(text, "hashmon_database_bytes 1134067712"));
  EXPECT_TRUE(Has(RenderMetrics({Source("x", 20)}, db, nullptr, kNow),
                  "hashmon_database_bytes 1134067712"));  // a collector shows it too
  EXPECT_TRUE(Has(text, "hashmon_mentions_total{country=\"PH\"} 7"));
  EXPECT_TRUE(Has(text, "hashmon_open_outages 2"));
  EXPECT_TRUE(Has(text, "hashmon_last_count_timestamp_seconds 1453192140"));
  EXPECT_TRUE(Has(text, "hashmon_checkpoint_age_seconds{source=\"jetstream\"} 30"));
  EXPECT_EQ(text.find("hashmon_records_received_total"), std::string::npos);
}

TEST(PrometheusTest, AlertFiguresAppearWithAWebhook) {
  EXPECT_EQ(RenderMetrics({}, {}, nullptr, kNow).find("hashmon_alerts"), std::string::npos);
  AlertFacts alerts{5, 1, 2, 3, 4};
  const std::string text = RenderMetrics({}, {}, &alerts, kNow);
  EXPECT_TRUE(Has(text, "hashmon_alerts_delivered_total 5"));
  EXPECT_TRUE(Has(text, "hashmon_alert_delivery_failures_total 1"));
  EXPECT_TRUE(Has(text, "hashmon_alerts_pending 2"));
  EXPECT_TRUE(Has(text, "hashmon_alerts_silenced_total 3"));
  EXPECT_TRUE(Has(text, "hashmon_alerts_withdrawn_total 4"));
}

TEST(PrometheusTest, LabelValuesAreEscaped) {
  const std::string text = RenderMetrics({Source("a\"b\\c\nd", 10)}, {}, nullptr, kNow);
  EXPECT_TRUE(Has(text, R"(hashmon_received_bytes_total{source="a\"b\\c\nd"} 1000)"));
}

TEST(PrometheusTest, RetentionFiguresAppearWithKeepHistory) {
  EXPECT_EQ(RenderMetrics({}, {}, nullptr, kNow).find("hashmon_retention"), std::string::npos);
  RetentionFacts retention{86'400, 1, 0};
  const std::string text = RenderMetrics({Source("x", 20)}, {}, nullptr, kNow, &retention);
  EXPECT_TRUE(Has(text, "hashmon_retention_deleted_counts_total 86400"));
  EXPECT_TRUE(Has(text, "hashmon_retention_failed_passes_total 1"));
  EXPECT_EQ(text.find("hashmon_retention_last_pass_timestamp_seconds"), std::string::npos);
  retention.last_pass_s = kNow / 1000;
  EXPECT_TRUE(Has(RenderMetrics({Source("x", 20)}, {}, nullptr, kNow, &retention),
                  "hashmon_retention_last_pass_timestamp_seconds 1453192200"));
}

}  // namespace
}  // namespace hashmon
