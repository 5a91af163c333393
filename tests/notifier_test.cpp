// Alerts: outages queue Alertmanager-style webhook calls in an outbox, in the same commit
// that decides them; the notifier delivers them in order to a real receiver on
// 127.0.0.1, retries when it fails, survives a restart, and repeats ongoing outages.
#include "ops/notifier.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "feed/replayer.h"
#include "hashmon/time_util.h"
#include "http_test_server.h"
#include "store/silence_store.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::TempDir;

class NotifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    locator_ = CountryLocator::FromEmbeddedData().release();
    dir_ = new TempDir();
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 4000", dir_->File("day.jsonl")), 0);
    // The same day cut at 09:00, while the outage is still going on.
    std::ifstream in(dir_->File("day.jsonl"));
    std::ofstream cut(dir_->File("morning.jsonl"));
    const int64_t nine = *ParseIsoTime("2016-01-19T09:00:00Z");
    for (std::string line; std::getline(in, line);) {
      const size_t at = line.find("\"timestamp_ms\":\"");
      if (at != std::string::npos && std::stoll(line.substr(at + 16, 13)) >= nine) break;
      cut << line << "\n";
    }
  }
  static void TearDownTestSuite() {
    delete locator_;
    delete dir_;
  }

  // Replays a feed into a fresh database, as the collector would write it (alerting on)
  // or as a replay of history does (off).
  std::string Db(const std::string& feed, bool alerting = true, const ReplayOptions& options = {}) {
    const std::string db = tmp_.File(feed + (alerting ? ".db" : ".history.db"));
    std::ostringstream log_out;
    FakeClock clock;
    Logger log(&log_out, &clock);
    Pipeline pipeline(PipelineConfig{}, locator_);
    std::string error;
    auto store = SqliteStore::OpenForWriting(db, &error);
    store->set_alerting(alerting);
    Replayer r(&pipeline, store.get(), &clock, &log, options);
    EXPECT_TRUE(r.ReplayPath(dir_->File(feed), &error)) << error;
    EXPECT_TRUE(r.Finish(&error)) << error;
    return db;
  }

  std::unique_ptr<Notifier> Open(const std::string& db, const std::string& url,
                                 WebhookFormat format = WebhookFormat::kAlertmanager,
                                 std::vector<Silence> silences = {}, bool confirmed_only = false) {
    NotifierOptions o;
    o.url = url + "/alerts";
    o.format = format;
    o.silences = std::move(silences);
    o.confirmed_only = confirmed_only;
    o.external_url = "http://127.0.0.1:8080/";
    std::string error;
    auto n = Notifier::Open(db, o, &clock_, &log_, &error);
    EXPECT_TRUE(n) << error;
    return n;
  }

  // A store written as the collector writes it (alerting on), told of detection changes
  // directly, as the tracker would tell it.
  static std::unique_ptr<SqliteStore> AlertingStore(const std::string& db) {
    std::string error;
    auto store = SqliteStore::OpenForWriting(db, &error);
    EXPECT_TRUE(store) << error;
    if (store) store->set_alerting(true);
    return store;
  }
  // Outage `id` of #twitterdown: these countries, each from `t0`, detected a minute on.
  static hashmon::Outage OutageOf(int64_t id, int64_t t0, std::vector<std::string> countries) {
    hashmon::Outage o;
    o.id = id;
    o.tag = "twitterdown";
    o.started = o.detected_at = o.peak_time = t0;
    for (const auto& cc : countries) o.countries[cc] = {cc, t0, t0 + 60'000};
    return o;
  }
  static void Commit(SqliteStore& store, TrackerChanges changes) {
    Batch b;
    b.detection.push_back(std::move(changes));
    store.Commit(b, {});
  }

  static int Scalar(const std::string& db, const char* sql) {
    SQLite::Database d(db, SQLite::OPEN_READONLY);
    return d.execAndGet(sql).getInt();
  }

  static rapidjson::Document Json(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    return d;
  }

  // What the receiver was told about one country: "firing", "resolved" ... in order.
  static std::vector<std::string> ToldOf(const testing::HttpTestServer& receiver,
                                         const std::string& country) {
    std::vector<std::string> statuses;
    for (const auto& r : receiver.requests()) {
      auto d = Json(r.body);
      const auto& a = d["alerts"][0];
      if (a["labels"]["country"].GetString() == country)
        statuses.push_back(a["status"].GetString());
    }
    return statuses;
  }

  // A silence of Brazil's alerts from now for `ms`.
  Silence BrazilFor(int64_t ms) {
    Silence s;
    s.country = "BR";
    s.from_ms = clock_.NowMs();
    s.until_ms = clock_.NowMs() + ms;
    s.comment = "planned maintenance";
    return s;
  }

  static CountryLocator* locator_;
  static TempDir* dir_;
  TempDir tmp_;
  FakeClock clock_{*ParseIsoTime("2026-11-24T12:00:00Z")};
  std::ostringstream log_out_;
  Logger log_{&log_out_, &clock_};
};
CountryLocator* NotifierTest::locator_ = nullptr;
TempDir* NotifierTest::dir_ = nullptr;

