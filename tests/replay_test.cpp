// End to end: recorded feeds replayed into a real SQLite file give the counts the
// generator says they should, whatever the chunking, batch size, speed or interruption.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "feed/input_file.h"
#include "feed/replayer.h"
#include "hashmon/time_util.h"
#include "store/state_codec.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::ReadFile;
using testing::RunGenerator;
using testing::TempDir;
using testing::TestDataPath;

// A clock whose sleeps cost nothing; an optional hook runs on each sleep.
class TestClock : public FakeClock {
 public:
  TestClock() : FakeClock(1'700'000'000'000) {}
  void SleepForMs(int64_t ms) override {
    FakeClock::SleepForMs(ms);
    if (on_sleep) on_sleep();
  }
  std::function<void()> on_sleep;
};

struct RunResult {
  bool ok;
  std::string error;
  PipelineStats stats;
  int64_t skipped;
  std::string log;
};

class ReplayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    locator_ = CountryLocator::FromEmbeddedData().release();
    feed_dir_ = new TempDir();
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 20000", feed_dir_->File("feed.jsonl"),
                           feed_dir_->File("truth.csv")),
              0);
  }
  static void TearDownTestSuite() {
    delete locator_;
    delete feed_dir_;
  }

  RunResult Replay(const std::string& db, const std::vector<std::string>& paths,
                   ReplayOptions options = {}, TestClock* clock = nullptr,
                   std::vector<std::string> tags = {}, bool finish = true) {
    TestClock own_clock;
    if (!clock) clock = &own_clock;
    std::ostringstream log_out;
    Logger log(&log_out, clock);
    PipelineConfig config;
    if (!tags.empty()) config.tags = tags;
    Pipeline pipeline(config, locator_);
    std::string error;
    auto store = SqliteStore::OpenForWriting(db, &error);
    if (!store) return {false, error, {}, 0, {}};
    Replayer replayer(&pipeline, store.get(), clock, &log, options);
    bool ok = true;
    if (together_) {
      std::vector<std::vector<std::string>> inputs;
      for (const auto& p : paths) inputs.push_back({p});
      ok = replayer.ReplayInputs(inputs, &error);
    } else {
      for (const auto& p : paths) ok = replayer.ReplayPath(p, &error) && ok;
    }
    if (finish) ok = replayer.Finish(&error) && ok;
    return {ok, error, pipeline.stats(), replayer.skipped_members(), log_out.str()};
  }

  // The same, with the paths read side by side as one replay (as `hashmon replay a b`).
  RunResult ReplayTogether(const std::string& db, const std::vector<std::string>& paths,
                           ReplayOptions options = {}, bool finish = true) {
    together_ = true;
    RunResult r = Replay(db, paths, options, nullptr, {}, finish);
    together_ = false;
    return r;
  }

  // Writes the feed's lines into `parts` files: every line to part (line number % parts),
  // or, `consecutive`, the lines in that many runs. Returns their paths.
  std::vector<std::string> SplitFeed(int parts, bool consecutive, size_t cut_lines = SIZE_MAX) {
    std::vector<std::string> text(static_cast<size_t>(parts));
    std::istringstream in(ReadFile(Feed()));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (size_t n = 0; n < lines.size() && n < cut_lines; ++n) {
      const size_t part = consecutive ? n * parts / lines.size() : n % parts;
      text[part] += lines[n] + "\n";
    }
    std::vector<std::string> paths;
    for (int i = 0; i < parts; ++i) {
      paths.push_back(
          dir_.File("part" + std::to_string(i) + (cut_lines == SIZE_MAX ? "" : ".cut") + ".jsonl"));
      testing::WriteFile(paths.back(), text[static_cast<size_t>(i)]);
    }
    return paths;
  }

  // Every row of every table that replay writes, in a canonical order.
  static std::string Dump(const std::string& db) {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(db, &error);
    if (!store) return "error: " + error;
    std::string out;
    for (const char* sql :
         {"SELECT tag, country, minute, method, count FROM buckets ORDER BY 1, 2, 3, 4",
          "SELECT source, id, created_at FROM seen ORDER BY 1, 2",
          "SELECT key, value FROM meta ORDER BY 1", "SELECT * FROM outages ORDER BY id",
          "SELECT * FROM outage_countries ORDER BY 1, 2",
          "SELECT * FROM outage_waves ORDER BY 1, 2, 3",
          "SELECT * FROM evidence ORDER BY 1, 2, 3, 4", "SELECT * FROM spikes ORDER BY 1, 2, 3",
          "SELECT * FROM detector_state ORDER BY 1, 2"}) {
      SQLite::Statement q(store->db(), sql);
      StateCodec codec;
      while (q.executeStep()) {
        for (int i = 0; i < q.getColumnCount(); ++i) {
          const SQLite::Column c = q.getColumn(i);
          out += (c.isBlob() ? codec.Unpack(c.getString()).value_or("(damaged)") : c.getString()) +
                 "|";  // (a detector's state: what it holds, compressed or not)
        }
        out += "\n";
      }
      out += "--\n";
    }
    return out;
  }

  static std::string CountsCsv(const std::string& db) {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(db, &error);
    std::string out = "time,tag,country,count\n";
    for (const auto& r : store->QueryCounts(CountQuery{})) {
      out += FormatIsoTime(r.time) + "," + r.tag + "," + r.country + "," + std::to_string(r.count) +
             "\n";
    }
    return out;
  }

  static std::string Feed() { return feed_dir_->File("feed.jsonl"); }

  // The lines of a generated feed (X's, with timestamp_ms) before `time`, in a file of their
  // own: a collector stopped then.
  std::string PostsBefore(const std::string& feed, const char* time) {
    const int64_t stop_ms = *ParseIsoTime(time);
    std::istringstream in(ReadFile(feed));
    std::string before;
    for (std::string line; std::getline(in, line);) {
      const size_t key = line.find("\"timestamp_ms\"");
      const size_t digits = line.find_first_of("0123456789", key);
      if (key != std::string::npos && std::stoll(line.substr(digits, 13)) >= stop_ms) break;
      before += line + "\n";
    }
    const std::string prefix = feed + "." + time + ".part";
    testing::WriteFile(prefix, before);
    return prefix;
  }

  // Replays the feed into an open store, committing every MiB; returns what it logged.
  std::string ReplayCommittingEveryMiB(SqliteStore* store, TestClock* clock) {
    std::ostringstream log_out;
    Logger log(&log_out, clock);
    Pipeline pipeline(PipelineConfig{}, locator_);
    ReplayOptions o;
    o.commit_bytes = 1 << 20;
    Replayer replayer(&pipeline, store, clock, &log, o);
    std::string error;
    EXPECT_TRUE(replayer.ReplayPath(Feed(), &error)) << error;
    EXPECT_TRUE(replayer.Finish(&error)) << error;
    return log_out.str();
  }

  static CountryLocator* locator_;
  static TempDir* feed_dir_;
  TempDir dir_;
  bool together_ = false;
};
CountryLocator* ReplayTest::locator_ = nullptr;
TempDir* ReplayTest::feed_dir_ = nullptr;

