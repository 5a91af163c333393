// The hashmon binary as users run it.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "feed/http_stream.h"
#include "hashmon/time_util.h"
#include "http_test_server.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunHashmon;
using testing::RunHashmonSaying;
using testing::RunHashmonWritingTo;
using testing::TempDir;
using testing::TestDataPath;

// A post of #twitterdown at 2016-01-19T08:15:00Z, as an X v1.1 line.
const char* const kOnePost =
    R"({"id_str":"1","timestamp_ms":"1453191300000","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]}})"
    "\n";

// The Archive Team fixture (a minute of 2021's sample stream) replayed into `db`, watching
// its busiest tag.
::testing::AssertionResult ReplayedArchiveTeamMinute(const std::string& db) {
  const auto r =
      RunHashmon("replay -q --db " + db + " '" + std::string(HASHMON_TEST_DATA) +
                 "/feeds/twitter_v1_archiveteam_2021-01-01_0029.jsonl' --tag availSemarang");
  if (r.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "replay exited " << r.exit_code;
}

TEST(Cli, HashtagsCommandPassesTheConformanceCases) {
  rapidjson::Document cases;
  cases.Parse(testing::ReadFile(TestDataPath("hashtags/dev_cases.json")).c_str());
  TempDir dir;
  std::string input, expected;
  for (const auto& c : cases.GetArray()) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    c["text"].Accept(w);
    input += std::string(b.GetString()) + "\n";
    rapidjson::StringBuffer e;
    rapidjson::Writer<rapidjson::StringBuffer> we(e);
    c["expected"].Accept(we);
    expected += std::string(e.GetString()) + "\n";
  }
  testing::WriteFile(dir.File("in.jsonl"), input);
  auto r = RunHashmon("hashtags", dir.File("in.jsonl"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, expected);
}

TEST(Cli, InspectSaysWhyAPostCounts) {
  TempDir dir;
  testing::WriteFile(
      dir.File("p.jsonl"),
      R"({"id_str":"9","timestamp_ms":"1453191330000","text":"down #TwitterDown",)"
      R"("entities":{"hashtags":[{"text":"TwitterDown"}]},"user":{"location":"Recife, PE"}})"
      "\n");
  auto r = RunHashmon("inspect " + dir.File("p.jsonl"));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      r.out,
      R"({"source":"x","id":"9","created_at":"2016-01-19T08:15:30Z","hashtags":["TwitterDown"],)"
      R"("watched":true,"country":"BR","method":"profile"})"
      "\n");
}

// A retweet carries its own tags and the original's: each is shown once, as it counts.
TEST(Cli, InspectShowsARetweetsTagsOnce) {
  TempDir dir;
  testing::WriteFile(
      dir.File("rt.jsonl"),
      R"({"id_str":"4","timestamp_ms":"1453191330000","text":"RT @a: #twitterdown #down",)"
      R"("entities":{"hashtags":[{"text":"twitterdown"},{"text":"down"}]},)"
      R"("retweeted_status":{"id_str":"5","timestamp_ms":"1453191300000","text":"#twitterdown #down",)"
      R"("entities":{"hashtags":[{"text":"twitterdown"},{"text":"down"}]}}})"
      "\n");
  auto r = RunHashmon("inspect " + dir.File("rt.jsonl"));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(R"("hashtags":["twitterdown","down"],"watched":true)"), std::string::npos)
      << r.out;
}

TEST(Cli, ReplayThenQueryCountsInEveryFormat) {
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 3; ++i) {
    lines +=
        R"({"id_str":")" + std::to_string(i) + R"(","timestamp_ms":"14531913)" +
        std::to_string(10 + i * 30) +
        R"(000","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})"
        "\n";
  }
  testing::WriteFile(dir.File("f.jsonl"), lines);
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  auto csv = RunHashmon("query counts --db " + db + " --format csv");
  EXPECT_EQ(csv.out,
            "time,tag,country,count\n2016-01-19T08:15:00Z,twitterdown,GB,2\n2016-01-19T08:16:00Z,"
            "twitterdown,GB,1\n");
  auto hourly = RunHashmon("query counts --db " + db +
                           " --format csv --every 1h --country gb --tag '#TwitterDown'");
  EXPECT_EQ(hourly.out, "time,tag,country,count\n2016-01-19T08:00:00Z,twitterdown,GB,3\n");
  auto json = RunHashmon("query counts --db " + db + " --format json --since 2016-01-19T08:16:00Z");
  EXPECT_EQ(json.out,
            R"([{"time":"2016-01-19T08:16:00Z","tag":"twitterdown","country":"GB","count":1}])"
            "\n");
  auto table = RunHashmon("query counts --db " + db + " --format table");
  EXPECT_NE(table.out.find("GB"), std::string::npos);
  EXPECT_NE(table.out.find("█"), std::string::npos);
  auto json_lines = RunHashmon("query counts --db " + db + " --format jsonl");
  EXPECT_EQ(json_lines.out,
            R"({"time":"2016-01-19T08:15:00Z","tag":"twitterdown","country":"GB","count":2})"
            "\n"
            R"({"time":"2016-01-19T08:16:00Z","tag":"twitterdown","country":"GB","count":1})"
            "\n");
  for (const char* query : {"outages", "spikes", "gaps"}) {
    auto none = RunHashmon("query " + std::string(query) + " --db " + db + " --format jsonl");
    EXPECT_EQ(none.exit_code, 0) << query;
    EXPECT_EQ(none.out, "") << query;  // no row, no line (json says [])
  }
}

TEST(Cli, AnswersThatCannotBeWrittenOutInFullFail) {
  // A full disk must not leave a truncated CSV that a script takes for the whole answer.
  TempDir dir;
  const std::string db = dir.File("h.db");
  ASSERT_TRUE(ReplayedArchiveTeamMinute(db));
  for (const char* format : {"csv", "json", "jsonl", "table"}) {
    auto full = testing::RunHashmonWritingTo("query counts --db " + db + " --format " + format,
                                             "/dev/full");
    EXPECT_EQ(full.exit_code, 1) << format;
    EXPECT_NE(full.out.find("hashmon: the output was not all written"), std::string::npos)
        << full.out;
  }
  testing::WriteFile(dir.File("series.csv"), "timestamp,value\n2015-02-26 21:42:53,53\n");
  auto scores =
      testing::RunHashmonSaying("detect --series " + dir.File("series.csv") + " --out /dev/full");
  EXPECT_EQ(scores.exit_code, 1);
  EXPECT_NE(scores.out.find("hashmon detect: could not write all of /dev/full"), std::string::npos)
      << scores.out;
}