TEST_F(NotifierTest, EachCountryOutageIsAnnouncedWhenItStartsAndWhenItEnds) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  auto notifier = Open(Db("day.jsonl"), receiver.url());
  EXPECT_GE(notifier->Tick(), 14);  // seven countries, firing then resolved
  std::map<std::string, std::vector<std::string>> by_fingerprint;
  for (const auto& r : receiver.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/alerts");
    auto d = Json(r.body);
    ASSERT_TRUE(d.IsObject()) << r.body;
    EXPECT_STREQ(d["version"].GetString(), "4");
    const auto& a = d["alerts"][0];
    EXPECT_STREQ(a["labels"]["alertname"].GetString(), "CrowdReportedOutage");
    EXPECT_STREQ(a["labels"]["tag"].GetString(), "twitterdown");
    EXPECT_EQ(std::string(a["status"].GetString()), std::string(d["status"].GetString()));
    EXPECT_TRUE(ParseIsoTime(a["startsAt"].GetString()).has_value());
    by_fingerprint[std::string(a["fingerprint"].GetString()) + " " +
                   a["labels"]["country"].GetString()]
        .push_back(a["status"].GetString());
  }
  for (const char* cc : {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"}) {
    bool found = false;
    for (const auto& [key, statuses] : by_fingerprint) {
      if (key.substr(key.size() - 2) != cc) continue;
      found = true;
      // One fingerprint per country outage, announced in order.
      EXPECT_EQ(statuses, (std::vector<std::string>{"firing", "resolved"})) << key;
    }
    EXPECT_TRUE(found) << cc;
  }
  EXPECT_EQ(notifier->Tick(), 0);  // delivered once
}

TEST_F(NotifierTest, AnOutageBackWithinItsIncidentIsAnnouncedAgain) {
  // Back 20 minutes after it ended: the same incident, reopened. A receiver told "resolved"
  // hears that it fires again, under the same fingerprint, and then that it ended.
  ASSERT_EQ(RunGenerator("gen-sample.py",
                         "--posts 4000 --countries BR,PH --relapse-after 20 --relapse-minutes 30",
                         dir_->File("twice.jsonl")),
            0);
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  // Committed every few minutes of feed, as a collector commits as it goes, and every
  // post read (not only those the pre-filter passes), so that the minutes close as the
  // feed's time goes on, in the lull too: the end and the return are told apart.
  ReplayOptions options;
  options.commit_bytes = options.read_bytes = 64 << 10;
  options.prefilter = false;
  const std::string db = Db("twice.jsonl", true, options);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outages"), 1);
  auto notifier = Open(db, receiver.url());
  notifier->Tick();
  for (const char* cc : {"BR", "PH"})
    EXPECT_EQ(ToldOf(receiver, cc),
              (std::vector<std::string>{"firing", "resolved", "firing", "resolved"}))
        << cc;
  // The return starts after the end it was told of (it is its second wave, not the first).
  for (const char* cc : {"BR", "PH"}) {
    std::vector<std::pair<std::string, std::string>> times;  // startsAt, endsAt
    for (const auto& r : receiver.requests()) {
      auto d = Json(r.body);
      const auto& a = d["alerts"][0];
      if (a["labels"]["country"].GetString() == std::string(cc))
        times.emplace_back(a["startsAt"].GetString(), a["endsAt"].GetString());
    }
    ASSERT_EQ(times.size(), 4u) << cc;
    // (An onset may be re-dated as more posts come: each message has the latest estimate.)
    EXPECT_GT(times[2].first, times[1].second) << cc;
    EXPECT_GT(times[3].first, times[1].second) << cc;
    EXPECT_GT(times[3].second, times[3].first) << cc;
  }
}