TEST_F(ReplayTest, GeneratedDayMatchesTheGeneratorsTruth) {
  const std::string db = dir_.File("h.db");
  RunResult r = Replay(db, {Feed()});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(CountsCsv(db), ReadFile(feed_dir_->File("truth.csv")));
  EXPECT_GT(r.stats.duplicates, 0);
}

TEST_F(ReplayTest, APostWithAWrongClockStopsNoDetection) {
  // One post stamped in 2030, a third of the way into the day: it is counted in its own
  // minute, and the outage is found as without it (it used to close every minute before
  // 2030, so that all later posts came too late for detection).
  std::istringstream in(ReadFile(Feed()));
  std::string feed, line;
  for (int n = 0; std::getline(in, line); ++n) {
    feed += line + "\n";
    if (n == 7000) {
      feed += R"({"id_str":"2030","timestamp_ms":"1900000000000","text":"#twitterdown",)"
              R"("entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})"
              "\n";
    }
  }
  testing::WriteFile(dir_.File("wrong_clock.jsonl"), feed);
  const RunResult plain = Replay(dir_.File("plain.db"), {Feed()});
  ASSERT_TRUE(plain.ok);
  const RunResult r = Replay(dir_.File("wrong.db"), {dir_.File("wrong_clock.jsonl")});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.stats.ahead_mentions, 1);
  EXPECT_EQ(r.stats.late_mentions, plain.stats.late_mentions);  // the generator's own
  auto outages = [](const std::string& db) {
    const std::string all = Dump(db);
    const size_t from = all.find("--\n", all.find("--\n", all.find("--\n") + 3) + 3);
    return all.substr(from, all.find("--\n", all.find("--\n", from + 3) + 3) - from);
  };
  EXPECT_NE(outages(dir_.File("plain.db")).find("twitterdown"), std::string::npos);
  EXPECT_EQ(outages(dir_.File("wrong.db")), outages(dir_.File("plain.db")));
  EXPECT_NE(CountsCsv(dir_.File("wrong.db")).find("2030-03-17T17:46:00Z,twitterdown,GB,1"),
            std::string::npos);
}

TEST_F(ReplayTest, LiveAPostAheadOfTheClockIsStoredButMovesNoTime) {
  TestClock clock;  // 2023-11-14T22:13:20Z
  PipelineConfig config;
  config.live_clock = &clock;
  Pipeline pipeline(config, locator_);
  auto post = [&](const char* id, int64_t t) {
    std::string line =
        std::string(R"({"id_str":")") + id + R"(","timestamp_ms":")" + std::to_string(t) +
        R"(","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]},)"
        R"("place":{"country_code":"GB"}})";
    pipeline.OnRecord(line.data(), line.size());
  };
  const int64_t now = clock.NowMs();
  post("1", now - 1000);
  post("2", now - 500);
  post("3", now + 3'600'000);  // an hour ahead
  post("4", now + 3'600'000 + 1);
  EXPECT_EQ(pipeline.stats().ahead_mentions, 2);
  EXPECT_LT(pipeline.counter().watermark(), now);
  const Batch b = pipeline.TakeBatch();
  int64_t stored = 0;
  for (const auto& d : b.deltas) stored += d.count;
  EXPECT_EQ(stored, 4);
}

TEST_F(ReplayTest, AnXV1TweetSavedWithoutItsEntitiesIsCountedByItsText) {
  Pipeline pipeline(PipelineConfig{}, locator_);
  auto tweet = [&](const char* id, const char* entities) {
    std::string line = std::string(R"({"id_str":")") + id +
                       R"(","timestamp_ms":"1453191300000","text":"down #twitterdown")" + entities +
                       "}";
    pipeline.OnRecord(line.data(), line.size());
  };
  tweet("1", "");                                // no entities: the text is all there is
  tweet("2", R"(,"entities":{"urls":[]})");      // entities without hashtags: the same
  tweet("3", R"(,"entities":{"hashtags":[]})");  // as X sends it: no hashtag, whatever the text
  EXPECT_EQ(pipeline.stats().mentions, 2);
}

TEST_F(ReplayTest, PrefilterChangesNoCount) {
  ReplayOptions full;
  full.prefilter = false;
  ASSERT_TRUE(Replay(dir_.File("full.db"), {Feed()}, full).ok);
  ASSERT_TRUE(Replay(dir_.File("fast.db"), {Feed()}).ok);
  EXPECT_EQ(Dump(dir_.File("full.db")), Dump(dir_.File("fast.db")));
}

// #aws_down is searched for as "_down" ('s' has non-ASCII case variants): a needle that
// begins with '_'. Every vector path once folded its first byte on one side only, and the
// pre-filter passed over every such post.
TEST_F(ReplayTest, PrefilterFindsATagWhoseSearchedPartBeginsWithAnUnderscore) {
  std::string feed;
  for (int i = 0; i < 50; ++i) {
    feed += R"({"id_str":")" + std::to_string(i + 1) +
            R"(","timestamp_ms":"1453191300000","text":"is it down? #AWS_down )" +
            std::string(static_cast<size_t>(i), 'x') + "\"}\n";
  }
  testing::WriteFile(dir_.File("aws.jsonl"), feed);
  ReplayOptions every_line;
  every_line.prefilter = false;
  const RunResult full =
      Replay(dir_.File("full.db"), {dir_.File("aws.jsonl")}, every_line, nullptr, {"aws_down"});
  const RunResult fast =
      Replay(dir_.File("fast.db"), {dir_.File("aws.jsonl")}, {}, nullptr, {"aws_down"});
  ASSERT_TRUE(full.ok && fast.ok);
  EXPECT_EQ(full.stats.mentions, 50);
  EXPECT_EQ(fast.stats.mentions, 50);
}