TEST(Cli, AnAnswerWrittenToAFileReplacesItOnlyOnceWhole) {
  // A cron job refreshing a CSV for a web page must never leave half of one in its place.
  TempDir dir;
  std::string lines;
  for (int minute = 0; minute < 2000; ++minute) {
    lines += R"({"id_str":")" + std::to_string(minute) + R"(","timestamp_ms":")" +
             std::to_string(1453191300000 + minute * 60000) +
             R"(","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]}})"
             "\n";
  }
  testing::WriteFile(dir.File("f.jsonl"), lines);
  const std::string db = " --db " + dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q" + db + " " + dir.File("f.jsonl")).exit_code, 0);
  const std::string csv = RunHashmon("query counts --format csv" + db).out;
  ASSERT_GT(csv.size(), 64u << 10);

  // The file's name gives the format; nothing goes to stdout.
  auto written = RunHashmonSaying("query counts" + db + " -o " + dir.File("counts.csv"));
  EXPECT_EQ(written.exit_code, 0);
  EXPECT_EQ(written.out, "");
  EXPECT_EQ(testing::ReadFile(dir.File("counts.csv")), csv);
  EXPECT_EQ(RunHashmon("query outages" + db + " --output " + dir.File("o.json")).exit_code, 0);
  EXPECT_EQ(testing::ReadFile(dir.File("o.json")), "[]\n");
  EXPECT_EQ(RunHashmon("query gaps" + db + " -o " + dir.File("gaps.txt")).exit_code, 0);
  EXPECT_EQ(testing::ReadFile(dir.File("gaps.txt")),
            "no gaps in this range: no source went unwatched\n");

  // A query that fails, or an answer that does not fit on the disk, leaves the last whole
  // answer (and its mode) as it was, and no temporary file beside it.
  chmod(dir.File("counts.csv").c_str(), 0640);
  auto refused =
      RunHashmonSaying("query counts" + db + " --country brazil -o " + dir.File("counts.csv"));
  EXPECT_EQ(refused.exit_code, 2);
  auto full =
      testing::RunHashmonSayingWithFilesUpTo("query counts" + db + " -o " + dir.File("counts.csv"),
                                             48 << 10);  // above the history's 32 KiB -shm file
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_NE(full.out.find("could not write all of the answer to " + dir.File("counts.csv")),
            std::string::npos)
      << full.out;
  EXPECT_EQ(testing::ReadFile(dir.File("counts.csv")), csv);
  struct stat st {};
  ASSERT_EQ(stat(dir.File("counts.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(RunHashmon("query counts" + db + " --every 1h -o " + dir.File("counts.csv")).exit_code,
            0);
  ASSERT_EQ(stat(dir.File("counts.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();

  // Through a symbolic link, the file it names is replaced and the link stays one.
  std::filesystem::create_directories(dir.File("data"));
  std::filesystem::create_symlink(dir.File("data/real.csv"), dir.File("link.csv"));
  EXPECT_EQ(RunHashmon("query counts" + db + " -o " + dir.File("link.csv")).exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_symlink(dir.File("link.csv")));
  EXPECT_EQ(testing::ReadFile(dir.File("data/real.csv")), csv);

  // Where no file can go, it says so before asking the history anything.
  const std::pair<std::string, std::string> nowhere[] = {
      {dir.path(), "is a directory: give --output a file name"},
      {"/dev/null", "/dev/null is not a regular file"},
      {dir.File("no/such/c.csv"), "the directory " + dir.File("no/such") + " does not exist"}};
  for (const auto& [output, says] : nowhere) {
    auto refused = RunHashmonSaying("query counts" + db + " -o " + output);
    EXPECT_EQ(refused.exit_code, 1) << output;
    EXPECT_NE(refused.out.find(says), std::string::npos) << refused.out;
  }
}

// A history at `path` holding these gaps and nothing else.
void WriteGaps(const std::string& path, std::vector<GapRecord> gaps) {
  std::string error;
  auto store = SqliteStore::OpenForWriting(path, &error);
  ASSERT_TRUE(store) << error;
  Batch batch;
  batch.gaps = std::move(gaps);
  store->Commit(batch, {});
}

TEST(Cli, AGapsCsvQuotesASourceWhoseUrlHoldsCommasOrQuotes) {
  TempDir dir;
  WriteGaps(dir.File("h.db"), {{R"(http:http://relay/feed?tags=a,b&name="x")", 1453191300000,
                                1453191360000, "disconnected"}});
  auto csv = RunHashmon("query gaps --format csv --db " + dir.File("h.db"));
  EXPECT_EQ(csv.out,
            "source,from,to,reason\n"
            R"("http:http://relay/feed?tags=a,b&name=""x""",2016-01-19T08:15:00Z,)"
            "2016-01-19T08:16:00Z,disconnected\n");
}

// Every disconnection is listed; the JSON also says from when its posts may be missing:
// none (null) where the source sent them again, part of it, or all of it.
TEST(Cli, GapsSayFromWhenPostsMayBeMissing) {
  TempDir dir;
  const int64_t t = *ParseIsoTime("2016-01-19T08:15:00Z");
  WriteGaps(dir.File("h.db"), {{"x", t + 500, t + 120'000, "disconnected"},  // (to the second)
                               {"jetstream", t, t + 120'000, "disconnected", t + 120'000},
                               {"mastodon", t, t + 120'000, "disconnected", t + 90'000}});
  const std::string json = RunHashmon("query gaps --format json --db " + dir.File("h.db")).out;
  for (const char* expected :
       {R"("source":"x","from":"2016-01-19T08:15:00Z","to":"2016-01-19T08:17:00Z",)"
        R"("reason":"disconnected","posts_missing_from":"2016-01-19T08:15:00Z")",
        R"("source":"jetstream","from":"2016-01-19T08:15:00Z","to":"2016-01-19T08:17:00Z",)"
        R"("reason":"disconnected","posts_missing_from":null)",
        R"("source":"mastodon","from":"2016-01-19T08:15:00Z","to":"2016-01-19T08:17:00Z",)"
        R"("reason":"disconnected","posts_missing_from":"2016-01-19T08:16:30Z")"}) {
    EXPECT_NE(json.find(expected), std::string::npos) << json;
  }
  // The table says so in words where posts came again; CSV keeps its four columns.
  const std::string table = RunHashmon("query gaps --format table --db " + dir.File("h.db")).out;
  for (const char* expected :
       {"2016-01-19T08:15:00Z .. 2016-01-19T08:17:00Z  disconnected\n",
        "2016-01-19T08:17:00Z  disconnected (its posts came again: nothing missing)\n",
        "2016-01-19T08:17:00Z  disconnected (its posts came again up to 2016-01-19T08:16:30Z)\n"}) {
    EXPECT_NE(table.find(expected), std::string::npos) << table;
  }
}

TEST(Cli, ATimeToKeepRecordingsThatCannotBeWhatWasMeantIsRefusedWithTheFix) {
  TempDir dir;
  // (Nothing listens on port 9 of this machine; each is refused before connecting.)
  const std::string source = " --source http://127.0.0.1:9/feed";
  const std::pair<std::string, std::string> refused[] = {
      {"record --out " + dir.File("rec") + source + " --keep 10",
       "--keep 10: give how long to keep each hour's recording, an hour or more, such as 30d"},
      {"collect --db " + dir.File("h.db") + source + " --record " + dir.File("rec") +
           " --record-keep 30m",
       "an hour or more"},
      {"collect --db " + dir.File("h.db") + source + " --record-keep 30d",
       "give --record DIR (or \"record\") too"}};
  for (const auto& [args, says] : refused) {
    auto r = RunHashmonSaying(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.out.find(says), std::string::npos) << r.out;
  }
}

TEST(Cli, CollectCheckShowsTheSettingsWithoutSecretsAndTouchesNothing) {
  TempDir dir;
  const std::string config = dir.File("hashmon.json");
  testing::WriteFile(config, R"({"db": ")" + dir.File("h.db") +
                                 R"(", "tags": ["twitterdown", "xdown"],
    "sources": ["jetstream"], "record": ")" +
                                 dir.File("archive") + R"(", "record_keep": "30d",
    "keep_history": "400d", "listen": "127.0.0.1:0", "webhook_format": "slack",
    "webhook_url": "https://hooks.slack.com/services/T0/B0/SECRETPART"})");
  chmod(config.c_str(), 0600);
  auto fine = RunHashmonSaying("collect --check --config " + config);
  EXPECT_EQ(fine.exit_code, 0) << fine.out;
  for (const std::string says :
       {"h.db: does not exist yet: made at start", "twitterdown, xdown",
        "sources    jetstream at wss://jetstream2.us-east.bsky.network/subscribe (then 3 other "
        "instances, should it fail)",
        "listen     127.0.0.1:0", "slack to hooks.slack.com (the URL is not shown)",
        "archive: made at start, each hour kept 30d",
        "keep_history 400d, older counts, spikes and gaps deleted hourly"})
    EXPECT_NE(fine.out.find(says), std::string::npos) << says << " in " << fine.out;
  EXPECT_EQ(fine.out.find("SECRETPART"), std::string::npos) << fine.out;
  EXPECT_FALSE(std::filesystem::exists(dir.File("h.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("h.db.lock")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("archive")));

  // With a collector writing the history, the check still passes, and says so.
  std::string error;
  auto writer = SqliteStore::OpenForWriting(dir.File("h.db"), &error);
  ASSERT_TRUE(writer) << error;
  auto running = RunHashmonSaying("collect --check --config " + config);
  EXPECT_EQ(running.exit_code, 0) << running.out;
  EXPECT_NE(running.out.find("writable; a collector writes it now"), std::string::npos)
      << running.out;
  writer.reset();

  // What could not start is said, with the fix: a setting (2), a place to write (1).
  auto repeat = RunHashmonSaying("collect --check --config " + config + " --db " +
                                 dir.File("h.db") + " --record-keep 20m");
  EXPECT_EQ(repeat.exit_code, 2);
  EXPECT_NE(repeat.out.find("an hour or more"), std::string::npos) << repeat.out;
  auto short_history = RunHashmonSaying("collect --check --config " + config + " --db " +
                                        dir.File("h.db") + " --keep-history 2d");
  EXPECT_EQ(short_history.exit_code, 2);
  EXPECT_NE(short_history.out.find("--keep-history (or \"keep_history\" in the config) 2d: give "
                                   "how long the history keeps its counts, 7d or more"),
            std::string::npos)
      << short_history.out;
  auto nowhere =
      RunHashmonSaying("collect --check --config " + config + " --db " + dir.File("no/such/h.db"));
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.out.find("create it with mkdir -p " + dir.File("no/such")), std::string::npos)
      << nowhere.out;
  testing::WriteFile(dir.File("not.db"), "not a database, but 64 bytes long or more............");
  auto damaged =
      RunHashmonSaying("collect --check --config " + config + " --db " + dir.File("not.db"));
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out;
}

TEST(Cli, CollectCheckSaysWhetherJetstreamV2IsCompressed) {
  TempDir dir;
  const std::string v2 =
      "jetstream-v2 at wss://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream."
      "subscribeEvents";
  auto on = RunHashmonSaying("collect --check --source jetstream-v2 --db " + dir.File("h.db"));
  EXPECT_EQ(on.exit_code, 0) << on.out;
  EXPECT_NE(on.out.find(v2 + " (zstd-compressed with the server's dictionary; then 1 other "
                             "instance, should it fail)"),
            std::string::npos)
      << on.out;
  const std::string config = dir.File("c.json");
  testing::WriteFile(config, R"({"sources": ["jetstream-v2"], "jetstream_zstd": "off"})");
  auto off = RunHashmonSaying("collect --check --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(off.exit_code, 0) << off.out;
  EXPECT_NE(off.out.find(v2 + " (plain JSON: jetstream_zstd off; then 1"), std::string::npos)
      << off.out;
  testing::WriteFile(config, R"({"sources": ["jetstream-v2"], "jetstream_zstd": "maybe"})");
  auto bad = RunHashmonSaying("collect --check --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("jetstream_zstd: expected on or off, not \"maybe\""), std::string::npos)
      << bad.out;
}

TEST(Cli, AWebhookRepeatThatIsNoDurationIsRefusedInsteadOfTakenAsFourHours) {
  TempDir dir;
  auto r = RunHashmonSaying("collect --check --db " + dir.File("h.db"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string config = dir.File("c.json");
  testing::WriteFile(config, R"({"webhook_repeat": "soon"})");
  auto soon = RunHashmonSaying("collect --check --config " + config);
  EXPECT_EQ(soon.exit_code, 2);
  EXPECT_NE(soon.out.find("webhook_repeat \"soon\": give how often an ongoing outage is sent "
                          "again, a minute or more, such as 4h"),
            std::string::npos)
      << soon.out;
}

TEST(Cli, ABackupIsOneConsistentCheckedFileTakenWhileTheCollectorWrites) {
  TempDir dir;
  const std::string db = dir.File("h.db");
  ASSERT_TRUE(ReplayedArchiveTeamMinute(db));
  const std::string counts = RunHashmon("query counts --format csv --db " + db).out;
  ASSERT_NE(counts.find("availsemarang"), std::string::npos) << counts;

  // A writer is in the middle of a transaction (as the collector is, at each commit).
  std::string error;
  auto writer = SqliteStore::OpenForWriting(db, &error);
  ASSERT_TRUE(writer) << error;
  SQLite::Database raw(db, SQLite::OPEN_READWRITE);
  raw.exec("BEGIN IMMEDIATE");
  raw.exec("DELETE FROM buckets");
  const std::string copy = dir.File("backup.db");
  testing::WriteFile(copy, "the last backup");
  auto backed_up = RunHashmonSaying("backup --db " + db + " " + copy);
  raw.exec("ROLLBACK");
  writer.reset();
  EXPECT_EQ(backed_up.exit_code, 0) << backed_up.out;
  EXPECT_NE(backed_up.out.find("backed up " + db + " to " + copy), std::string::npos)
      << backed_up.out;
  // What was committed, as one file that opens on its own, with nothing left beside it.
  EXPECT_EQ(RunHashmon("query counts --format csv --db " + copy).out, counts);
  for (const char* beside : {"-wal", "-shm", "-journal"})
    EXPECT_FALSE(std::filesystem::exists(copy + beside)) << beside;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();

  // Where it cannot, it says why, and the last backup stays.
  const std::pair<std::string, std::string> refused[] = {
      {"--db " + db + " " + db, "the backup would overwrite the history itself"},
      {"--db " + dir.File("none.db") + " " + dir.File("b.db"), "no database at"},
      {"--db " + db + " " + dir.path(), "is a directory: give the backup a file name"},
      {"--db " + db + " " + dir.File("no-such-dir/b.db"),
       "the directory " + dir.File("no-such-dir") + " does not exist: create it with mkdir -p"},
      {"--db " + dir.File("f.txt") + " " + copy, "is as it was"}};
  testing::WriteFile(dir.File("f.txt"), "not a history");
  for (const auto& [args, says] : refused) {
    auto r = RunHashmonSaying("backup " + args);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_NE(r.out.find(says), std::string::npos) << r.out;
  }
  EXPECT_EQ(RunHashmon("query counts --format csv --db " + copy).out, counts);
}

// An input read before is not read again (exactly once), so a tag watched only now is not
// counted in it: replay says so where it resumes it, and reads a new input for every tag.
TEST(Cli, ATagWatchedOnlyNowIsNotCountedInWhatWasReadBeforeAndReplaySaysSo) {
  TempDir dir;
  const std::string db = dir.File("h.db");
  const std::string old_feed = dir.File("old.jsonl");
  testing::WriteFile(old_feed, kOnePost);
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + old_feed).exit_code, 0);
  const std::string said =
      "#xdown was not watched when its bytes up to there were read, so it "
      "is not counted in them (replay into another --db to count it in all "
      "of " +
      old_feed + ")";
  const std::string both = "replay -q --db " + db + " --tag twitterdown,xdown ";
  auto again = RunHashmonSaying(both + old_feed);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find(said), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("#twitterdown was not"), std::string::npos) << again.out;
  // A run that read none of it leaves what it was read for as it was.
  EXPECT_NE(RunHashmonSaying(both + old_feed).out.find(said), std::string::npos);
  // A new input is read for both tags, and says nothing when read again.
  const std::string new_feed = dir.File("new.jsonl");
  testing::WriteFile(new_feed, std::string(kOnePost).replace(10, 1, "2"));  // id_str 2
  ASSERT_EQ(RunHashmon(both + new_feed).exit_code, 0);
  EXPECT_EQ(RunHashmonSaying(both + new_feed).out.find("not watched"), std::string::npos);
  // A cursor from before schema 11 does not say what its input was read for: the tags the
  // history counted stand in.
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE checkpoints SET tags = NULL");
  }
  EXPECT_NE(RunHashmonSaying(both + old_feed).out.find(said), std::string::npos);
}

TEST(Cli, QuerySourcesSaysWhereEachInputStandsAndWhenItLastCommitted) {
  TempDir dir;
  const std::string db = dir.File("h.db");
  EXPECT_EQ(RunHashmon("query sources --format table --db " + db).exit_code, 1);  // no history
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  std::string error;
  {
    auto store = SqliteStore::OpenForWriting(db, &error);
    ASSERT_TRUE(store) << error;
    store->Commit(Batch{}, {{"jetstream", "1453191300000000", false}});
  }
  auto json = RunHashmon("query sources --format json --db " + db);
  rapidjson::Document d;
  d.Parse(json.out.c_str());
  ASSERT_TRUE(d.IsArray() && d.Size() == 2u) << json.out;
  std::map<std::string, const rapidjson::Value*> by_kind;
  for (const auto& row : d.GetArray())
    by_kind[std::string(row["source"].GetString()).substr(0, 4)] = &row;
  ASSERT_TRUE(by_kind.count("jets") && by_kind.count("file")) << json.out;
  EXPECT_STREQ((*by_kind["jets"])["cursor"].GetString(), "1453191300000000");
  EXPECT_FALSE((*by_kind["jets"])["complete"].GetBool());
  EXPECT_STREQ((*by_kind["file"])["cursor"].GetString(),
               std::to_string(std::string(kOnePost).size()).c_str());
  EXPECT_TRUE((*by_kind["file"])["complete"].GetBool());
  // What the file was read for; a live source's cursor says nothing of tags.
  ASSERT_TRUE((*by_kind["file"])["tags"].IsArray()) << json.out;
  ASSERT_EQ((*by_kind["file"])["tags"].Size(), 1u);
  EXPECT_STREQ((*by_kind["file"])["tags"][0].GetString(), "twitterdown");
  EXPECT_TRUE((*by_kind["jets"])["tags"].IsNull()) << json.out;
  EXPECT_TRUE(ParseIsoTime((*by_kind["file"])["committed"].GetString()).has_value());
  auto table = RunHashmon("query sources --format table --db " + db);
  EXPECT_NE(table.out.find("2016-01-19T08:15:00Z (time_us)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("byte " + std::to_string(std::string(kOnePost).size()) +
                           ", read to the end, for #twitterdown"),
            std::string::npos)
      << table.out;
  // A file is shown by the path it was replayed from (its identity is in json and csv).
  EXPECT_STREQ((*by_kind["file"])["name"].GetString(), dir.File("f.jsonl").c_str());
  EXPECT_NE(table.out.find(dir.File("f.jsonl")), std::string::npos) << table.out;
  EXPECT_STREQ((*by_kind["jets"])["name"].GetString(), "");
}

TEST(Cli, ATestAlertShowsTheWebhookTakesAlertsAndSaysItIsATest) {
  TempDir dir;
  testing::HttpTestServer receiver(
      [](const testing::TestRequest&) { return testing::TestResponse{}; });
  receiver.Start();
  const std::string config = dir.File("c.json");
  testing::WriteFile(config, R"({"tags": ["xdown"], "webhook_url": ")" + receiver.url() +
                                 R"(/hook?token=SECRET"})");
  chmod(config.c_str(), 0600);
  auto sent =
      RunHashmonSaying("collect --test-webhook --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(sent.exit_code, 0) << sent.out;
  EXPECT_NE(sent.out.find("the alertmanager webhook at 127.0.0.1 took the test alert (resolved)"),
            std::string::npos)
      << sent.out;
  EXPECT_EQ(sent.out.find("SECRET"), std::string::npos) << sent.out;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    rapidjson::Document payload;
    payload.Parse(request.body.c_str());
    ASSERT_TRUE(payload.IsObject()) << request.body;
    EXPECT_STREQ(payload["alerts"][0]["labels"]["test"].GetString(), "true");
    EXPECT_STREQ(payload["alerts"][0]["labels"]["tag"].GetString(), "xdown");
    EXPECT_NE(std::string(payload["alerts"][0]["annotations"]["summary"].GetString())
                  .find("nothing is down"),
              std::string::npos);
  }
  EXPECT_STREQ(rapidjson::Document().Parse(requests[1].body.c_str())["status"].GetString(),
               "resolved");
  EXPECT_FALSE(std::filesystem::exists(dir.File("h.db")));  // nothing collected

  // A receiver that refuses says so, and what to check; no webhook at all is a setting.
  testing::HttpTestServer refusing([](const testing::TestRequest&) {
    return testing::TestResponse{404, "no such hook"};
  });
  refusing.Start();
  testing::WriteFile(config, R"({"webhook_url": ")" + refusing.url() + R"(/hook"})");
  auto refused = RunHashmonSaying("collect --test-webhook --config " + config);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("did not take the test alert (HTTP 404): check the URL"),
            std::string::npos)
      << refused.out;
  auto none = RunHashmonSaying("collect --test-webhook --db " + dir.File("h.db"));
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("no webhook to test"), std::string::npos) << none.out;
}

