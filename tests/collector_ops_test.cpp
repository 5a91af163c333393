// The collector as an operator runs it: `hashmon collect --listen` serves live status and
// metrics while it reads, and with a webhook configured it announces the outages it finds.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "feed/feed_server.h"
#include "feed/http_stream.h"
#include "history_util.h"
#include "http_test_server.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::TempDir;

class CollectorOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 4000", tmp_.File("feed.jsonl")), 0);
    std::ifstream in(tmp_.File("feed.jsonl"));
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }

  // Starts `hashmon collect` with these extra arguments and environment; stderr to a file.
  pid_t Start(const std::string& args, const std::string& env = "") {
    const std::string cmd = env + " exec '" + std::string(HASHMON_BINARY) + "' collect " + args +
                            " 2> '" + tmp_.File("collect.log") + "'";
    testing::WriteFile(tmp_.File("collect.log"), "");
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  // The API port, once the collector has logged it.
  int ApiPort() {
    const std::regex served("dashboard on http://127\\.0\\.0\\.1:(\\d+)/");
    for (int attempt = 0; attempt < 2'000'000; ++attempt) {
      std::smatch m;
      const std::string log = testing::ReadFile(tmp_.File("collect.log"));
      if (std::regex_search(log, m, served)) return std::stoi(m[1]);
      std::this_thread::yield();
    }
    return -1;
  }

  TempDir tmp_;
  std::vector<std::string> lines_;
};