TEST_F(NotifierTest, AnOutageThatCameBackIsRepeatedAsItsReturn) {
  // Britain's outage from 08:15 to 09:15, back at 09:35 and still going four hours on: the
  // repeat starts when the return did, as the return's firing alert did.
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  const std::string db = tmp_.File("back.db");
  std::string error;
  auto store = SqliteStore::OpenForWriting(db, &error);
  ASSERT_TRUE(store) << error;
  store->set_alerting(true);
  const int64_t t0 = *ParseIsoTime("2016-01-19T08:15:00Z"), min = 60'000;
  hashmon::Outage o;
  o.id = 7;
  o.tag = "twitterdown";
  o.started = o.detected_at = o.peak_time = t0;
  OutageCountry& gb = o.countries["GB"];
  gb = {"GB", t0, t0 + min, t0 + min};
  auto commit = [&] {
    Batch b;
    b.detection.push_back(TrackerChanges{});
    b.detection.back().outages = {o};
    store->Commit(b, {});
  };
  gb.waves = {{t0, t0 + min, 0, 0}};
  commit();
  gb.ended = gb.waves[0].ended = t0 + 60 * min;
  gb.resolved_at = gb.waves[0].resolved_at = t0 + 66 * min;
  commit();
  gb.ended = gb.resolved_at = 0;
  gb.waves.push_back({t0 + 80 * min, t0 + 81 * min, 0, 0});
  commit();
  auto notifier = Open(db, receiver.url());
  ASSERT_EQ(notifier->Tick(), 3);
  clock_.Advance(4 * 3'600'000 + 1);
  ASSERT_EQ(notifier->Tick(), 1);
  std::vector<std::string> starts;
  for (const auto& r : receiver.requests())
    starts.push_back(Json(r.body)["alerts"][0]["startsAt"].GetString());
  EXPECT_EQ(starts, (std::vector<std::string>{"2016-01-19T08:15:00Z", "2016-01-19T08:15:00Z",
                                              "2016-01-19T09:35:00Z", "2016-01-19T09:35:00Z"}));
}

// The store's side of a withdrawn join (OutageTracker: confirm_minutes): Britain
// and the US are in outage 7, then the US's join is withdrawn, and then outage 8's only
// country's too.
TEST_F(NotifierTest, AWithdrawnJoinLeavesNoTraceButItsResolvedAlert) {
  const std::string db = tmp_.File("withdrawn.db");
  const int64_t t0 = *ParseIsoTime("2016-01-19T08:15:00Z");
  auto store = AlertingStore(db);
  ASSERT_TRUE(store);
  auto commit = [&](TrackerChanges changes) { Commit(*store, std::move(changes)); };
  hashmon::Outage o = OutageOf(7, t0, {"GB", "US"});
  o.peak_count = 43;
  TrackerChanges joined;
  joined.outages = {o};
  joined.evidence = {{7, "GB", SourceKind::kX, "1", t0, "down"},
                     {7, "US", SourceKind::kX, "2", t0, "down?"}};
  hashmon::Outage alone = o;
  alone.id = 8;
  alone.countries.erase("GB");
  joined.outages.push_back(alone);
  commit(joined);
  ASSERT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_countries"), 3);

  const int64_t withdrawn_at = t0 + 16 * 60'000;
  TrackerChanges withdrawn;
  withdrawn.withdrawn = {{7, "US", withdrawn_at, false}, {8, "US", withdrawn_at, true}};
  o.countries.erase("US");
  withdrawn.outages = {o};
  commit(withdrawn);

  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_countries WHERE country = 'US'"), 0);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_countries WHERE country = 'GB'"), 1);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM evidence WHERE country = 'US'"), 0);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM evidence"), 1);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outages WHERE id = 8"), 0);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outages WHERE id = 7"), 1);
  // A receiver told of the US's outages hears them resolved, at the withdrawal.
  const std::string resolved_then =
      "SELECT COUNT(*) FROM alert_outbox WHERE country = 'US' AND status = 'resolved' AND "
      "ends_at = " +
      std::to_string(withdrawn_at);
  EXPECT_EQ(Scalar(db, resolved_then.c_str()), 2);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM alert_outbox WHERE country = 'GB'"), 1);
}