TEST(Cli, SilencesAreAddedListedAndExpiredWhileTheCollectorRuns) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  auto added =
      RunHashmon("silence add --db " + db +
                 " --country br --tag '#TwitterDown' --for 2h --comment 'planned, maintenance'");
  ASSERT_EQ(added.exit_code, 0);
  EXPECT_EQ(added.out.rfind("silence 1: #twitterdown BR until ", 0), 0u) << added.out;
  EXPECT_NE(added.out.find("(planned, maintenance)"), std::string::npos) << added.out;
  auto listed = RunHashmon("silence list --format json --db " + db);
  EXPECT_NE(
      listed.out.find(
          R"("id":1,"source":"database","state":"active","tag":"twitterdown","country":"BR")"),
      std::string::npos)
      << listed.out;
  auto csv = RunHashmon("silence list --format csv --db " + db);
  EXPECT_NE(csv.out.find(",\"planned, maintenance\"\n"), std::string::npos) << csv.out;

  EXPECT_EQ(RunHashmon("silence expire 1 --db " + db).exit_code, 0);
  EXPECT_EQ(RunHashmon("silence list --format json --db " + db).out, "[]\n");
  EXPECT_NE(RunHashmon("silence list --all --format json --db " + db).out.find("expired"),
            std::string::npos);
  auto again = RunHashmonSaying("silence expire 1 --db " + db);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.out.find("no silence 1 is on"), std::string::npos) << again.out;

  auto endless = RunHashmonSaying("silence add --db " + db + " --country BR");
  EXPECT_EQ(endless.exit_code, 2);
  EXPECT_NE(endless.out.find("--until 2026-12-03T06:00:00Z or --for 2h"), std::string::npos)
      << endless.out;
  // A time relative to now begins or ends one; a bare length of time is --for's.
  auto relative = RunHashmon("silence add --db " + db + " --from +1h --until +3h");
  EXPECT_EQ(relative.exit_code, 0) << relative.out;
  EXPECT_NE(RunHashmon("silence list --format json --db " + db).out.find(R"("state":"pending")"),
            std::string::npos);
  auto length = RunHashmonSaying("silence add --db " + db + " --until 2h");
  EXPECT_EQ(length.exit_code, 2);
  EXPECT_NE(length.out.find("(for how long it lasts: --for 2h)"), std::string::npos) << length.out;
  auto typo = RunHashmonSaying("silence add --db " + db + " --country BRA --for 1h");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.out.find("--country: an ISO 3166 code"), std::string::npos) << typo.out;
  auto nowhere = RunHashmonSaying("silence add --db " + dir.File("none.db") + " --for 1h");
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_NE(nowhere.out.find("no database at"), std::string::npos) << nowhere.out;
}

