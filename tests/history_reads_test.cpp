// What the read side costs on a long history: a status page, a metrics scrape and a day's
// counts read what they show, not every minute ever counted. The cost is SQLite's own
// count of the steps its statements took, so it holds on any machine, at any load.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::TempDir;

constexpr int64_t kLastDay = 1453161600;  // 2016-01-19T00:00:00Z, in seconds

// Runs `sql`, which fills a table over the times ?1 (`first`, seconds) to ?2 (the end of
// kLastDay).
void FillFromFirstToLastDay(SQLite::Database& db, const char* sql, int64_t first) {
  SQLite::Statement fill(db, sql);
  fill.bind(1, first);
  fill.bind(2, kLastDay + 86'400);
  fill.exec();
}

// Counts of two tags in three countries, every minute of `days` days up to the end of
// kLastDay, and a spike every hour; written as the collector writes them.
std::unique_ptr<SqliteStore> HistoryOfDays(const std::string& path, int days) {
  std::string error;
  auto store = SqliteStore::OpenForWriting(path, &error);
  EXPECT_TRUE(store) << error;
  const int64_t first = kLastDay - (days - 1) * 86'400;
  FillFromFirstToLastDay(store->db(),
                         "WITH RECURSIVE m(t) AS (SELECT ?1 UNION ALL SELECT t + 60 FROM m "
                         "WHERE t + 60 < ?2) "
                         "INSERT INTO buckets (tag, country, minute, method, count) "
                         "SELECT tag, country, t, 'place', 1 + t % 7 FROM m, "
                         "(SELECT 'twitterdown' AS tag UNION SELECT 'instagramdown'), "
                         "(SELECT 'BR' AS country UNION SELECT 'PH' UNION SELECT 'GB')",
                         first);
  FillFromFirstToLastDay(store->db(),
                         "WITH RECURSIVE h(t) AS (SELECT ?1 UNION ALL SELECT t + 3600 FROM h "
                         "WHERE t + 3600 < ?2) "
                         "INSERT INTO spikes (tag, country, minute, count, expected, score) "
                         "SELECT 'twitterdown', 'BR', t, 9, 1.5, 0.999 FROM h",
                         first);
  return store;
}

// The virtual machine steps SQLite takes for `read`.
int64_t StepsOf(SqliteStore& store, const std::function<void()>& read) {
  int64_t steps = 0;
  sqlite3_progress_handler(
      store.db().getHandle(), 1,
      [](void* n) {
        ++*static_cast<int64_t*>(n);
        return 0;
      },
      &steps);
  read();
  sqlite3_progress_handler(store.db().getHandle(), 0, nullptr, nullptr);
  return steps;
}

struct Read {
  const char* what;
  std::function<void(SqliteStore&)> run;
};

const Read kReads[] = {
    {"the status summary", [](SqliteStore& s) { s.Summarize(); }},
    {"the tags", [](SqliteStore& s) { s.Tags(); }},
    {"one tag's last day",
     [](SqliteStore& s) {
       EXPECT_EQ(
           s.QueryCounts({"twitterdown", "", kLastDay * 1000, (kLastDay + 86'400) * 1000}).size(),
           3u * 1440u);
     }},
    {"one country's last day",
     [](SqliteStore& s) {
       EXPECT_EQ(s.QueryCounts({"", "PH", kLastDay * 1000, (kLastDay + 86'400) * 1000}).size(),
                 2u * 1440u);
     }},
    {"the last day's spikes",
     [](SqliteStore& s) {
       EXPECT_EQ(s.QuerySpikes({kLastDay * 1000, (kLastDay + 86'400) * 1000, "", ""}).size(), 24u);
     }},
};

TEST(HistoryReadsTest, ADaysCountsStatusAndMetricsCostTheSameAfterMonthsOfHistory) {
  TempDir tmp;
  auto one_day = HistoryOfDays(tmp.File("day.db"), 1);
  auto months = HistoryOfDays(tmp.File("months.db"), 30);
  ASSERT_EQ(months->db().execAndGet("SELECT COUNT(*) FROM buckets").getInt64(), 30 * 6 * 1440);
  for (const Read& read : kReads) {
    const int64_t day_steps = StepsOf(*one_day, [&] { read.run(*one_day); });
    const int64_t months_steps = StepsOf(*months, [&] { read.run(*months); });
    // A scan of the whole history would take 30 times the steps; a search a few more
    // for a deeper B-tree.
    EXPECT_LT(months_steps, day_steps * 3 / 2)
        << read.what << ": " << day_steps << " steps "
        << "on a day's history, " << months_steps << " on 30 days'";
  }
}

TEST(HistoryReadsTest, TotalsOfAMonthsLongHistoryAreTheSumsOfItsCounts) {
  TempDir tmp;
  auto months = HistoryOfDays(tmp.File("months.db"), 30);
  const auto summary = months->Summarize();
  const int64_t per_series =
      months->db()
          .execAndGet("SELECT SUM(count) FROM buckets WHERE tag = 'twitterdown' AND country = 'BR'")
          .getInt64();
  EXPECT_EQ(summary.mentions_by_country,
            (std::map<std::string, int64_t>{
                {"BR", 2 * per_series}, {"GB", 2 * per_series}, {"PH", 2 * per_series}}));
  EXPECT_EQ(summary.newest_count_ms, (kLastDay + 86'400 - 60) * 1000);
  EXPECT_EQ(months->Tags(), (std::vector<std::string>{"instagramdown", "twitterdown"}));
}

}  // namespace
}  // namespace hashmon