// The store's side of an incident split in two (OutageTracker::Regroup): in outage 7,
// Britain's first wave ended at 08:35 and it came back at 09:15, when Brazil joined; the
// US's join, which held the incident open across the lull, is withdrawn, and the return
// leaves for outage 8 with its sample posts.
TEST_F(NotifierTest, WavesThatLeaveForAnIncidentOfTheirOwnTakeTheirPostsAndAlerts) {
  const std::string db = tmp_.File("split.db");
  using testing::kMin;
  const int64_t t0 = *ParseIsoTime("2016-01-19T08:15:00Z");
  const int64_t first_end = t0 + 20 * kMin, first_resolved = t0 + 26 * kMin;
  const int64_t back = t0 + 60 * kMin, now = t0 + 75 * kMin;
  auto store = AlertingStore(db);
  ASSERT_TRUE(store);
  auto commit = [&](TrackerChanges changes) { Commit(*store, std::move(changes)); };
  const OutageWave first{t0, t0 + kMin, first_end, first_resolved, 800, t0 + 5 * kMin, 40, 1};
  const OutageWave again{back, back + kMin, 0, 0, 600, back + 3 * kMin, 45, 1};
  hashmon::Outage o;
  o.id = 7;
  o.tag = "twitterdown";
  o.started = o.detected_at = t0;
  o.peak_time = back + 3 * kMin;
  o.peak_count = 60;
  OutageCountry gb{"GB", t0, t0 + kMin, t0 + kMin, 0, 0, 1400, back + 3 * kMin, 45, 2};
  gb.waves = {first, again};
  OutageCountry br{"BR", back, back + kMin, back + kMin, 0, 0, 200, back + 3 * kMin, 15, 1};
  OutageCountry us{"US", t0 + 50 * kMin, back, 0, 0, 0, 6, back, 2, 0};
  o.countries = {{"GB", gb}, {"BR", br}, {"US", us}};
  TrackerChanges before;
  before.outages = {o};
  before.evidence = {{7, "GB", SourceKind::kX, "1", t0 + 30'000, "down"},
                     {7, "GB", SourceKind::kX, "2", back + 30'000, "down again"},
                     {7, "BR", SourceKind::kX, "3", back + 40'000, "caiu"},
                     {7, "US", SourceKind::kX, "4", t0 + 50 * kMin, "down?"}};
  commit(before);
  ASSERT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_waves WHERE country = 'GB'"), 2);

  TrackerChanges split;
  split.withdrawn = {{7, "US", now, false}};
  split.moved = {{7, 8, "BR", INT64_MIN, true, now, 1},
                 {7, 8, "GB", first_resolved, false, now, 1}};
  hashmon::Outage earlier = o, later = o;
  earlier.countries = {{"GB", gb}};
  OutageCountry& gb_then = earlier.countries.at("GB");
  gb_then.waves = {first};
  SumWaves(&gb_then);
  earlier.ended = first_end;
  earlier.resolved_at = first_resolved;
  earlier.peak_time = t0 + 5 * kMin;
  earlier.peak_count = 40;
  later.id = 8;
  later.started = back;
  later.detected_at = back + kMin;
  OutageCountry gb_back{"GB"};
  gb_back.waves = {again};
  SumWaves(&gb_back);
  gb_back.confirmed_at = gb_back.detected_at;
  later.countries = {{"GB", gb_back}, {"BR", br}};
  split.outages = {earlier, later};
  commit(split);

  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_countries WHERE outage_id = 7"), 1);
  EXPECT_EQ(Scalar(db, "SELECT ended IS NOT NULL FROM outage_countries WHERE outage_id = 7"), 1);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_waves"), 0);  // one wave each, now
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_countries WHERE outage_id = 8"), 2);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM evidence WHERE outage_id = 7"), 1);
  EXPECT_EQ(Scalar(db, "SELECT post_id FROM evidence WHERE outage_id = 7"), 1);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM evidence WHERE outage_id = 8"), 2);
  // Each alert of the return is resolved in the incident it left, and fires in its own.
  auto alerts = [&](const char* cc, int id, const char* status) {
    const std::string sql = std::string("SELECT COUNT(*) FROM alert_outbox WHERE country = '") +
                            cc + "' AND outage_id = " + std::to_string(id) + " AND status = '" +
                            status + "'";
    return Scalar(db, sql.c_str());
  };
  for (const char* cc : {"GB", "BR"}) {
    SCOPED_TRACE(cc);
    EXPECT_EQ(alerts(cc, 7, "resolved"), 1);
    EXPECT_EQ(alerts(cc, 8, "firing"), 1);
    EXPECT_EQ(alerts(cc, 8, "resolved"), 0);
  }
  const auto rows = store->QueryOutages({});
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    const OutageCountry& c = row.outage.countries.at("GB");
    EXPECT_EQ(c.mentions, row.outage.id == 7 ? 800 : 600);
    EXPECT_EQ(c.peak_count, row.outage.id == 7 ? 40 : 45);
  }
}