TEST_F(ReplayTest, ChunkingBatchSizeAndSpeedChangeNothing) {
  ASSERT_TRUE(Replay(dir_.File("ref.db"), {Feed()}).ok);
  const std::string reference = Dump(dir_.File("ref.db"));
  struct Variant {
    size_t read_bytes, commit_bytes;
    double speed;
    bool scan_in_reader = false;  // the reader thread pre-filters every block
  };
  int i = 0;
  for (const Variant& v :
       {Variant{997, 1 << 30, 0}, Variant{7919, 100'000, 0}, Variant{1 << 16, 1, 0},
        Variant{1 << 20, 1 << 20, 3600}, Variant{97, 1 << 30, 0, true},
        Variant{4099, 1 << 30, 0, true}, Variant{1 << 20, 1 << 30, 0, true}}) {
    ReplayOptions o;
    o.read_bytes = v.read_bytes;
    o.commit_bytes = v.commit_bytes;
    o.speed = v.speed;
    o.scan_in_reader_always = v.scan_in_reader;
    TestClock clock;
    const std::string db = dir_.File("v" + std::to_string(i++) + ".db");
    ASSERT_TRUE(Replay(db, {Feed()}, o, &clock).ok);
    EXPECT_EQ(Dump(db), reference)
        << "read " << v.read_bytes << " commit " << v.commit_bytes << " speed " << v.speed
        << " scan in reader " << v.scan_in_reader;
    if (v.speed > 0) {
      EXPECT_GT(clock.slept_ms(), 20000);  // a day at 3600x is 24 s of pacing
    }
  }
}

TEST_F(ReplayTest, ReplayingTheSameFileAgainChangesNothing) {
  const std::string db = dir_.File("h.db");
  ASSERT_TRUE(Replay(db, {Feed()}).ok);
  const std::string once = Dump(db);
  RunResult again = Replay(db, {Feed()});
  ASSERT_TRUE(again.ok);
  EXPECT_EQ(again.stats.mentions, 0);
  EXPECT_EQ(Dump(db), once);
}

TEST_F(ReplayTest, InterruptedReplayResumesWhereItStopped) {
  // A prefix of the file (cut mid-line) has the same identity: replaying it without the
  // end-of-input flush, then the whole file, is a run killed mid-way and restarted.
  const std::string all = ReadFile(Feed());
  const std::string prefix_path = dir_.File("feed.jsonl.part");
  testing::WriteFile(prefix_path, all.substr(0, all.size() * 3 / 5 + 17));
  const std::string db = dir_.File("resumed.db");
  ReplayOptions small;
  small.commit_bytes = 1 << 20;
  ASSERT_TRUE(Replay(db, {prefix_path}, small, nullptr, {}, /*finish=*/false).ok);
  ASSERT_TRUE(Replay(db, {Feed()}, small).ok);
  ASSERT_TRUE(Replay(dir_.File("clean.db"), {Feed()}).ok);
  EXPECT_EQ(Dump(db), Dump(dir_.File("clean.db")));
}

TEST_F(ReplayTest, AHistoryThatKeptItsDetectorStatesAsTextResumesAsInOneRun) {
  // Stopped at 08:40, in the middle of the outage, by a hashmon that saved each state as
  // text (before 2026-12); then resumed by this one, which compresses them.
  const std::string db = dir_.File("text-states.db");
  ASSERT_TRUE(Replay(db, {PostsBefore(Feed(), "2016-01-19T08:40:00Z")}, {}, nullptr, {}, false).ok);
  {
    SQLite::Database w(db, SQLite::OPEN_READWRITE);
    StateCodec codec;
    SQLite::Statement rows(w, "SELECT tag, country, state FROM detector_state");
    SQLite::Statement as_text(w,
                              "UPDATE detector_state SET state = ? WHERE tag = ? AND country = ?");
    int rewritten = 0;
    while (rows.executeStep()) {
      ASSERT_TRUE(rows.getColumn(2).isBlob());
      const auto text = codec.Unpack(rows.getColumn(2).getString());
      ASSERT_TRUE(text);
      ASSERT_EQ(text->rfind("v11 ", 0), 0u);
      as_text.bind(1, *text);
      as_text.bind(2, rows.getColumn(0).getString());
      as_text.bind(3, rows.getColumn(1).getString());
      rewritten += as_text.exec();
      as_text.reset();
    }
    ASSERT_GT(rewritten, 5);
  }
  const RunResult run = Replay(db, {Feed()});
  ASSERT_TRUE(run.ok) << run.error;
  EXPECT_EQ(run.log.find("cannot be read"), std::string::npos) << run.log;
  ASSERT_TRUE(Replay(dir_.File("clean.db"), {Feed()}).ok);
  EXPECT_EQ(Dump(db), Dump(dir_.File("clean.db")));
}

TEST_F(ReplayTest, AJoinIsWithdrawnAfterARestartAsInOneRun) {
  // scripts/gen-independent.py's scenario 45 (as scripts/eval-independent draws it): Britain,
  // Turkey and Argentina in outage from 01:54; Uganda's chatter joins it on the incident's
  // lesser evidence 12 minutes in, and its join is withdrawn 15 minutes later. A replay
  // stopped in between, and resumed, says the same as one that never stopped.
  const std::string feed = dir_.File("s45.jsonl");
  ASSERT_EQ(RunGenerator("gen-independent.py",
                         "--start 2016-03-07 --seed 45 --days 1 --minutes 120 --tau 1.2 "
                         "--countries GB:7.6,TR:4.7,AR:2.7 --outage 1:54",
                         feed),
            0);
  // Stopped at 02:14 (after the join, before the withdrawal).
  const std::string prefix = PostsBefore(feed, "2016-03-07T02:14:00Z");
  auto uganda_in_outage = [](const std::string& db) {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(db, &error);
    return store->db()
               .execAndGet("SELECT COUNT(*) FROM outage_countries WHERE country = 'UG'")
               .getInt() > 0;
  };
  const std::string db = dir_.File("resumed.db");
  ASSERT_TRUE(Replay(db, {prefix}, {}, nullptr, {}, /*finish=*/false).ok);
  EXPECT_TRUE(uganda_in_outage(db)) << "the scenario no longer makes Uganda join";
  {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(db, &error);
    EXPECT_TRUE(store->db()
                    .execAndGet("SELECT confirmed_at IS NULL FROM outage_countries WHERE "
                                "country = 'UG'")
                    .getInt())
        << "shown as provisional";
  }
  ASSERT_TRUE(Replay(db, {feed}).ok);
  const RunResult clean = Replay(dir_.File("clean.db"), {feed});
  ASSERT_TRUE(clean.ok);
  EXPECT_FALSE(uganda_in_outage(dir_.File("clean.db")));
  // Uganda's withdrawal, and any other country's whose chance posts joined the incident.
  EXPECT_GE(clean.stats.withdrawn_alerts, 1) << "the replay's summary counts the withdrawal";
  EXPECT_EQ(Dump(db), Dump(dir_.File("clean.db")));
}

TEST_F(ReplayTest, AnOutageThatCameBackResumesWithItsWavesAsInOneRun) {
  // Brazil and the Philippines in outage from 08:15 to 10:00, back from 10:15 to 10:45: one
  // incident (reopened), two waves a country. Replays stopped between the waves and during
  // the second, and resumed, say the same as one that never stopped.
  const std::string feed = dir_.File("twice.jsonl");
  ASSERT_EQ(
      RunGenerator("gen-sample.py",
                   "--posts 6000 --countries BR,PH --relapse-after 15 --relapse-minutes 30", feed),
      0);
  const RunResult clean = Replay(dir_.File("clean.db"), {feed});
  ASSERT_TRUE(clean.ok);
  {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(dir_.File("clean.db"), &error);
    ASSERT_TRUE(store) << error;
    const auto outages = store->QueryOutages({});
    ASSERT_EQ(outages.size(), 1u) << "the scenario no longer makes one incident";
    for (const char* cc : {"BR", "PH"}) {
      const auto c = outages[0].outage.countries.find(cc);
      ASSERT_NE(c, outages[0].outage.countries.end()) << cc;
      EXPECT_EQ(c->second.waves.size(), 2u) << cc;
    }
  }
  for (const char* stop : {"2016-01-19T10:09:00Z", "2016-01-19T10:25:00Z"}) {
    const std::string db = dir_.File(std::string("resumed-") + stop + ".db");
    ASSERT_TRUE(Replay(db, {PostsBefore(feed, stop)}, {}, nullptr, {}, /*finish=*/false).ok);
    ASSERT_TRUE(Replay(db, {feed}).ok);
    EXPECT_EQ(Dump(db), Dump(dir_.File("clean.db"))) << "stopped at " << stop;
  }
}

TEST_F(ReplayTest, AReturnThatAWithdrawnJoinHadHeldInItsIncidentLeavesItAsInOneRun) {
  // scripts/eval-independent's return 149: South Africa, Brazil and Lithuania in outage from
  // 07:44 to 09:12, back 45 minutes later. As the return begins, Germany's chatter joins
  // it on its lesser evidence, its onset dated 29 minutes after the incident ended: it
  // reopens the incident, and the return joins that. Germany's join is withdrawn at 10:12,
  // and the return leaves for an incident of its own. Replays stopped while Germany's join
  // stands, and after the split, and resumed, say the same as one that never stopped.
  const std::string feed = dir_.File("r149.jsonl");
  ASSERT_EQ(RunGenerator("gen-independent.py",
                         "--start 2016-03-07 --seed 149 --days 1 --minutes 88 --tau 0.7 "
                         "--countries ZA:3.7,BR:8.1,LT:29.3 --outage 7:44 --return-after 45 "
                         "--return-minutes 29 --return-scale 0.62",
                         feed),
            0);
  auto outages = [](const std::string& db) {
    std::string error;
    auto store = SqliteStore::OpenReadOnly(db, &error);
    return store ? store->QueryOutages({}) : std::vector<SqliteStore::OutageRow>{};
  };
  const std::string clean = dir_.File("clean.db");
  ASSERT_TRUE(Replay(clean, {feed}).ok);
  const auto split = outages(clean);
  ASSERT_EQ(split.size(), 2u) << "one incident for the outage, one for its return";
  for (const auto& row : split) {
    EXPECT_EQ(row.outage.countries.size(), 3u);
    for (const auto& [cc, c] : row.outage.countries) EXPECT_EQ(WavesOf(c).size(), 1u) << cc;
  }
  EXPECT_LT(split[0].outage.ended, *ParseIsoTime("2016-03-07T09:30:00Z"));
  EXPECT_GT(split[1].outage.started, *ParseIsoTime("2016-03-07T09:50:00Z"));
  {
    const std::string db = dir_.File("stopped.db");
    ASSERT_TRUE(Replay(db, {PostsBefore(feed, "2016-03-07T10:05:00Z")}, {}, nullptr, {},
                       /*finish=*/false)
                    .ok);
    const auto held = outages(db);
    ASSERT_EQ(held.size(), 1u) << "the scenario no longer has a join hold the incident open";
    EXPECT_EQ(held[0].outage.countries.count("DE"), 1u);
  }
  for (const char* stop : {"2016-03-07T10:05:00Z", "2016-03-07T10:13:00Z"}) {
    const std::string db = dir_.File(std::string("resumed-") + stop + ".db");
    ASSERT_TRUE(Replay(db, {PostsBefore(feed, stop)}, {}, nullptr, {}, /*finish=*/false).ok);
    ASSERT_TRUE(Replay(db, {feed}).ok);
    EXPECT_EQ(Dump(db), Dump(clean)) << "stopped at " << stop;
  }
}

class DamagedStateTest : public ReplayTest, public ::testing::WithParamInterface<const char*> {};

INSTANTIATE_TEST_SUITE_P(AsTextOrCompressed, DamagedStateTest,
                         ::testing::Values("'v11 0.5 x'",
                                           // a zstd frame cut short (its first 20 bytes)
                                           "substr(state, 1, 20)"));

TEST_P(DamagedStateTest, ADamagedDetectorStateIsSaidAndItsOpenOutageIsEndedNotLeftOpen) {
  // Stopped at 08:40, in the middle of the outage; Brazil's saved detector is then damaged.
  const std::string db = dir_.File("damaged.db");
  ASSERT_TRUE(Replay(db, {PostsBefore(Feed(), "2016-01-19T08:40:00Z")}, {}, nullptr, {}, false).ok);
  int64_t closed_through = 0;
  {
    SQLite::Database w(db, SQLite::OPEN_READWRITE);
    ASSERT_EQ(w.exec("UPDATE detector_state SET state = " + std::string(GetParam()) +
                     " WHERE country = 'BR'"),
              1);
    closed_through = w.execAndGet("SELECT value FROM meta WHERE key = 'closed_through'").getInt64();
  }
  const RunResult run = Replay(db, {Feed()});
  ASSERT_TRUE(run.ok) << run.error;
  EXPECT_NE(run.log.find("the saved detector state of #twitterdown in BR cannot be read"),
            std::string::npos)
      << run.log;
  std::string error;
  auto store = SqliteStore::OpenReadOnly(db, &error);
  ASSERT_TRUE(store) << error;
  const auto rows = store->QueryOutages({});
  ASSERT_FALSE(rows.empty());
  const auto brazil = rows.front().outage.countries.find("BR");
  ASSERT_NE(brazil, rows.front().outage.countries.end());
  // Nothing would have told its end: it ends with the last minute the history had closed.
  EXPECT_EQ(WavesOf(brazil->second).front().ended, closed_through + 60'000);
  for (const auto& row : rows) {
    for (const auto& [cc, c] : row.outage.countries) EXPECT_NE(c.ended, 0) << cc << " left open";
  }
}

TEST_F(ReplayTest, CompressedFilesAndArchivesGiveTheSameCounts) {
  // The morning of the outage (a slice, to keep compression quick).
  const std::string all = ReadFile(Feed());
  const size_t from = all.find('\n', all.size() * 8 / 24) + 1,
               to = all.find('\n', all.size() * 9 / 24) + 1;
  const std::string slice = dir_.File("slice.jsonl");
  testing::WriteFile(slice, all.substr(from, to - from));
  ASSERT_TRUE(Replay(dir_.File("plain.db"), {slice}).ok);
  const std::string expected = CountsCsv(dir_.File("plain.db"));
  // Archive Team layout: a tar of per-part .json.bz2 files under a date tree.
  testing::WriteFile(
      dir_.File("make.sh"),
      "set -e\ncd \"$1\"\ngzip -c \"$2\" > f.gz\nbzip2 -c \"$2\" > f.bz2\n"
      "zstd -q -c \"$2\" > f.zst\nmkdir -p at/2016/01/19/08\n"
      "split -n l/3 -d \"$2\" at/2016/01/19/08/part\n"
      "for p in at/2016/01/19/08/part*; do bzip2 \"$p\"; done\ntar -cf at.tar -C at 2016\n"
      "tar -czf at.tar.gz -C at 2016\ncat f.gz f.gz > twice.gz\n"
      // The same tree as a zip (python3's zipfile: Debian's minimal install has no zip).
      "(cd at && python3 -c \"import glob, zipfile\n"
      "with zipfile.ZipFile('../at.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "    [z.write(p) for p in sorted(glob.glob('2016/**/*.bz2', recursive=True))]\")\n");
  ASSERT_EQ(
      std::system(
          ("bash '" + dir_.File("make.sh") + "' '" + dir_.path() + "' '" + slice + "'").c_str()),
      0);
  // (twice.gz: two gzip members, the second all duplicates.)
  for (const char* name : {"f.gz", "f.bz2", "f.zst", "at.tar", "at.tar.gz", "at.zip", "twice.gz"}) {
    const std::string db = dir_.File(std::string(name) + ".db");
    RunResult r = Replay(db, {dir_.File(name)});
    ASSERT_TRUE(r.ok) << name << ": " << r.error;
    EXPECT_EQ(CountsCsv(db), expected) << name;
    EXPECT_GT(r.stats.mentions, 1000) << name;
  }
}

// An export written as one JSON array counts nothing, line by line; the user is told what
// the file is and how to make JSON lines of it.
TEST_F(ReplayTest, AJsonArrayExportIsNamedWithTheWayToConvertIt) {
  testing::WriteFile(dir_.File("export.json"),
                     "[\n  {\"id_str\": \"1\", \"text\": \"#twitterdown\"}\n]\n");
  const RunResult r = Replay(dir_.File("h.db"), {dir_.File("export.json")});
  EXPECT_EQ(r.stats.mentions, 0);
  EXPECT_NE(r.log.find("export.json is one JSON array, not a record a line: replay reads JSON "
                       "lines; convert it with jq -c '.[]' FILE > FILE.jsonl"),
            std::string::npos)
      << r.log;
}

// Windows tools begin a UTF-8 file with a byte-order mark; its first post counts all the
// same, in each of two files joined with cat. UTF-16 text is named with the way to convert it.
TEST_F(ReplayTest, AByteOrderMarkIsNoPartOfTheFirstRecord) {
  const std::string bom = "\xEF\xBB\xBF";
  auto post = [](int id) {
    return R"({"id_str":")" + std::to_string(id) +
           R"(","timestamp_ms":"1453191300000","text":"down #twitterdown",)"
           R"("entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})"
           "\n";
  };
  testing::WriteFile(dir_.File("win.jsonl"), bom + post(1) + post(2) + bom + post(3));
  for (bool prefilter : {true, false}) {
    const std::string db = dir_.File(prefilter ? "a.db" : "b.db");
    ReplayOptions options;
    options.prefilter = prefilter;
    const RunResult r = Replay(db, {dir_.File("win.jsonl")}, options);
    EXPECT_EQ(r.stats.mentions, 3) << r.log;
    EXPECT_EQ(r.log.find("not_json"), std::string::npos) << r.log;
  }
  testing::WriteFile(dir_.File("u16.jsonl"), std::string("\xFF\xFE{\0}\0\n\0", 8));
  const RunResult r = Replay(dir_.File("c.db"), {dir_.File("u16.jsonl")});
  EXPECT_NE(r.log.find("u16.jsonl is UTF-16 text: replay reads UTF-8 JSON lines; convert it with "
                       "iconv -f UTF-16 -t UTF-8 FILE > FILE.jsonl"),
            std::string::npos)
      << r.log;
}

