// Golden scenarios: the sample outage day, other outages, and a quiet week, generated,
// replayed with the hashmon binary and judged from `hashmon query outages --format json`.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <initializer_list>
#include <sstream>

#include "hashmon/time_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::RunHashmon;
using testing::TempDir;

using testing::kMin;

class OutageScenario : public ::testing::Test {
 protected:
  rapidjson::Document Run(const std::string& generator_args) {
    const std::string feed = dir_.File("feed.jsonl"), db = dir_.File("h.db");
    EXPECT_EQ(RunGenerator("gen-sample.py", generator_args, feed), 0);
    EXPECT_EQ(RunHashmon("replay -q --db '" + db + "' '" + feed + "'").exit_code, 0);
    auto r = RunHashmon("query outages --format json --db '" + db + "'");
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    EXPECT_TRUE(doc.IsArray()) << r.out;
    return doc;
  }
  static int64_t Time(const rapidjson::Value& v) {
    return v.IsNull() ? 0 : *ParseIsoTime(v.GetString());
  }
  // The mentions the database holds for a country in [from, to).
  int64_t CountedBetween(const std::string& cc, const std::string& from, const std::string& to) {
    auto r = RunHashmon("query counts --every 1d --format csv --country " + cc + " --since " +
                        from + " --until " + to + " --db '" + dir_.File("h.db") + "'");
    int64_t total = 0;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) total += std::stoll(line.substr(line.rfind(',') + 1));
    return total;
  }
  // Each of `countries` is in `outage` and was detected at most `within` after `onset`.
  static void ExpectDetectedWithin(const rapidjson::Value& outage,
                                   std::initializer_list<const char*> countries, const char* onset,
                                   int64_t within) {
    for (const char* cc : countries) {
      const rapidjson::Value* c = Country(outage, cc);
      ASSERT_NE(c, nullptr) << cc;
      EXPECT_LE(Time((*c)["detected_at"]) - *ParseIsoTime(onset), within) << cc;
    }
  }
  static const rapidjson::Value* Country(const rapidjson::Value& outage, const std::string& cc) {
    for (const auto& c : outage["countries"].GetArray()) {
      if (cc == c["country"].GetString()) return &c;
    }
    return nullptr;
  }
  TempDir dir_;
};