TEST(Cli, TheCountsTableSpansYearsWithoutAMinuteOfMemoryEach) {
  // A post stamped in the year 9999 (a wrong or hostile clock) is counted and stored; the
  // table from 2016 to it is still a line of sixty cells, not a vector of every minute.
  TempDir dir;
  std::string lines;
  for (const char* ms : {"1453191310000", "253402300000000"}) {
    lines += std::string(R"({"id_str":")") + ms + R"(","timestamp_ms":")" + ms +
             R"(","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]},)"
             R"("place":{"country_code":"GB"}})"
             "\n";
  }
  testing::WriteFile(dir.File("f.jsonl"), lines);
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  auto table = RunHashmon("query counts --db " + db + " --format table");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("2016-01-19T08:15:00Z .. 9999-12-31"), std::string::npos);
  EXPECT_NE(table.out.find("█" + std::string(58, ' ') + "█"), std::string::npos);
}

// Ten minutes of posts from Britain from 2016-01-19T08:15:00Z, 20 a minute, each with this
// text (as it is written inside a JSON string), as X v1.1 lines.
std::string TenMinutesOfBritain(const std::string& json_text) {
  std::string lines;
  const int64_t t0 = 1453191300000;
  for (int i = 0; i < 200; ++i) {
    lines += R"({"id_str":")" + std::to_string(i) + R"(","timestamp_ms":")" +
             std::to_string(t0 + i * 3000) + R"(","text":")" + json_text +
             R"(","entities":{"hashtags":[{"text":"twitterdown"}]},"place":{"country_code":"GB"}})"
             "\n";
  }
  return lines;
}