// A directory copied from a Mac, or kept in git, holds files no one means as a feed: hidden
// ones, and in archives the resource forks macOS adds. They are not read.
TEST_F(ReplayTest, HiddenFilesAndMacMetadataAreNotReadAsFeeds) {
  std::string feed;
  for (int id = 1; id <= 3; ++id) {
    feed += R"({"id_str":")" + std::to_string(id) +
            R"(","timestamp_ms":"1453191300000","text":"down #twitterdown",)"
            R"("entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})"
            "\n";
  }
  const std::string rec = dir_.File("rec");
  std::filesystem::create_directories(rec + "/.git");
  std::filesystem::create_directories(rec + "/__MACOSX");
  testing::WriteFile(rec + "/a.jsonl", feed);
  testing::WriteFile(rec + "/.git/a.jsonl", feed);  // would be 3 duplicates
  testing::WriteFile(rec + "/.DS_Store", std::string("\0\0\0\1Bud1\n\x80\xff", 10));
  testing::WriteFile(rec + "/._a.jsonl", "\x05\x16\x07\0\n");
  testing::WriteFile(rec + "/__MACOSX/._a.jsonl", "\x05\x16\x07\0\n");
  ASSERT_EQ(std::system(("tar -cf '" + dir_.File("rec.tar") + "' -C '" + rec + "' .").c_str()), 0);
  std::vector<std::string> files;
  std::string error;
  ASSERT_TRUE(ExpandInputPaths({rec}, &files, &error)) << error;
  EXPECT_EQ(files, std::vector<std::string>{rec + "/a.jsonl"});
  for (const auto& [db, inputs] :
       {std::pair{dir_.File("dir.db"), files},
        std::pair{dir_.File("tar.db"), std::vector{dir_.File("rec.tar")}}}) {
    const RunResult r = Replay(db, inputs);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stats.mentions, 3) << db;
    EXPECT_EQ(r.stats.duplicates, 0) << db;
    EXPECT_EQ(r.log.find("not_json"), std::string::npos) << db << ": " << r.log;
  }
}

