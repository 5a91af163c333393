// The live collector against a real HTTP feed server on 127.0.0.1 (Boost.Beast), with
// faults injected: whatever happens on the wire, the history ends equal to a clean replay.
#include "feed/collector.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "feed/feed_server.h"
#include "feed/replayer.h"
#include "hashmon/decoder.h"
#include "hashmon/time_util.h"
#include "history_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::TempDir;

class CollectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    locator_ = CountryLocator::FromEmbeddedData().release();
    dir_ = new TempDir();
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 4000", dir_->File("feed.jsonl")), 0);
    std::ifstream in(dir_->File("feed.jsonl"));
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }
  static void TearDownTestSuite() {
    delete locator_;
    delete dir_;
  }

  static std::string Counts(const std::string& db) { return testing::HistoryOf(db); }

  std::string Replayed() {
    return testing::ReplayHistory(dir_->File("feed.jsonl"), tmp_.File("replay.db"), locator_);
  }

  // Starts `server` on a free loopback port and returns its URL.
  static std::string Started(FeedServer& server) {
    std::string error;
    const int port = server.Start(0, &error);
    EXPECT_GT(port, 0) << error;
    return "http://127.0.0.1:" + std::to_string(port) + "/";
  }

  // Collects from a feed server with these faults until the stream ends.
  testing::CollectRun CollectFrom(const FeedFaults& faults, CollectOptions o = {}) {
    FeedServer server(lines_, faults);
    std::string error;
    const int port = server.Start(0, &error);
    EXPECT_GT(port, 0) << error;
    o.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    auto run = testing::CollectHistory(o, tmp_.File("collect" + std::to_string(++runs_) + ".db"),
                                       locator_, [&] { return server.stalled(); });
    server.Stop();
    EXPECT_TRUE(run.ok) << run.log;
    return run;
  }
  std::string Collected(const FeedFaults& faults, CollectStats* stats = nullptr,
                        std::string* log_text = nullptr) {
    const testing::CollectRun run = CollectFrom(faults);
    if (stats) *stats = run.stats;
    if (log_text) *log_text = run.log;
    return run.history;
  }

  static CountryLocator* locator_;
  static TempDir* dir_;
  static std::vector<std::string> lines_;
  TempDir tmp_;
  int runs_ = 0;
};
CountryLocator* CollectorTest::locator_ = nullptr;
TempDir* CollectorTest::dir_ = nullptr;
std::vector<std::string> CollectorTest::lines_;

TEST_F(CollectorTest, ACleanStreamGivesTheSameHistoryAsAReplay) {
  const std::string expected = Replayed();
  ASSERT_NE(expected.find("outage"), std::string::npos);
  EXPECT_EQ(Collected({}), expected);
}

TEST_F(CollectorTest, APostTooLateForDetectionIsCountedForItsSource) {
  // At the end of the day, a post stamped 00:00:30 (a server relaying it a day late):
  // stored in its own minute, and counted as too late for detection, for the source that
  // sent it (with several sources, the one that needs a longer lateness), which the log
  // names. A day late is not worth a longer lateness, so the log does not suggest one.
  std::vector<std::string> lines = lines_;
  lines.push_back(
      R"({"id_str":"late1","timestamp_ms":"1453161630000","text":"#twitterdown",)"
      R"("entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})");
  FeedServer server(lines, {});
  CollectOptions o;
  o.url = Started(server);
  const std::string db = tmp_.File("late.db");
  auto run = testing::CollectHistory(o, db, locator_, [&] { return server.stalled(); });
  ASSERT_TRUE(run.ok) << run.log;
  CollectStats on_time;
  Collected({}, &on_time);
  EXPECT_EQ(run.stats.late_mentions, on_time.late_mentions + 1);
  EXPECT_NE(run.history.find("2016-01-19T00:00"), std::string::npos);
  EXPECT_NE(run.log.find("came too late for detection"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find(" h behind the newest posts"), std::string::npos) << run.log;
  EXPECT_EQ(run.log.find("raise --lateness"), std::string::npos) << run.log;
}

TEST_F(CollectorTest, FaultsOnTheWireChangeNothing) {
  const std::string expected = Replayed();
  FeedFaults f;
  f.statuses = {503, 429, 503};
  f.drop_after_lines = 1500;
  f.garbage_every_lines = 997;
  f.backfill_lines = 40;  // the reconnect resends posts: de-duplication must hold
  CollectStats stats;
  EXPECT_EQ(Collected(f, &stats), expected);
  EXPECT_GE(stats.reconnects, 4);
  EXPECT_EQ(stats.failures["http_503"], 2);
  EXPECT_EQ(stats.failures["http_429"], 1);
}

