// Bluesky Jetstream over a real WebSocket on 127.0.0.1: served by hashmon's own feed
// server (Boost.Beast, with faults) and by Python's websockets package, a server this
// project did not write. Whatever happens on the wire, the history equals a clean replay.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

#include "feed/collector.h"
#include "feed/feed_server.h"
#include "hashmon/decoder.h"
#include "hashmon/time_util.h"
#include "history_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::TempDir;

class JetstreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    locator_ = CountryLocator::FromEmbeddedData().release();
    dir_ = new TempDir();
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 4000 --format jetstream", Feed()), 0);
    lines_ =
        testing::ReadLines(Feed());  // set up again for the v2 suite, which derives from this one
  }
  static void TearDownTestSuite() {
    delete locator_;
    delete dir_;
  }
  static std::string Feed() { return dir_->File("jetstream.jsonl"); }

  std::string Replayed() {
    return testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_);
  }

  static CollectOptions Jetstream(int port) {
    CollectOptions o;
    o.protocol = StreamProtocol::kJetstream;
    o.url = "ws://127.0.0.1:" + std::to_string(port) + "/subscribe";
    return o;
  }

  testing::CollectRun Collect(const FeedFaults& faults, const std::string& db_name) {
    FeedServer server(lines_, faults, 0, FeedProtocol::kJetstream);
    std::string error;
    const int port = server.Start(0, &error);
    EXPECT_GT(port, 0) << error;
    auto run = testing::CollectHistory(Jetstream(port), tmp_.File(db_name), locator_,
                                       [&] { return server.stalled(); });
    EXPECT_TRUE(run.ok) << run.log;
    server.Stop();
    return run;
  }

  static CountryLocator* locator_;
  static TempDir* dir_;
  static std::vector<std::string> lines_;
  TempDir tmp_;
};
CountryLocator* JetstreamTest::locator_ = nullptr;
TempDir* JetstreamTest::dir_ = nullptr;
std::vector<std::string> JetstreamTest::lines_;

TEST_F(JetstreamTest, TheTimeCursorIsReadWithoutParsing) {
  EXPECT_EQ(JetstreamTimeUs(R"({"did":"did:plc:x","time_us":1725911162329308,"kind":"commit"})"),
            1725911162329308);
  EXPECT_EQ(
      JetstreamTimeUs(R"({"did":"x","commit":{"record":{"text":"\"time_us\":5"}},"time_us":7})"),
      7);
  EXPECT_EQ(JetstreamTimeUs(R"({"kind":"identity"})"), 0);
}

TEST_F(JetstreamTest, AWebSocketStreamGivesTheSameHistoryAsAReplay) {
  const std::string expected = Replayed();
  ASSERT_NE(expected.find("outage"), std::string::npos) << expected;
  auto run = Collect({}, "clean.db");
  EXPECT_EQ(run.history, expected);
  EXPECT_EQ(run.stats.connections, 1);
}

TEST_F(JetstreamTest, DropsTornMessagesGarbageAndStallsChangeNothing) {
  const std::string expected = Replayed();
  FeedFaults drop;
  drop.drop_after_lines = 1500;
  drop.garbage_every_lines = 997;
  auto dropped = Collect(drop, "drop.db");
  EXPECT_EQ(dropped.history, expected);
  EXPECT_GE(dropped.stats.reconnects, 1);
  EXPECT_EQ(dropped.stats.unwatched_ms.count("disconnected"), 1u);  // listed all the same
  FeedFaults torn;
  torn.truncate_after_lines = 2222;
  EXPECT_EQ(Collect(torn, "torn.db").history, expected);
  FeedFaults stall;
  stall.stall_after_lines = 3000;
  auto stalled = Collect(stall, "stall.db");
  EXPECT_EQ(stalled.history, expected);
  EXPECT_EQ(stalled.stats.failures["stalled"], 1);
}