TEST_F(ReplayTest, SameContentUnderAnotherNameIsNotCountedTwice) {
  const std::string db = dir_.File("h.db");
  ASSERT_TRUE(Replay(db, {Feed()}).ok);
  ASSERT_EQ(std::system(("gzip -c '" + Feed() + "' > '" + dir_.File("copy.gz") + "'").c_str()), 0);
  const std::string once = Dump(db);
  RunResult again = Replay(db, {dir_.File("copy.gz")});
  ASSERT_TRUE(again.ok);
  EXPECT_EQ(Dump(db), once);
}

TEST_F(ReplayTest, EveryFixtureDecodesAndBadLinesAreCountedByReason) {
  std::vector<std::string> fixtures;
  for (const char* f :
       {"jetstream_readme_examples.jsonl", "jetstream_v1_prod_2026-07-04.jsonl",
        "mastodon_hashtag.sse", "mastodon_websocket.jsonl",
        "twitter_v1_archiveteam_2021-01-01_0029.jsonl", "twitter_v1_notices_constructed.jsonl",
        "twitter_v2_stream_twarc_2021-04.ndjson",
        "twitter_v2_stream_twarc_truncated_last_line.ndjson"}) {
    fixtures.push_back(TestDataPath(std::string("feeds/") + f));
  }
  ReplayOptions every_record;
  every_record.prefilter = false;  // count every notice, not only those near a tag
  RunResult r = Replay(dir_.File("fx.db"), fixtures, every_record, nullptr,
                       {"test", "IndieRebellion", "dogs", "SMTOWN"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.stats.errors.size(), 1u);
  EXPECT_EQ(r.stats.errors.at("truncated_last_line"), 1);
  EXPECT_EQ(r.stats.notices.at("x_limit"), 1);
  EXPECT_EQ(r.stats.notices.at("x_v2_error"), 1);
  EXPECT_EQ(r.stats.notices.at("mastodon_edit"), 1);
  EXPECT_GE(r.stats.ignored.at("bluesky_identity"), 2);
  EXPECT_EQ(r.stats.deletes, 3);
  EXPECT_EQ(CountsCsv(dir_.File("fx.db")), ReadFile(TestDataPath("golden/fixtures_counts.csv")));
}

// The read settings a replay must count the same at: blocks of 1000 bytes, 64 KiB and the
// default 4 MiB, each with and without the pre-filter.
std::vector<ReplayOptions> ReadSettings() {
  std::vector<ReplayOptions> settings;
  for (bool prefilter : {true, false}) {
    for (size_t read : {size_t{1000}, size_t{65'536}, size_t{4u << 20}}) {
      ReplayOptions o;
      o.read_bytes = read;
      o.prefilter = prefilter;
      settings.push_back(o);
    }
  }
  return settings;
}

std::string Name(const ReplayOptions& o) {
  return std::to_string(o.read_bytes) + (o.prefilter ? "-prefiltered" : "");
}

TEST_F(ReplayTest, VeryLongLinesAndBlockBoundariesLoseNothing) {
  // Lines of 100 KB to 1 MB, their tags at the end or (odd ids) at the start, so that many
  // blocks in a row hold no line end and the tag lies blocks before it.
  std::string feed;
  for (int i = 0; i < 10; ++i) {
    const std::string filler(100'000 * (i + 1), 'a');
    const std::string text = i % 2 ? "#twitterdown " + filler : filler + " #twitterdown";
    feed += R"({"id_str":")" + std::to_string(i) + R"(","timestamp_ms":"1453191300000","text":")" +
            text + R"(","entities":{"hashtags":[{"text":"twitterdown"}]}})" + "\n";
  }
  testing::WriteFile(dir_.File("long.jsonl"), feed);
  for (const ReplayOptions& o : ReadSettings()) {
    RunResult r = Replay(dir_.File("long" + Name(o) + ".db"), {dir_.File("long.jsonl")}, o);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stats.mentions, 10) << Name(o);
  }
}

