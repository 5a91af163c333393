// The store's schema migrations: a history written by an older hashmon reads the same,
// whether it is opened read-only as it is (`query`, the web server) or upgraded by the
// collector. And a history damaged by hand or on disk says so, with what to do.
#include "store/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hashmon/clock.h"
#include "hashmon/embedded_data.h"
#include "hashmon/log.h"
#include "hashmon/pipeline.h"
#include "hashmon/time_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::TempDir;

// A database as hashmon wrote it with the first `version` migrations: one outage of
// Brazil, detected at 08:16.
void WriteHistoryOfVersion(const std::string& path, int version) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const auto migrations = EmbeddedMigrations();
  for (int v = 0; v < version; ++v) db.exec(std::string(migrations[v].second));
  db.exec("PRAGMA user_version = " + std::to_string(version));
  db.exec(
      "INSERT INTO outages (id, tag, started, detected_at, peak_time, peak_count) VALUES "
      "(1, 'twitterdown', 1453191300, 1453191360, 1453191300, 40)");
  db.exec(
      "INSERT INTO outage_countries (outage_id, country, started, detected_at, mentions, "
      "peak_time, peak_count) VALUES (1, 'BR', 1453191300, 1453191360, 40, 1453191300, 40)");
}

const int64_t kDetected = *ParseIsoTime("2016-01-19T08:16:00Z");

TEST(SchemaTest, AnOutageFromBeforeProvisionalAlertsReadsAsConfirmedWhenItWasDetected) {
  TempDir tmp;
  const std::string path = tmp.File("v4.db");
  WriteHistoryOfVersion(path, 4);
  std::string error;
  {
    auto reader = SqliteStore::OpenReadOnly(path, &error);
    ASSERT_TRUE(reader) << error;
    EXPECT_EQ(reader->schema_version(), 4);  // read as it is
    const auto rows = reader->QueryOutages({});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].outage.countries.at("BR").confirmed_at, kDetected);
  }
  auto writer = SqliteStore::OpenForWriting(path, &error);
  ASSERT_TRUE(writer) << error;
  EXPECT_EQ(writer->schema_version(), static_cast<int>(EmbeddedMigrations().size()));
  const auto rows = writer->QueryOutages({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].outage.countries.at("BR").confirmed_at, kDetected);
}

TEST(SchemaTest, AnOutageFromBeforeWavesIsOneWaveOfEachCountry) {
  TempDir tmp;
  const std::string path = tmp.File("v5.db");
  WriteHistoryOfVersion(path, 5);
  std::string error;
  auto one_wave_detected_then = [](SqliteStore& store) {
    const auto rows = store.QueryOutages({});
    ASSERT_EQ(rows.size(), 1u);
    const auto waves = WavesOf(rows[0].outage.countries.at("BR"));
    ASSERT_EQ(waves.size(), 1u);
    EXPECT_EQ(waves[0].detected_at, kDetected);
    EXPECT_EQ(waves[0].ended, 0);  // still firing
  };
  {
    auto reader = SqliteStore::OpenReadOnly(path, &error);
    ASSERT_TRUE(reader) << error;
    EXPECT_EQ(reader->schema_version(), 5);
    one_wave_detected_then(*reader);
  }
  auto writer = SqliteStore::OpenForWriting(path, &error);
  ASSERT_TRUE(writer) << error;
  EXPECT_GE(writer->schema_version(), 6);
  one_wave_detected_then(*writer);
}