// The connection stalls at 08:13:30, just before the outage, and the collector calls it
// dead 3 minutes later (the idle timeout). The disconnection is listed in `query gaps`, but
// the server sends again from the time cursor what was posted meanwhile, in order: the
// minutes of the onset are judged as they would have been, and the outage is found and
// dated as if the connection had never stalled. (An X stream's stall leaves its minutes
// unjudged: CollectorTest.AStalledStreamWentUnwatchedFromItsLastBytes.)
TEST_F(JetstreamTest, ADisconnectionTheCursorGetsBackIsListedAndItsMinutesJudged) {
  const int64_t stalled_at = *ParseIsoTime("2016-01-19T08:13:30Z");
  FeedFaults stall;
  stall.stall_after_lines =
      static_cast<int>(testing::SplitByPostTime(lines_, stalled_at, stalled_at).before.size());
  FeedServer server(lines_, stall, 0, FeedProtocol::kJetstream);
  std::string error;
  CollectOptions o = Jetstream(server.Start(0, &error));
  o.idle_timeout_ms = 3 * 60'000;
  const std::string db = tmp_.File("stalled.db");
  auto run = testing::CollectHistory(
      o, db, locator_, [&] { return server.stalled(); },
      [&](SqliteStore*, FakeClock* clock) { clock->Advance(stalled_at - clock->NowMs()); });
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.stats.failures.at("stalled"), 1);
  const std::string gaps =
      testing::RunHashmon("query gaps --format csv --since 2016-01-19T00:00:00Z --db " + db).out;
  EXPECT_NE(gaps.find("\njetstream,2016-01-19T08:13:30Z,2016-01-19T08:1"), std::string::npos)
      << gaps;
  EXPECT_NE(gaps.find(",disconnected\n"), std::string::npos) << gaps;
  EXPECT_EQ(run.history, Replayed());
}

TEST_F(JetstreamTest, ARestartResumesFromTheCommittedTimeCursor) {
  const std::string expected = Replayed();
  const std::string db = tmp_.File("resume.db");
  {
    FeedFaults cut;
    cut.drop_after_lines = 6000;
    FeedServer first(lines_, cut, 0, FeedProtocol::kJetstream);
    std::string error;
    CollectOptions o = Jetstream(first.Start(0, &error));
    o.max_failures = 1;  // stop at the first disconnection, as a crash would
    auto run = testing::CollectHistory(o, db, locator_, nullptr);
    ASSERT_FALSE(run.ok);
  }
  // A new server knows nothing of the old connection: only the cursor can say where to go on.
  FeedServer second(lines_, {}, 0, FeedProtocol::kJetstream);
  std::string error;
  auto run = testing::CollectHistory(Jetstream(second.Start(0, &error)), db, locator_, nullptr);
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, expected);
  // It asked for the cursor rewound a few seconds, not the whole recording again.
  EXPECT_LT(second.lines_sent(), static_cast<int64_t>(lines_.size()) - 5000);
  EXPECT_GT(second.lines_sent(), static_cast<int64_t>(lines_.size()) - 6000);
}

// The collector is stopped at 09:00, in the thick of the outage, and started again at
// 11:00. The server still has what was posted in between, and sends it from the committed
// cursor: nothing was missed, so there is no gap, and the outage is found and dated as if
// the collector had never stopped.
TEST_F(JetstreamTest, ARestartTwoHoursLaterGetsBackWhatWasPostedAndLeavesNoGap) {
  const int64_t nine = *ParseIsoTime("2016-01-19T09:00:00Z");
  const int64_t eleven = *ParseIsoTime("2016-01-19T11:00:00Z");
  std::vector<std::string> before = testing::SplitByPostTime(lines_, nine, eleven).before;
  const std::string db = tmp_.File("restarted.db");
  for (const auto& [lines, wall_ms] : {std::pair{&before, nine}, std::pair{&lines_, eleven}}) {
    FeedServer server(*lines, {}, 0, FeedProtocol::kJetstream);
    std::string error;
    const testing::CollectRun run =
        testing::CollectLiveUntilCut(Jetstream(server.Start(0, &error)), db, locator_, wall_ms);
    EXPECT_NE(run.log.find("giving up after 1 failed connections"), std::string::npos) << run.log;
  }
  const std::string day = " --since 2016-01-19T00:00:00Z --until 2016-01-20T00:00:00Z --db ";
  EXPECT_EQ(testing::RunHashmon("query gaps --format csv" + day + db).out,
            "source,from,to,reason\n");
  Replayed();
  const std::string outages = testing::RunHashmon("query outages --format csv" + day + db).out;
  ASSERT_NE(outages.find("2016-01-19T08:1"), std::string::npos) << outages;
  EXPECT_EQ(outages,
            testing::RunHashmon("query outages --format csv" + day + tmp_.File("replay.db")).out);
}