TEST_F(NotifierTest, AJoinMovedWithItsWaveAndThenWithdrawnInOneCommitLeavesNoPosts) {
  // Brazil joined outage 7 on a return's lesser evidence; the return leaves for outage 8,
  // and, decided after that, Brazil's join is withdrawn there.
  const std::string db = tmp_.File("moved-withdrawn.db");
  const int64_t t0 = *ParseIsoTime("2016-01-19T08:15:00Z");
  auto store = AlertingStore(db);
  ASSERT_TRUE(store);
  auto commit = [&](TrackerChanges changes) { Commit(*store, std::move(changes)); };
  hashmon::Outage o = OutageOf(7, t0, {"GB", "BR"});
  TrackerChanges joined;
  joined.outages = {o};
  joined.evidence = {{7, "BR", SourceKind::kX, "1", t0, "caiu"}};
  commit(joined);
  TrackerChanges regrouped;
  regrouped.moved = {{7, 8, "BR", INT64_MIN, true, t0 + 60'000, 0}};
  regrouped.withdrawn = {{8, "BR", t0 + 120'000, true}};
  o.countries.erase("BR");
  regrouped.outages = {o};
  commit(regrouped);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM evidence"), 0);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outage_countries WHERE country = 'BR'"), 0);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM outages"), 1);
}

// Provisional alerts (OutageTracker: confirm_minutes), as the store is told of them:
// incident 7 of Britain (on evidence of its own) and the US (a provisional join), and
// incident 8, the US's alone (provisional too).
class ProvisionalAlertTest : public NotifierTest {
 protected:
  void SetUp() override {
    db_ = tmp_.File("provisional.db");
    std::string error;
    store_ = SqliteStore::OpenForWriting(db_, &error);
    ASSERT_TRUE(store_) << error;
    store_->set_alerting(true);
    incident_.id = 7;
    incident_.tag = "twitterdown";
    incident_.started = incident_.detected_at = incident_.peak_time = t0_;
    incident_.peak_count = 43;
    incident_.countries["GB"] = {"GB", t0_, t0_ + kMin, t0_ + kMin};  // confirmed as told
    incident_.countries["US"] = {"US", t0_, t0_ + 2 * kMin, 0};       // provisional
    alone_ = incident_;
    alone_.id = 8;
    alone_.countries.erase("GB");
    TrackerChanges c;
    c.outages = {incident_, alone_};
    Commit(std::move(c));
  }

  void Commit(TrackerChanges changes) {
    Batch b;
    b.detection.push_back(std::move(changes));
    store_->Commit(b, {});
  }

  // Minutes on, the US says more in incident 7, and its alert alone (8) is withdrawn.
  void UsConfirmedInOneWithdrawnInTheOther() {
    TrackerChanges c;
    incident_.countries["US"].confirmed_at = t0_ + 9 * kMin;
    c.outages = {incident_};
    c.withdrawn = {{8, "US", t0_ + 17 * kMin, true}};
    Commit(std::move(c));
  }

  // What the receiver was told of the US, alert by alert: incident, status, provisional.
  static std::vector<std::string> ToldOfTheUs(const testing::HttpTestServer& receiver) {
    std::vector<std::string> told;
    for (const auto& r : receiver.requests()) {
      auto d = Json(r.body);
      const auto& a = d["alerts"][0];
      if (std::string(a["labels"]["country"].GetString()) != "US") continue;
      std::string line =
          std::string(a["labels"]["incident"].GetString()) + " " + a["status"].GetString();
      if (a["annotations"].HasMember("provisional"))
        line += std::string(" provisional=") + a["annotations"]["provisional"].GetString();
      if (std::string(a["annotations"]["description"].GetString()).find("is withdrawn") !=
          std::string::npos)
        line += " withdrawn";
      told.push_back(line);
    }
    return told;
  }

  static constexpr int64_t kMin = 60'000;
  const int64_t t0_ = *ParseIsoTime("2016-01-19T08:15:00Z");
  std::string db_;
  std::unique_ptr<SqliteStore> store_;
  hashmon::Outage incident_, alone_;
};

TEST_F(ProvisionalAlertTest, IsSentMarkedSoThenAgainConfirmedOrResolvedAsWithdrawn) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  auto notifier = Open(db_, receiver.url());
  EXPECT_EQ(notifier->Tick(), 3);
  EXPECT_EQ(ToldOf(receiver, "GB"), std::vector<std::string>{"firing"});
  EXPECT_EQ(ToldOfTheUs(receiver),
            (std::vector<std::string>{"7 firing provisional=true", "8 firing provisional=true"}));
  UsConfirmedInOneWithdrawnInTheOther();
  EXPECT_EQ(notifier->Tick(), 2);
  EXPECT_EQ(ToldOfTheUs(receiver),
            (std::vector<std::string>{"7 firing provisional=true", "8 firing provisional=true",
                                      "8 resolved withdrawn", "7 firing provisional=false"}));
  EXPECT_EQ(notifier->Tick(), 0);  // once
  EXPECT_EQ(notifier->stats().withdrawn, 0);
}

TEST_F(ProvisionalAlertTest, WithConfirmedOnlyWaitsForItAndAWithdrawnOneIsNeverHeardOf) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  auto notifier = Open(db_, receiver.url(), WebhookFormat::kAlertmanager, {}, true);
  EXPECT_EQ(notifier->Tick(), 1);
  EXPECT_EQ(ToldOf(receiver, "GB"), std::vector<std::string>{"firing"});
  EXPECT_TRUE(ToldOfTheUs(receiver).empty());
  EXPECT_EQ(notifier->stats().pending, 2);  // the US's two, held back
  UsConfirmedInOneWithdrawnInTheOther();
  EXPECT_EQ(notifier->Tick(), 1);
  EXPECT_EQ(ToldOfTheUs(receiver), std::vector<std::string>{"7 firing provisional=false"});
  EXPECT_EQ(notifier->stats().withdrawn, 2);  // incident 8's firing, and its end
  EXPECT_EQ(notifier->stats().silenced, 0);
  EXPECT_EQ(notifier->stats().pending, 0);
  EXPECT_EQ(notifier->Tick(), 0);
  EXPECT_NE(log_out_.str().find("its provisional alert was withdrawn"), std::string::npos);
}

