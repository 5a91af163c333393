// The tracker's tag total, as a spec: while a tag surges worldwide (unattributed mentions
// included), a country joins on little evidence; the total itself is never an outage. And
// who may join an outage one country reports alone.
#include "hashmon/outage_tracker.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "hashmon/time_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::kMin;
using testing::kMonday;
const char* kTag = "twitterdown";

using Counts = std::map<std::tuple<int64_t, std::string, std::string>, int64_t>;

class TagTotalTest : public ::testing::Test {
 protected:
  // Six quiet hours: a mention from somewhere unknown every few minutes, the odd one from
  // the US, and none from Lithuania yet.
  void QuietHours(OutageTracker& tracker) {
    std::mt19937 rng(7);
    std::poisson_distribution<int> unknown(0.3), us(0.1);
    Counts counts;
    for (int64_t m = kMonday; m < kOnset; m += kMin) {
      if (int n = unknown(rng)) counts[{m, kTag, "??"}] = n;
      if (int n = us(rng)) counts[{m, kTag, "US"}] = n;
    }
    tracker.CloseThrough(kOnset - kMin, counts);
  }
  // The quiet hours, then Britain's mentions minute by minute from the onset on.
  void QuietHoursThenBritain(OutageTracker& tracker, const std::vector<int64_t>& gb) {
    QuietHours(tracker);
    for (size_t i = 0; i < gb.size(); ++i) {
      const int64_t m = kOnset + static_cast<int64_t>(i) * kMin;
      tracker.CloseThrough(m, {{{m, kTag, "GB"}, gb[i]}});
    }
  }
  // The outage: unattributed posts surge; Lithuania says it twice, once a minute.
  void Outage(OutageTracker& tracker) {
    for (int i = 0; i < 2; ++i) {
      const int64_t m = kOnset + i * kMin;
      tracker.CloseThrough(m, {{{m, kTag, "??"}, 15 * (i + 1)}, {{m, kTag, "LT"}, 1}});
    }
  }
  // The tracker reads open minutes' counts from here, as from the minute counter (which
  // answers for the tag total too).
  void CountOpenMinutes(OutageTracker& tracker) {
    tracker.set_open_counts([this](const std::string& tag, const std::string& cc, int64_t m) {
      int64_t n = 0;
      for (const auto& [key, count] : open_) {
        const auto& [minute, t, country] = key;
        if (minute == m && t == tag && (cc == kTagTotal || country == cc)) n += count;
      }
      return n;
    });
  }
  void Mention(OutageTracker& tracker, const char* cc, int64_t at) {
    const int64_t m = at / kMin * kMin;
    const int64_t n = ++open_[{m, kTag, cc}];
    tracker.OnMention(kTag, cc, m, n, at, SourceKind::kX, std::to_string(at), "down?");
  }
  // `n` mentions from nowhere known, one every `every` ms from `from`.
  void Unattributed(OutageTracker& tracker, int n, int64_t from, int64_t every) {
    for (int i = 0; i < n; ++i) Mention(tracker, "??", from + i * every);
  }
  static const OutageCountry* Find(const OutageTracker& tracker, const std::string& cc) {
    for (const auto& [id, o] : tracker.outages()) {
      auto c = o.countries.find(cc);
      if (c != o.countries.end()) return &c->second;
    }
    return nullptr;
  }

  const int64_t kOnset = kMonday + 6 * 60 * kMin;
  Counts open_;

 public:
  void QuietHoursOf(OutageTracker& tracker) { QuietHours(tracker); }
  int64_t onset() const { return kOnset; }
  static const OutageCountry* FindIn(const OutageTracker& tracker, const std::string& cc) {
    return Find(tracker, cc);
  }
};

TEST_F(TagTotalTest, ACountryJoinsAWorldwideSurgeOnTwoPosts) {
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  Outage(tracker);
  const OutageCountry* lt = Find(tracker, "LT");
  ASSERT_NE(lt, nullptr);
  EXPECT_EQ(lt->detected_at, kOnset + 2 * kMin);
  EXPECT_EQ(lt->started, kOnset);  // its first post, as the worldwide surge's first minute
}

TEST_F(TagTotalTest, WithoutTheTotalTwoPostsAreABurstNotAnOutage) {
  TrackerConfig cfg;
  cfg.watch_tag_total = false;
  OutageTracker tracker{cfg};
  QuietHours(tracker);
  Outage(tracker);
  EXPECT_EQ(Find(tracker, "LT"), nullptr);
}

TEST_F(TagTotalTest, TheTotalIsNeverAnOutageAndItsStateIsKept) {
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  Outage(tracker);
  for (const auto& [id, o] : tracker.outages()) {
    EXPECT_EQ(o.countries.count(kTagTotal), 0u);
    EXPECT_EQ(o.countries.count("??"), 0u);
  }
  const TrackerChanges changes = tracker.TakeChanges();
  bool total_saved = false;
  for (const auto& [key, state] : changes.detector_states)
    total_saved = total_saved || key == std::make_pair(std::string(kTag), std::string(kTagTotal));
  EXPECT_TRUE(total_saved);
}