// As above, but the server no longer has what was posted between 09:00 and 11:00 (a
// collector away longer than the day and a half a Jetstream instance keeps): it begins
// where it can, two hours after the cursor. What it no longer had is a gap, and the outage
// is not taken to have ended when nobody was looking.
TEST_F(JetstreamTest, WhatTheServerNoLongerHadIsAGapNotTheOutagesEnd) {
  const int64_t nine = *ParseIsoTime("2016-01-19T09:00:00Z");
  const int64_t eleven = *ParseIsoTime("2016-01-19T11:00:00Z");
  const auto [before, after] = testing::SplitByPostTime(lines_, nine, eleven);
  const std::string db = tmp_.File("clamped.db");
  std::string log;
  for (const auto& [lines, wall_ms] : {std::pair{&before, nine}, std::pair{&after, eleven}}) {
    FeedServer server(*lines, {}, 0, FeedProtocol::kJetstream);
    std::string error;
    log =
        testing::CollectLiveUntilCut(Jetstream(server.Start(0, &error)), db, locator_, wall_ms).log;
  }
  EXPECT_NE(log.find("jetstream: the server could not go back to the cursor (2016-01-19T08:5"),
            std::string::npos)
      << log;
  const std::string day = " --since 2016-01-19T00:00:00Z --until 2016-01-20T00:00:00Z --db " + db;
  const std::string gaps = testing::RunHashmon("query gaps --format csv" + day).out;
  EXPECT_EQ(std::count(gaps.begin(), gaps.end(), '\n'), 2) << gaps;  // a header and the gap
  EXPECT_NE(gaps.find("\njetstream,2016-01-19T08:5"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find(",2016-01-19T11:00:"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find(",older than the server keeps\n"), std::string::npos) << gaps;
  const std::string outages = testing::RunHashmon("query outages --format csv" + day).out;
  ASSERT_NE(outages.find("2016-01-19T08:1"), std::string::npos) << outages;  // it began
  EXPECT_EQ(outages.find(",2016-01-19T09:"), std::string::npos) << outages;  // not ended
  EXPECT_EQ(outages.find(",2016-01-19T10:"), std::string::npos) << outages;
}

TEST_F(JetstreamTest, AnInstanceThatIsDownIsLeftForTheNextFromTheSameCursor) {
  const std::string expected = Replayed();
  const std::string db = tmp_.File("failover.db");
  {  // A first run collects part of the stream and stops, committing its time cursor.
    FeedFaults cut;
    cut.drop_after_lines = 6000;
    FeedServer first(lines_, cut, 0, FeedProtocol::kJetstream);
    std::string error;
    CollectOptions o = Jetstream(first.Start(0, &error));
    o.max_failures = 1;
    ASSERT_FALSE(testing::CollectHistory(o, db, locator_, nullptr).ok);
  }
  const int down = testing::PortNobodyListensOn();
  ASSERT_GT(down, 0);
  // Its host is down now; the next one knows nothing of the last run but the cursor.
  FeedServer next(lines_, {}, 0, FeedProtocol::kJetstream);
  std::string error;
  CollectOptions o = Jetstream(down);
  o.other_urls = {Jetstream(next.Start(0, &error)).url};
  auto run = testing::CollectHistory(o, db, locator_, nullptr);
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, expected);
  EXPECT_EQ(run.stats.failovers, 1);
  EXPECT_EQ(run.stats.failures.at("network"), 3);
  EXPECT_NE(run.log.find("ws://127.0.0.1:" + std::to_string(down) +
                         "/subscribe failed 3 connections in a row (last: network); moving to " +
                         o.other_urls[0] + ", from the same cursor"),
            std::string::npos)
      << run.log;
  EXPECT_LT(next.lines_sent(), static_cast<int64_t>(lines_.size()) - 5000);
}

TEST_F(JetstreamTest, SigkillAnywhereLeavesTheHistoryOfACleanReplay) {
  const std::string expected = Replayed();
  FeedServer server(lines_, {}, /*lines_per_second=*/15'000, FeedProtocol::kJetstream);
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  const std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/subscribe";
  const std::string db = tmp_.File("killed.db");
  const int kills = testing::KillAtRandomMoments(
      server, [&] { return testing::StartCollectorProcess(url, db, {}); }, 8, 20160119);
  EXPECT_GE(kills, 3);
  // Each restart asks for its committed time cursor (rewound); the server replays from there.
  const pid_t last = testing::StartCollectorProcess(url, db, {});
  int status = 0;
  waitpid(last, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  server.Stop();
  EXPECT_EQ(testing::HistoryOf(db), expected);
}

TEST_F(JetstreamTest, ARecordingOfTheWebSocketReplaysToTheSameHistory) {
  const std::string expected = Replayed();
  FeedFaults cut;
  cut.drop_after_lines = 5000;  // the recorder reconnects from its time cursor
  FeedServer server(lines_, cut, 0, FeedProtocol::kJetstream);
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  const std::string out = tmp_.File("rec");
  auto r =
      testing::RunHashmon("record --until-eof --source ws://127.0.0.1:" + std::to_string(port) +
                          "/subscribe --out '" + out + "'");
  ASSERT_EQ(r.exit_code, 0);
  server.Stop();
  EXPECT_EQ(server.connections(), 2);
  const std::string db = tmp_.File("rec.db");
  ASSERT_EQ(testing::RunHashmon("replay -q --db '" + db + "' '" + out + "'").exit_code, 0);
  EXPECT_EQ(testing::HistoryOf(db), expected);
}

// Starts one of the Python stand-ins (`stub` in tests/data) on `feed`, its stderr to
// `log`; returns its pid and port.
std::pair<pid_t, int> StartPythonJetstream(const std::string& stub, const std::string& feed,
                                           const std::string& log,
                                           const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {-1, -1};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    freopen(log.c_str(), "w", stderr);
    close(pipe_fds[0]);
    const std::string path = std::string(HASHMON_TEST_DATA) + "/" + stub;
    std::vector<const char*> argv = {"python3", path.c_str(), feed.c_str()};
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    execv("/usr/bin/python3", const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  close(pipe_fds[1]);
  FILE* out = fdopen(pipe_fds[0], "r");
  int port = -1;
  if (std::fscanf(out, "%d", &port) != 1) port = -1;
  std::fclose(out);
  return {pid, port};
}

void StopPython(pid_t pid) {
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

TEST_F(JetstreamTest, PythonWebsocketsStandsInForJetstream) {
  const std::string expected = Replayed();
  const std::string server_log = tmp_.File("python.log");
  auto [pid, port] =
      StartPythonJetstream("jetstream_stub.py", Feed(), server_log, {"--drop-after", "2500"});
  ASSERT_GT(port, 0) << "the stand-in did not start (needs Debian's python3-websockets, which "
                        "scripts/setup installs): "
                     << testing::ReadFile(server_log);
  auto run = testing::CollectHistory(Jetstream(port), tmp_.File("python.db"), locator_, nullptr);
  StopPython(pid);
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, expected);
  // The reconnect after the cut resumed from the cursor (rewound), not from the start.
  const std::string log = testing::ReadFile(server_log);
  EXPECT_NE(log.find("connection 1 from event 0"), std::string::npos) << log;
  EXPECT_EQ(log.find("connection 2 from event 0"), std::string::npos) << log;
  EXPECT_NE(log.find("connection 2 from event"), std::string::npos) << log;
}

// Jetstream v2 (network.bsky.jetstream.subscribeEvents): the same events, framed as v2
// messages and compressed with a dictionary the server publishes, by a stand-in built on
// Python's websockets and zstandard.
class JetstreamV2Test : public JetstreamTest {
 protected:
  // Starts the stand-in with `args`; the port, or 0 (a failed assertion says why).
  int StartV2(const std::vector<std::string>& args) {
    auto [pid, port] = StartPythonJetstream("jetstream_v2_stub.py", Feed(), StubLog(), args);
    pid_ = pid;
    EXPECT_GT(port, 0) << "the v2 stand-in did not start (needs Debian's python3-websockets and "
                          "python3-zstandard, which scripts/setup installs): "
                       << testing::ReadFile(StubLog());
    return port > 0 ? port : 0;
  }
  void TearDown() override {
    if (pid_ > 0) StopPython(pid_);
  }
  std::string StubLog() { return tmp_.File("v2.log"); }
  static std::string V2Url(int port) {
    return "ws://127.0.0.1:" + std::to_string(port) +
           "/xrpc/network.bsky.jetstream.subscribeEvents";
  }
  testing::CollectRun CollectV2(const std::vector<std::string>& args, const std::string& db,
                                bool zstd = true) {
    CollectOptions o = Jetstream(0);
    o.url = V2Url(StartV2(args));
    o.jetstream_zstd = zstd;
    o.live = &live_;
    return testing::CollectHistory(o, tmp_.File(db), locator_, nullptr);
  }

  pid_t pid_ = -1;
  LiveStatus live_;  // what /api/v1/status would show of the source
};

TEST_F(JetstreamV2Test, ACompressedV2StreamGivesTheSameHistoryAsAReplayOfV1) {
  const std::string expected = Replayed();
  auto run = CollectV2({}, "v2.db");
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, expected);
  EXPECT_NE(run.log.find("compressed with the server's dictionary 20260811"), std::string::npos)
      << run.log;
  // It asked with v2's filter names (v1's are refused) and for compressed messages.
  const std::string stub = testing::ReadFile(StubLog());
  EXPECT_NE(stub.find("connection 1 from event 0 compressed app.bsky.feed.post"), std::string::npos)
      << stub;
  EXPECT_EQ(run.errors.count("undecompressable_message"), 0u);
  EXPECT_EQ(live_.Get().zstd_dictionary, 20260811u);
}

TEST_F(JetstreamV2Test, HashmonsOwnFeedServerServesV2CompressedToo) {
  // The same day generated as v2 messages, served by serve-feed's server (Boost.Beast),
  // which trains its dictionary on them.
  const std::string v2_feed = tmp_.File("v2.jsonl");
  ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 4000 --format jetstream-v2", v2_feed), 0);
  const std::vector<std::string> v2_lines = testing::ReadLines(v2_feed);
  ASSERT_EQ(v2_lines.size(), lines_.size());
  FeedFaults cut;
  cut.drop_after_lines = 5000;
  FeedServer server(v2_lines, cut, 0, FeedProtocol::kJetstreamV2);
  ASSERT_NE(server.dictionary_id(), 0u);
  std::string error;
  CollectOptions o = Jetstream(0);
  o.url = V2Url(server.Start(0, &error));
  o.live = &live_;
  auto run = testing::CollectHistory(o, tmp_.File("beast.db"), locator_, nullptr);
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(live_.Get().zstd_dictionary, server.dictionary_id()) << run.log;
  // Compressed, what came over the wire is a fraction of the JSON.
  int64_t json_bytes = 0;
  for (const auto& line : v2_lines) json_bytes += static_cast<int64_t>(line.size());
  EXPECT_LT(run.stats.bytes * 2, json_bytes) << run.stats.bytes << " of " << json_bytes;
}

TEST_F(JetstreamV2Test, PlainV2MessagesWhenCompressionIsOff) {
  auto run = CollectV2({}, "plain.db", /*zstd=*/false);
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  EXPECT_NE(testing::ReadFile(StubLog()).find("connection 1 from event 0 plain"),
            std::string::npos);
}

TEST_F(JetstreamV2Test, AReconnectResumesFromTheTimeCursorStillCompressed) {
  auto run = CollectV2({"--drop-after", "5000"}, "drop.db");
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  EXPECT_EQ(run.stats.connections, 2);
  const std::string stub = testing::ReadFile(StubLog());
  EXPECT_EQ(stub.find("connection 2 from event 0 "), std::string::npos) << stub;
  EXPECT_NE(stub.find("connection 2 from event"), std::string::npos) << stub;
  EXPECT_NE(stub.find("compressed", stub.find("connection 2")), std::string::npos) << stub;
}

TEST_F(JetstreamV2Test, WhatTheServerSaysOfTheStreamIsLogged) {
  auto run = CollectV2({"--too-slow-after", "4000", "--outdated-cursor"}, "said.db");
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  EXPECT_NE(run.log.find("jetstream: the server ends the stream: ConsumerTooSlow (the client fell "
                         "too far behind)"),
            std::string::npos)
      << run.log;
  EXPECT_NE(run.log.find("jetstream: the server says: OutdatedCursor (cursor is before the "
                         "lookback floor; resuming at seq "),
            std::string::npos)
      << run.log;
  EXPECT_EQ(run.errors.count("jetstream_error"), 0u);  // a notice, not a bad message
}

TEST_F(JetstreamV2Test, ARetiredDictionaryIsFetchedAgainAfterTheServerRefusesIt) {
  // The server retrains between the two connections, and refuses the old id.
  auto run = CollectV2({"--drop-after", "5000", "--retrain-after-first"}, "retrain.db");
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  const std::string stub = testing::ReadFile(StubLog());
  EXPECT_NE(stub.find("refused dictionary 20260811"), std::string::npos) << stub;
  EXPECT_NE(run.log.find("compressed with the server's dictionary 20261201"), std::string::npos)
      << run.log;
  EXPECT_NE(stub.find("connection 2 from event"), std::string::npos) << stub;
  EXPECT_EQ(stub.find("connection 2 from event 0 "), std::string::npos) << stub;
}

TEST_F(JetstreamV2Test, AnInstanceThatIsDownDoesNotTurnCompressionOff) {
  const int down = testing::PortNobodyListensOn();
  ASSERT_GT(down, 0);
  CollectOptions o = Jetstream(0);
  o.url = V2Url(down);
  o.other_urls = {V2Url(StartV2({}))};
  o.live = &live_;
  auto run = testing::CollectHistory(o, tmp_.File("failover.db"), locator_, nullptr);
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  EXPECT_EQ(run.stats.failovers, 1);
  EXPECT_NE(run.log.find("for the compression dictionary; connecting uncompressed, and asking "
                         "again at the next connection"),
            std::string::npos)
      << run.log;
  EXPECT_EQ(live_.Get().zstd_dictionary, 20260811u) << run.log;
}

TEST_F(JetstreamV2Test, WithoutADictionaryItCollectsPlainJson) {
  auto run = CollectV2({"--no-dictionary"}, "nodict.db");
  EXPECT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, Replayed());
  EXPECT_NE(run.log.find("could not get the compression dictionary"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("(HTTP 404); collecting uncompressed JSON instead"), std::string::npos)
      << run.log;
  EXPECT_EQ(live_.Get().zstd_dictionary, 0u);
}

TEST_F(JetstreamV2Test, DamagedCompressedMessagesAreCountedAndTheRestCollected) {
  auto run = CollectV2({"--corrupt-every", "500"}, "damaged.db");
  EXPECT_TRUE(run.ok) << run.log;
  // A flipped byte near a frame's end either fails to decompress or garbles the JSON;
  // either way it is counted, once, and the stream goes on.
  int64_t damaged = 0;
  for (const char* reason : {"undecompressable_message", "malformed_json"})
    damaged += run.errors.count(reason) ? run.errors.at(reason) : 0;
  EXPECT_GE(damaged, 10) << damaged;
  EXPECT_LE(damaged, static_cast<int64_t>(lines_.size() / 500 + 1));
  EXPECT_NE(run.history.find("outage"), std::string::npos);
}

TEST_F(JetstreamV2Test, ARecordingOfTheV2StreamReplaysToTheSameHistory) {
  const int port = StartV2({"--drop-after", "5000"});
  const std::string out = tmp_.File("rec");
  auto r =
      testing::RunHashmon("record --until-eof --source " + V2Url(port) + " --out '" + out + "'");
  ASSERT_EQ(r.exit_code, 0);
  const std::string db = tmp_.File("rec.db");
  ASSERT_EQ(testing::RunHashmon("replay -q --db '" + db + "' '" + out + "'").exit_code, 0);
  EXPECT_EQ(testing::HistoryOf(db), Replayed());
}

}  // namespace
}  // namespace hashmon
