// The outage tracker's bookkeeping, as properties over random days: outages that come
// back after lulls of 20 to 45 minutes, weak chatter that joins a crowd and is withdrawn,
// mentions from nowhere known. Whatever the detectors decide, each country's figures are
// its waves' figures, its waves never overlap, and the store, told every change in order,
// holds what the tracker last said of each outage, sample posts included.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>

#include "hashmon/outage_tracker.h"
#include "hashmon/pipeline.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::kMin;
using testing::kMonday;
const char* kTag = "twitterdown";
const char* kCountries[] = {"GB", "BR", "US", "ZA", "DE"};

// A country's figures are its waves': spans, mentions, peak and sample posts.
void ExpectSpansItsWaves(const OutageCountry& c) {
  ASSERT_FALSE(c.waves.empty());
  EXPECT_EQ(c.started, c.waves.front().started);
  EXPECT_EQ(c.detected_at, c.waves.front().detected_at);
  EXPECT_EQ(c.ended, c.waves.back().ended);
  int64_t mentions = 0, peak = 0;
  int evidence = 0;
  for (size_t i = 0; i < c.waves.size(); ++i) {
    const OutageWave& w = c.waves[i];
    EXPECT_GE(w.mentions, 0);
    EXPECT_LE(w.started, w.detected_at);
    if (i + 1 < c.waves.size()) {
      EXPECT_NE(w.ended, 0) << "only the last wave may fire";
      EXPECT_LE(w.resolved_at, c.waves[i + 1].started);
    }
    mentions += w.mentions;
    peak = std::max(peak, w.peak_count);
    evidence += w.evidence;
  }
  EXPECT_EQ(c.mentions, mentions);
  EXPECT_EQ(c.peak_count, peak);
  EXPECT_EQ(c.evidence, evidence);
  EXPECT_LE(c.evidence, TrackerConfig{}.evidence_per_country);
}

// One random day after six quiet hours: `seed` draws when outages begin, who is in them,
// how long they last, how long their lulls are, and who chatters.
class RandomDay {
 public:
  explicit RandomDay(unsigned seed) : rng_(seed) {
    std::uniform_real_distribution<double> chatter(0.02, 0.4);
    for (const char* cc : kCountries) chatter_[cc] = chatter(rng_);
    std::uniform_int_distribution<int> start(0, 60), length(15, 60), lull(28, 45);
    std::uniform_real_distribution<double> rate(2, 30), scale(0.6, 1.4);
    for (int t = 360 + start(rng_); t < 1200;) {
      Episode e{t, length(rng_), {}};
      for (const char* cc : kCountries) {
        if (rng_() % 2 && std::string(cc) != "US") e.rates[cc] = rate(rng_);
      }
      if (e.rates.empty()) e.rates["GB"] = rate(rng_);
      episodes_.push_back(e);
      Episode back{e.start + e.minutes + lull(rng_), length(rng_), {}};
      for (const auto& [cc, r] : e.rates) back.rates[cc] = r * scale(rng_);
      for (const char* cc : kCountries) {  // and, now and then, a country new to it
        if (!e.rates.count(cc) && std::string(cc) != "US" && rng_() % 2)
          back.rates[cc] = rate(rng_);
      }
      episodes_.push_back(back);
      t = back.start + back.minutes + 60 + start(rng_) * 3;
    }
  }

  // The minute's mentions per country ("??": from nowhere known).
  std::map<std::string, int> Minute(int minute) {
    std::map<std::string, double> rates = chatter_;
    rates["??"] = 0.3;
    for (const Episode& e : episodes_) {
      if (minute < e.start || minute >= e.start + e.minutes) continue;
      for (const auto& [cc, r] : e.rates) rates[cc] += r;
      rates["??"] += 10;
    }
    // Before a return, mentions from nowhere known surge, and the US's few posts may join
    // that crowd, an onset dated before it: a join that holds the incident open.
    for (size_t i = 1; i < episodes_.size(); i += 2) {
      const int start = episodes_[i].start;
      if (minute >= start - 7 && minute < start) rates["??"] += 30;
      if (minute >= start - 11 && minute < start - 4 && minute % 2 == 0) rates["US"] += 2;
    }
    std::map<std::string, int> counts;
    for (const auto& [cc, r] : rates) {
      if (int n = std::poisson_distribution<int>(r)(rng_)) counts[cc] = n;
    }
    return counts;
  }

 private:
  struct Episode {
    int start, minutes;
    std::map<std::string, double> rates;
  };
  std::mt19937 rng_;
  std::map<std::string, double> chatter_;
  std::vector<Episode> episodes_;
};