TEST_F(TagTotalTest, TheTotalFiresEarlyOnAnOpenMinute) {
  // Mentions of the open minute count towards the total as they arrive, unattributed ones
  // too: Lithuania's second post, 70 s into the outage, is flagged at once.
  OutageTracker tracker{TrackerConfig{}};
  CountOpenMinutes(tracker);
  QuietHours(tracker);
  auto mention = [&](const char* cc, int64_t at) { Mention(tracker, cc, at); };
  Unattributed(tracker, 10, kOnset, 3000);
  mention("LT", kOnset + 40'000);
  tracker.CloseThrough(kOnset, open_);
  Unattributed(tracker, 10, kOnset + kMin, 1000);
  mention("LT", kOnset + 70'000);
  const OutageCountry* lt = Find(tracker, "LT");
  ASSERT_NE(lt, nullptr);
  EXPECT_EQ(lt->detected_at, kOnset + 70'000);
}

TEST_F(TagTotalTest, ACountryWaitingWithEnoughPostsJoinsTheMomentTheOutageOpens) {
  // Lithuania posts twice in the first minute (a burst, alone), then nothing for a while;
  // when the worldwide surge is recognised 65 s in, Lithuania joins then, not at its next
  // post minutes later.
  OutageTracker tracker{TrackerConfig{}};
  CountOpenMinutes(tracker);
  QuietHours(tracker);
  auto mention = [&](const char* cc, int64_t at) { Mention(tracker, cc, at); };
  mention("LT", kOnset + 10'000);
  mention("LT", kOnset + 20'000);
  Unattributed(tracker, 4, kOnset + 30'000, 5000);
  EXPECT_EQ(Find(tracker, "LT"), nullptr);
  Unattributed(tracker, 12, kOnset + 60'000, 1000);
  const OutageCountry* lt = Find(tracker, "LT");
  ASSERT_NE(lt, nullptr);
  EXPECT_LE(lt->detected_at, kOnset + 72'000);
  EXPECT_EQ(lt->started, kOnset);
}

// An outage in Great Britain alone (40 posts a minute for ten minutes). South Africa, never
// heard from, posts twice in two minutes five minutes in: its chance pair joins only if
// something else says the outage reaches beyond Britain.
class JoiningTest : public TagTotalTest {
 protected:
  // Britain fires over three closed minutes; then, in the open minute after (returned),
  // South Africa posts twice.
  int64_t BritainFiresThenSouthAfricaPostsTwice(OutageTracker& tracker) {
    CountOpenMinutes(tracker);
    QuietHours(tracker);
    for (int i = 0; i < 3; ++i)
      tracker.CloseThrough(kOnset + i * kMin, {{{kOnset + i * kMin, kTag, "GB"}, 40}});
    EXPECT_NE(Find(tracker, "GB"), nullptr);
    const int64_t open = kOnset + 3 * kMin;
    Mention(tracker, "ZA", open + 5'000);
    Mention(tracker, "ZA", open + 10'000);
    return open;
  }
  void BritainAlone(OutageTracker& tracker, int64_t unknown_per_minute) {
    QuietHours(tracker);
    for (int i = 0; i < 10; ++i) {
      const int64_t m = kOnset + i * kMin;
      Counts counts{{{m, kTag, "GB"}, 40}};
      if (unknown_per_minute > 0) counts[{m, kTag, "??"}] = unknown_per_minute;
      if (i == 5 || i == 6) counts[{m, kTag, "ZA"}] = 1;
      tracker.CloseThrough(m, counts);
    }
    ASSERT_NE(Find(tracker, "GB"), nullptr);
  }
};

TEST_F(TagTotalTest, AnOutageBackSoonAfterItEndedReopensItsIncidentAndCountsBothWaves) {
  // Britain: 30 minutes at 25 a minute, 10 silent ones (it resolves), then the outage is
  // back, rising over two minutes (5, then 12) before a minute says it is back in full.
  OutageTracker tracker{TrackerConfig{}};
  std::vector<int64_t> gb(30, 25);
  gb.insert(gb.end(), 10, 0);
  for (int64_t n : {5, 12}) gb.push_back(n);
  gb.insert(gb.end(), 20, 25);
  QuietHoursThenBritain(tracker, gb);
  ASSERT_EQ(tracker.outages().size(), 1u);
  const OutageCountry* c = Find(tracker, "GB");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->started, kOnset);
  EXPECT_EQ(c->ended, 0);  // firing again
  EXPECT_EQ(c->mentions, 30 * 25 + 5 + 12 + 20 * 25);
}

TEST_F(TagTotalTest, ACountryWhoseOutageCameBackHasAWaveForEachTime) {
  // Britain: 30 minutes at 25 a minute, 10 silent ones, 20 more at 25, then silence.
  OutageTracker tracker{TrackerConfig{}};
  std::vector<int64_t> gb(30, 25);
  gb.insert(gb.end(), 10, 0);
  gb.insert(gb.end(), 20, 25);
  gb.insert(gb.end(), 30, 0);
  QuietHoursThenBritain(tracker, gb);
  ASSERT_EQ(tracker.outages().size(), 1u);
  const OutageCountry* c = Find(tracker, "GB");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->waves.size(), 2u);
  const OutageWave& first = c->waves[0];
  const OutageWave& back = c->waves[1];
  EXPECT_EQ(first.started, kOnset);
  EXPECT_EQ(first.ended, kOnset + 30 * kMin);
  EXPECT_EQ(back.started, kOnset + 40 * kMin);
  EXPECT_EQ(back.detected_at, kOnset + 41 * kMin);  // as its first minute closed
  EXPECT_EQ(back.ended, kOnset + 60 * kMin);
  EXPECT_GT(first.resolved_at, first.ended);
  EXPECT_LT(first.resolved_at, back.started);
  // The country spans both.
  EXPECT_EQ(c->started, first.started);
  EXPECT_EQ(c->detected_at, first.detected_at);
  EXPECT_EQ(c->ended, back.ended);
  EXPECT_EQ(c->resolved_at, back.resolved_at);
  EXPECT_EQ(c->mentions, 50 * 25);
}

// When an incident last opened, for the countries that join it on its evidence alone.
class LastOpenedTest : public ::testing::Test {
 protected:
  static constexpr int64_t kWindow = 15 * kMin;
  // A country's waves, as (detected_at, resolved_at) in minutes (resolved 0: firing).
  void Add(const std::string& cc, std::vector<std::pair<int64_t, int64_t>> waves) {
    OutageCountry& c = outage_.countries[cc];
    c.country = cc;
    for (const auto& [detected, resolved] : waves)
      c.waves.push_back({detected * kMin, detected * kMin, 0, resolved * kMin});
  }
  int64_t OpenedMinute() const { return LastOpened(outage_, kWindow) / kMin; }
  Outage outage_;
};

TEST_F(LastOpenedTest, AnIncidentOpensWithItsFirstDetection) {
  Add("BR", {{100, 0}});
  Add("PH", {{102, 0}});
  Add("FR", {{160, 0}});  // a country joining later opens nothing
  EXPECT_EQ(OpenedMinute(), 100);
}

TEST_F(LastOpenedTest, ItOpensAgainWhenAnOutageComesBackAfterEveryAlertResolved) {
  Add("BR", {{100, 200}, {215, 0}});
  Add("PH", {{102, 205}, {217, 0}});
  EXPECT_EQ(OpenedMinute(), 215);
}

TEST_F(LastOpenedTest, ItOpensAgainWhenACountryComesBackThoughAQuietOneFiredThroughTheLull) {
  Add("BR", {{100, 200}, {215, 0}});
  Add("FR", {{103, 0}});
  EXPECT_EQ(OpenedMinute(), 215);
}

TEST_F(LastOpenedTest, AReturnWhileItIsStillOpenToJoinsOpensNothing) {
  Add("BR", {{100, 104}, {110, 0}});
  Add("PH", {{102, 0}});
  EXPECT_EQ(OpenedMinute(), 100);
}

TEST_F(LastOpenedTest, AnOutageWithoutWavesOpensWithItsCountriesDetection) {
  OutageCountry& c = outage_.countries["BR"];
  c.detected_at = 100 * kMin;
  EXPECT_EQ(OpenedMinute(), 100);
}

TEST_F(JoiningTest, AChancePairOfPostsDoesNotJoinAnOutageOneCountryReports) {
  OutageTracker tracker{TrackerConfig{}};
  BritainAlone(tracker, 0);
  EXPECT_EQ(Find(tracker, "ZA"), nullptr);
}

TEST_F(JoiningTest, WithoutTheCrowdRuleTheSamePairWouldJoin) {
  TrackerConfig cfg;
  cfg.joins_freely_from = 1;  // any firing country waives the evidence, as before the rule
  OutageTracker tracker{cfg};
  BritainAlone(tracker, 0);
  EXPECT_NE(Find(tracker, "ZA"), nullptr);
}

TEST_F(JoiningTest, ThePairJoinsWhileMentionsNoCountryExplainsSurge) {
  OutageTracker tracker{TrackerConfig{}};
  BritainAlone(tracker, 6);  // unattributed posts at twenty times their usual rate
  const OutageCountry* za = Find(tracker, "ZA");
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->detected_at, kOnset + 7 * kMin);
}

TEST_F(JoiningTest, OnAnOpenMinuteACountryJoinsAtItsNextPostOnceTheCrowdSurges) {
  OutageTracker tracker{TrackerConfig{}};
  const int64_t open = BritainFiresThenSouthAfricaPostsTwice(tracker);
  ASSERT_NE(Find(tracker, "GB"), nullptr);
  EXPECT_EQ(Find(tracker, "ZA"), nullptr);  // Britain explains the crowd so far
  Unattributed(tracker, 8, open + 20'000, 1000);
  Mention(tracker, "ZA", open + 40'000);
  const OutageCountry* za = Find(tracker, "ZA");
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->detected_at, open + 40'000);
}

TEST_F(JoiningTest, AWaitingPairJoinsTheMomentASecondCountryFires) {
  // Britain's outage is its own; South Africa's pair of posts waits. When Brazil fires
  // too, the outage is international, and the pair joins then, not at South Africa's
  // next post (which may be minutes away).
  OutageTracker tracker{TrackerConfig{}};
  const int64_t open = BritainFiresThenSouthAfricaPostsTwice(tracker);
  EXPECT_EQ(Find(tracker, "ZA"), nullptr);
  for (int i = 0; i < 40 && Find(tracker, "BR") == nullptr; ++i)
    Mention(tracker, "BR", open + 20'000 + i * 2'000);
  const OutageCountry* br = Find(tracker, "BR");
  ASSERT_NE(br, nullptr);
  const OutageCountry* za = Find(tracker, "ZA");
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->detected_at, br->detected_at);
}

TEST_F(JoiningTest, OnceTwoCountriesFireThePairJoinsOnItsOwn) {
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  for (int i = 0; i < 10; ++i) {
    const int64_t m = kOnset + i * kMin;
    Counts counts{{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
    if (i == 5 || i == 6) counts[{m, kTag, "ZA"}] = 1;
    tracker.CloseThrough(m, counts);
  }
  EXPECT_NE(Find(tracker, "ZA"), nullptr);
}

// Britain and Brazil in outage; South Africa's pair of posts comes `minutes_in`. Whether it
// joined, the minute after.
bool SouthAfricasPairJoins(JoiningTest& test, OutageTracker& tracker, int minutes_in) {
  test.QuietHoursOf(tracker);
  for (int i = 0; i < minutes_in + 2; ++i) {
    const int64_t m = test.onset() + i * kMin;
    Counts counts{{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
    if (i == minutes_in || i == minutes_in + 1) counts[{m, kTag, "ZA"}] = 1;
    tracker.CloseThrough(m, counts);
  }
  return TagTotalTest::FindIn(tracker, "ZA") != nullptr;
}

TEST_F(JoiningTest, APairOfPostsJoinsAWorldwideOutageAsItBeginsNotAnHourIn) {
  // The countries of a worldwide outage say so together. Over an hour, somewhere, a quiet
  // country's chance pair of posts is likely, and it is no sign of the outage.
  for (const auto& [minutes_in, joins] : {std::pair{5, true}, {14, true}, {30, false}}) {
    OutageTracker tracker{TrackerConfig{}};
    EXPECT_EQ(SouthAfricasPairJoins(*this, tracker, minutes_in), joins) << minutes_in;
  }
  TrackerConfig always;
  always.incident_join_minutes = 0;
  OutageTracker tracker{always};
  EXPECT_TRUE(SouthAfricasPairJoins(*this, tracker, 30));
}

// Britain and Brazil in outage (40 posts a minute each); at minutes 5 and 6 of it, the US has a
// harmless burst (3 posts, then 2), which joins it; then a post every three minutes.
Counts BurstInOutage(int64_t onset, int i) {
  const int64_t m = onset + i * kMin;
  Counts counts{{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
  if (i == 5 || i == 6) counts[{m, kTag, "US"}] = i == 5 ? 3 : 2;
  if (i > 6 && i % 3 == 0) counts[{m, kTag, "US"}] = 1;
  return counts;
}

// Britain and Brazil in outage for half an hour. The US, whose odd post every ten minutes
// or so the quiet hours taught, has a harmless burst early in the outage (five posts in two
// minutes, which join it), and then for two hours posts `posts` times every `every` minutes.
const OutageCountry* TheUsAfterABurst(JoiningTest& test, OutageTracker& tracker, int posts,
                                      int every) {
  test.QuietHoursOf(tracker);
  for (int i = 0; i < 150; ++i) {
    const int64_t m = test.onset() + i * kMin;
    Counts counts;
    if (i < 30) counts = {{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
    if (i == 5 || i == 6) counts[{m, kTag, "US"}] = i == 5 ? 3 : 2;
    if (i > 6 && i % every == 0) counts[{m, kTag, "US"}] = posts;
    tracker.CloseThrough(m, counts);
  }
  return TagTotalTest::FindIn(tracker, "US");
}

TEST_F(JoiningTest, AJoinWithoutEvidenceOfItsOwnIsWithdrawnFifteenMinutesOn) {
  // A post every three minutes is more than the baseline the US froze on joining, but no
  // evidence of its own: its join is withdrawn as if it had never been.
  OutageTracker tracker{TrackerConfig{}};
  const int64_t onset = this->onset();
  QuietHours(tracker);
  const int64_t id = [&] {
    for (int i = 0; i < 7; ++i) tracker.CloseThrough(onset + i * kMin, BurstInOutage(onset, i));
    const OutageCountry* us = Find(tracker, "US");
    EXPECT_NE(us, nullptr);
    if (us != nullptr) {
      EXPECT_EQ(us->confirmed_at, 0);  // provisional: it may yet be withdrawn
    }
    return tracker.outages().begin()->first;
  }();
  const int64_t peak_with_us = tracker.outages().at(id).peak_count;
  tracker.TakeChanges();
  std::vector<WithdrawnJoin> withdrawn;
  for (int i = 7; i < 25; ++i) {
    tracker.CloseThrough(onset + i * kMin, BurstInOutage(onset, i));
    for (auto& w : tracker.TakeChanges().withdrawn) withdrawn.push_back(w);
  }
  EXPECT_EQ(Find(tracker, "US"), nullptr);
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_EQ(withdrawn[0].outage_id, id);
  EXPECT_EQ(withdrawn[0].country, "US");
  EXPECT_FALSE(withdrawn[0].outage_left_empty);
  EXPECT_LE(withdrawn[0].decided_at, onset + 21 * kMin + kMin);
  const hashmon::Outage& o = tracker.outages().at(id);
  EXPECT_EQ(o.countries.size(), 2u);
  EXPECT_EQ(o.peak_count, 80);  // Britain's and Brazil's 40 each, without the US's 3
  EXPECT_GT(peak_with_us, 80);
}

TEST_F(JoiningTest, AJoinWithoutEvidenceOfItsOwnIsWithdrawnWhenTheIncidentEndsFirst) {
  // Britain and Brazil for eight minutes; the US's burst at minutes 5 and 6, then silence.
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  std::vector<WithdrawnJoin> withdrawn;
  bool us_joined = false;
  for (int i = 0; i < 30; ++i) {
    const int64_t m = onset() + i * kMin;
    Counts counts;
    if (i < 8) counts = {{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
    if (i == 5 || i == 6) counts[{m, kTag, "US"}] = i == 5 ? 3 : 2;
    tracker.CloseThrough(m, counts);
    us_joined = us_joined || Find(tracker, "US") != nullptr;
    for (auto& w : tracker.TakeChanges().withdrawn) withdrawn.push_back(w);
  }
  EXPECT_TRUE(us_joined);
  EXPECT_EQ(Find(tracker, "US"), nullptr);
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_LT(withdrawn[0].decided_at, onset() + 20 * kMin);  // before its 15 minutes were up
  ASSERT_EQ(tracker.outages().size(), 1u);
  const hashmon::Outage& o = tracker.outages().begin()->second;
  EXPECT_FALSE(o.open());
  EXPECT_EQ(o.ended, std::max(o.countries.at("GB").ended, o.countries.at("BR").ended));
}

TEST_F(JoiningTest, ACountryThatJoinedOnAHarmlessBurstEndsWithTheIncident) {
  // Without withdrawals: a post every three minutes is more than the baseline it froze on
  // joining, but no evidence of its own, and it would fire on while it kept that up.
  TrackerConfig cfg;
  cfg.confirm_minutes = 0;
  OutageTracker tracker{cfg};
  const OutageCountry* us = TheUsAfterABurst(*this, tracker, 1, 3);
  ASSERT_NE(us, nullptr);
  const OutageCountry* gb = Find(tracker, "GB");
  const OutageCountry* br = Find(tracker, "BR");
  EXPECT_EQ(us->ended, std::max(gb->ended, br->ended));
  EXPECT_EQ(tracker.outages().begin()->second.ended, us->ended);
}

TEST_F(JoiningTest, ACountryWithEvidenceOfItsOwnOutlastsTheIncident) {
  OutageTracker tracker{TrackerConfig{}};
  const OutageCountry* us = TheUsAfterABurst(*this, tracker, 3, 1);  // thirty times its usual
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->ended, 0);                         // still firing, two hours on
  EXPECT_EQ(us->detected_at, onset() + 6 * kMin);  // confirmed: told at its join, minute 5
}

TEST_F(JoiningTest, AJoinIsProvisionalUntilItShowsEvidenceOfItsOwn) {
  OutageTracker tracker{TrackerConfig{}};
  const OutageCountry* us = TheUsAfterABurst(*this, tracker, 3, 1);
  ASSERT_NE(us, nullptr);
  // It joined at minute 5 on the incident's evidence; its own three posts a minute from
  // minute 7 on said more within minutes (more than a burst, without the burst it had).
  EXPECT_GT(us->confirmed_at, us->detected_at);
  EXPECT_LE(us->confirmed_at, onset() + 12 * kMin);
  // Britain and Brazil alerted on evidence of their own: confirmed as they were told.
  for (const char* cc : {"GB", "BR"}) {
    const OutageCountry* c = Find(tracker, cc);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->confirmed_at, c->detected_at) << cc;
  }
}

// After the quiet hours, the US (an odd post every ten minutes) posts `first` and `second`
// times in two minutes, then `then` times a minute for half an hour. What is left of its
// outage after that, and the withdrawals on the way.
std::pair<const OutageCountry*, std::vector<WithdrawnJoin>> UsAfterTheQuietHours(
    TagTotalTest& test, OutageTracker& tracker, int first, int second, int then) {
  test.QuietHoursOf(tracker);
  std::vector<WithdrawnJoin> withdrawn;
  bool alerted = false;
  for (int i = 0; i < 32; ++i) {
    const int64_t m = test.onset() + i * kMin;
    const int n = i == 0 ? first : i == 1 ? second : then;
    Counts counts;
    if (n > 0) counts[{m, kTag, "US"}] = n;
    tracker.CloseThrough(m, counts);
    alerted = alerted || TagTotalTest::FindIn(tracker, "US") != nullptr;
    for (auto& w : tracker.TakeChanges().withdrawn) withdrawn.push_back(w);
  }
  EXPECT_TRUE(alerted);
  return {TagTotalTest::FindIn(tracker, "US"), withdrawn};
}

TEST_F(TagTotalTest, TwoHarmlessBurstsTogetherAlertOnlyUntilTheyAreSeenToStop) {
  // Five posts and four: two bursts of a country's day at once, which happens, where every
  // country has bursts every day. Nothing follows, and the alert is withdrawn.
  OutageTracker tracker{TrackerConfig{}};
  const auto [us, withdrawn] = UsAfterTheQuietHours(*this, tracker, 5, 4, 0);
  EXPECT_EQ(us, nullptr);
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_TRUE(withdrawn[0].outage_left_empty);
  EXPECT_TRUE(tracker.outages().empty());
  TrackerConfig never;
  never.confirm_minutes = 0;
  OutageTracker without{never};
  EXPECT_NE(UsAfterTheQuietHours(*this, without, 5, 4, 0).first, nullptr);
}

TEST_F(TagTotalTest, TwoBurstsAtOnceAreNoLongerExplainedAwayWhileAnotherCountryIsConfirmed) {
  // As above, five posts and four from the US, then nothing; but Britain is in outage
  // (forty posts a minute, confirmed at once). Two bursts at once are rare; at the moment
  // of an outage elsewhere, rarer: the US's alert stands, confirmed as Britain is.
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  std::vector<WithdrawnJoin> withdrawn;
  for (int i = 0; i < 32; ++i) {
    const int64_t m = kOnset + i * kMin;
    Counts counts{{{m, kTag, "GB"}, 40}};
    if (i < 2) counts[{m, kTag, "US"}] = i == 0 ? 5 : 4;
    tracker.CloseThrough(m, counts);
    for (auto& w : tracker.TakeChanges().withdrawn) withdrawn.push_back(w);
  }
  EXPECT_TRUE(withdrawn.empty());
  const OutageCountry* gb = Find(tracker, "GB");
  const OutageCountry* us = Find(tracker, "US");
  ASSERT_NE(gb, nullptr);
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(gb->confirmed_at, gb->detected_at);
  EXPECT_NE(us->confirmed_at, 0);
  EXPECT_LE(us->confirmed_at, std::max(us->detected_at, gb->confirmed_at));
}

TEST_F(TagTotalTest, AnOutageThatBeginsLikeTwoBurstsIsConfirmedAsItGoesOn) {
  OutageTracker tracker{TrackerConfig{}};
  const auto [us, withdrawn] = UsAfterTheQuietHours(*this, tracker, 5, 4, 2);
  ASSERT_NE(us, nullptr);
  EXPECT_TRUE(withdrawn.empty());
  EXPECT_LE(us->detected_at, onset() + 2 * kMin);  // told at its first alert
  EXPECT_GT(us->confirmed_at, us->detected_at);    // and that it holds, minutes later
  EXPECT_EQ(us->ended, 0);
}

TEST_F(TagTotalTest, AProvisionalAlertIsConfirmedByThePostThatSaysMore) {
  // The US, an odd post every ten minutes, posts every ten seconds: its first posts could
  // be two bursts, and its alert is provisional; a few posts on, they cannot be, and it is
  // confirmed then, not at the end of a minute (every minute here is still open).
  OutageTracker tracker{TrackerConfig{}};
  CountOpenMinutes(tracker);
  QuietHours(tracker);
  int64_t fired_at = 0, confirmed_at = 0;
  for (int i = 0; i < 60 && confirmed_at == 0; ++i) {
    const int64_t at = kOnset + i * 10'000;
    Mention(tracker, "US", at);
    const OutageCountry* us = Find(tracker, "US");
    if (us == nullptr) continue;
    if (fired_at == 0) {
      fired_at = at;
      EXPECT_EQ(us->confirmed_at, 0);
    }
    if (us->confirmed_at != 0) {
      confirmed_at = us->confirmed_at;
      EXPECT_EQ(confirmed_at, at);
    }
  }
  ASSERT_NE(fired_at, 0);
  ASSERT_NE(confirmed_at, 0);
  EXPECT_GT(confirmed_at, fired_at);
  EXPECT_LE(confirmed_at - fired_at, 3 * kMin);
}

TEST_F(TagTotalTest, AnOutageWhoseOnlyCountryJoinedTheSurgeAndSaidNoMoreIsWithdrawn) {
  // Lithuania joins the worldwide surge on two posts, and says nothing more: the outage
  // was its alone, and goes with it.
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  Outage(tracker);
  ASSERT_NE(Find(tracker, "LT"), nullptr);
  std::vector<WithdrawnJoin> withdrawn;
  for (int i = 2; i < 20; ++i) {
    const int64_t m = kOnset + i * kMin;
    tracker.CloseThrough(m, {{{m, kTag, "??"}, 30}});
    for (auto& w : tracker.TakeChanges().withdrawn) withdrawn.push_back(w);
  }
  EXPECT_TRUE(tracker.outages().empty());
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_TRUE(withdrawn[0].outage_left_empty);
}

TEST_F(JoiningTest, ALateCountryWithACrowdOfItsOwnStillJoins) {
  OutageTracker tracker{TrackerConfig{}};
  QuietHours(tracker);
  for (int i = 0; i < 60; ++i) {
    const int64_t m = kOnset + i * kMin;
    Counts counts{{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
    if (i >= 40) counts[{m, kTag, "ZA"}] = 8;
    tracker.CloseThrough(m, counts);
  }
  const OutageCountry* za = Find(tracker, "ZA");
  ASSERT_NE(za, nullptr);
  EXPECT_LE(za->detected_at, kOnset + 42 * kMin);
}

// Britain and Brazil: 40 posts a minute each for 20 minutes, then silence; from minute 48
// mentions from nowhere known surge, and the US, posting twice every other minute from
// minute 44, joins that surge on its evidence, its onset dated 24 minutes after the outage
// ended: it reopens the incident. Britain and Brazil come back at minute 55, 35 minutes
// after their end, into the incident the US holds open. The US says no more. Each minute's
// changes are taken, as the store takes them; one post from Britain in each wave is kept.
class BridgeTest : public JoiningTest {
 protected:
  void Run(OutageTracker& tracker) {
    CountOpenMinutes(tracker);
    QuietHours(tracker);
    for (int i = 0; i < 80; ++i) {
      const int64_t m = kOnset + i * kMin;
      Counts counts;
      if (i < 20 || i >= 55) counts = {{{m, kTag, "GB"}, 40}, {{m, kTag, "BR"}, 40}};
      if (i >= 48 && i < 55) counts[{m, kTag, "??"}] = 30;
      if (i >= 44 && i < 51 && i % 2 == 0) counts[{m, kTag, "US"}] = 2;
      if (i == 2 || i == 57) {
        Mention(tracker, "GB", m + 1000);
        counts[{m, kTag, "GB"}] = open_[{m, kTag, "GB"}] = 40;  // the post is one of its 40
      }
      tracker.CloseThrough(m, counts);
      if (i == 56) held_open_ = tracker.outages().size() == 1;
      TrackerChanges c = tracker.TakeChanges();
      for (auto& w : c.withdrawn) withdrawn_.push_back(w);
      for (auto& w : c.moved) moved_.push_back(w);
      for (auto& o : c.outages) written_[o.id] = o;
      for (auto& e : c.evidence) evidence_[e.outage_id] += 1;
    }
  }
  bool held_open_ = false;
  std::vector<WithdrawnJoin> withdrawn_;
  std::vector<MovedWaves> moved_;
  std::map<int64_t, hashmon::Outage> written_;  // each outage as last written
  std::map<int64_t, int> evidence_;             // sample posts, by the outage they were for
};

TEST_F(BridgeTest, AReturnAfterTheIncidentEndedMakesItsOwnOnceTheJoinThatHeldItOpenIsWithdrawn) {
  OutageTracker tracker{TrackerConfig{}};
  Run(tracker);
  EXPECT_TRUE(held_open_);  // while the US's join stood, the return was the incident's
  ASSERT_EQ(withdrawn_.size(), 1u);
  EXPECT_EQ(withdrawn_[0].country, "US");
  const int64_t first = withdrawn_[0].outage_id;
  ASSERT_EQ(written_.size(), 2u);
  const hashmon::Outage& before = written_.at(first);
  const hashmon::Outage& back = written_.rbegin()->second;
  ASSERT_NE(back.id, first);
  EXPECT_EQ(before.ended, kOnset + 20 * kMin);
  EXPECT_EQ(back.started, kOnset + 55 * kMin);
  EXPECT_TRUE(back.open());
  EXPECT_EQ(back.peak_count, 80);
  for (const char* cc : {"GB", "BR"}) {
    SCOPED_TRACE(cc);
    ASSERT_EQ(before.countries.count(cc), 1u);
    ASSERT_EQ(back.countries.count(cc), 1u);
    const OutageCountry& a = before.countries.at(cc);
    const OutageCountry& b = back.countries.at(cc);
    EXPECT_EQ(a.waves.size(), 1u);
    EXPECT_EQ(a.mentions, 20 * 40);
    EXPECT_EQ(a.ended, kOnset + 20 * kMin);
    ASSERT_EQ(b.waves.size(), 1u);
    EXPECT_EQ(b.started, kOnset + 55 * kMin);
    EXPECT_EQ(b.mentions, 25 * 40);  // minutes 55 to 79
    EXPECT_EQ(b.ended, 0);
    EXPECT_EQ(b.confirmed_at, b.detected_at);  // it alerted on evidence of its own
  }
  // What the store must move: each country's return, and Britain's post from minute 57.
  ASSERT_EQ(moved_.size(), 2u);
  for (const MovedWaves& m : moved_) {
    EXPECT_EQ(m.from_outage, first);
    EXPECT_EQ(m.to_outage, back.id);
    EXPECT_FALSE(m.left);
    EXPECT_EQ(m.posts_since, before.countries.at(m.country).resolved_at);
  }
  EXPECT_EQ(evidence_[first], 2);  // both posts were taken while it was one incident
  EXPECT_EQ(before.countries.at("GB").evidence, 1);
  EXPECT_EQ(back.countries.at("GB").evidence, 1);
}

TEST_F(BridgeTest, AJoinThatStandsKeepsTheIncidentOneAcrossTheLullItBridged) {
  TrackerConfig cfg;
  cfg.confirm_minutes = 0;  // never withdrawn
  OutageTracker tracker{cfg};
  Run(tracker);
  EXPECT_TRUE(moved_.empty());
  ASSERT_EQ(written_.size(), 1u);
  const hashmon::Outage& o = written_.begin()->second;
  EXPECT_EQ(o.countries.size(), 3u);
  EXPECT_EQ(o.countries.at("GB").waves.size(), 2u);
}

TEST(SplitPointTest, AWaveThatBeganLongAfterEveryEarlierOneEndedSplitsTheIncident) {
  hashmon::Outage o;
  auto add = [&](const std::string& cc, int64_t started, int64_t ended) {
    o.countries[cc].country = cc;
    o.countries[cc].waves.push_back({started * kMin, started * kMin, ended * kMin, ended * kMin});
  };
  add("GB", 0, 20);
  add("BR", 2, 25);
  add("GB", 50, 60);  // 25 minutes after the last end: within a 30-minute join window
  EXPECT_EQ(SplitPoint(o, 30 * kMin), 0);
  add("BR", 91, 95);  // 31 minutes after
  EXPECT_EQ(SplitPoint(o, 30 * kMin), 91 * kMin);
  add("US", 70, 0);  // still firing: nothing after it splits
  EXPECT_EQ(SplitPoint(o, 30 * kMin), 0);
}

}  // namespace
}  // namespace hashmon

namespace hashmon {
namespace {

// A collector started on a tag that is already chatty: three posts a minute from the US, two
// from Brazil and from nowhere known, one from Britain, from the first minute on.
int OutagesOfAChattyStart(const DetectorConfig& detector) {
  TrackerConfig cfg;
  cfg.detector = detector;
  OutageTracker tracker{cfg};
  std::mt19937 rng(11);
  const std::pair<const char*, double> rates[] = {{"US", 3}, {"BR", 2}, {"??", 2}, {"GB", 1}};
  for (int64_t m = kMonday; m < kMonday + 180 * kMin; m += kMin) {
    Counts counts;
    for (const auto& [cc, rate] : rates) {
      std::poisson_distribution<int> n(rate);
      if (const int k = n(rng)) counts[{m, kTag, cc}] = k;
    }
    tracker.CloseThrough(m, counts);
  }
  return static_cast<int>(tracker.outages().size());
}

TEST(ChattyStartTest, AChattyTagsFirstMinutesAreNotAWorldwideSurge) {
  EXPECT_EQ(OutagesOfAChattyStart(DetectorConfig{}), 0);
}

// A country's series as the tracker saves it (what a restart would resume from).
std::unique_ptr<SeriesDetector> SavedSeries(OutageTracker& tracker, const std::string& country,
                                            const DetectorConfig& config) {
  auto series = std::make_unique<SeriesDetector>(&config);
  for (const auto& [key, state] : tracker.TakeChanges().detector_states) {
    if (key.second == country) {
      EXPECT_TRUE(series->Deserialize(state));
    }
  }
  return series;
}

TEST(ChattyStartTest, TheTagsTotalLearnsItsFirstQuarterHourAsItComes) {
  // Eight mentions a minute on average from the first minute (2 and 14 by turns), from
  // nowhere known (the total's alone). The total is the gate for joins on little evidence:
  // with its minutes clipped against the cold-start prior (0.1 a minute) it would expect 3.6
  // after a quarter hour, and read the tag's usual chatter as a worldwide surge that lets a
  // chatty country alert on little; learnt as they come, 4.7 (the prior still weighs).
  OutageTracker tracker{TrackerConfig{}};
  for (int64_t m = kMonday; m < kMonday + 15 * kMin; m += kMin)
    tracker.CloseThrough(m, {{{m, kTag, "??"}, (m / kMin) % 2 ? 14 : 2}});
  const DetectorConfig config;
  EXPECT_GT(SavedSeries(tracker, kTagTotal, config)->Expected(kMonday + 15 * kMin), 4.2);
}

// When the history begins: at the source's first post, whatever its tags, so that the
// silence before a country's first mention is data.
TEST(WatchFromTest, TheHistoryBeginsAtTheEarliestFirstPostBeforeAnyMinuteCloses) {
  OutageTracker tracker{TrackerConfig{}};
  tracker.WatchFrom(kMonday + 10 * kMin + 5'000);  // one source's first post
  tracker.WatchFrom(kMonday + 30'000);             // another's, earlier
  tracker.CloseThrough(kMonday + 40 * kMin, {{{kMonday + 40 * kMin, kTag, "LT"}, 1}});
  EXPECT_EQ(tracker.TakeChanges().watching_since, kMonday);
  tracker.WatchFrom(kMonday - 60 * kMin);  // a source started after the history began
  EXPECT_EQ(tracker.TakeChanges().watching_since, kMonday);
}

TEST(WatchFromTest, TheMinutesBeforeTheFirstPostAreNotSilence) {
  // A pipeline closes through its watermark, which trails the first post by the lateness:
  // its first close names a minute before the feed began. The US's chatter starts two
  // minutes in; its series has seen those two minutes and its own, not the lateness before.
  OutageTracker tracker{TrackerConfig{}};
  tracker.WatchFrom(kMonday + 2'000);
  tracker.CloseThrough(kMonday - 3 * kMin, {});
  tracker.CloseThrough(kMonday + 2 * kMin, {{{kMonday + 2 * kMin, kTag, "US"}, 1}});
  const TrackerChanges changes = tracker.TakeChanges();
  EXPECT_EQ(changes.watching_since, kMonday);
  const DetectorConfig config;
  SeriesDetector us(&config);
  for (const auto& [key, state] : changes.detector_states) {
    if (key.second == "US") {
      ASSERT_TRUE(us.Deserialize(state));
    }
  }
  EXPECT_EQ(us.steps_seen(), 3);
}

TEST(WatchFromTest, WithoutAFirstPostTheHistoryBeginsAtTheFirstMention) {
  OutageTracker tracker{TrackerConfig{}};
  tracker.CloseThrough(kMonday + 40 * kMin, {{{kMonday + 40 * kMin, kTag, "LT"}, 1}});
  EXPECT_EQ(tracker.TakeChanges().watching_since, kMonday + 40 * kMin);
}

TEST(WatchFromTest, AFirstPostWithAWrongClockTeachesAtMostSixHoursOfSilence) {
  OutageTracker tracker{TrackerConfig{}};
  tracker.WatchFrom(kMonday - 3 * 86'400'000LL);
  tracker.CloseThrough(kMonday, {{{kMonday, kTag, "LT"}, 1}});
  EXPECT_EQ(tracker.TakeChanges().watching_since, kMonday - 6 * 60 * kMin);
}

TEST(WatchFromTest, ASeriesBornBeforeAnyMinuteClosedLearnsTheSilenceSinceTheFirstPost) {
  // Lithuania's first mentions are an outage half an hour after the feed began: three posts
  // in a minute that is still open, then that minute closes. The half hour before counts
  // as thirty silent minutes, and its baseline is below the cold-start prior's.
  const DetectorConfig config;
  const int64_t onset = kMonday + 30 * kMin;
  auto lithuania = [&](bool first_post_known) {
    OutageTracker tracker{TrackerConfig{}};
    if (first_post_known) tracker.WatchFrom(kMonday + 12'000);
    for (int i = 1; i <= 3; ++i)
      tracker.OnMention(kTag, "LT", onset, i, onset + i * 1000, SourceKind::kX, std::to_string(i),
                        "down?");
    tracker.CloseThrough(onset, {{{onset, kTag, "LT"}, 3}});
    return SavedSeries(tracker, "LT", config);
  };
  const auto watched = lithuania(true), unwatched = lithuania(false);
  EXPECT_EQ(watched->steps_seen(), 31);
  EXPECT_EQ(unwatched->steps_seen(), 1);
  EXPECT_LT(watched->Expected(onset + kMin), unwatched->Expected(onset + kMin) / 2);
}

// A country's first mention comes days after the source was disconnected for two hours. The
// silence its series learns (up to a week back) leaves those two hours out: no one watched.
TEST(GapTest, ASeriesBornDaysAfterAGapDoesNotLearnItsMinutesAsSilence) {
  const DetectorConfig config;
  const int64_t lithuania_first = kMonday + 3 * 1440 * kMin;
  auto lithuania = [&](bool disconnected) {
    OutageTracker tracker{TrackerConfig{}};
    tracker.CloseThrough(kMonday, {{{kMonday, kTag, "US"}, 1}});
    if (disconnected) tracker.MarkGap(kMonday + 60 * kMin, kMonday + 179 * kMin);
    tracker.CloseThrough(kMonday + 2 * 1440 * kMin, {});
    tracker.TakeChanges();
    tracker.CloseThrough(lithuania_first, {{{lithuania_first, kTag, "LT"}, 1}});
    return SavedSeries(tracker, "LT", config);
  };
  EXPECT_EQ(lithuania(false)->steps_seen(), 3 * 1440 + 1);
  EXPECT_EQ(lithuania(true)->steps_seen(), 3 * 1440 + 1 - 120);
}

TEST(GapTest, GapsThatOverlapOrTouchAreOne) {
  OutageTracker tracker{TrackerConfig{}};
  tracker.MarkGap(kMonday + 10 * kMin, kMonday + 12 * kMin);
  tracker.MarkGap(kMonday + 20 * kMin, kMonday + 21 * kMin);
  tracker.MarkGap(kMonday + 13 * kMin, kMonday + 14 * kMin);  // touches the first
  tracker.MarkGap(kMonday + 11 * kMin, kMonday + 20 * kMin);  // overlaps both
  tracker.MarkGap(kMonday + 30 * kMin, kMonday + 29 * kMin);  // empty
  std::vector<int> skipped;
  for (int i = 0; i < 40; ++i) {
    if (tracker.InGap(kMonday + i * kMin)) skipped.push_back(i);
  }
  EXPECT_EQ(skipped, (std::vector<int>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}));
}

// A long silence: once a series has been silent a week, a tracker stops walking it minute by
// minute; its next mention fills the silence as any skipped steps are filled (a week). So
// a stretch of years between two posts (archives far apart, a post with a wrong clock)
// costs no more than a fortnight, and the result does not depend on how minutes were closed.
class LongSilenceTest : public ::testing::Test {
 protected:
  static constexpr int64_t kWeek = 7 * 1440 * kMin;
  struct Gap {
    int64_t from, to;
  };
  // Lithuania's series after a mention at kMonday and one `weeks_later`, the minutes closed in
  // one call, or `step` minutes at a time; the source unwatched for `gap`, if given.
  static std::unique_ptr<SeriesDetector> Lithuania(double weeks_later, int64_t step = 0,
                                                   std::optional<Gap> gap = std::nullopt) {
    OutageTracker tracker{TrackerConfig{}};
    const int64_t later = kMonday + static_cast<int64_t>(weeks_later * 7 * 1440) * kMin;
    tracker.CloseThrough(kMonday, {{{kMonday, kTag, "LT"}, 1}});
    if (gap) tracker.MarkGap(gap->from, gap->to);
    for (int64_t m = kMonday + step * kMin; step > 0 && m < later; m += step * kMin)
      tracker.CloseThrough(m, {});
    tracker.CloseThrough(later, {{{later, kTag, "LT"}, 1}});
    return SavedSeries(tracker, "LT", config_);
  }
  static const DetectorConfig config_;
};
const DetectorConfig LongSilenceTest::config_;

TEST_F(LongSilenceTest, AMentionDecadesLaterIsJudgedAsAfterAFortnightsSilence) {
  const auto fortnight = Lithuania(3), decades = Lithuania(1000);
  // The first mention, a week of silent minutes, a week more filled at the next, and it.
  EXPECT_EQ(fortnight->steps_seen(), 1 + 2 * 7 * 1440 + 1);
  EXPECT_EQ(decades->steps_seen(), fortnight->steps_seen());
  EXPECT_EQ(decades->Expected(kMonday + 1000 * kWeek + kMin),
            fortnight->Expected(kMonday + 3 * kWeek + kMin));
}

TEST_F(LongSilenceTest, MinutesClosedOneAtATimeGiveTheSameSeries) {
  const auto live = Lithuania(3, 1), replayed = Lithuania(3);
  EXPECT_EQ(live->Serialize(), replayed->Serialize());
}

TEST_F(LongSilenceTest, TheSilenceFilledAtTheNextMentionLeavesItsGapsOut) {
  // Silent since Monday: walked minute by minute for a week, then skipped (dormant) until
  // the mention 13 days on, which fills the skipped minutes: as silence, but for the two
  // hours of day 9 when the source was unwatched.
  const Gap day_nine{kMonday + 9 * 1440 * kMin, kMonday + 9 * 1440 * kMin + 119 * kMin};
  const auto watched = Lithuania(13 / 7.0), unwatched = Lithuania(13 / 7.0, 0, day_nine);
  EXPECT_EQ(watched->steps_seen(), 1 + 13 * 1440);
  EXPECT_EQ(unwatched->steps_seen(), watched->steps_seen() - 120);
  EXPECT_EQ(Lithuania(13 / 7.0, 1, day_nine)->Serialize(), unwatched->Serialize());
}

TEST_F(LongSilenceTest, OnlyTheLastWeeksGapsAreLeftOutHoweverTheMinutesWereClosed) {
  // Three weeks on, the skipped minutes filled are those of the second week: a gap then is
  // over a week old, which a collector closing minute by minute has forgotten (as has one
  // restarted since), so it is filled as silence by both.
  const Gap day_nine{kMonday + 9 * 1440 * kMin, kMonday + 9 * 1440 * kMin + 119 * kMin};
  const auto replayed = Lithuania(3, 0, day_nine);
  EXPECT_EQ(replayed->steps_seen(), Lithuania(3)->steps_seen());
  EXPECT_EQ(Lithuania(3, 1, day_nine)->Serialize(), replayed->Serialize());
}

}  // namespace
}  // namespace hashmon

namespace hashmon {
namespace {

TEST(EvidenceText, ASamplePostIsKeptWhole) {
  EXPECT_EQ(EvidenceText("Twitter est en panne #TwitterDown"), "Twitter est en panne #TwitterDown");
  const std::string longest(kMaxEvidenceTextBytes, 'a');
  EXPECT_EQ(EvidenceText(longest), longest);
}

TEST(EvidenceText, AnOverlongOneIsCutAtACharacterWithAnEllipsis) {
  // "ツ" is 3 bytes: the cut may not fall inside one.
  std::string text;
  while (text.size() < 3 * kMaxEvidenceTextBytes) text += "ツ";
  const std::string kept = EvidenceText(text);
  EXPECT_LE(kept.size(), kMaxEvidenceTextBytes + 3);
  EXPECT_EQ(kept.substr(kept.size() - 3), "\u2026");
  const std::string body = kept.substr(0, kept.size() - 3);
  EXPECT_EQ(body.size() % 3, 0u);
  EXPECT_EQ(body, text.substr(0, body.size()));
}

}  // namespace
}  // namespace hashmon