TEST_F(OutageScenario, SampleDayIsOneInternationalIncidentFlaggedWithinTwoMinutes) {
  rapidjson::Document outages = Run("--posts 20000");
  ASSERT_EQ(outages.Size(), 1u);
  const auto& o = outages[0];
  EXPECT_TRUE(o["international"].GetBool());
  const int64_t onset = *ParseIsoTime("2016-01-19T08:15:00Z");
  const int64_t end = *ParseIsoTime("2016-01-19T10:00:00Z");
  for (const char* cc : {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"}) {
    const rapidjson::Value* c = Country(o, cc);
    ASSERT_NE(c, nullptr) << cc;
    EXPECT_GE(Time((*c)["started"]), onset - 2 * kMin) << cc;
    EXPECT_LE(Time((*c)["detected_at"]) - onset, 2 * kMin) << cc;
    // Each said more than a join on the incident's evidence: none is left provisional.
    EXPECT_FALSE((*c)["provisional"].GetBool()) << cc;
    EXPECT_GE(Time((*c)["confirmed_at"]), Time((*c)["detected_at"])) << cc;
    EXPECT_LE(std::llabs(Time((*c)["ended"]) - end), 10 * kMin) << cc;
    EXPECT_GT((*c)["mentions"].GetInt64(), 20) << cc;
    // A country's mentions are its posts from its onset to its end, whenever it was
    // detected and however its onset was re-dated.
    ASSERT_TRUE((*c)["ended"].IsString()) << cc;
    EXPECT_EQ((*c)["mentions"].GetInt64(),
              CountedBetween(cc, (*c)["started"].GetString(), (*c)["ended"].GetString()))
        << cc;
  }
  EXPECT_GE(o["evidence"].Size(), 7u);
  EXPECT_EQ(Time(o["started"]), onset);
}

TEST_F(OutageScenario, AnAfternoonOutageInTwoCountries) {
  rapidjson::Document outages =
      Run("--posts 20000 --outage-start 14:40 --outage-minutes 45 --countries DE,ZA --seed 7");
  ASSERT_EQ(outages.Size(), 1u);
  // Mid-size countries, neither helped by a bigger one already in outage: the first to fire
  // needs five posts spread over two minutes.
  ExpectDetectedWithin(outages[0], {"DE", "ZA"}, "2016-01-19T14:40:00Z", 150'000);
  EXPECT_EQ(Country(outages[0], "BR"), nullptr);
}

TEST_F(OutageScenario, AnOutageThatComesBackAnHourAfterItEndedIsReportedAgain) {
  // Users told it was resolved must hear that it is down again: a second incident, each
  // country's second outage dated to the return and none reaching back into the first.
  rapidjson::Document outages =
      Run("--posts 20000 --countries BR,PH,GB,LT --relapse-after 60 --relapse-minutes 40");
  ASSERT_EQ(outages.Size(), 2u);
  const int64_t first_end = *ParseIsoTime("2016-01-19T10:00:00Z");
  const int64_t back_at = *ParseIsoTime("2016-01-19T11:00:00Z");
  for (const char* cc : {"BR", "PH", "GB", "LT"}) {
    const rapidjson::Value* before = Country(outages[0], cc);
    const rapidjson::Value* again = Country(outages[1], cc);
    ASSERT_NE(before, nullptr) << cc;
    ASSERT_NE(again, nullptr) << cc;
    EXPECT_LE(std::abs(Time((*before)["ended"]) - first_end), 10 * kMin) << cc;
    EXPECT_GE(Time((*again)["started"]), Time((*before)["resolved_at"])) << cc;
    EXPECT_LE(std::abs(Time((*again)["started"]) - back_at), 2 * kMin) << cc;
    EXPECT_LE(Time((*again)["detected_at"]) - back_at, 3 * kMin) << cc;
  }
}

TEST_F(OutageScenario, AnOutageBackWithinItsIncidentIsASecondWaveOfEachCountry) {
  // Back 15 minutes after it ended: the same incident, reopened. Each country's outage spans
  // both waves, and says when it came back and how soon that was told.
  rapidjson::Document outages =
      Run("--posts 20000 --countries BR,PH,GB,LT --relapse-after 15 --relapse-minutes 40");
  ASSERT_EQ(outages.Size(), 1u);
  const int64_t first_end = *ParseIsoTime("2016-01-19T10:00:00Z");
  const int64_t back_at = *ParseIsoTime("2016-01-19T10:15:00Z");
  const int64_t back_end = *ParseIsoTime("2016-01-19T10:55:00Z");
  for (const char* cc : {"BR", "PH", "GB", "LT"}) {
    const rapidjson::Value* c = Country(outages[0], cc);
    ASSERT_NE(c, nullptr) << cc;
    const auto& waves = (*c)["waves"];
    ASSERT_EQ(waves.Size(), 2u) << cc;
    EXPECT_EQ(Time(waves[0]["started"]), Time((*c)["started"])) << cc;
    EXPECT_EQ(Time(waves[0]["detected_at"]), Time((*c)["detected_at"])) << cc;
    EXPECT_LE(std::abs(Time(waves[0]["ended"]) - first_end), 10 * kMin) << cc;
    EXPECT_GE(Time(waves[1]["started"]), Time(waves[0]["resolved_at"])) << cc;
    EXPECT_LE(std::abs(Time(waves[1]["started"]) - back_at), 2 * kMin) << cc;
    EXPECT_LE(Time(waves[1]["detected_at"]) - back_at, 3 * kMin) << cc;
    EXPECT_EQ(Time(waves[1]["ended"]), Time((*c)["ended"])) << cc;
    EXPECT_LE(std::abs(Time((*c)["ended"]) - back_end), 10 * kMin) << cc;
  }
  // The report lists the waves under the country; the CSV counts them.
  const std::string db = "--db '" + dir_.File("h.db") + "'";
  const std::string report = RunHashmon("query outages --format table " + db).out;
  EXPECT_NE(report.find("\n    wave  08:1"), std::string::npos) << report;
  EXPECT_NE(report.find("\n    back  10:1"), std::string::npos) << report;
  const std::string csv = RunHashmon("query outages --format csv " + db).out;
  EXPECT_NE(csv.find(",confirmed_at,waves\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",2\n"), std::string::npos) << csv;
}

TEST_F(OutageScenario, ASingleLowVolumeCountry) {
  rapidjson::Document outages = Run(
      "--posts 20000 --outage-start 03:10 --outage-minutes 60 --countries UG --scale 2 --seed 11");
  ASSERT_GE(outages.Size(), 1u);
  const rapidjson::Value* ug = Country(outages[0], "UG");
  ASSERT_NE(ug, nullptr);
  EXPECT_LE(Time((*ug)["detected_at"]) - *ParseIsoTime("2016-01-19T03:10:00Z"), 3 * kMin);
}

TEST_F(OutageScenario, ACountryFirstHeardFromAtNightIsJudgedByTheSilenceBeforeIt) {
  // Two and a half hours into the history, most countries have not said #twitterdown
  // once: their first mentions are the outage. The minutes of silence before count as
  // zeros, so they are not judged against the cold-start prior (LT: +2.8 min without).
  rapidjson::Document outages =
      Run("--posts 20000 --outage-start 02:30 --outage-minutes 60 --seed 3");
  ASSERT_EQ(outages.Size(), 1u);
  ExpectDetectedWithin(outages[0], {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"},
                       "2016-01-19T02:30:00Z", 2 * kMin);
}

TEST_F(OutageScenario, AnOutageSoonAfterTheFeedBeginsIsJudgedByTheSilenceSinceItsFirstPost) {
  // Twenty minutes into the feed, nobody has said #twitterdown yet. The feed's first post
  // (at midnight, without the tag) begins the history, so the twenty silent minutes count
  // for every country. (Begun at the first mention instead: LT +3.1 min, UG +2.2.)
  rapidjson::Document outages =
      Run("--posts 20000 --outage-start 00:20 --outage-minutes 60 --countries LT,UG --seed 4");
  ASSERT_EQ(outages.Size(), 1u);
  ExpectDetectedWithin(outages[0], {"LT", "UG"}, "2016-01-19T00:20:00Z", 2 * kMin);
}

// A cold start: no history at all. The big countries are flagged as fast as with a day of
// history; every country is flagged, and no uncertain baseline ends one early. Seed 1: LT
// ended 72 min early before the end test left the level's uncertainty out. Seed 14: LT
// was never flagged before a country stopped learning its elevated minutes during an
// incident (its guess of a baseline rose with the outage).
class ColdStart : public OutageScenario, public ::testing::WithParamInterface<int> {};

TEST_P(ColdStart, AFeedThatBeginsFiveMinutesBeforeTheOutage) {
  rapidjson::Document outages =
      Run("--posts 20000 --feed-from 08:10 --seed " + std::to_string(GetParam()));
  ASSERT_EQ(outages.Size(), 1u);
  const int64_t onset = *ParseIsoTime("2016-01-19T08:15:00Z");
  const int64_t end = *ParseIsoTime("2016-01-19T10:00:00Z");
  for (const char* cc : {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"}) {
    const rapidjson::Value* c = Country(outages[0], cc);
    ASSERT_NE(c, nullptr) << cc;
    EXPECT_LE(std::llabs(Time((*c)["ended"]) - end), 10 * kMin) << cc;
  }
  for (const char* cc : {"BR", "GB"})
    EXPECT_LE(Time((*Country(outages[0], cc))["detected_at"]) - onset, 2 * kMin) << cc;
}

INSTANTIATE_TEST_SUITE_P(Seeds, ColdStart, ::testing::Values(1, 14));

// Each generated week has its own bursts (3 to 5 posts within 90 s) over daily chatter;
// before the burst allowance, these seeds raised one or two alerts each.
class QuietWeek : public OutageScenario, public ::testing::WithParamInterface<int> {};

TEST_P(QuietWeek, RaisesNoAlert) {
  rapidjson::Document outages = Run("--quiet-week --seed " + std::to_string(GetParam()));
  EXPECT_EQ(outages.Size(), 0u);
  for (const auto& o : outages.GetArray()) {
    ADD_FAILURE() << "outage at " << o["started"].GetString() << " in "
                  << o["countries"][0]["country"].GetString();
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, QuietWeek, ::testing::Values(20160119, 12, 13, 14));

}  // namespace
}  // namespace hashmon