// X's stream drops at 09:00, in the thick of the outage, and the posts of the next seconds
// are lost with the connection. A collector that may backfill asks the new connection for
// the minute it was away (`backfill_minutes`), gets them, and drops those it already had.
TEST_F(CollectorTest, BackfillBringsBackWhatWasPostedWhileTheStreamWasDown) {
  const std::string expected = Replayed();
  Decoder decoder;
  const int64_t nine = *ParseIsoTime("2016-01-19T09:00:00Z");
  size_t at_nine = 0;
  while (at_nine < lines_.size() && decoder.DecodeCopy(lines_[at_nine]).post.created_at < nine)
    ++at_nine;
  FeedFaults faults;
  faults.drop_after_lines = static_cast<int>(at_nine);  // (all it sent arrives before the end)
  faults.lost_lines = 20;                               // ten seconds of the outage's posts
  faults.resend_after_fault = false;
  const testing::CollectRun lost = CollectFrom(faults);
  EXPECT_EQ(lost.stats.reconnects, 1);
  EXPECT_NE(lost.history, expected);
  // The time away is a gap of the source's, in the history and in `query gaps`.
  const std::string gaps = testing::RunHashmon("query gaps --format csv --db " + lost.db).out;
  EXPECT_EQ(std::count(gaps.begin(), gaps.end(), '\n'), 2) << gaps;  // a header and the gap
  EXPECT_NE(gaps.find("\nhttp:http://127.0.0.1:"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find(",disconnected\n"), std::string::npos) << gaps;
  CollectOptions backfill;
  backfill.backfill_max_minutes = 5;
  const testing::CollectRun backfilled = CollectFrom(faults, backfill);
  EXPECT_EQ(backfilled.stats.reconnects, 1);
  EXPECT_EQ(backfilled.history, expected);
  EXPECT_GT(backfilled.duplicates, 0);  // the minute before the drop, again
}

// The collector is stopped at 09:00, in the thick of the outage, and started again at
// 11:00. X's stream (like any stream without a resume) does not send what was posted in
// between; with backfill it sends the last 5 minutes of it, but not in event time (live
// posts may come first). The two hours were not watched, so they are a gap ("not running"
// in `query gaps`), and the outage is not taken to have ended when nobody was looking.
TEST_F(CollectorTest, TheTimeTheCollectorWasNotRunningIsAGapNotTheOutagesEnd) {
  const int64_t nine = *ParseIsoTime("2016-01-19T09:00:00Z");
  const int64_t eleven = *ParseIsoTime("2016-01-19T11:00:00Z");
  const auto [before, after] = testing::SplitByPostTime(lines_, nine, eleven);
  for (const auto& [backfill_minutes, watched_again] :
       {std::pair{0, "2016-01-19T11:00:00Z"}, std::pair{5, "2016-01-19T11:00:00Z"}}) {
    SCOPED_TRACE(backfill_minutes);
    const std::string db = tmp_.File("restarted" + std::to_string(backfill_minutes) + ".db");
    int port = 0;  // the same URL both times: the same source
    for (const auto& [lines, wall_ms] : {std::pair{&before, nine}, std::pair{&after, eleven}}) {
      FeedServer server(*lines, {});
      std::string error;
      port = server.Start(port, &error);
      ASSERT_GT(port, 0) << error;
      CollectOptions o;
      o.url = "http://127.0.0.1:" + std::to_string(port) + "/";
      o.backfill_max_minutes = backfill_minutes;
      const testing::CollectRun run = testing::CollectLiveUntilCut(o, db, locator_, wall_ms);
      EXPECT_NE(run.log.find("giving up after 1 failed connections"), std::string::npos) << run.log;
      if (wall_ms == eleven) {  // what /metrics and /api/v1/status show of it
        EXPECT_EQ(run.stats.unwatched_ms,
                  (std::map<std::string, int64_t>{{"not running", 120 * 60'000}}));
      }
    }
    const std::string day = " --since 2016-01-19T00:00:00Z --until 2016-01-20T00:00:00Z --db " + db;
    const std::string gaps = testing::RunHashmon("query gaps --format csv" + day).out;
    EXPECT_EQ(std::count(gaps.begin(), gaps.end(), '\n'), 2) << gaps;  // a header and the gap
    EXPECT_NE(gaps.find(std::string(",2016-01-19T09:00:00Z,") + watched_again + ",not running\n"),
              std::string::npos)
        << gaps;
    // Each country's outage began, and ended no earlier than it was watched again.
    const std::string outages = testing::RunHashmon("query outages --format csv" + day).out;
    std::istringstream rows(outages);
    std::string row;
    std::getline(rows, row);  // id,tag,country,started,detected_at,ended,...
    int countries = 0;
    for (; std::getline(rows, row); ++countries) {
      std::vector<std::string> cells;
      std::istringstream in(row);
      for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
      ASSERT_GT(cells.size(), 5u) << row;
      EXPECT_EQ(cells[3].substr(0, 15), "2016-01-19T08:1") << row;
      EXPECT_GE(cells[5], watched_again) << row;
    }
    EXPECT_GE(countries, 7) << outages;
  }
}

TEST_F(CollectorTest, ALineTooLongToKeepIsDroppedWholeOnce) {
  // 40 MB of garbage (past the 16 MiB a line may take) ending in a post: none of it counts,
  // the line is one error, and every post after it counts as in a clean stream.
  std::vector<std::string> lines = lines_;
  lines.insert(lines.begin() + 100,
               std::string(40'000'000, 'x') +
                   R"({"id_str":"tail","timestamp_ms":"1453191300000","text":"#twitterdown",)"
                   R"("entities":{"hashtags":[{"text":"twitterdown"}]}})");
  FeedFaults in_pieces;
  in_pieces.chunk_bytes = 1 << 20;  // the long line comes in 40 chunks
  in_pieces.split_lines = true;
  FeedServer server(lines, in_pieces);
  CollectOptions o;
  o.url = Started(server);
  auto run =
      testing::CollectHistory(o, tmp_.File("long.db"), locator_, [&] { return server.stalled(); });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.errors, (std::map<std::string, int64_t>{{"line_too_long", 1}}));
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(CollectorTest, ATruncatedChunkAndAStallAreReconnectedThrough) {
  const std::string expected = Replayed();
  FeedFaults torn;
  torn.truncate_after_lines = 1234;
  EXPECT_EQ(Collected(torn), expected);
  FeedFaults stall;
  stall.stall_after_lines = 2000;
  CollectStats stats;
  EXPECT_EQ(Collected(stall, &stats), expected);
  EXPECT_EQ(stats.failures["stalled"], 1);
}

// The stream stalls: the socket stays open and nothing comes. Only after the idle timeout
// (3 minutes here) does the collector call it dead and reconnect. An X stream does not
// send again what was posted meanwhile, so the source went unwatched from its last bytes,
// not from when the stall was noticed.
TEST_F(CollectorTest, AStalledStreamWentUnwatchedFromItsLastBytes) {
  const int64_t stalled_at = *ParseIsoTime("2016-01-19T08:13:30Z");
  FeedFaults stall;
  stall.stall_after_lines = 2000;
  FeedServer server(lines_, stall);
  CollectOptions o;
  o.url = Started(server);
  o.idle_timeout_ms = 3 * 60'000;
  const std::string db = tmp_.File("stalled.db");
  const testing::CollectRun run = testing::CollectHistory(
      o, db, locator_, [&] { return server.stalled(); },
      [&](SqliteStore*, FakeClock* clock) { clock->Advance(stalled_at - clock->NowMs()); });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.stats.failures.at("stalled"), 1);
  ASSERT_EQ(run.stats.unwatched_ms.size(), 1u);
  EXPECT_GE(run.stats.unwatched_ms.at("disconnected"), o.idle_timeout_ms);
  const std::string gaps =
      testing::RunHashmon("query gaps --format csv --since 2016-01-19T00:00:00Z --db " + db).out;
  EXPECT_NE(gaps.find(",2016-01-19T08:13:30Z,2016-01-19T08:1"), std::string::npos) << gaps;
}

TEST_F(CollectorTest, ARefusedTokenSaysWhatToFixAndIsNotRetriedInATightLoop) {
  FeedFaults f;
  f.statuses = {401, 401};
  std::string log_text;
  CollectStats stats;
  Collected(f, &stats, &log_text);
  EXPECT_NE(log_text.find("HASHMON_X_BEARER_TOKEN"), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("retrying in 3"), std::string::npos) << log_text;  // 320+ s, not at once
}

TEST_F(CollectorTest, APathTheServerDoesNotHaveSaysToCheckTheUrlAndIsRetried) {
  const std::string expected = Replayed();
  FeedFaults f;
  f.statuses = {404};  // then the stream (a relay that was restarting)
  std::string log_text;
  CollectStats stats;
  EXPECT_EQ(Collected(f, &stats, &log_text), expected);
  EXPECT_NE(log_text.find("HTTP 404: the server has no stream at that path; check the source URL"),
            std::string::npos)
      << log_text;
}

// collect and record say the same of a reconnect: what to fix, where the user can.
TEST(ReconnectNoteTest, SaysWhatToFixWhereTheUserCan) {
  const std::string url = "http://127.0.0.1:9/feed?token=SECRET";
  StreamOutcome refused;
  refused.failure = FailureKind::kAuth;
  refused.http_status = 401;
  refused.message = "HTTP 401";
  ReconnectNote note =
      DescribeReconnect(refused, FailureReason(refused), true, url, "set THE_TOKEN", 5'000);
  EXPECT_EQ(note.level, LogLevel::kError);
  EXPECT_EQ(note.text,
            "the server refused the credentials (HTTP 401): set THE_TOKEN; retrying in 5.0 s");
  StreamOutcome missing;
  missing.http_status = 404;
  missing.message = "HTTP 404";
  EXPECT_EQ(DescribeReconnect(missing, FailureReason(missing), true, url, "", 0).text,
            "stream http_404 (HTTP 404: the server has no stream at that path; check the source "
            "URL); reconnecting in 0.0 s");
  StreamOutcome unanswered;
  unanswered.message = "connection refused";
  note = DescribeReconnect(unanswered, FailureReason(unanswered), false, url, "", 300);
  EXPECT_EQ(note.text,
            "stream network (connection refused; nothing has answered at "
            "http://127.0.0.1:9/feed?token=REDACTED since the start: check its host and port, and "
            "that the server runs); reconnecting in 0.3 s");
  // Once a server has answered, a dropped connection is the network's, not a wrong address.
  EXPECT_EQ(DescribeReconnect(unanswered, "network", true, url, "", 300).text,
            "stream network (connection refused); reconnecting in 0.3 s");
}

TEST_F(CollectorTest, AHostAndPortWhereNothingAnswersSaysToCheckThem) {
  const int port = testing::PortNobodyListensOn();
  ASSERT_GT(port, 0);
  CollectOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/subscribe?token=SECRET";
  o.max_failures = 2;
  const testing::CollectRun run =
      testing::CollectHistory(o, tmp_.File("nothing.db"), locator_, nullptr);
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.log.find("; nothing has answered at http://127.0.0.1:" + std::to_string(port) +
                         "/subscribe?token=REDACTED since the start: check its host and port"),
            std::string::npos)
      << run.log;
  EXPECT_EQ(run.log.find("SECRET"), std::string::npos) << run.log;
}

TEST_F(CollectorTest, AReaderSlowerThanTheNetworkHoldsTheServerBackInsteadOfBuffering) {
  const std::string expected = Replayed();
  // The feed four times over (about 100 MB): the repeats are duplicates, so the history
  // is the same, but far more than the kernel's socket buffers can hold.
  std::vector<std::string> big;
  for (int i = 0; i < 4; ++i) big.insert(big.end(), lines_.begin(), lines_.end());
  FeedFaults faults;
  faults.chunk_bytes = 64 << 10;
  FeedServer server(big, faults);
  CollectOptions o;
  o.url = Started(server);
  int64_t sent_while_stuck = -1;
  o.before_chunk = [&] {
    if (sent_while_stuck >= 0) return;
    // The reader stops at its first piece until the server can send no more: its writes
    // block once the socket buffers are full, if nothing buffers the body in memory.
    int64_t last = -1;
    for (int still = 0; still < 200'000; ++still) {
      const int64_t now = server.lines_sent();
      if (now != last) still = 0, last = now;
      std::this_thread::yield();
    }
    sent_while_stuck = last;
  };
  auto run = testing::CollectHistory(o, tmp_.File("slow.db"), locator_, nullptr);
  server.Stop();
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, expected);
  EXPECT_GT(sent_while_stuck, 0);
  EXPECT_LT(sent_while_stuck, static_cast<int64_t>(big.size()) / 2)
      << "the server sent " << sent_while_stuck << " of " << big.size()
      << " lines to a reader that read nothing";
}

}  // namespace
}  // namespace hashmon

namespace hashmon {
namespace {

TEST_F(CollectorTest, SigkillAnywhereLeavesTheHistoryOfACleanReplay) {
  const std::string expected = Replayed();
  FeedServer server(lines_, {}, /*lines_per_second=*/15'000);
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const std::string db = tmp_.File("killed.db");
  const int kills = testing::KillAtRandomMoments(
      server,
      [&] {
        return testing::StartCollectorProcess(url, db, {"--resume-param", "cursor"});
      },
      8, 20160119);
  EXPECT_GE(kills, 3);
  const pid_t last = testing::StartCollectorProcess(url, db, {"--resume-param", "cursor"});
  int status = 0;
  waitpid(last, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  server.Stop();
  EXPECT_EQ(Counts(db), expected);
}

}  // namespace
}  // namespace hashmon

#include "feed/recorder.h"

namespace hashmon {
namespace {

TEST_F(CollectorTest, ARecordingReplaysToTheSameHistory) {
  const std::string expected = Replayed();
  FeedServer server(lines_, {});
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  const std::string out = tmp_.File("rec");
  auto r =
      testing::RunHashmon("record --until-eof --source http://127.0.0.1:" + std::to_string(port) +
                          "/ --out '" + out + "'");
  ASSERT_EQ(r.exit_code, 0);
  server.Stop();
  const std::string db = tmp_.File("rec.db");
  ASSERT_EQ(testing::RunHashmon("replay -q --db '" + db + "' '" + out + "'").exit_code, 0);
  EXPECT_EQ(Counts(db), expected);
}

TEST_F(CollectorTest, AResumeCursorCountsEveryLineReceivedSoNothingIsSentTwice) {
  // Every line is parsed (all carry the tag) or skipped by the pre-filter, and some are not
  // JSON: the cursor counts them all, so the reconnect resumes at the torn line itself,
  // not at the stream's start (de-duplication would hide that, at the cost of the resend).
  FeedFaults f;
  f.garbage_every_lines = 300;
  f.truncate_after_lines = 1000;
  FeedServer server(lines_, f);
  CollectOptions o;
  o.url = Started(server);
  o.resume_param = "cursor";
  auto run = testing::CollectHistory(o, tmp_.File("resumed.db"), locator_,
                                     [&] { return server.stalled(); });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.lines_sent(), static_cast<int64_t>(lines_.size()));
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(CollectorTest, ASourceIsKeptUnderANameWithoutItsCredentialsAndResumesFromTheOldOne) {
  FeedServer server(lines_, {});
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  const std::string host = "127.0.0.1:" + std::to_string(port);
  CollectOptions o;
  o.url = "http://reader:hunter2@" + host + "/?tag=twitterdown&access_token=s3cret";
  o.resume_param = "cursor";
  const std::string safe_name = "http:http://" + host + "/?tag=twitterdown&access_token=REDACTED";
  // A collector from before 2026-12 named the source by its whole URL, had been
  // disconnected from it once, and had read 1000 lines of it when it stopped.
  auto run = testing::CollectHistory(
      o, tmp_.File("renamed.db"), locator_, nullptr, [&](SqliteStore* store, FakeClock* clock) {
        Batch before;
        before.gaps.push_back({"http:" + o.url, clock->NowMs(), clock->NowMs() + 60'000, "eof"});
        store->Commit(before, {{"http:" + o.url, "1000"}});
      });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(server.lines_sent(), static_cast<int64_t>(lines_.size()) - 1000);  // resumed
  SQLite::Database db(run.db);
  SQLite::Statement sources(db, "SELECT source FROM checkpoints UNION SELECT source FROM gaps");
  std::vector<std::string> names;
  while (sources.executeStep()) names.push_back(sources.getColumn(0).getString());
  EXPECT_EQ(names, std::vector<std::string>{safe_name});
  for (const char* secret : {"hunter2", "s3cret"})
    EXPECT_EQ(run.log.find(secret), std::string::npos) << run.log;
}

TEST_F(CollectorTest, ADamagedCursorIsSaidAndTheStreamIsReadFromItsStart) {
  FeedServer server(lines_, {});
  CollectOptions o;
  o.url = Started(server);
  o.resume_param = "cursor";
  auto run = testing::CollectHistory(o, tmp_.File("damaged.db"), locator_, nullptr,
                                     [&](SqliteStore* store, FakeClock*) {
                                       store->Commit({}, {{"http:" + o.url, "12abc"}});
                                     });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_NE(run.log.find("the saved cursor \"12abc\" is not a number"), std::string::npos)
      << run.log;
  EXPECT_EQ(server.lines_sent(), static_cast<int64_t>(lines_.size()));
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(CollectorTest, ACollectorThatRecordsWritesWhatReplaysToItsOwnHistory) {
  // Faults that a recording must get right: bad lines, a drop mid-line.
  FeedFaults f;
  f.garbage_every_lines = 500;
  f.truncate_after_lines = 1500;
  FeedServer server(lines_, f);
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  FakeClock record_clock(*ParseIsoTime("2026-12-02T10:00:00Z"));
  const std::string out = tmp_.File("recorded");
  CollectOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  o.resume_param = "cursor";  // the reconnect resumes at the torn line
  std::unique_ptr<Recorder> recorder = std::make_unique<Recorder>(out, &record_clock);
  o.recorder = recorder.get();
  auto run = testing::CollectHistory(o, tmp_.File("collected.db"), locator_,
                                     [&] { return server.stalled(); });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(recorder->lost(), 0);
  EXPECT_GT(recorder->lines(), static_cast<int64_t>(lines_.size()));  // with the garbage
  recorder.reset();                                                   // flushed and closed
  EXPECT_EQ(
      testing::ReplayHistory(out + "/2026-12-02T10.jsonl.zst", tmp_.File("from-rec.db"), locator_),
      run.history);
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(CollectorTest, ATornRecordingIsReplayedUpToTheTear) {
  FakeClock clock(*ParseIsoTime("2026-11-24T10:00:00Z"));
  const std::string out = tmp_.File("torn");
  std::string error;
  {
    Recorder rec(out, &clock);
    for (size_t i = 0; i < 300; ++i) {
      ASSERT_TRUE(rec.Write(lines_[i], &error)) << error;
      if (i % 100 == 99) clock.Advance(1000);  // a frame ends every second
    }
  }
  const std::string file = out + "/2026-11-24T10.jsonl.zst";
  const std::string whole = testing::ReadFile(file);
  testing::WriteFile(file, whole.substr(0, whole.size() - 50));  // a crash tore the last frame
  std::ostringstream log_out;
  Logger log(&log_out, &clock);
  Pipeline pipeline(PipelineConfig{}, locator_);
  auto store = SqliteStore::OpenForWriting(tmp_.File("torn.db"), &error);
  ReplayOptions o;
  o.prefilter = false;
  Replayer replayer(&pipeline, store.get(), &clock, &log, o);
  ASSERT_TRUE(replayer.ReplayPath(file, &error)) << error;
  EXPECT_EQ(pipeline.stats().errors.count("truncated_file"), 1u);
  // What libarchive decoded before the tear is kept (it decodes in 64 KiB steps, so up to
  // that much before the tear can go with it); the replay itself goes on.
  EXPECT_GT(pipeline.stats().records, 0);
  EXPECT_LT(pipeline.stats().records, 300);
}

}  // namespace
}  // namespace hashmon

namespace hashmon {
namespace {

// `hashmon collect` from a server on loopback, as a child process; `nohup` starts it with
// SIGHUP ignored, as nohup(1) does. Its log goes to `log_file`, if given.
pid_t StartCollecting(int port, const std::string& db, bool nohup = false,
                      const std::string& log_file = "/dev/null") {
  const pid_t pid = fork();
  if (pid == 0) {
    freopen(log_file.c_str(), "w", stderr);
    if (nohup) signal(SIGHUP, SIG_IGN);
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
    execl(HASHMON_BINARY, HASHMON_BINARY, "collect", "--source", url.c_str(), "--db", db.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// SIGTERM as systemd stops it, SIGINT as Ctrl-C does, SIGHUP as a closed terminal does.
TEST_F(CollectorTest, AStopSignalCommitsAndExitsCleanly) {
  for (const int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
    FeedServer server(lines_, {}, /*lines_per_second=*/2'000);
    std::string error;
    const int port = server.Start(0, &error);
    ASSERT_GT(port, 0) << error;
    const std::string db = tmp_.File("stop-" + std::to_string(signal_number) + ".db");
    const pid_t pid = StartCollecting(port, db);
    while (server.lines_sent() < 1500) std::this_thread::yield();
    kill(pid, signal_number);
    int status = 0;
    waitpid(pid, &status, 0);
    server.Stop();
    ASSERT_TRUE(WIFEXITED(status)) << strsignal(signal_number);
    EXPECT_EQ(WEXITSTATUS(status), 0) << strsignal(signal_number);
    // What it read was committed, with the source's cursor.
    auto store = SqliteStore::OpenReadOnly(db, &error);
    ASSERT_TRUE(store) << error;
    EXPECT_FALSE(store->QueryCounts(CountQuery{}).empty());
    EXPECT_TRUE(
        store->LoadCheckpoint("http:http://127.0.0.1:" + std::to_string(port) + "/").has_value());
  }
}

TEST_F(CollectorTest, UnderNohupAHangupDoesNotStopIt) {
  FeedServer server(lines_, {}, /*lines_per_second=*/2'000);
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  const pid_t pid = StartCollecting(port, tmp_.File("nohup.db"), /*nohup=*/true);
  while (server.lines_sent() < 500) std::this_thread::yield();
  kill(pid, SIGHUP);
  int status = 0;
  // It reads on: had it stopped, the server could send no more than its socket holds.
  while (server.lines_sent() < 3000) {
    ASSERT_EQ(waitpid(pid, &status, WNOHANG), 0) << "stopped by the hangup";
    std::this_thread::yield();
  }
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  server.Stop();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A stop that waits on a database it cannot write (held by another process here) is cut
// short by a second signal: the user chose to lose what was not saved.
TEST_F(CollectorTest, ASecondStopSignalEndsAStopThatWaitsForTheDatabase) {
  for (const int signal_number : {SIGTERM, SIGINT}) {
    const std::string db = tmp_.File("second-" + std::to_string(signal_number) + ".db");
    const std::string log_file = db + ".log";
    std::string error;
    { ASSERT_TRUE(SqliteStore::OpenForWriting(db, &error)) << error; }
    SQLite::Database blocker(db, SQLite::OPEN_READWRITE);
    blocker.exec("BEGIN IMMEDIATE");
    FeedServer server(lines_, {}, /*lines_per_second=*/2'000);
    const int port = server.Start(0, &error);
    ASSERT_GT(port, 0) << error;
    const pid_t pid = StartCollecting(port, db, /*nohup=*/false, log_file);
    while (server.lines_sent() < 500) std::this_thread::yield();
    kill(pid, signal_number);
    while (testing::ReadFile(log_file).find("stopping, but") == std::string::npos) {
      ASSERT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << testing::ReadFile(log_file);
      std::this_thread::yield();
    }
    kill(pid, signal_number);
    int status = 0;
    waitpid(pid, &status, 0);
    server.Stop();
    ASSERT_TRUE(WIFSIGNALED(status)) << strsignal(signal_number);
    EXPECT_EQ(WTERMSIG(status), signal_number);
  }
}

TEST_F(CollectorTest, ALockedDatabaseLosesNoCountsAndTheStreamFlowsOn) {
  const std::string db = tmp_.File("locked.db");
  std::string error;
  { ASSERT_TRUE(SqliteStore::OpenForWriting(db, &error)) << error; }
  // Another process holds the write lock for the first part of the stream.
  auto blocker = std::make_unique<SQLite::Database>(db, SQLite::OPEN_READWRITE);
  blocker->exec("BEGIN IMMEDIATE");
  FeedServer server(lines_, {});
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  CollectOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  o.commit_every_ms = 0;  // try at every piece; failed attempts back off in clock time
  FakeClock* clock = nullptr;
  int pieces = 0;
  o.before_chunk = [&] {
    if (++pieces == 20) blocker.reset();  // rolls back and lets go
    clock->Advance(500);
  };
  auto run =
      testing::CollectHistory(o, db, locator_, nullptr, [&](SqliteStore* store, FakeClock* c) {
        store->set_busy_timeout_ms(0);
        clock = c;
      });
  server.Stop();
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_GT(pieces, 20);
  EXPECT_NE(run.log.find("cannot write to the database"), std::string::npos) << run.log;
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(CollectorTest, AFullDiskLosesNoCountsAndTheStreamFlowsOn) {
  // The database may not grow (SQLite's max_page_count gives the error a full disk gives)
  // for the first part of the stream: the counts wait in memory, the log says what to do,
  // and once there is room the history is that of a clean replay.
  const std::string db = tmp_.File("full.db");
  FeedServer server(lines_, {});
  CollectOptions o;
  o.url = Started(server);
  o.commit_every_ms = 0;
  SqliteStore* store = nullptr;
  FakeClock* clock = nullptr;
  int pieces = 0;
  o.before_chunk = [&] {
    if (++pieces == 1000) store->db().exec("PRAGMA max_page_count = 1000000000");  // room again
    clock->Advance(500);
  };
  auto run = testing::CollectHistory(o, db, locator_, nullptr, [&](SqliteStore* s, FakeClock* c) {
    const int pages = s->db().execAndGet("PRAGMA page_count").getInt();
    s->db().exec("PRAGMA max_page_count = " + std::to_string(pages));
    store = s;
    clock = c;
  });
  server.Stop();
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_GT(pieces, 1000) << run.log;
  EXPECT_NE(run.log.find("cannot write to the database: database or disk is full"),
            std::string::npos)
      << run.log;
  EXPECT_NE(run.log.find("free disk space"), std::string::npos) << run.log;
  EXPECT_EQ(run.history, Replayed());
}

// The stream ends (or a signal stops it) while the disk is still full: the last counts are
// all the collector has of them, so it retries for a while before it stops, and whoever
// frees the disk meanwhile loses nothing.
TEST_F(CollectorTest, AStoppingCollectorRetriesItsLastCommitUntilTheDiskHasRoom) {
  const std::string db = tmp_.File("full-at-end.db");
  FeedServer server(lines_, {});
  CollectOptions o;
  o.url = Started(server);
  FakeClock* clock = nullptr;
  auto run = testing::CollectHistory(o, db, locator_, nullptr, [&](SqliteStore* s, FakeClock* c) {
    const int pages = s->db().execAndGet("PRAGMA page_count").getInt();
    s->db().exec("PRAGMA max_page_count = " + std::to_string(pages));
    clock = c;
    clock->OnSleep([s, c] {
      if (c->slept_ms() >= 7'000) s->db().exec("PRAGMA max_page_count = 1000000000");
    });
  });
  server.Stop();
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_NE(run.log.find("stopping, but "), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("are not saved yet (database or disk is full); retrying for up to 1 min"),
            std::string::npos)
      << run.log;
  EXPECT_NE(run.log.find("saved at last"), std::string::npos) << run.log;
  EXPECT_EQ(clock->slept_ms(), 7'000);  // 1 + 2 + 4 s: it retried while it waited
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(CollectorTest, AStoppingCollectorGivesUpAfterItsGraceAndSaysWhatWasNotSaved) {
  FeedServer server(lines_, {});
  CollectOptions o;
  o.url = Started(server);
  o.exit_commit_grace_ms = 45'000;
  FakeClock* clock = nullptr;
  auto run = testing::CollectHistory(
      o, tmp_.File("full-for-good.db"), locator_, nullptr, [&](SqliteStore* s, FakeClock* c) {
        const int pages = s->db().execAndGet("PRAGMA page_count").getInt();
        s->db().exec("PRAGMA max_page_count = " + std::to_string(pages));
        clock = c;
      });
  server.Stop();
  EXPECT_FALSE(run.ok);
  EXPECT_EQ(clock->slept_ms(), 45'000);  // the grace, and not a moment more
  EXPECT_NE(run.log.find("gave up: "), std::string::npos) << run.log;
  EXPECT_NE(run.log.find(" mentions (posted from 2016-01-19T"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("were not saved (database or disk is full)"), std::string::npos)
      << run.log;
}

// X says why it closes a stream in a line of its own, which carries no tag: the log says
// it, whichever piece of the stream the line ends, with the text made safe for a terminal.
TEST_F(CollectorTest, AnXStreamsLastWordsAreLogged) {
  std::vector<std::string> lines(lines_.begin(), lines_.begin() + 50);
  lines.push_back(
      R"({"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect",)"
      R"("detail":"This stream has been disconnected upstream for operational reasons.\u001b[2J",)"
      R"("type":"https://api.x.com/2/problems/operational-disconnect"}]})");
  // A line a piece, many lines a piece, and pieces of 7 bytes cut anywhere.
  for (const auto& [chunk, split] :
       {std::pair{size_t{0}, false}, std::pair{size_t{65536}, false}, std::pair{size_t{7}, true}}) {
    FeedFaults faults;
    faults.chunk_bytes = chunk;
    faults.split_lines = split;
    FeedServer server(lines, faults);
    CollectOptions o;
    o.url = Started(server);
    auto run = testing::CollectHistory(o, tmp_.File("x-says-" + std::to_string(chunk) + ".db"),
                                       locator_, nullptr);
    server.Stop();
    EXPECT_TRUE(run.ok) << run.log;
    EXPECT_NE(run.log.find(": the server says: operational-disconnect (This stream has been "
                           "disconnected upstream for operational reasons.\\x1b[2J)"),
              std::string::npos)
        << run.log;
  }
}

TEST_F(CollectorTest, ASecondCollectorOnTheSameDatabaseRefusesToStart) {
  const std::string db = tmp_.File("two.db");
  std::string error;
  auto first = SqliteStore::OpenForWriting(db, &error);
  ASSERT_TRUE(first);
  auto r = testing::RunHashmonSaying("collect --source http://127.0.0.1:9/ --db '" + db + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("another hashmon process is writing to " + db), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stop it first or use another --db"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hashmon