TEST_F(CollectorOpsTest, LiveStatusAndMetricsAreServedWhileCollecting) {
  // The stream stays open before its last line, as a live one does, however slow the machine:
  // one that ended (1.5 s at this rate) would leave the source reconnecting, not connected.
  FeedFaults open_at_the_end;
  open_at_the_end.stall_after_lines = static_cast<int>(lines_.size()) - 1;
  FeedServer feed(lines_, open_at_the_end, /*lines_per_second=*/3'000);
  std::string error;
  const int feed_port = feed.Start(0, &error);
  ASSERT_GT(feed_port, 0) << error;
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  const pid_t pid = Start("--source http://127.0.0.1:" + std::to_string(feed_port) + "/ --db '" +
                              tmp_.File("live.db") + "' --listen 127.0.0.1:0 --record '" +
                              tmp_.File("rec") + "' --keep-history 400d",
                          "HASHMON_WEBHOOK_URL='" + receiver.url() + "/hook'");
  const int port = ApiPort();
  ASSERT_GT(port, 0) << testing::ReadFile(tmp_.File("collect.log"));
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  // Wait (by polling, not sleeping) until the first commit is visible.
  std::string metrics;
  for (int attempt = 0; attempt < 20'000; ++attempt) {
    metrics = HttpCall("GET", base + "/metrics", {}, "", 10'000).body;
    if (metrics.find("hashmon_sqlite_commit_duration_seconds_count 0") == std::string::npos &&
        metrics.find("hashmon_sqlite_commit_duration_seconds_count") != std::string::npos &&
        metrics.find("hashmon_mentions_total{country=") != std::string::npos) {
      break;
    }
  }
  for (const char* family :
       {"hashmon_records_received_total", "hashmon_posts_decoded_total",
        "hashmon_mentions_total{country=", "hashmon_source_connected{source=",
        "hashmon_cursor_lag_seconds{source=", "hashmon_open_outages",
        "hashmon_source_mentions_late_total{source=", "hashmon_recorded_messages_total{source=",
        "hashmon_record_lost_messages_total{source=",
        "# TYPE hashmon_source_unwatched_seconds_total",
        "hashmon_sqlite_commit_duration_seconds_bucket{le=\"+Inf\"}"}) {
    EXPECT_NE(metrics.find(family), std::string::npos) << family << "\n" << metrics;
  }
  // Every metric the shipped Prometheus rules and Grafana dashboard use is one hashmon serves
  // (a histogram's series by the name of its family).
  for (const char* file :
       {"/scripts/prometheus/hashmon-rules.yml", "/scripts/grafana/hashmon-dashboard.json"}) {
    const std::string text = testing::ReadFile(std::string(HASHMON_SOURCE_DIR) + file);
    const std::regex metric("(hashmon_[a-z_]+?)(_bucket)?\\b");
    int named = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), metric);
         it != std::sregex_iterator(); ++it, ++named) {
      EXPECT_NE(metrics.find("# TYPE " + (*it)[1].str() + " "), std::string::npos)
          << (*it)[1].str() << " in " << file;
    }
    EXPECT_GE(named, 10) << file;
  }
  rapidjson::Document status;
  status.Parse(HttpCall("GET", base + "/api/v1/status", {}, "", 10'000).body.c_str());
  ASSERT_TRUE(status.IsObject());
  EXPECT_TRUE(status["live"].GetBool());
  EXPECT_STREQ(status["sources"][0]["state"].GetString(), "connected");
  EXPECT_EQ(std::string(status["sources"][0]["url"].GetString()).rfind("http://127.0.0.1:", 0), 0u)
      << status["sources"][0]["url"].GetString();
  EXPECT_TRUE(status["sources"][0]["cursor_lag_seconds"].IsNumber());
  EXPECT_TRUE(status["sources"][0]["late_mentions"].IsInt64());
  EXPECT_TRUE(status["sources"][0]["zstd_dictionary"].IsNull());  // not Jetstream v2
  EXPECT_EQ(status["sources"][0]["failovers"].GetInt64(), 0);
  EXPECT_TRUE(status["sources"][0]["unwatched_seconds"].IsObject());  // by reason; no gap yet
  EXPECT_TRUE(status["sources"][0]["recorded"].IsInt64());
  EXPECT_EQ(status["sources"][0]["record_lost"].GetInt64(), 0);
  // keep_history: what is kept, and what its passes deleted (nothing here: all is new).
  ASSERT_TRUE(status["retention"].IsObject());
  EXPECT_EQ(status["retention"]["keep_seconds"].GetInt64(), 400 * 86'400);
  EXPECT_TRUE(status["retention"]["keeps_since"].IsString());
  EXPECT_EQ(status["retention"]["deleted_counts"].GetInt64(), 0);
  EXPECT_EQ(status["retention"]["failed_passes"].GetInt64(), 0);
  EXPECT_TRUE(status["retention"]["last_pass"].IsString() ||
              status["retention"]["last_pass"].IsNull());
  EXPECT_EQ(HttpCall("GET", base + "/readyz", {}, "", 10'000).status, 200);
  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  feed.Stop();
}

TEST_F(CollectorOpsTest, WhatACollectorRecordsReplaysToItsHistory) {
  FeedFaults faults;
  faults.garbage_every_lines = 700;
  FeedServer feed(lines_, faults);
  std::string error;
  const int feed_port = feed.Start(0, &error);
  ASSERT_GT(feed_port, 0) << error;
  const std::string rec = tmp_.File("rec");
  const pid_t pid = Start("--until-eof --source http://127.0.0.1:" + std::to_string(feed_port) +
                          "/ --db '" + tmp_.File("live.db") + "' --record '" + rec + "'");
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
      << testing::ReadFile(tmp_.File("collect.log"));
  feed.Stop();
  const std::string log = testing::ReadFile(tmp_.File("collect.log"));
  EXPECT_NE(log.find("recording "), std::string::npos);
  // What it read, and what of it could carry a watched tag (the pre-filter passes over the
  // rest): the feed's bytes, and fewer posts than it holds.
  std::smatch said;
  ASSERT_TRUE(std::regex_search(
      log, said,
      std::regex("stopped: ([0-9.]+) MB received, ([0-9]+) posts parsed, [0-9]+ mentions, 0 "
                 "reconnects")))
      << log;
  EXPECT_GT(std::stod(said[1]), 1.0);
  EXPECT_LT(std::stoul(said[2]), lines_.size());
  ASSERT_EQ(testing::RunHashmon("replay -q --db '" + tmp_.File("replayed.db") + "' '" + rec + "'")
                .exit_code,
            0);
  const std::string live = testing::HistoryOf(tmp_.File("live.db"));
  EXPECT_NE(live.find("outage"), std::string::npos);
  EXPECT_EQ(testing::HistoryOf(tmp_.File("replayed.db")), live);
}

TEST_F(CollectorOpsTest, ARecordingDirectoryThatCannotBeWrittenIsSaidAtTheStart) {
  testing::WriteFile(tmp_.File("a-file"), "");
  auto r =
      testing::RunHashmonSaying("collect --source http://127.0.0.1:9/ --db '" + tmp_.File("x.db") +
                                "' --record '" + tmp_.File("a-file") + "/archive'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("cannot write the recording into " + tmp_.File("a-file") + "/archive"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("give --record (or \"record\" in the config) a directory this user may "
                       "write"),
            std::string::npos)
      << r.out;
  auto rec = testing::RunHashmonSaying("record --source http://127.0.0.1:9/ --out '" +
                                       tmp_.File("a-file") + "/rec'");
  EXPECT_EQ(rec.exit_code, 2);
  EXPECT_NE(rec.out.find("give --out a directory"), std::string::npos) << rec.out;
}

TEST_F(CollectorOpsTest, AWebhookHearsOfEachOutageAsItStartsAndEnds) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  FeedServer feed(lines_, {});
  std::string error;
  const int feed_port = feed.Start(0, &error);
  ASSERT_GT(feed_port, 0) << error;
  const pid_t pid = Start("--until-eof --source http://127.0.0.1:" + std::to_string(feed_port) +
                              "/ --db '" + tmp_.File("alerts.db") + "'",
                          "HASHMON_WEBHOOK_URL='" + receiver.url() + "/hook'");
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
      << testing::ReadFile(tmp_.File("collect.log"));
  int firing = 0, resolved = 0;
  for (const auto& r : receiver.requests()) {
    firing += r.body.find(R"("status":"firing")") != std::string::npos;
    resolved += r.body.find(R"("status":"resolved")") != std::string::npos;
  }
  EXPECT_GE(firing, 7);
  EXPECT_EQ(firing, resolved);
}

TEST_F(CollectorOpsTest, SeveralSourcesAreCollectedAtOnceIntoOneHistory) {
  // The same day on X (NDJSON over HTTP) and on Bluesky (Jetstream over WebSocket).
  const std::string jetstream_feed = tmp_.File("jetstream.jsonl");
  ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 4000 --format jetstream", jetstream_feed), 0);
  const std::vector<std::string> jetstream_lines = testing::ReadLines(jetstream_feed);
  FeedServer x(lines_, {});
  FeedServer bluesky(jetstream_lines, {}, 0, FeedProtocol::kJetstream);
  std::string error;
  const int x_port = x.Start(0, &error);
  const int bluesky_port = bluesky.Start(0, &error);
  ASSERT_GT(x_port, 0);
  ASSERT_GT(bluesky_port, 0);
  const std::string db = tmp_.File("both.db");
  const pid_t pid = Start("--until-eof --source http://127.0.0.1:" + std::to_string(x_port) +
                          "/ --source ws://127.0.0.1:" + std::to_string(bluesky_port) +
                          "/subscribe --db '" + db + "' --record '" + tmp_.File("rec") + "'");
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
      << testing::ReadFile(tmp_.File("collect.log"));
  // The counts are those of replaying both recordings (a post counts once per network).
  const std::string replayed = tmp_.File("replayed.db");
  ASSERT_EQ(testing::RunHashmon("replay -q --db '" + replayed + "' '" + tmp_.File("feed.jsonl") +
                                "' '" + jetstream_feed + "'")
                .exit_code,
            0);
  const std::string counts =
      "query counts --format csv --since 2016-01-19 --until 2016-01-20 --country all --db ";
  const auto collected_counts = testing::RunHashmon(counts + "'" + db + "'");
  const auto replayed_counts = testing::RunHashmon(counts + "'" + replayed + "'");
  EXPECT_GT(collected_counts.out.size(), 1000u);
  EXPECT_EQ(collected_counts.out, replayed_counts.out);
  // Each source was recorded in a directory of its own; replayed as two inputs, merged by
  // event time, they give the same counts again.
  const std::string x_dir = tmp_.File("rec/http-127.0.0.1-" + std::to_string(x_port));
  const std::string bluesky_dir =
      tmp_.File("rec/ws-127.0.0.1-" + std::to_string(bluesky_port) + "-subscribe");
  ASSERT_TRUE(std::filesystem::is_directory(x_dir));
  ASSERT_TRUE(std::filesystem::is_directory(bluesky_dir));
  const std::string from_recordings = tmp_.File("from-recordings.db");
  ASSERT_EQ(testing::RunHashmon("replay -q --db '" + from_recordings + "' '" + x_dir + "' '" +
                                bluesky_dir + "'")
                .exit_code,
            0);
  EXPECT_EQ(testing::RunHashmon(counts + "'" + from_recordings + "'").out, collected_counts.out);
  // Neither stream broke, so neither left a gap; each source committed its own cursor.
  EXPECT_EQ(testing::RunHashmon("query gaps --format json --db '" + db + "'").out, "[]\n");
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(d.execAndGet("SELECT COUNT(*) FROM checkpoints").getInt(), 2);
}

TEST_F(CollectorOpsTest, KeepHistoryDeletesWhatIsOlderAtTheStartAndKeepsWhatItCollects) {
  // A history with a count and a spike of a year ago, then ten minutes of posts from GB
  // that end now.
  const std::string db = tmp_.File("kept.db");
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const int64_t year_ago = now_s / 60 * 60 - 365 * 86'400;
  {
    std::string error;
    auto store = SqliteStore::OpenForWriting(db, &error);
    ASSERT_TRUE(store) << error;
    store->db().exec(
        "INSERT INTO buckets (tag, country, minute, method, count) VALUES "
        "('twitterdown', 'BR', " +
        std::to_string(year_ago) +
        ", 'place', 4); "
        "INSERT INTO spikes (tag, country, minute, count, expected, score) VALUES "
        "('twitterdown', 'BR', " +
        std::to_string(year_ago) + ", 4, 0.1, 0.999)");
  }
  std::vector<std::string> recent;
  for (int i = 0; i < 200; ++i) {
    recent.push_back(R"({"id_str":")" + std::to_string(i) + R"(","timestamp_ms":")" +
                     std::to_string((now_s - 600) * 1000 + i * 3000) +
                     R"(","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]},)"
                     R"("place":{"country_code":"GB"}})");
  }
  FeedServer feed(recent, {});
  std::string error;
  const int feed_port = feed.Start(0, &error);
  ASSERT_GT(feed_port, 0) << error;
  const pid_t pid = Start("--until-eof --keep-history 30d --source http://127.0.0.1:" +
                          std::to_string(feed_port) + "/ --db '" + db + "'");
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  const std::string log = testing::ReadFile(tmp_.File("collect.log"));
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << log;
  feed.Stop();
  EXPECT_NE(log.find("keeping 30d of history in " + db), std::string::npos) << log;
  EXPECT_NE(log.find("keep_history: deleted what came before"), std::string::npos) << log;
  EXPECT_NE(log.find("1 counts, 1 spikes, 0 gaps"), std::string::npos) << log;
  SQLite::Database d(db);
  EXPECT_EQ(d.execAndGet("SELECT COUNT(*) FROM spikes WHERE country = 'BR'").getInt(), 0);
  EXPECT_EQ(
      d.execAndGet("SELECT COALESCE(SUM(count), 0) FROM buckets WHERE country = 'BR'").getInt64(),
      0);
  EXPECT_EQ(d.execAndGet("SELECT SUM(count) FROM buckets WHERE country = 'GB'").getInt64(), 200);
  EXPECT_EQ(d.execAndGet("SELECT mentions FROM series WHERE country = 'GB'").getInt64(), 200);
}

}  // namespace
}  // namespace hashmon