TEST_F(ReplayTest, ALineNestedAMillionDeepIsSkippedAndTheRestCounted) {
  auto post = [](const char* id) {
    return R"({"id_str":")" + std::string(id) + R"(","timestamp_ms":"1453191300000",)" +
           R"("text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]}})" + "\n";
  };
  // Parsed without a bound, the middle line overflowed the stack and killed the replay.
  testing::WriteFile(dir_.File("deep.jsonl"), post("1") +
                                                  R"({"id_str":"2","text":"#twitterdown","x":)" +
                                                  std::string(1'000'000, '[') + "\n" + post("3"));
  RunResult r = Replay(dir_.File("deep.db"), {dir_.File("deep.jsonl")});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.stats.mentions, 2);
  EXPECT_EQ(r.stats.errors.at("json_too_deep"), 1);
}

TEST_F(ReplayTest, ALineTooLongToKeepIsSkippedWholeAndCountedOnce) {
  // 3 MiB of garbage ending in a post, with at most 1 MiB a line: none of it counts (as
  // live: see CollectorTest), the line is one error, and the posts around it count, at
  // every read size and with and without the pre-filter.
  auto post = [](const char* id) {
    return R"({"id_str":")" + std::string(id) + R"(","timestamp_ms":"1453191300000",)" +
           R"("text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]}})";
  };
  testing::WriteFile(dir_.File("long-line.jsonl"), post("1") + "\n" + std::string(3 << 20, 'x') +
                                                       post("2") + "\n" + post("3") + "\n");
  for (ReplayOptions o : ReadSettings()) {
    o.max_line_bytes = 1 << 20;
    RunResult r =
        Replay(dir_.File("long-line-" + Name(o) + ".db"), {dir_.File("long-line.jsonl")}, o);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stats.mentions, 2) << Name(o);
    EXPECT_EQ(r.stats.errors, (std::map<std::string, int64_t>{{"line_too_long", 1}})) << Name(o);
  }
}