TEST(Cli, PruneDeletesWhatCameBeforeATimeWhileTheCollectorHoldsTheHistory) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), TenMinutesOfBritain("#twitterdown"));
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  const std::string outages = RunHashmon("query outages --format csv --db " + db).out;
  ASSERT_NE(outages.find("GB"), std::string::npos) << outages;
  const std::string recent = RunHashmon("query counts --format csv --db " + db).out;
  std::string error;
  auto collector = SqliteStore::OpenForWriting(db, &error);  // holds the writer's lock
  ASSERT_TRUE(collector) << error;
  // A year before the outage: two days of counts, a spike and a gap.
  collector->db().exec(
      "INSERT INTO buckets (tag, country, minute, method, count) VALUES "
      "('twitterdown', 'GB', 1421660000, 'place', 3), ('twitterdown', 'BR', 1421760000, "
      "'place', 4); "
      "INSERT INTO spikes (tag, country, minute, count, expected, score) VALUES "
      "('twitterdown', 'GB', 1421660000, 3, 0.1, 0.999); "
      "INSERT INTO gaps (source, started, ended, reason) VALUES ('jetstream', 1421600000, "
      "1421600600, 'timeout')");

  auto pruned = RunHashmonSaying("prune --db " + db + " --before 2016-01-01T00:00:00Z");
  EXPECT_EQ(pruned.exit_code, 0) << pruned.out;
  EXPECT_NE(pruned.out.find("2 counts, 1 spikes, 1 gaps"), std::string::npos) << pruned.out;
  EXPECT_EQ(RunHashmon("query counts --format csv --db " + db).out, recent);
  EXPECT_EQ(RunHashmon("query outages --format csv --db " + db).out, outages);
  EXPECT_EQ(collector->db().execAndGet("SELECT COUNT(*) FROM gaps").getInt64(), 0);
  EXPECT_EQ(collector->Summarize().mentions_by_country,
            (std::map<std::string, int64_t>{{"GB", 200}}));
  // The freed space goes back to the disk while the collector writes (a new history frees
  // its pages in steps).
  auto shrunk = RunHashmonSaying("prune --db " + db + " --vacuum");
  EXPECT_EQ(shrunk.exit_code, 0) << shrunk.out;
  EXPECT_NE(shrunk.out.find(" MB before, "), std::string::npos) << shrunk.out;
  EXPECT_EQ(shrunk.out.find("rewritten"), std::string::npos) << shrunk.out;
  EXPECT_EQ(RunHashmon("query counts --format csv --db " + db).out, recent);
  collector.reset();

  for (const auto& [args, said] : std::vector<std::pair<std::string, std::string>>{
           {"--before -1d", "would delete counts of the last 7 days"},
           {"--before yesterday", "--before takes an ISO 8601 time"},
           {"", "give --before (what to delete, such as -400d), --vacuum"},
       }) {
    auto refused = RunHashmonSaying("prune --db " + db + " " + args);
    EXPECT_EQ(refused.exit_code, 2) << args;
    EXPECT_NE(refused.out.find(said), std::string::npos) << refused.out;
  }
  auto nowhere = RunHashmonSaying("prune --db " + dir.File("none.db") + " --before -400d");
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.out.find("no database at"), std::string::npos) << nowhere.out;
}

TEST(Cli, ReplayTakesDetectorSettingsAndRefusesUnknownOnes) {
  // Ten minutes of GB posting 20 a minute from a cold start: an outage, unless the
  // settings ask for more evidence than any feed can give.
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), TenMinutesOfBritain("#twitterdown"));
  auto outages = [&](const std::string& settings) {
    const std::string db = dir.File("h" + std::to_string(settings.size()) + ".db");
    EXPECT_EQ(RunHashmon("replay -q --db " + db + settings + " " + dir.File("f.jsonl")).exit_code,
              0);
    return RunHashmon("query outages --format csv --db " + db).out;
  };
  EXPECT_NE(outages("").find("GB"), std::string::npos);
  EXPECT_EQ(outages(" --set alert_p=1e-300 --set incident_alert_p=1e-300").find("GB"),
            std::string::npos);
  // The tracker's settings too (the lesser evidence is for countries joining an incident).
  EXPECT_NE(outages(" --set incident_join_minutes=0 --set confirm_minutes=0").find("GB"),
            std::string::npos);
  EXPECT_EQ(RunHashmon("replay -q --db " + dir.File("y.db") + " --set confirm_minutes=-1 " +
                       dir.File("f.jsonl"))
                .exit_code,
            2);
  const std::string bad =
      "replay -q --db " + dir.File("x.db") + " --set alert_q=1 " + dir.File("f.jsonl");
  EXPECT_EQ(RunHashmon(bad).exit_code, 2);
  const std::string said = RunHashmon(bad + " 2>&1 | cat").out;  // the message, on stderr
  EXPECT_NE(said.find("--set alert_q=1: unknown setting"), std::string::npos) << said;
}

TEST(Cli, TheOutageReportSaysWhatHappenedAndCannotBeSteeredByPostText) {
  // Ten minutes of GB posting 20 a minute from a cold start, each post's text carrying a
  // screen-clearing escape sequence, a retitling one and a line break.
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"),
                     TenMinutesOfBritain(
                         R"(down \u001b[2J\u001b]0;pwned\u0007 #twitterdown\n2016 error: forged)"));
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  const auto r = RunHashmon("query outages --format table --db " + db);
  ASSERT_EQ(r.exit_code, 0);
  for (const char* expected :
       {"Outage #1: #twitterdown, in GB\n", "  began 2016-01-19T08:15:00Z, detected 2016-01-19T08:",
        "  country began     detected  delay    ended      mentions  peak\n", "  GB      08:15:00",
        "  what people said:\n",
        "    GB 08:", "down \\x1b[2J\\x1b]0;pwned\\x07 #twitterdown 2016 error: forged\n"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << " not in:\n" << r.out;
  }
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
}

TEST(Cli, AnOutageIsAskedForByItsNumber) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), TenMinutesOfBritain("down #twitterdown"));
  const std::string db = " --db " + dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q" + db + " " + dir.File("f.jsonl")).exit_code, 0);
  const auto one = RunHashmon("query outages --id 1 --format csv" + db);
  ASSERT_EQ(one.exit_code, 0);
  EXPECT_EQ(one.out, RunHashmon("query outages --format csv" + db).out);
  const auto none = RunHashmonSaying("query outages --id 2 --format csv" + db);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.out.find("no outage #2 in "), std::string::npos) << none.out;
  const auto elsewhere = RunHashmonSaying("query outages --id 1 --country DE" + db);
  EXPECT_EQ(elsewhere.exit_code, 1);
  EXPECT_NE(elsewhere.out.find("that the other options let through"), std::string::npos)
      << elsewhere.out;
  const auto zero = RunHashmonSaying("query outages --id 0" + db);
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_NE(zero.out.find("1 or more"), std::string::npos) << zero.out;
}

// `hashmon serve` running as a process, its stdout and stderr read line by line.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& db) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(out[1], STDERR_FILENO);
      close(out[0]);
      execl(HASHMON_BINARY, HASHMON_BINARY, "serve", "--db", db.c_str(), "--listen", "127.0.0.1:0",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    output_ = fdopen(out[0], "r");
  }
  ~ServeProcess() {
    if (pid_ > 0 && !stopped_) Stop();
    if (output_) fclose(output_);
  }
  // The next line it wrote, or "" at its end.
  std::string Line() {
    char buf[4096];
    return output_ && fgets(buf, sizeof buf, output_) ? buf : "";
  }
  // SIGTERM, as systemd stops it; its exit status (-1 if it did not exit).
  int Stop() {
    stopped_ = true;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* output_ = nullptr;
  bool stopped_ = false;
};

// The port in "serving DB on http://127.0.0.1:PORT/ ...", or 0.
int PortIn(const std::string& line) {
  const std::string prefix = "http://127.0.0.1:";
  const size_t at = line.find(prefix);
  return at == std::string::npos ? 0 : std::atoi(line.c_str() + at + prefix.size());
}