TEST_F(ProvisionalAlertTest, AChatChannelReadsItOnceMarkedProvisional) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "ok"};
  });
  receiver.Start();
  auto notifier = Open(db_, receiver.url(), WebhookFormat::kSlack);
  EXPECT_EQ(notifier->Tick(), 3);
  int provisional = 0;
  for (const auto& r : receiver.requests())
    provisional += r.body.find("provisional") != std::string::npos;
  EXPECT_EQ(provisional, 2);  // the US's, in incidents 7 and 8; not Britain's
  UsConfirmedInOneWithdrawnInTheOther();
  EXPECT_EQ(notifier->Tick(), 1);  // incident 8's withdrawal; no second message for 7
  EXPECT_NE(receiver.requests().back().body.find("withdrawn"), std::string::npos);
}

TEST_F(NotifierTest, ASlackChannelIsToldInWords) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "ok"};
  });
  receiver.Start();
  auto notifier = Open(Db("day.jsonl"), receiver.url(), WebhookFormat::kSlack);
  EXPECT_GE(notifier->Tick(), 14);
  int started = 0, ended = 0;
  for (const auto& r : receiver.requests()) {
    auto d = Json(r.body);
    ASSERT_TRUE(d.IsObject() && d.HasMember("text")) << r.body;
    const std::string text = d["text"].GetString();
    started += text.find("report #twitterdown since") != std::string::npos;
    ended += text.find("is back to its baseline") != std::string::npos;
  }
  EXPECT_GE(started, 7);
  EXPECT_GE(ended, 7);
}