// The store's outages are those the tracker last said, with their mentions, waves and
// sample posts.
void ExpectStoreHolds(const std::vector<SqliteStore::OutageRow>& rows,
                      const std::map<int64_t, Outage>& last_said) {
  EXPECT_EQ(rows.size(), last_said.size());
  for (const auto& row : rows) {
    SCOPED_TRACE("outage " + std::to_string(row.outage.id));
    const auto said = last_said.find(row.outage.id);
    ASSERT_NE(said, last_said.end());
    EXPECT_EQ(row.outage.started, said->second.started);
    EXPECT_EQ(row.outage.ended, said->second.ended);
    ASSERT_EQ(row.outage.countries.size(), said->second.countries.size());
    std::map<std::string, int> posts;
    for (const auto& e : row.evidence) ++posts[e.country];
    for (const auto& [cc, c] : said->second.countries) {
      const auto stored = row.outage.countries.find(cc);
      ASSERT_NE(stored, row.outage.countries.end()) << cc;
      EXPECT_EQ(stored->second.mentions, c.mentions) << cc;
      EXPECT_EQ(WavesOf(stored->second).size(), c.waves.size()) << cc;
      EXPECT_EQ(posts[cc], c.evidence) << cc;
    }
  }
}

struct DayResult {
  int moved = 0, withdrawn = 0, outages = 0;
};

DayResult RunDay(unsigned seed, const std::string& db) {
  DayResult result;
  std::string error;
  auto store = SqliteStore::OpenForWriting(db, &error);
  EXPECT_TRUE(store) << error;
  if (!store) return result;
  OutageTracker tracker{TrackerConfig{}};
  std::map<std::tuple<int64_t, std::string, std::string>, int64_t> open;
  tracker.set_open_counts([&](const std::string& tag, const std::string& cc, int64_t m) {
    if (cc != kTagTotal) {
      const auto it = open.find({m, tag, cc});
      return it == open.end() ? int64_t{0} : it->second;
    }
    int64_t n = 0;  // (only the open minute's mentions are here)
    for (const auto& [key, count] : open) n += count;
    return n;
  });
  std::map<int64_t, Outage> last_said;  // each outage as the tracker last said it
  RandomDay day(seed);
  Batch batch;
  int64_t post_id = 0;
  for (int minute = 0; minute < 1440; ++minute) {
    const int64_t m = kMonday + minute * kMin;
    int spread = 0;
    for (const auto& [cc, n] : day.Minute(minute)) {
      for (int i = 0; i < n; ++i, ++spread) {
        const int64_t at = m + (spread * 997) % kMin;
        const int64_t count = ++open[{m, kTag, cc}];
        tracker.OnMention(kTag, cc, m, count, at, SourceKind::kX, std::to_string(++post_id),
                          "down?");
      }
    }
    tracker.CloseThrough(m, open);
    open.clear();
    for (const auto& [id, o] : tracker.outages()) {
      for (const auto& [cc, c] : o.countries) {
        SCOPED_TRACE("seed " + std::to_string(seed) + ", minute " + std::to_string(minute) +
                     ", outage " + std::to_string(id) + ", " + cc);
        ExpectSpansItsWaves(c);
      }
    }
    TrackerChanges changes = tracker.TakeChanges();
    result.moved += static_cast<int>(changes.moved.size());
    result.withdrawn += static_cast<int>(changes.withdrawn.size());
    for (const auto& w : changes.withdrawn) {
      if (w.outage_left_empty) last_said.erase(w.outage_id);
    }
    for (const auto& o : changes.outages) last_said[o.id] = o;
    // A quarter hour's changes a commit, as a collector commits a few seconds' worth.
    batch.detection.push_back(std::move(changes));
    if (minute % 15 == 14) store->Commit(std::exchange(batch, Batch{}), {});
  }
  // The store holds what the tracker last said of each outage.
  const auto rows = store->QueryOutages({});
  result.outages = static_cast<int>(rows.size());
  SCOPED_TRACE("seed " + std::to_string(seed));
  ExpectStoreHolds(rows, last_said);
  return result;
}

TEST(TrackerPropertyTest, CountriesSpanTheirWavesAndTheStoreHoldsWhatTheTrackerSaid) {
  testing::TempDir tmp;
  DayResult all;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    const DayResult r = RunDay(seed, tmp.File("day" + std::to_string(seed) + ".db"));
    all.moved += r.moved;
    all.withdrawn += r.withdrawn;
    all.outages += r.outages;
  }
  // The days exercise what they are for: withdrawals, and incidents split by them.
  EXPECT_GT(all.withdrawn, 0);
  EXPECT_GT(all.moved, 0);
  std::printf("%d outages, %d withdrawals, %d waves moved\n", all.outages, all.withdrawn,
              all.moved);
}

}  // namespace
}  // namespace hashmon