TEST(SchemaTest, WavesFromBeforeTheirOwnCountsAreCountedFromTheBuckets) {
  // Brazil's outage came back: 08:15 to 08:17, then 09:00 on, still firing. Its buckets:
  // 40 and 30 mentions (two methods in the first minute), 5 in the lull, then 12 and 20.
  TempDir tmp;
  const std::string path = tmp.File("v6.db");
  WriteHistoryOfVersion(path, 6);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO outage_waves (outage_id, country, wave, started, detected_at, ended, "
        "resolved_at) VALUES (1, 'BR', 0, 1453191300, 1453191360, 1453191420, 1453191720), "
        "(1, 'BR', 1, 1453194000, 1453194060, NULL, NULL)");
    db.exec(
        "INSERT INTO buckets (tag, country, minute, method, count) VALUES "
        "('twitterdown', 'BR', 1453191300, 'place', 30), "
        "('twitterdown', 'BR', 1453191300, 'lang', 10), "
        "('twitterdown', 'BR', 1453191360, 'place', 30), "
        "('twitterdown', 'BR', 1453192000, 'place', 5), "
        "('twitterdown', 'BR', 1453194000, 'place', 12), "
        "('twitterdown', 'BR', 1453194060, 'place', 20), "
        "('twitterdown', 'US', 1453194060, 'place', 99)");
  }
  std::string error;
  {
    auto reader = SqliteStore::OpenReadOnly(path, &error);
    ASSERT_TRUE(reader) << error;
    const auto waves = reader->QueryOutages({})[0].outage.countries.at("BR").waves;
    ASSERT_EQ(waves.size(), 2u);
    EXPECT_EQ(waves[0].mentions, 0);  // not known to a history read as it is
  }
  auto writer = SqliteStore::OpenForWriting(path, &error);
  ASSERT_TRUE(writer) << error;
  const auto waves = writer->QueryOutages({})[0].outage.countries.at("BR").waves;
  ASSERT_EQ(waves.size(), 2u);
  EXPECT_EQ(waves[0].mentions, 70);
  EXPECT_EQ(waves[0].peak_count, 40);
  EXPECT_EQ(waves[0].peak_time, 1453191300'000);
  EXPECT_EQ(waves[1].mentions, 32);
  EXPECT_EQ(waves[1].peak_count, 20);
  EXPECT_EQ(waves[1].peak_time, 1453194060'000);
}

TEST(SchemaTest, CursorsFromBeforeTheirNamesReadWithNoneUntilTheirInputIsReadAgain) {
  TempDir tmp;
  const std::string path = tmp.File("v7.db");
  WriteHistoryOfVersion(path, 7);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO checkpoints (source, cursor, complete, updated) VALUES "
        "('file:0123456789abcdef:', '100', 1, 1453191360)");
  }
  std::string error;
  {
    auto reader = SqliteStore::OpenReadOnly(path, &error);
    ASSERT_TRUE(reader) << error;
    const auto sources = reader->QuerySources();
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].name, "");
    EXPECT_EQ(sources[0].committed_ms, 1453191360000);
  }
  auto writer = SqliteStore::OpenForWriting(path, &error);
  ASSERT_TRUE(writer) << error;
  writer->Commit(Batch{}, {{"file:0123456789abcdef:", "200", true, "feed.jsonl"}});
  const auto sources = writer->QuerySources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].name, "feed.jsonl");
  EXPECT_EQ(sources[0].cursor, "200");
}

TEST(SchemaTest, SeriesTotalsAreAddedUpOnceThenFollowEveryCountWrittenChangedOrDeleted) {
  TempDir tmp;
  const std::string path = tmp.File("v8.db");
  WriteHistoryOfVersion(path, 8);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO buckets (tag, country, minute, method, count) VALUES "
        "('twitterdown', 'BR', 1453191300, 'place', 30), "
        "('twitterdown', 'BR', 1453191300, 'lang', 10), "
        "('twitterdown', 'PH', 1453191360, 'coords', 5), "
        "('instagramdown', 'BR', 1453191360, 'place', 2)");
  }
  std::string error;
  {
    auto old_reader = SqliteStore::OpenReadOnly(path, &error);  // not migrated: no totals
    ASSERT_TRUE(old_reader) << error;
    EXPECT_FALSE(old_reader->HasSeriesTotals());
    EXPECT_EQ(old_reader->Tags(), (std::vector<std::string>{"instagramdown", "twitterdown"}));
    EXPECT_EQ(old_reader->Summarize().mentions_by_country,
              (std::map<std::string, int64_t>{{"BR", 42}, {"PH", 5}}));
  }
  std::ostringstream said;
  FakeClock clock(kDetected);
  Logger log(&said, &clock);
  auto store = SqliteStore::OpenForWriting(path, &error, &log);
  ASSERT_TRUE(store) << error;
  ASSERT_TRUE(store->HasSeriesTotals());
  EXPECT_NE(said.str().find("upgrading " + path + " from schema 8 to "), std::string::npos)
      << said.str();
  std::ostringstream fresh_said;
  Logger fresh_log(&fresh_said, &clock);
  EXPECT_TRUE(SqliteStore::OpenForWriting(tmp.File("new.db"), &error, &fresh_log)) << error;
  EXPECT_EQ(fresh_said.str(), "");  // a new history is made, not upgraded
  EXPECT_EQ(store->Summarize().mentions_by_country,
            (std::map<std::string, int64_t>{{"BR", 42}, {"PH", 5}}));

  Batch batch;  // one minute counted again, one new
  batch.deltas = {{"twitterdown", "BR", 1453191300000, Method::kPlace, 4},
                  {"twitterdown", "GB", 1453191420000, Method::kProfile, 3}};
  store->Commit(batch, {});
  EXPECT_EQ(store->Summarize().mentions_by_country,
            (std::map<std::string, int64_t>{{"BR", 46}, {"GB", 3}, {"PH", 5}}));

  store->db().exec("UPDATE buckets SET country = 'PH' WHERE country = 'GB'");
  store->db().exec("DELETE FROM buckets WHERE tag = 'instagramdown'");
  EXPECT_EQ(store->Summarize().mentions_by_country,
            (std::map<std::string, int64_t>{{"BR", 44}, {"PH", 8}}));
  EXPECT_EQ(store->Tags(), (std::vector<std::string>{"twitterdown"}));
  EXPECT_EQ(store->db().execAndGet("SELECT SUM(count) FROM buckets").getInt64(),
            store->db().execAndGet("SELECT SUM(mentions) FROM series").getInt64());
}

