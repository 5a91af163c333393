// Retention: a collector's keep_history deletes what is older than the time it keeps, at
// its start and hourly, and `prune --vacuum` gives the freed space back to the disk, in
// steps while a collector writes a history made with incremental vacuuming.
#include "store/retention.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <string>

#include "hashmon/clock.h"
#include "hashmon/log.h"
#include "store/prune.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::TempDir;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kNowMs = 1'453'191'300'000;  // 2016-01-19T08:15:00Z

// Counts every minute (in three countries when `busy`, else one an hour in GB) over the
// `days` days before kNowMs, written as the collector writes them; the store holds the
// writer's lock.
std::unique_ptr<SqliteStore> HistoryOfDays(const std::string& path, int days, bool busy = false) {
  std::string error;
  auto store = SqliteStore::OpenForWriting(path, &error);
  EXPECT_TRUE(store) << error;
  SQLite::Statement fill(
      store->db(),
      "WITH RECURSIVE m(t) AS (SELECT ?1 UNION ALL SELECT t + ?3 FROM m WHERE t + ?3 < ?2) "
      "INSERT INTO buckets (tag, country, minute, method, count) "
      "SELECT 'twitterdown', country, t, 'place', 1 + t % 7 FROM m, (SELECT 'GB' AS country "
      "UNION SELECT 'BR' WHERE ?4 UNION SELECT 'PH' WHERE ?4)");
  fill.bind(1, (kNowMs - days * kDayMs) / 1000);
  fill.bind(2, kNowMs / 1000);
  fill.bind(3, busy ? 60 : 3'600);
  fill.bind(4, busy);
  fill.exec();
  return store;
}

int64_t CountsBefore(SqliteStore& store, int64_t ms) {
  SQLite::Statement q(store.db(), "SELECT COUNT(*) FROM buckets WHERE minute < ?");
  q.bind(1, ms / 1000);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

class RetentionTest : public ::testing::Test {
 protected:
  TempDir dir_;
  FakeClock clock_{kNowMs};
  std::ostringstream said_;
  Logger log_{&said_, &clock_};
};

TEST_F(RetentionTest, APassDeletesWhatIsOlderThanTheTimeKeptAndSaysSo) {
  auto store = HistoryOfDays(dir_.File("h.db"), 40);  // a collector writes it meanwhile
  const int64_t all = CountsBefore(*store, kNowMs);
  HistoryRetention retention(dir_.File("h.db"), 30 * kDayMs, &clock_, &log_, nullptr,
                             /*pause_ms=*/0);

  EXPECT_TRUE(retention.Pass());
  EXPECT_EQ(CountsBefore(*store, kNowMs - 30 * kDayMs), 0);
  EXPECT_EQ(CountsBefore(*store, kNowMs), all - 10 * 24);
  EXPECT_EQ(retention.stats().deleted_counts, 10 * 24);
  EXPECT_EQ(retention.stats().last_pass_s, kNowMs / 1000);
  EXPECT_NE(said_.str().find("keep_history: deleted what came before 2015-12-20T08:15:00Z: 240 "
                             "counts, 0 spikes, 0 gaps"),
            std::string::npos)
      << said_.str();
  // An hour later, the hour that has grown older than the time kept.
  clock_.Advance(3'600'000);
  EXPECT_TRUE(retention.Pass());
  EXPECT_EQ(retention.stats().deleted_counts, 10 * 24 + 1);
  EXPECT_EQ(
      store->Summarize().mentions_by_country.at("GB"),
      store->db().execAndGet("SELECT SUM(count) FROM buckets WHERE country = 'GB'").getInt64());
}

TEST_F(RetentionTest, ASignalStopsAPassBeforeItsNextStepAndTheNextPassGoesOn) {
  auto store = HistoryOfDays(dir_.File("h.db"), 40);
  std::atomic<bool> signalled{true};
  HistoryRetention retention(dir_.File("h.db"), 30 * kDayMs, &clock_, &log_, &signalled,
                             /*pause_ms=*/0);

  EXPECT_TRUE(retention.Pass());
  EXPECT_EQ(CountsBefore(*store, kNowMs - 30 * kDayMs), 10 * 24);
  EXPECT_EQ(retention.stats().last_pass_s, 0);  // not every deletion due was done

  signalled = false;  // the next start
  EXPECT_TRUE(retention.Pass());
  EXPECT_EQ(CountsBefore(*store, kNowMs - 30 * kDayMs), 0);
}

TEST_F(RetentionTest, APassThatCannotReadTheHistoryIsCountedAndSaysWhyAndWhen) {
  HistoryRetention retention(dir_.File("moved.db"), 30 * kDayMs, &clock_, &log_, nullptr,
                             /*pause_ms=*/0);
  EXPECT_FALSE(retention.Pass());
  EXPECT_EQ(retention.stats().failed_passes, 1);
  EXPECT_NE(said_.str().find("no database at " + dir_.File("moved.db")), std::string::npos)
      << said_.str();
  EXPECT_NE(said_.str().find("tried again in an hour"), std::string::npos) << said_.str();
}

TEST_F(RetentionTest, StartRunsAPassAtOnceWhichAStopWaitsFor) {
  auto store = HistoryOfDays(dir_.File("h.db"), 40);
  {
    HistoryRetention retention(dir_.File("h.db"), 30 * kDayMs, &clock_, &log_, nullptr,
                               /*pause_ms=*/0);
    retention.Start();
  }  // stopped at once: the pass it began at its start is finished
  EXPECT_EQ(CountsBefore(*store, kNowMs - 30 * kDayMs), 0);
  EXPECT_GT(CountsBefore(*store, kNowMs), 0);
}

TEST_F(RetentionTest, ANewHistoryShrinksInStepsWhileACollectorWritesIt) {
  const std::string db = dir_.File("h.db");
  auto store = HistoryOfDays(db, 20, /*busy=*/true);
  std::string error;
  ASSERT_TRUE(PruneHistory(db, kNowMs - 8 * kDayMs, &error)) << error;

  const auto shrunk = ShrinkHistory(db, &error);
  ASSERT_TRUE(shrunk) << error;
  EXPECT_FALSE(shrunk->converted);
  EXPECT_LT(shrunk->bytes_after, shrunk->bytes_before / 2)
      << shrunk->bytes_before << " -> " << shrunk->bytes_after;
  EXPECT_EQ(store->db().execAndGet("PRAGMA freelist_count").getInt64(), 0);
  EXPECT_EQ(store->db().execAndGet("PRAGMA integrity_check").getString(), "ok");
  // The collector goes on writing.
  store->db().exec(
      "INSERT INTO buckets (tag, country, minute, method, count) VALUES ('twitterdown', 'GB', "
      "1453191300, 'place', 9)");
  EXPECT_EQ(CountsBefore(*store, kNowMs + 60'000), 8 * 1440 * 3 + 1);
}

TEST_F(RetentionTest, AnOlderHistoryIsRewrittenOnceWhenNoCollectorWritesIt) {
  const std::string db = dir_.File("h.db");
  auto store = HistoryOfDays(db, 20, /*busy=*/true);
  store->db().exec("PRAGMA auto_vacuum = NONE; VACUUM");  // as histories were made before
  std::string error;
  ASSERT_TRUE(PruneHistory(db, kNowMs - 8 * kDayMs, &error)) << error;

  EXPECT_FALSE(ShrinkHistory(db, &error));
  EXPECT_NE(error.find("a collector writes " + db), std::string::npos) << error;
  EXPECT_NE(error.find("stop the collector once"), std::string::npos) << error;

  store.reset();
  const auto shrunk = ShrinkHistory(db, &error);
  ASSERT_TRUE(shrunk) << error;
  EXPECT_TRUE(shrunk->converted);
  EXPECT_LT(shrunk->bytes_after, shrunk->bytes_before / 2)
      << shrunk->bytes_before << " -> " << shrunk->bytes_after;
  SQLite::Database after(db);
  EXPECT_EQ(after.execAndGet("PRAGMA auto_vacuum").getInt(), 2);  // incremental from now on
  EXPECT_EQ(after.execAndGet("SELECT COUNT(*) FROM buckets").getInt64(), 8 * 1440 * 3);
}

}  // namespace
}  // namespace hashmon