TEST_F(NotifierTest, ATelegramChatIsToldByItsBot) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, R"({"ok":true,"result":{}})"};
  });
  receiver.Start();
  NotifierOptions o;
  o.url = receiver.url() + "/botTOKEN/sendMessage";
  o.format = WebhookFormat::kTelegram;
  o.chat_id = "@outages";
  std::string error;
  auto notifier = Notifier::Open(Db("day.jsonl"), o, &clock_, &log_, &error);
  ASSERT_TRUE(notifier) << error;
  EXPECT_GE(notifier->Tick(), 14);
  for (const auto& r : receiver.requests()) {
    EXPECT_EQ(r.target, "/botTOKEN/sendMessage");
    auto d = Json(r.body);
    EXPECT_STREQ(d["chat_id"].GetString(), "@outages");
    EXPECT_NE(std::string(d["text"].GetString()).find("#twitterdown"), std::string::npos);
  }
  EXPECT_EQ(log_out_.str().find("TOKEN"), std::string::npos);  // the bot's token is a secret
}

TEST_F(NotifierTest, AFailingReceiverIsRetriedWithBackoffAndNothingIsSkipped) {
  int calls = 0;
  testing::HttpTestServer receiver([&](const testing::TestRequest&) {
    return testing::TestResponse{++calls <= 2 ? 503 : 200, "{}"};
  });
  receiver.Start();
  auto notifier = Open(Db("morning.jsonl"), receiver.url());
  EXPECT_EQ(notifier->Tick(), 0);  // 503
  EXPECT_EQ(notifier->Tick(), 0);  // still backing off: no call
  EXPECT_EQ(receiver.requests().size(), 1u);
  clock_.Advance(5'000);
  EXPECT_EQ(notifier->Tick(), 0);  // 503 again; next wait is 10 s
  clock_.Advance(5'000);
  EXPECT_EQ(notifier->Tick(), 0);
  EXPECT_EQ(receiver.requests().size(), 2u);
  clock_.Advance(5'000);
  EXPECT_GE(notifier->Tick(), 7);  // all of them, the first one first
  const auto reqs = receiver.requests();
  EXPECT_EQ(reqs[0].body, reqs[2].body);
  EXPECT_NE(log_out_.str().find("HTTP 503"), std::string::npos);
}

TEST_F(NotifierTest, AlertsQueuedBeforeACrashAreDeliveredAfterTheRestart) {
  const std::string db = Db("morning.jsonl");  // committed, never sent: the process died here
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  const int queued = Scalar(db, "SELECT COUNT(*) FROM alert_outbox WHERE delivered_ms IS NULL");
  ASSERT_GE(queued, 7);
  auto notifier = Open(db, receiver.url());
  EXPECT_EQ(notifier->Tick(), queued);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM alert_outbox WHERE delivered_ms IS NULL"), 0);
  int firing = 0;
  for (const auto& r : receiver.requests())
    firing += r.body.find(R"("status":"firing")") != std::string::npos;
  EXPECT_GE(firing, 7);
}

TEST_F(NotifierTest, AnOngoingOutageIsSentAgainOnTheRepeatInterval) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  const std::string db = Db("morning.jsonl");
  const int ongoing = Scalar(db, "SELECT COUNT(*) FROM outage_countries WHERE ended IS NULL");
  ASSERT_GE(ongoing, 5);
  auto notifier = Open(db, receiver.url());
  ASSERT_GE(notifier->Tick(), ongoing);
  clock_.Advance(3 * 3'600'000);
  EXPECT_EQ(notifier->Tick(), 0);
  clock_.Advance(3'600'000);
  EXPECT_EQ(notifier->Tick(), ongoing);  // every ongoing country outage once more, and no ended one
  EXPECT_EQ(notifier->Tick(), 0);
}

TEST_F(NotifierTest, AReplayOfHistoryAnnouncesNothing) {
  const std::string db = Db("morning.jsonl", /*alerting=*/false);
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  auto notifier = Open(db, receiver.url());
  EXPECT_EQ(notifier->Tick(), 0);
  clock_.Advance(5 * 3'600'000);
  EXPECT_EQ(notifier->Tick(), 0);
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(NotifierTest, ASilencedCountryHearsNeitherItsOutageNorItsEnd) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  auto notifier =
      Open(Db("day.jsonl"), receiver.url(), WebhookFormat::kAlertmanager, {BrazilFor(3'600'000)});
  EXPECT_GE(notifier->Tick(), 12);  // the six other countries, firing then resolved
  EXPECT_TRUE(ToldOf(receiver, "BR").empty());
  EXPECT_EQ(ToldOf(receiver, "PH"), (std::vector<std::string>{"firing", "resolved"}));
  EXPECT_EQ(notifier->stats().silenced, 2);
  EXPECT_NE(log_out_.str().find("silence: BR until"), std::string::npos) << log_out_.str();
  EXPECT_NE(log_out_.str().find("planned maintenance"), std::string::npos);
  EXPECT_NE(log_out_.str().find("its start was silenced"), std::string::npos);
}

TEST_F(NotifierTest, AnOutageStillGoingWhenItsSilenceEndsIsAnnouncedThen) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  auto notifier = Open(Db("morning.jsonl"), receiver.url(), WebhookFormat::kAlertmanager,
                       {BrazilFor(3'600'000)});
  ASSERT_GE(notifier->Tick(), 5);
  EXPECT_TRUE(ToldOf(receiver, "BR").empty());
  clock_.Advance(1'800'000);
  EXPECT_EQ(notifier->Tick(), 0);  // still silenced: nothing queued, nothing sent
  EXPECT_EQ(notifier->stats().silenced, 1);
  clock_.Advance(1'800'000);  // the silence is over
  EXPECT_EQ(notifier->Tick(), 1);
  EXPECT_EQ(ToldOf(receiver, "BR"), std::vector<std::string>{"firing"});
  EXPECT_EQ(notifier->Tick(), 0);  // once, then on the repeat interval as any other
}

TEST_F(NotifierTest, AnOutageAnnouncedBeforeASilenceStillHearsItsEnd) {
  // The receiver takes the start of every outage but is down when the ends come.
  testing::HttpTestServer receiver([](const testing::TestRequest& r) {
    const bool resolved = r.body.find(R"("status":"resolved")") != std::string::npos;
    return testing::TestResponse{resolved ? 503 : 200, "{}"};
  });
  receiver.Start();
  const std::string db = Db("day.jsonl");
  {
    auto notifier = Open(db, receiver.url());
    notifier->Tick();
  }
  ASSERT_EQ(ToldOf(receiver, "BR").front(), "firing");
  // Then Brazil is silenced; the end still reaches it, or its outage would fire there
  // for ever.
  testing::HttpTestServer back([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  back.Start();
  clock_.Advance(60'000);
  auto notifier = Open(db, back.url(), WebhookFormat::kAlertmanager, {BrazilFor(24 * 3'600'000)});
  EXPECT_GE(notifier->Tick(), 7);
  EXPECT_EQ(ToldOf(back, "BR"), std::vector<std::string>{"resolved"});
  EXPECT_EQ(notifier->stats().silenced, 0);
}

TEST_F(NotifierTest, ASilenceAddedWhileRunningHoldsAlertsBackFromTheNextRound) {
  testing::HttpTestServer receiver([](const testing::TestRequest&) {
    return testing::TestResponse{200, "{}"};
  });
  receiver.Start();
  const std::string db = Db("morning.jsonl");
  auto notifier = Open(db, receiver.url());
  std::string error;
  ASSERT_TRUE(AddSilence(db, BrazilFor(3'600'000), clock_.NowMs(), &error)) << error;
  ASSERT_GE(notifier->Tick(), 5);
  EXPECT_TRUE(ToldOf(receiver, "BR").empty());
  EXPECT_EQ(notifier->stats().silenced, 1);
  // Ended early (`hashmon silence expire`): the outage, still going on, is announced.
  clock_.Advance(60'000);
  ASSERT_TRUE(ExpireSilence(db, 1, clock_.NowMs(), &error)) << error;
  EXPECT_EQ(notifier->Tick(), 1);
  EXPECT_EQ(ToldOf(receiver, "BR"), std::vector<std::string>{"firing"});
  EXPECT_FALSE(ExpireSilence(db, 1, clock_.NowMs(), &error));
  EXPECT_NE(error.find("no silence 1 is on"), std::string::npos) << error;
}

}  // namespace
}  // namespace hashmon