TEST(Cli, ServeAnswersAtTheAddressItPrintsAndStopsCleanly) {
  TempDir dir;
  const std::string db = dir.File("h.db");
  testing::WriteFile(dir.File("f.jsonl"), TenMinutesOfBritain("#twitterdown"));
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  ServeProcess serve(db);
  const std::string first = serve.Line();
  const int port = PortIn(first);
  ASSERT_GT(port, 0) << first;
  const HttpReply r = HttpCall("GET", "http://127.0.0.1:" + std::to_string(port) + "/api/v1/status",
                               {}, "", 10'000);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("twitterdown"), std::string::npos) << r.body;
  EXPECT_EQ(serve.Stop(), 0);
}

TEST(Cli, ServeSaysAtOnceWhenItCannotReadTheDatabaseYet) {
  TempDir dir;
  ServeProcess serve(dir.File("not-yet.db"));
  const int port = PortIn(serve.Line());
  ASSERT_GT(port, 0);
  const std::string warning = serve.Line();
  EXPECT_NE(warning.find("warn: no database at " + dir.File("not-yet.db")), std::string::npos)
      << warning;
  EXPECT_NE(warning.find("the API answers 503 until it can read"), std::string::npos) << warning;
  const HttpReply r = HttpCall("GET", "http://127.0.0.1:" + std::to_string(port) + "/api/v1/status",
                               {}, "", 10'000);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(serve.Stop(), 0);
}

TEST(Cli, RecordingsOfTwoHashtagsReplayTogether) {
  // One recording per hashtag (a Mastodon server streams one tag per connection), each a
  // directory: replayed together they are merged by event time, so the second is not too
  // late for detection, and each tag's outage is found.
  TempDir dir;
  const int64_t t0 = 1453191300000;  // 2016-01-19T08:15:00Z
  auto record = [&](const std::string& name, const std::string& tag, const std::string& cc) {
    std::string lines;
    for (int i = 0; i < 200; ++i) {
      lines += R"({"id_str":")" + tag + std::to_string(i) + R"(","timestamp_ms":")" +
               std::to_string(t0 + i * 3000) + R"(","text":"#)" + tag +
               R"(","entities":{"hashtags":[{"text":")" + tag +
               R"("}]},"place":{"country_code":")" + cc + R"("}})" + "\n";
    }
    ASSERT_EQ(std::system(("mkdir -p " + dir.File(name)).c_str()), 0);
    testing::WriteFile(dir.File(name + "/2016-01-19T08.jsonl"), lines);
  };
  record("rec-twitterdown", "twitterdown", "GB");
  record("rec-xdown", "xdown", "DE");
  const std::string db = dir.File("h.db");
  // "--tag 'a, b'" is "--tag a --tag b", as HASHMON_TAGS=a,b is.
  auto r = RunHashmon("replay --tag 'twitterdown, xdown' --db " + db + " " +
                      dir.File("rec-twitterdown") + " " + dir.File("rec-xdown"));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("400 mentions"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("late"), std::string::npos) << r.out;
  const std::string outages = RunHashmon("query outages --format csv --db " + db).out;
  EXPECT_NE(outages.find("twitterdown,GB"), std::string::npos) << outages;
  EXPECT_NE(outages.find("xdown,DE"), std::string::npos) << outages;
}

// serve's --country takes a list as --tag does; each item is checked on its own, and a
// country's name is answered with its code.
TEST(Cli, ServeTakesCountriesSeparatedByCommasAndNamesTheOneItCannotRead) {
  TempDir dir;
  auto r = RunHashmonSaying("serve --listen 127.0.0.1:0 --db " + dir.File("h.db") +
                            " --country BR,Brazil");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(R"(not "Brazil" (Brazil is BR))"), std::string::npos) << r.out;
}

TEST(Cli, ReplaySaysHowLateTheLatePostsWereAndWhatLatenessTakesThem) {
  // 08:15:10, 08:20:10 and 08:21:10 close 08:15 (the newest time, confirmed, is 08:20:10);
  // then a post from 08:15:30 comes 4 min 40 s behind it.
  TempDir dir;
  std::string lines;
  for (const char* t : {"1453191310", "1453191610", "1453191670", "1453191330"}) {
    lines += R"({"id_str":")" + std::string(t) + R"(","timestamp_ms":")" + t +
             R"(000","text":"#twitterdown","entities":{"hashtags":[{"text":"twitterdown"}]}})"
             "\n";
  }
  testing::WriteFile(dir.File("f.jsonl"), lines);
  auto r = RunHashmon("replay --db " + dir.File("h.db") + " " + dir.File("f.jsonl"));
  EXPECT_NE(r.out.find("1 late (their minute had closed; up to 5 min behind the newest posts, so "
                       "a --lateness of 6m would take them all)"),
            std::string::npos)
      << r.out;
  auto again =
      RunHashmon("replay --lateness 6m --db " + dir.File("h6.db") + " " + dir.File("f.jsonl"));
  EXPECT_EQ(again.out.find("late"), std::string::npos) << again.out;
}

TEST(Cli, QueryAndSilenceTakeTheCollectorsDatabaseFromTheEnvironment) {
  TempDir dir;
  const std::string db = dir.File("collector.db");
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  setenv("HASHMON_DB", db.c_str(), 1);
  auto counts = RunHashmon("query counts --format csv");
  auto silence = RunHashmonSaying("silence add --for 1h --comment env");
  auto listed = RunHashmon("silence list --format csv");
  auto help = RunHashmon("query outages --help");
  unsetenv("HASHMON_DB");
  EXPECT_EQ(counts.out, "time,tag,country,count\n2016-01-19T08:15:00Z,twitterdown,??,1\n");
  EXPECT_EQ(silence.exit_code, 0) << silence.out;
  EXPECT_NE(listed.out.find(",env\n"), std::string::npos) << listed.out;
  EXPECT_NE(help.out.find("default: $HASHMON_DB, else hashmon.db"), std::string::npos) << help.out;
  // --db still wins.
  setenv("HASHMON_DB", dir.File("elsewhere.db").c_str(), 1);
  auto named = RunHashmon("query counts --format csv --db " + db);
  auto missing = RunHashmonSaying("query counts");
  unsetenv("HASHMON_DB");
  EXPECT_EQ(named.out, counts.out);
  EXPECT_NE(missing.out.find("no database at " + dir.File("elsewhere.db")), std::string::npos)
      << missing.out;
  EXPECT_NE(missing.out.find("or set HASHMON_DB"), std::string::npos) << missing.out;
}

TEST(Cli, QueryWithoutADatabaseSaysWhatToDo) {
  TempDir dir;
  auto r = RunHashmonSaying("query counts --db " + dir.File("missing.db"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("run `hashmon replay` or `hashmon collect` first, or pass --db"),
            std::string::npos)
      << r.out;
}

// Options under which no row could match are refused with the fix, not answered with an
// empty list that looks like "nothing happened".
TEST(Cli, QueryOptionsThatCouldMatchNothingSayWhatToWriteInstead) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  for (const char* what : {"counts", "outages", "spikes", "gaps"}) {
    SCOPED_TRACE(what);
    const std::string query = std::string("query ") + what + " --db " + db;
    auto r = RunHashmonSaying(query + " --country brazil");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("--country: an ISO 3166 code such as BR"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(brazil is BR)"), std::string::npos) << r.out;
    // Two letters, but no country's code: GB is the United Kingdom's.
    r = RunHashmonSaying(query + " --country UK");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("(UK is GB)"), std::string::npos) << r.out;
    EXPECT_EQ(RunHashmonSaying(query + " --country XX").exit_code, 2);
    r = RunHashmonSaying(query + " --since 2016-01-20T00:00:00Z --until 2016-01-19T00:00:00Z");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("--since 2016-01-20T00:00:00Z is not before --until"), std::string::npos)
        << r.out;
    r = RunHashmonSaying(query + " --since yesterday");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("or relative (-2h), not \"yesterday\""), std::string::npos) << r.out;
    EXPECT_EQ(RunHashmon(query + " --country br --since 2016-01-19T00:00:00Z").exit_code, 0);
    EXPECT_EQ(RunHashmon(query + " --country '?\?' --format csv").exit_code, 0);
    if (std::string(what) == "gaps") continue;  // a gap is a source's, of every tag
    // A tag the history never counted: an empty answer, and a word that it is not "none".
    r = RunHashmonSaying(query + " --tag xdown --format csv");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("has no mention of #xdown at all (its tags: twitterdown; --tag names"),
              std::string::npos)
        << r.out;
    r = RunHashmonSaying(query + " --tag '#TwitterDown' --format csv");
    EXPECT_EQ(r.out.find("no mention"), std::string::npos) << r.out;
  }
}