// A collector restarts at 10:30. Detection must skip the same minutes it would have skipped
// had it never stopped: those of its last week of gaps where posts may be missing.
TEST(RestoreTest, ARestartSkipsTheMinutesWhereTheLastWeeksGapsMissPosts) {
  TempDir tmp;
  std::string error;
  auto store = SqliteStore::OpenForWriting(tmp.File("gaps.db"), &error);
  ASSERT_TRUE(store) << error;
  const auto at = [](const char* hh_mm_ss) {
    return *ParseIsoTime(std::string("2016-01-19T") + hh_mm_ss + "Z");
  };
  const auto kDays = [](int64_t n) { return n * 86'400'000; };
  Batch batch;
  batch.gaps = {
      {"x", at("08:13:30"), at("08:16:31"), "disconnected"},        // posts missing: all of it
      {"x", at("08:44:00") + 300, at("08:47:00"), "disconnected"},  // 08:44 not whole
      {"jetstream", at("09:00:10"), at("09:04:10"), "disconnected", at("09:04:10")},  // none
      {"mastodon", at("10:00:00"), at("10:10:00"), "disconnected", at("10:05:30")},   // part
      {"x", at("08:13:30") - kDays(3), at("08:16:00") - kDays(3), "disconnected"},
      {"x", at("08:13:30") - kDays(8), at("08:20:00") - kDays(8), "disconnected"},  // too old
  };
  TrackerChanges detection;
  detection.closed_through = at("10:30:00");
  batch.detection.push_back(detection);
  store->Commit(batch, {});
  // A gap written before schema 10 says nothing of where posts were missing: all of it.
  store->db().exec("INSERT INTO gaps (source, started, ended, reason) VALUES ('old', " +
                   std::to_string(at("10:20:00") / 1000) + ", " +
                   std::to_string(at("10:22:00") / 1000) + ", 'not running')");

  Pipeline restarted(PipelineConfig{}, nullptr);
  store->RestorePipeline(&restarted, nullptr);
  const OutageTracker& tracker = restarted.tracker();
  std::vector<std::string> skipped;
  for (int64_t m = at("08:00:00") - kDays(9); m <= at("10:30:00"); m += kMillisPerMinute) {
    if (tracker.InGap(m)) skipped.push_back(FormatIsoTime(m).substr(5, 11));
  }
  EXPECT_EQ(skipped,
            (std::vector<std::string>{"01-16T08:14", "01-16T08:15", "01-19T08:14", "01-19T08:15",
                                      "01-19T08:45", "01-19T08:46", "01-19T10:06", "01-19T10:07",
                                      "01-19T10:08", "01-19T10:09", "01-19T10:20", "01-19T10:21"}));
}

TEST(DamagedHistoryTest, AMetaValueThatIsNotANumberSaysWhichAndWhatToDo) {
  TempDir dir;
  std::string error;
  auto store = SqliteStore::OpenForWriting(dir.File("h.db"), &error);
  ASSERT_TRUE(store) << error;
  store->db().exec("INSERT INTO meta (key, value) VALUES ('closed_through', '1453191300000')");
  EXPECT_EQ(store->GetMetaNumber("closed_through"), 1453191300000);
  EXPECT_EQ(store->GetMetaNumber("watermark"), std::nullopt);
  for (const char* damaged : {"x", "12x", ""}) {
    store->db().exec(std::string("UPDATE meta SET value = '") + damaged +
                     "' WHERE key = 'closed_through'");
    try {
      store->GetMetaNumber("closed_through");
      ADD_FAILURE() << "read \"" << damaged << "\" as a number";
    } catch (const DamagedHistoryError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("closed_through"), std::string::npos) << message;
      EXPECT_NE(message.find("DELETE FROM meta WHERE key = 'closed_through'"), std::string::npos)
          << message;
    }
  }
}

}  // namespace
}  // namespace hashmon