TEST_F(ReplayTest, LockedDatabaseLosesNoCounts) {
  const std::string db = dir_.File("locked.db");
  {
    std::string e;
    ASSERT_TRUE(SqliteStore::OpenForWriting(db, &e));
  }
  // Another connection holds the write lock until the replay has waited a while.
  auto blocker = std::make_unique<SQLite::Database>(db, SQLite::OPEN_READWRITE);
  blocker->exec("BEGIN IMMEDIATE");
  TestClock clock;
  int sleeps = 0;
  clock.on_sleep = [&] {
    if (++sleeps == 2) blocker.reset();  // rolls back and releases the lock
  };
  std::string error;
  auto store = SqliteStore::OpenForWriting(db, &error);
  ASSERT_TRUE(store) << error;
  store->set_busy_timeout_ms(0);
  EXPECT_NE(ReplayCommittingEveryMiB(store.get(), &clock).find("cannot write to the database"),
            std::string::npos);
  EXPECT_EQ(CountsCsv(db), ReadFile(feed_dir_->File("truth.csv")));
}

TEST_F(ReplayTest, AFullDiskLosesNoCounts) {
  // The database may not grow (SQLite's max_page_count gives the error a full disk gives)
  // until the replay has retried twice at the end: the counts wait in memory, the log says
  // what to do, and once there is room the history is complete.
  const std::string db = dir_.File("full.db");
  TestClock clock;
  std::string error;
  auto store = SqliteStore::OpenForWriting(db, &error);
  ASSERT_TRUE(store) << error;
  const int pages = store->db().execAndGet("PRAGMA page_count").getInt();
  store->db().exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
  int sleeps = 0;
  clock.on_sleep = [&] {
    if (++sleeps == 2) store->db().exec("PRAGMA max_page_count = 1000000000");  // room again
  };
  const std::string log = ReplayCommittingEveryMiB(store.get(), &clock);
  EXPECT_NE(log.find("cannot write to the database: database or disk is full"), std::string::npos)
      << log;
  EXPECT_NE(log.find("free disk space"), std::string::npos);
  EXPECT_EQ(CountsCsv(db), ReadFile(feed_dir_->File("truth.csv")));
}

TEST_F(ReplayTest, SecondWriterIsRefusedWithAClearMessage) {
  std::string error;
  auto first = SqliteStore::OpenForWriting(dir_.File("h.db"), &error);
  ASSERT_TRUE(first);
  auto second = SqliteStore::OpenForWriting(dir_.File("h.db"), &error);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find("another hashmon process is writing"), std::string::npos) << error;
}

TEST_F(ReplayTest, NewerSchemaIsAClearError) {
  const std::string db = dir_.File("h.db");
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA user_version = 99");
  }
  std::string error;
  EXPECT_FALSE(SqliteStore::OpenForWriting(db, &error));
  EXPECT_NE(error.find("newer than this hashmon"), std::string::npos) << error;
  EXPECT_FALSE(SqliteStore::OpenReadOnly(db, &error));
  EXPECT_NE(error.find("newer than this hashmon"), std::string::npos) << error;
}

TEST_F(ReplayTest, ReadersWorkWhileTheWriterHoldsATransaction) {
  const std::string db = dir_.File("h.db");
  ASSERT_TRUE(Replay(db, {Feed()}).ok);
  SQLite::Database writer(db, SQLite::OPEN_READWRITE);
  writer.exec("BEGIN IMMEDIATE; DELETE FROM buckets;");
  EXPECT_EQ(CountsCsv(db), ReadFile(feed_dir_->File("truth.csv")));
  writer.exec("ROLLBACK");
}

TEST_F(ReplayTest, InputsReplayedTogetherMakeTheHistoryOfTheWholeFeed) {
  // Two sources recorded apart (here the day's posts dealt alternately into two files) are
  // merged by event time: the history is the one feed's, outages and detector state
  // included. Read one after the other, the second file's posts would all come too late
  // for detection.
  const std::vector<std::string> halves = SplitFeed(2, /*consecutive=*/false);
  const RunResult whole = Replay(dir_.File("whole.db"), {Feed()});
  const RunResult together = ReplayTogether(dir_.File("together.db"), halves);
  ASSERT_TRUE(together.ok) << together.error;
  EXPECT_EQ(together.stats.mentions, whole.stats.mentions);
  EXPECT_EQ(together.stats.late_mentions, whole.stats.late_mentions);
  EXPECT_EQ(Dump(dir_.File("together.db")), Dump(dir_.File("whole.db")));

  const RunResult apart = Replay(dir_.File("apart.db"), halves);
  EXPECT_GT(apart.stats.late_mentions, whole.stats.mentions / 3);
}

TEST_F(ReplayTest, AnInputWhoseFirstPostHasAWrongClockIsNotHeldBack) {
  // Merged by event time, an input that begins with a post stamped in 2030 would wait for
  // every other input to end, and its posts would all come too late for detection; its
  // next posts show that the clock was wrong.
  std::vector<std::string> halves = SplitFeed(2, false);
  testing::WriteFile(
      halves[1],
      R"({"id_str":"2030","timestamp_ms":"1900000000000","text":"#twitterdown",)"
      R"("entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})"
      "\n" +
          ReadFile(halves[1]));
  const RunResult whole = Replay(dir_.File("whole.db"), {Feed()});
  const RunResult together = ReplayTogether(dir_.File("together.db"), halves);
  ASSERT_TRUE(together.ok) << together.error;
  EXPECT_EQ(together.stats.ahead_mentions, 1);
  EXPECT_EQ(together.stats.late_mentions, whole.stats.late_mentions);
}