// A table with no rows says so in words (CSV and JSON stay machine-readable: a header, []).
TEST(Cli, AnEmptyTableSaysThereIsNothingInTheRange) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " " + dir.File("f.jsonl")).exit_code, 0);
  const std::string later = " --db " + db + " --since 2016-01-20T00:00:00Z --format table";
  EXPECT_EQ(RunHashmon("query outages" + later).out, "no outages in this range\n");
  EXPECT_EQ(RunHashmon("query spikes" + later).out, "no spikes in this range\n");
  EXPECT_EQ(RunHashmon("query gaps" + later).out,
            "no gaps in this range: no source went unwatched\n");
  EXPECT_EQ(RunHashmon("query counts" + later).out, "no mentions in this range\n");
  EXPECT_EQ(RunHashmon("query spikes --db " + db + " --format json").out, "[]\n");
}

TEST(Cli, ATelegramWebhookWithoutAChatSaysWhatToSet) {
  TempDir dir;
  const std::string config = dir.File("hashmon.json");
  testing::WriteFile(config, R"({"webhook_url": "https://api.telegram.org/botSECRET/sendMessage",
                                 "webhook_format": "telegram", "webhook_when": "confirmed"})");
  ASSERT_EQ(chmod(config.c_str(), 0600), 0);
  auto r = RunHashmonSaying("collect --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("set telegram_chat_id"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("SECRET"), std::string::npos) << r.out;
  testing::WriteFile(config, R"({"webhook_url": "https://example.invalid/hook",
                                 "webhook_when": "later"})");
  r = RunHashmonSaying("collect --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("unknown webhook_when \"later\": use detected"), std::string::npos) << r.out;
}

TEST(Cli, AnInvalidWebhookUrlIsRefusedWithoutBeingShown) {
  TempDir dir;
  const std::string config = dir.File("hashmon.json");
  for (const char* url :
       {"https://hooks.example/T0 SECRET", "hooks.example/SECRET", "https:///SECRET"}) {
    testing::WriteFile(config, std::string(R"({"webhook_url": ")") + url + "\"}");
    ASSERT_EQ(chmod(config.c_str(), 0600), 0);
    const auto r = RunHashmonSaying("collect --config " + config + " --db " + dir.File("h.db"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("webhook_url is not a valid http:// or https:// URL"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("SECRET"), std::string::npos) << r.out;
  }
}

// A watched tag no feed can carry would match nothing, and an empty history would be the only
// sign of the typo.
TEST(Cli, ATagThatIsNoHashtagIsRefusedWithTheFix) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  auto r = RunHashmonSaying("replay -q --db " + dir.File("h.db") + " --tag 'twitter down' " +
                            dir.File("f.jsonl"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"twitter down\" is not one hashtag: a hashtag has no spaces"),
            std::string::npos)
      << r.out;
  const std::string config = dir.File("hashmon.json");
  testing::WriteFile(config, R"({"tags": ["twitterdown", "#2016"]})");
  r = RunHashmonSaying("collect --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"#2016\" is not a hashtag: a hashtag needs a letter"), std::string::npos)
      << r.out;
  testing::WriteFile(config, R"({"tags": ["twitterdown,xdown"]})");
  r = RunHashmonSaying("collect --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"twitterdown,xdown\" is not one hashtag: list each tag on its own"),
            std::string::npos)
      << r.out;
  testing::WriteFile(config, R"({"tags": ["twitterdown", 2016]})");
  r = RunHashmonSaying("collect --config " + config + " --db " + dir.File("h.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("tags: every item is a string"), std::string::npos) << r.out;
  EXPECT_EQ(RunHashmon("replay -q --db " + dir.File("h.db") + " --tag '#TwitterDown' " +
                       dir.File("f.jsonl"))
                .exit_code,
            0);
}

TEST(Cli, ASpeedThatIsNoFactorIsRefusedWithAnExample) {
  TempDir dir;
  for (const std::string& command :
       {"replay -q --db " + dir.File("h.db"), std::string("serve-feed")}) {
    for (const char* speed : {"-1", "fast", "inf"}) {
      const auto r = RunHashmonSaying(command + " --speed " + speed + " /dev/null");
      EXPECT_NE(r.exit_code, 0) << command << speed;
      EXPECT_NE(r.out.find(std::string("--speed: 0 (as fast as possible) or a factor such as 60 "
                                       "(an hour a minute), not ") +
                           speed),
                std::string::npos)
          << r.out;
    }
  }
}

TEST(Cli, ReplayReadsStdin) {
  TempDir dir;
  testing::WriteFile(dir.File("f.jsonl"), kOnePost);
  const std::string db = dir.File("h.db");
  ASSERT_EQ(RunHashmon("replay -q --db " + db + " -", dir.File("f.jsonl")).exit_code, 0);
  EXPECT_EQ(RunHashmon("query counts --db " + db + " --format csv").out,
            "time,tag,country,count\n2016-01-19T08:15:00Z,twitterdown,??,1\n");
}

// A count export as NAB's files are: "2015-02-26 21:42:53,53". Five days of 5-minute counts of
// 15 to 25, with an hour at 200 on the fifth day.
struct CountExport {
  static constexpr int kSteps = 5 * 288, kSurgeFrom = 4 * 288 + 150, kSurgeSteps = 12;
  std::string csv = "timestamp,value\n";
  CountExport() {
    const int64_t t0 = *ParseIsoTime("2015-02-26T00:02:53Z");
    for (int i = 0; i < kSteps; ++i) {
      const bool surge = i >= kSurgeFrom && i < kSurgeFrom + kSurgeSteps;
      std::string stamp = FormatIsoTime(t0 + i * 300'000LL);
      stamp[10] = ' ';
      stamp.pop_back();  // NAB's times have no 'Z'
      csv += stamp + "," + std::to_string(surge ? 200 : 15 + (i * 7919) % 11) + "\n";
    }
  }
};

std::vector<std::vector<std::string>> CsvRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto& row = rows.emplace_back();
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(cell);
    if (!line.empty() && line.back() == ',') row.emplace_back();
  }
  return rows;
}

TEST(Cli, DetectScoresEveryRowOfACountExportAndAlertsOnItsSurgeOnly) {
  TempDir dir;
  const CountExport series;
  testing::WriteFile(dir.File("series.csv"), series.csv);
  const auto r = RunHashmon("detect --series " + dir.File("series.csv") + " --out -");
  ASSERT_EQ(r.exit_code, 0);
  const auto rows = CsvRows(r.out);
  const auto input = CsvRows(series.csv);
  ASSERT_EQ(rows.size(), input.size());
  EXPECT_EQ(rows[0], (std::vector<std::string>{"timestamp", "value", "anomaly_score"}));
  int first_alert = -1;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 3u) << i;
    EXPECT_EQ(rows[i][0], input[i][0]);
    EXPECT_EQ(rows[i][1], input[i][1]);
    const double score = std::stod(rows[i][2]);
    EXPECT_GE(score, 0);
    EXPECT_LE(score, 1);
    if (score >= 0.5 && first_alert < 0) first_alert = static_cast<int>(i) - 1;
  }
  EXPECT_GE(first_alert, CountExport::kSurgeFrom);  // not before it, from the first row on
  EXPECT_LE(first_alert, CountExport::kSurgeFrom + 2);
  // Deterministic: the same file gives the same scores.
  EXPECT_EQ(RunHashmon("detect --series " + dir.File("series.csv") + " --out -").out, r.out);
}

// R's write.csv quotes every text, and a spreadsheet's "CSV UTF-8" begins with a byte-order
// mark and may capitalise the header: the same export, written so, scores the same.
TEST(Cli, DetectReadsQuotedCellsACapitalisedHeaderAndAByteOrderMark) {
  TempDir dir;
  const CountExport series;
  testing::WriteFile(dir.File("plain.csv"), series.csv);
  std::string quoted = "\xEF\xBB\xBF\"Timestamp\",\"Value\"\r\n";
  for (const auto& row : CsvRows(series.csv)) {
    if (row[0] != "timestamp") quoted += "\"" + row[0] + "\"," + row[1] + "\r\n";
  }
  testing::WriteFile(dir.File("quoted.csv"), quoted);
  const auto plain = RunHashmon("detect --series " + dir.File("plain.csv"));
  const auto written = RunHashmon("detect --series " + dir.File("quoted.csv"));
  ASSERT_EQ(written.exit_code, 0) << written.out;
  const auto a = CsvRows(plain.out), b = CsvRows(written.out);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 1; i < a.size(); ++i) EXPECT_EQ(a[i].back(), b[i].back()) << i;
}