TEST_F(ReplayTest, InputsReplayedTogetherResumeWhereEachStopped) {
  // Both files cut at the same line of the feed (a third of the day), replayed without the
  // end-of-input flush, then whole: a replay of two inputs stopped mid-way and restarted.
  ReplayOptions small;
  small.commit_bytes = 1 << 20;
  const std::vector<std::string> cut = SplitFeed(2, false, /*cut_lines=*/40'000);
  const std::string db = dir_.File("resumed.db");
  ASSERT_TRUE(ReplayTogether(db, cut, small, /*finish=*/false).ok);
  const std::vector<std::string> halves = SplitFeed(2, false);
  ASSERT_TRUE(ReplayTogether(db, halves, small).ok);
  ASSERT_TRUE(ReplayTogether(dir_.File("clean.db"), halves).ok);
  EXPECT_EQ(Dump(db), Dump(dir_.File("clean.db")));
}

TEST_F(ReplayTest, MoreInputsThanAreReadAtOnceWaitTheirTurn) {
  // Ten consecutive parts of the day: the last two wait for earlier ones to end, which is
  // right for inputs that follow each other in time (a day per file).
  ASSERT_GT(10u, Replayer::kMaxOpenInputs);
  const RunResult parts =
      ReplayTogether(dir_.File("parts.db"), SplitFeed(10, /*consecutive=*/true));
  ASSERT_TRUE(parts.ok) << parts.error;
  const RunResult whole = Replay(dir_.File("whole.db"), {Feed()});
  EXPECT_EQ(parts.stats.late_mentions, whole.stats.late_mentions);
  EXPECT_EQ(Dump(dir_.File("parts.db")), Dump(dir_.File("whole.db")));
}

TEST(PermissionHintTest, ADatabaseInADirectoryThatIsNotThereSaysToCreateIt) {
  TempDir dir;
  const std::string db = dir.File("no/such/dir/history.db");
  std::string error;
  EXPECT_FALSE(SqliteStore::OpenForWriting(db, &error));
  EXPECT_NE(error.find("the directory " + dir.File("no/such/dir") +
                       " does not exist: create it "
                       "with mkdir -p " +
                       dir.File("no/such/dir") + " or pass another --db"),
            std::string::npos)
      << error;
  EXPECT_EQ(WhyNotWritable(dir.File("history.db")), "");  // nothing in the way
}

TEST(PermissionHintTest, ADatabaseReadOnlyForThisUserNamesTheWayOut) {
  EXPECT_NE(PermissionHint("attempt to write a readonly database").find("sudo -u hashmon"),
            std::string::npos);
  EXPECT_EQ(PermissionHint("database or disk is full"), "");
}

TEST(InputPathsTest, ADirectorysFilesAreListedOnceInPathOrderWithoutFollowingLinksToDirectories) {
  TempDir dir;
  testing::WriteFile(dir.File("b.jsonl"), "");
  std::filesystem::create_directories(dir.File("a/deeper"));
  testing::WriteFile(dir.File("a/deeper/c.jsonl"), "");
  std::filesystem::create_directory_symlink("..", dir.File("a/up"));  // a loop, if followed
  std::filesystem::create_symlink("gone.jsonl", dir.File("dangling.jsonl"));
  ASSERT_EQ(mkfifo(dir.File("pipe.jsonl").c_str(), 0600), 0);  // would block a reader forever
  std::vector<std::string> files;
  std::string error;
  ASSERT_TRUE(ExpandInputPaths({dir.path(), "-"}, &files, &error)) << error;
  EXPECT_EQ(files,
            (std::vector<std::string>{dir.File("a/deeper/c.jsonl"), dir.File("b.jsonl"), "-"}));
}

// What `attempt` (in reach of `dir`) tells a user without privileges: whether it succeeded,
// and what it said. Root may read anything, so as root `attempt` runs in a child process
// that has become nobody (exit 4: nobody cannot reach `dir` at all, as under a private
// TMPDIR).
struct Attempt {
  int exit_code;
  std::string said;
};
Attempt AsAUserWithoutPrivileges(const std::string& dir,
                                 const std::function<bool(std::string* said)>& attempt) {
  int out[2];
  if (pipe(out) != 0) return {-1, "pipe failed"};
  const pid_t child = fork();
  if (child == 0) {
    close(out[0]);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    if (access(dir.c_str(), R_OK | X_OK) != 0) _exit(4);
    std::string said;
    const bool succeeded = attempt(&said);
    if (write(out[1], said.data(), said.size()) < 0) _exit(5);
    _exit(succeeded ? 0 : 1);
  }
  close(out[1]);
  std::string said;
  char buffer[512];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) said.append(buffer, n);
  close(out[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, said};
}

TEST(InputPathsTest, ASubdirectoryThatCannotBeListedIsNamedWithTheFixNotSkipped) {
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  std::filesystem::create_directory(dir.File("2016-01-19"));
  testing::WriteFile(dir.File("2016-01-19/a.jsonl"), "");
  std::filesystem::create_directory(dir.File("2016-01-20"));
  ASSERT_EQ(chmod(dir.File("2016-01-20").c_str(), 0), 0);
  const Attempt listing = AsAUserWithoutPrivileges(dir.path(), [&](std::string* said) {
    std::vector<std::string> files;
    return ExpandInputPaths({dir.path()}, &files, said);
  });
  chmod(dir.File("2016-01-20").c_str(), 0755);  // so that it can be removed
  if (listing.exit_code == 4) GTEST_SKIP() << "nobody cannot reach " << dir.path();
  EXPECT_EQ(listing.exit_code, 1) << listing.said;
  EXPECT_EQ(listing.said, "cannot list the directory " + dir.File("2016-01-20") +
                              " (Permission denied): make it readable to this user (chmod "
                              "a+rx, or run as its owner), or move it out of the inputs");
}

TEST(InputPathsTest, AFileThatCannotBeReadIsNamedWithTheFix) {
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  testing::WriteFile(dir.File("feed.jsonl"), "");
  ASSERT_EQ(chmod(dir.File("feed.jsonl").c_str(), 0600), 0);
  const Attempt opening = AsAUserWithoutPrivileges(dir.path(), [&](std::string* said) {
    return InputFile::Open(dir.File("feed.jsonl"), said) != nullptr;
  });
  if (opening.exit_code == 4) GTEST_SKIP() << "nobody cannot reach " << dir.path();
  EXPECT_EQ(opening.exit_code, 1) << opening.said;
  EXPECT_EQ(opening.said, dir.File("feed.jsonl") +
                              ": Permission denied: make it readable to this user (chmod a+r, "
                              "or run as its owner)");
}

}  // namespace
}  // namespace hashmon