TEST(Cli, DetectExplainsEachRowsBaselineTestAndTheVolumeToBeat) {
  TempDir dir;
  testing::WriteFile(dir.File("series.csv"), CountExport().csv);
  const auto r = RunHashmon("detect --explain --series " + dir.File("series.csv"));
  ASSERT_EQ(r.exit_code, 0);
  const auto rows = CsvRows(r.out);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"timestamp", "value", "anomaly_score", "expected",
                                               "log10_p", "state", "recent_peak"}));
  const auto& surge = rows[1 + CountExport::kSurgeFrom];
  EXPECT_NEAR(std::stod(surge[3]), 20, 3);  // the baseline knows the usual 15 to 25
  EXPECT_LT(std::stod(surge[4]), -3);
  EXPECT_EQ(surge[6], "25");  // the busiest step of the 72 hours before
  EXPECT_EQ(rows[1 + CountExport::kSurgeFrom + 3][5], "firing");
  // With the volume rule off, there is no volume to beat.
  const auto off =
      RunHashmon("detect --explain --set count_novelty_hours=0 --series " + dir.File("series.csv"));
  EXPECT_EQ(CsvRows(off.out)[1 + CountExport::kSurgeFrom][6], "");
}

// hashmon's own minute counts (`query counts --format csv`): empty minutes left out, one
// series per tag and country, rows in time order across them.
struct MinuteCountsExport {
  static constexpr int kMinutes = 360, kOutageFrom = 300, kOutageMinutes = 20;
  std::string csv = "time,tag,country,count\n";
  MinuteCountsExport() {
    const int64_t t0 = *ParseIsoTime("2016-01-19T03:00:00Z");
    for (int i = 0; i < kMinutes; ++i) {
      const bool outage = i >= kOutageFrom && i < kOutageFrom + kOutageMinutes;
      const std::string time = FormatIsoTime(t0 + i * 60'000LL);
      // BR and LT chatter now and then; ZA says nothing until the outage.
      if (outage || (i * 7919) % 10 == 0)
        csv += time + ",twitterdown,BR," + std::to_string(outage ? 8 : 1) + "\n";
      if ((i * 104729) % 15 == 0) csv += time + ",twitterdown,LT,1\n";
      if (outage) csv += time + ",twitterdown,ZA,6\n";
      if ((i * 7919) % 10 == 3) csv += time + ",facebookdown,BR,2\n";
    }
  }
};

TEST(Cli, DetectJudgesHashmonsOwnCountsPerTagAndCountryFromStdin) {
  TempDir dir;
  const MinuteCountsExport counts;
  testing::WriteFile(dir.File("counts.csv"), counts.csv);
  const auto r = RunHashmon("detect --series -", dir.File("counts.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto rows = CsvRows(r.out);
  const auto input = CsvRows(counts.csv);
  ASSERT_EQ(rows.size(), input.size());
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"time", "tag", "country", "count", "anomaly_score"}));
  const int64_t outage_from =
      *ParseIsoTime("2016-01-19T03:00:00Z") + MinuteCountsExport::kOutageFrom * 60'000LL;
  std::map<std::string, int64_t> first_alert;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u) << i;
    EXPECT_EQ(std::vector<std::string>(rows[i].begin(), rows[i].begin() + 4), input[i]);
    if (std::stod(rows[i][4]) >= 0.5)
      first_alert.emplace(rows[i][1] + " " + rows[i][2], *ParseIsoTime(rows[i][0]));
  }
  // The countries in outage are flagged within two minutes (ZA, whose first row is the
  // outage's, was silent before it, not new); the chatter is no outage.
  ASSERT_EQ(first_alert.size(), 2u);
  for (const char* series : {"twitterdown BR", "twitterdown ZA"}) {
    ASSERT_TRUE(first_alert.count(series)) << series;
    EXPECT_GE(first_alert[series], outage_from) << series;
    EXPECT_LE(first_alert[series], outage_from + 2 * 60'000) << series;
  }
  // The step (a minute) was read off rows that skip minutes, and rightly: no warning.
  EXPECT_EQ(
      RunHashmonWritingTo("detect --series " + dir.File("counts.csv"), dir.File("out.csv")).out,
      "");
  EXPECT_EQ(RunHashmon("detect --step 1m --series " + dir.File("counts.csv")).out, r.out);
  EXPECT_NE(RunHashmon("detect --step 2m --series " + dir.File("counts.csv")).out, r.out);
}

TEST(Cli, DetectSaysWhenAStrayRowMadeTheStepItReadOffTheRows) {
  // 5-minute counts, one of them stamped two minutes late: the distances' greatest common
  // divisor is a minute, and the minutes between rows would count as zeros.
  TempDir dir;
  std::string csv = "timestamp,value\n";
  const int64_t t0 = *ParseIsoTime("2015-02-26T21:40:00Z");
  for (int i = 0; i < 100; ++i) {
    const int64_t t = t0 + i * 300'000LL + (i == 20 ? 120'000 : 0);
    csv += FormatIsoTime(t) + ",5\n";
  }
  testing::WriteFile(dir.File("series.csv"), csv);
  const auto said =
      RunHashmonWritingTo("detect --series " + dir.File("series.csv"), dir.File("out.csv")).out;
  EXPECT_NE(said.find("most rows are 5m apart, but not all (the first: 2015-02-26T23:22:00Z,5), "
                      "so the step read off them is 1m"),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("--step 5m"), std::string::npos) << said;
  // With the step given, nothing to say.
  EXPECT_EQ(RunHashmonWritingTo("detect --step 5m --series " + dir.File("series.csv"),
                                dir.File("out.csv"))
                .out,
            "");
}

TEST(Cli, DetectRefusesWhatItCannotScore) {
  TempDir dir;
  const std::string header = "timestamp,value\n2015-02-26 21:42:53,53\n";
  for (const char* bad : {"2015-02-26 21:47:53,many", "2015-02-26 21:47:53,-3",
                          "2015-02-26 21:47:53,nan", "yesterday,53",
                          "9999-02-26 21:47:53,53",     // past the years hashmon reads
                          "2015-02-26 21:42:53,53",     // the same time again
                          "2015-02-26 21:37:53,53"}) {  // out of order
    testing::WriteFile(dir.File("bad.csv"), header + std::string(bad) + "\n");
    EXPECT_EQ(RunHashmon("detect --series " + dir.File("bad.csv")).exit_code, 2) << bad;
  }
  testing::WriteFile(dir.File("bad.csv"), "2015-02-26 21:42:53,many\n");  // no header
  EXPECT_EQ(RunHashmon("detect --series " + dir.File("bad.csv")).exit_code, 2);
  testing::WriteFile(dir.File("good.csv"), header);
  EXPECT_EQ(RunHashmon("detect --series " + dir.File("good.csv")).out,
            "timestamp,value,anomaly_score\n2015-02-26 21:42:53,53,0.000000\n");
  EXPECT_EQ(RunHashmon("detect --set no_such_setting=1 --series " + dir.File("good.csv")).exit_code,
            2);
  EXPECT_NE(RunHashmon("detect --series " + dir.File("missing.csv")).exit_code, 0);
}

}  // namespace
}  // namespace hashmon
