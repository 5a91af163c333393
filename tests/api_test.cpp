// The HTTP side over a real loopback connection: the JSON API, /metrics, health checks,
// and the dashboard loaded in real headless Chromium, with hostile post text in it.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "feed/http_stream.h"
#include "feed/replayer.h"
#include "ops/api_server.h"
#include "store/silence_store.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::TempDir;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string feed = dir_->File("day.jsonl");
    // The sample day, with the outage back for half an hour 15 minutes after it ended: the
    // incident reopens, and its countries have two waves.
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 20000 --relapse-after 15 --relapse-minutes 30",
                           feed),
              0);
    auto locator = CountryLocator::FromEmbeddedData();
    std::ostringstream log_out;
    FakeClock clock;
    Logger log(&log_out, &clock);
    Pipeline pipeline(PipelineConfig{}, locator.get());
    std::string error;
    auto store = SqliteStore::OpenForWriting(Db(), &error);
    ASSERT_TRUE(store) << error;
    Replayer r(&pipeline, store.get(), &clock, &log, {});
    ASSERT_TRUE(r.ReplayPath(feed, &error)) << error;
    ASSERT_TRUE(r.Finish(&error)) << error;
    // Someone posted markup: it must show as text and never run.
    store->db().exec(
        "UPDATE evidence SET text = '<script>document.title=\"pwned\"</script><img src=x "
        "onerror=\"document.title=''pwned''\"> #twitterdown' WHERE rowid = (SELECT MIN(rowid) FROM "
        "evidence)");
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Db() { return dir_->File("history.db"); }

  void SetUp() override {
    ApiOptions o;
    o.db_path = Db();
    o.port = 0;
    o.clock = &clock_;
    o.watched_countries = {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"};
    server_ = std::make_unique<ApiServer>(o);
    std::string error;
    port_ = server_->Start(&error);
    ASSERT_GT(port_, 0) << error;
  }

  HttpReply Get(const std::string& target) {
    return HttpCall("GET", "http://127.0.0.1:" + std::to_string(port_) + target, {}, "", 10'000);
  }

  // Adds a silence of Brazil's alerts for the next hour to the database; returns its id.
  int64_t SilenceBrazilForAnHour(const std::string& comment) {
    Silence s;
    s.country = "BR";
    s.until_ms = clock_.NowMs() + 3'600'000;
    s.comment = comment;
    std::string error;
    const auto id = AddSilence(Db(), s, clock_.NowMs(), &error);
    EXPECT_TRUE(id) << error;
    return id.value_or(0);
  }

  static rapidjson::Document Json(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    return d;
  }

  static TempDir* dir_;
  SystemClock clock_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};
TempDir* ApiTest::dir_ = nullptr;

TEST_F(ApiTest, CountsAreServedPerMinuteOrAggregated) {
  auto r = Get(
      "/api/v1/"
      "counts?tag=%23TwitterDown&country=br&since=2016-01-19T08:00:00Z&until=2016-01-19T09:00:00Z");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  ASSERT_TRUE(d.IsArray());
  ASSERT_GT(d.Size(), 30u);
  int64_t per_minute = 0, from_twenty_past = 0;
  for (const auto& row : d.GetArray()) {
    EXPECT_STREQ(row["tag"].GetString(), "twitterdown");
    EXPECT_STREQ(row["country"].GetString(), "BR");
    per_minute += row["count"].GetInt64();
    if (std::string(row["time"].GetString()) >= "2016-01-19T08:20") {
      from_twenty_past += row["count"].GetInt64();
    }
  }
  // The rows hold the range's counts, wherever it starts: the hour of 08:00 asked from
  // 08:20 holds 08:20 to 09:00 (and so the rows add up to the range's total).
  for (const auto& [since, expected] :
       {std::pair{"08:00", per_minute}, std::pair{"08:20", from_twenty_past}}) {
    auto hourly = Json(Get(std::string("/api/v1/counts?country=BR&since=2016-01-19T") + since +
                           ":00Z&until=2016-01-19T09:00:00Z&every=1h")
                           .body);
    ASSERT_EQ(hourly.Size(), 1u) << since;
    EXPECT_STREQ(hourly[0]["time"].GetString(), "2016-01-19T08:00:00Z");
    EXPECT_EQ(hourly[0]["count"].GetInt64(), expected) << since;
  }
  EXPECT_LT(from_twenty_past, per_minute);
}

TEST_F(ApiTest, AnAnswerOfMoreCountsThanItMayHoldIsRefusedWithWhatToNarrow) {
  // The server runs inside the collector: an answer of years of minutes for every series
  // would be held whole in its memory. Here the limit is 60 rows.
  ApiOptions o;
  o.db_path = Db();
  o.port = 0;
  o.clock = &clock_;
  o.max_count_rows = 60;
  ApiServer small(o);
  std::string error;
  const int port = small.Start(&error);
  ASSERT_GT(port, 0) << error;
  const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/counts?";
  const std::string hour = "since=2016-01-19T08:00:00Z&until=2016-01-19T09:00:00Z";
  auto brazil = HttpCall("GET", base + "country=BR&" + hour, {}, "", 10'000);  // its 45 minutes
  ASSERT_EQ(brazil.status, 200) << brazil.body;
  EXPECT_EQ(Json(brazil.body).Size(), 45u);
  auto everyone = HttpCall("GET", base + hour, {}, "", 10'000);
  EXPECT_EQ(everyone.status, 400);
  auto d = Json(everyone.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("error")) << everyone.body;
  EXPECT_STREQ(d["error"].GetString(),
               "more than 60 rows: narrow since/until, name a tag or a country, or raise every");
  auto hourly = HttpCall("GET", base + hour + "&every=1h", {}, "", 10'000);
  EXPECT_EQ(hourly.status, 200) << hourly.body;
  small.Stop();
}

TEST_F(ApiTest, OutagesSpikesAndGapsUseTheQueryFieldNames) {
  auto outages =
      Json(Get("/api/v1/outages?since=2016-01-19T00:00:00Z&until=2016-01-20T00:00:00Z").body);
  ASSERT_TRUE(outages.IsArray());
  ASSERT_EQ(outages.Size(), 1u);
  const auto& o = outages[0];
  for (const char* key :
       {"id", "tag", "started", "ended", "peak_time", "peak_count", "countries", "evidence"}) {
    EXPECT_TRUE(o.HasMember(key)) << key;
  }
  EXPECT_GE(o["countries"].Size(), 7u);
  EXPECT_TRUE(Json(Get("/api/v1/spikes?since=2016-01-19T00:00:00Z&until=2016-01-20T00:00:00Z").body)
                  .IsArray());
  EXPECT_TRUE(Json(Get("/api/v1/gaps?since=2016-01-19T00:00:00Z&until=2016-01-20T00:00:00Z").body)
                  .IsArray());
  auto sources = Json(Get("/api/v1/sources").body);  // the replayed sample file's cursor
  ASSERT_TRUE(sources.IsArray() && sources.Size() >= 1u);
  EXPECT_EQ(std::string(sources[0]["source"].GetString()).rfind("file:", 0), 0u);
  EXPECT_TRUE(sources[0]["complete"].GetBool());
  auto filtered = Json(
      Get("/api/v1/outages?country=NZ&since=2016-01-19T00:00:00Z&until=2016-01-20T00:00:00Z").body);
  EXPECT_EQ(filtered.Size(), 0u);
}

// An alert names its outage by number; the API gives that outage whenever it was.
TEST_F(ApiTest, AnOutageIsServedByItsNumberWithoutARange) {
  auto listed =
      Json(Get("/api/v1/outages?since=2016-01-19T00:00:00Z&until=2016-01-20T00:00:00Z").body);
  ASSERT_EQ(listed.Size(), 1u);
  const int64_t id = listed[0]["id"].GetInt64();
  auto r = Get("/api/v1/outages/" + std::to_string(id));
  ASSERT_EQ(r.status, 200) << r.body;
  auto one = Json(r.body);
  ASSERT_TRUE(one.IsObject()) << r.body;
  EXPECT_EQ(one["id"].GetInt64(), id);
  EXPECT_EQ(one["countries"].Size(), listed[0]["countries"].Size());
  EXPECT_EQ(one["started"], listed[0]["started"]);
  for (const std::string& missing :
       std::vector<std::string>{std::to_string(id + 1), "0", "-1", "x", "", "1/"}) {
    auto r404 = Get("/api/v1/outages/" + missing);
    EXPECT_EQ(r404.status, 404) << missing;
    EXPECT_TRUE(Json(r404.body).HasMember("error")) << r404.body;
  }
}

TEST_F(ApiTest, MistakesComeBackAsJsonErrorsWithTheRightStatus) {
  for (const auto& [target, status] : std::vector<std::pair<std::string, int>>{
           {"/api/v1/counts?since=yesterday-ish", 400},
           {"/api/v1/counts?every=90s", 400},
           {"/api/v1/counts?every=99999999999999999999999m", 400},
           {"/api/v1/counts?since=-99999999999999999999999d", 400},
           {"/api/v1/counts?since=2016-01-20T00:00:00Z&until=2016-01-19T00:00:00Z", 400},
           {"/api/v1/outages?country=brazil", 400},
           {"/api/v1/counts?country=UK", 400},
           {"/api/v1/nothing", 404},
           {"/api/v1/nothing?contry=BR", 404},
           {"/api/v1/counts?contry=BR", 400},  // a typo is not every country
           {"/api/v1/gaps?tag=twitterdown", 400},
           {"/api/v1/outages/1?since=-2h", 400},
           {"/api/v1/counts?tag=" + std::string(9000, 'a'), 431},  // over Beast's 8 KB
           {"/etc/passwd", 404}}) {
    auto r = Get(target);
    EXPECT_EQ(r.status, status) << target;
    auto d = Json(r.body);
    ASSERT_TRUE(d.IsObject()) << r.body;
    EXPECT_TRUE(d.HasMember("error")) << r.body;
  }
  EXPECT_EQ(Json(Get("/api/v1/counts?contry=BR").body)["error"].GetString(),
            std::string("unknown parameter \"contry\": /api/v1/counts takes tag, country, since, "
                        "until and every"));
  EXPECT_EQ(Json(Get("/api/v1/status?x=1").body)["error"].GetString(),
            std::string("unknown parameter \"x\": /api/v1/status takes none"));
  EXPECT_EQ(HttpCall("POST", "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/counts", {},
                     "{}", 10'000)
                .status,
            405);
}

// A GET of /healthz whose Host header says `host`, as a browser sends it, over a plain socket.
boost::beast::http::response<boost::beast::http::string_body> GetNamingHost(
    int port, const std::string& host) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
  http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, host);
  http::write(sock, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res);
  return res;
}

TEST_F(ApiTest, AServerOnLoopbackAnswersOnlyToLoopbackNames) {
  const std::string port = ":" + std::to_string(port_);
  for (const std::string& ours : {"127.0.0.1" + port, "LocalHost" + port, "[::1]" + port,
                                  std::string("127.0.0.1"), "192.0.2.7" + port}) {
    EXPECT_EQ(GetNamingHost(port_, ours).result_int(), 200) << ours;
  }
  // A page at rebind.example whose name now points at 127.0.0.1 (DNS rebinding).
  const auto refused = GetNamingHost(port_, "rebind.example" + port);
  EXPECT_EQ(refused.result_int(), 403);
  EXPECT_NE(refused.body().find("DNS rebinding"), std::string::npos) << refused.body();
  EXPECT_NE(refused.body().find("http://127.0.0.1" + port + "/"), std::string::npos)
      << refused.body();
}

TEST_F(ApiTest, SilencesAddedWithTheCliAreListed) {
  EXPECT_EQ(Get("/api/v1/silences").body, "[]");
  const int64_t id = SilenceBrazilForAnHour("<b>maintenance</b>");
  ASSERT_GT(id, 0);
  auto d = Json(Get("/api/v1/silences").body);
  ASSERT_TRUE(d.IsArray() && d.Size() == 1u);
  EXPECT_STREQ(d[0]["state"].GetString(), "active");
  EXPECT_STREQ(d[0]["country"].GetString(), "BR");
  EXPECT_TRUE(d[0]["tag"].IsNull());
  EXPECT_STREQ(d[0]["comment"].GetString(), "<b>maintenance</b>");  // JSON: the page escapes
  std::string error;
  ASSERT_TRUE(ExpireSilence(Db(), id, clock_.NowMs(), &error)) << error;
  EXPECT_EQ(Get("/api/v1/silences").body, "[]");
  // `all` lists the expired ones too (other tests' among them: the suite shares a history).
  const auto all = Json(Get("/api/v1/silences?all=1").body);
  ASSERT_TRUE(all.IsArray());
  const auto listed = std::find_if(all.Begin(), all.End(), [&](const rapidjson::Value& s) {
    return s["id"].IsInt64() && s["id"].GetInt64() == id;
  });
  ASSERT_NE(listed, all.End());
  EXPECT_STREQ((*listed)["state"].GetString(), "expired");
}

TEST_F(ApiTest, InsideACollectorTheConfigFilesSilencesAreListedToo) {
  ApiOptions o;
  o.db_path = Db();
  o.port = 0;
  o.clock = &clock_;
  Silence maintenance;
  maintenance.tag = "twitterdown";
  maintenance.until_ms = clock_.NowMs() + 3'600'000;
  Silence over = maintenance;
  over.until_ms = clock_.NowMs() - 1;
  o.config_silences = {maintenance, over};
  ApiServer server(o);
  std::string error;
  const int port = server.Start(&error);
  ASSERT_GT(port, 0) << error;
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto d = Json(HttpCall("GET", base + "/api/v1/silences", {}, "", 10'000).body);
  ASSERT_TRUE(d.IsArray() && d.Size() == 1u);
  EXPECT_TRUE(d[0]["id"].IsNull());
  EXPECT_STREQ(d[0]["source"].GetString(), "config");
  EXPECT_STREQ(d[0]["tag"].GetString(), "twitterdown");
  EXPECT_TRUE(d[0]["from"].IsNull());  // from the start
  auto all = Json(HttpCall("GET", base + "/api/v1/silences?all=1", {}, "", 10'000).body);
  ASSERT_TRUE(all.IsArray());
  int from_config = 0;
  for (const auto& silence : all.GetArray())
    from_config += std::string(silence["source"].GetString()) == "config";
  EXPECT_EQ(from_config, 2);  // and the one that is over
  server.Stop();
}

TEST_F(ApiTest, StatusHealthAndMetricsAnswer) {
  auto status = Json(Get("/api/v1/status").body);
  ASSERT_TRUE(status.IsObject());
  EXPECT_FALSE(status["live"].GetBool());
  EXPECT_TRUE(status["retention"].IsNull());  // a collector's keep_history, when it has one
  EXPECT_STREQ(status["tags"][0].GetString(), "twitterdown");
  EXPECT_STREQ(status["latest_outage"]["started"].GetString(), "2016-01-19T08:15:00Z");
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  const auto metrics = Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE hashmon_mentions_total counter"), std::string::npos);
  EXPECT_NE(metrics.body.find("hashmon_mentions_total{country=\"BR\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("hashmon_open_outages 0"), std::string::npos);
  const size_t size = metrics.body.find("\nhashmon_database_bytes ");
  ASSERT_NE(size, std::string::npos) << metrics.body;
  EXPECT_GT(std::stoll(metrics.body.substr(size + 24)), 100'000);  // the sample day's history
}

TEST_F(ApiTest, AMissingDatabaseIsNotReadyAndSaysWhy) {
  ApiOptions o;
  o.db_path = dir_->File("nowhere.db");
  o.port = 0;
  o.clock = &clock_;
  ApiServer empty(o);
  std::string error;
  const int port = empty.Start(&error);
  auto r = HttpCall("GET", "http://127.0.0.1:" + std::to_string(port) + "/readyz", {}, "", 10'000);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("hashmon replay"), std::string::npos) << r.body;
  EXPECT_EQ(HttpCall("GET", "http://127.0.0.1:" + std::to_string(port) + "/healthz", {}, "", 10'000)
                .status,
            200);
}

// What the log prints and an alert links to is an address a browser opens.
TEST(ListenTest, ItsUrlIsOneABrowserOpens) {
  EXPECT_EQ(ListenUrl("127.0.0.1", 8080), "http://127.0.0.1:8080/");
  EXPECT_EQ(ListenUrl("::1", 8080), "http://[::1]:8080/");
  char name[256] = {};
  ASSERT_EQ(gethostname(name, sizeof name - 1), 0);
  for (const char* every_interface : {"0.0.0.0", "::"})
    EXPECT_EQ(ListenUrl(every_interface, 80), "http://" + std::string(name) + ":80/");
}

TEST(ListenTest, DefaultsToLoopbackAndRejectsNonsense) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListen(":9000", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9000);
  EXPECT_TRUE(ParseListen("0.0.0.0:80", &host, &port));
  ASSERT_TRUE(ParseListen("localhost:8081", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8081);
  ASSERT_TRUE(ParseListen("[::1]:8082", &host, &port));
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(ParseListen("8083", &host, &port));  // a port alone, as ":8083"
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8083);
  EXPECT_FALSE(ParseListen("localhost", &host, &port));
  EXPECT_FALSE(ParseListen("example.com:80", &host, &port));
  EXPECT_FALSE(ParseListen("127.0.0.1:99999", &host, &port));
  EXPECT_FALSE(ParseListen("127.0.0.1:80x", &host, &port));
  EXPECT_FALSE(ParseListen("127.0.0.1:-1", &host, &port));
  EXPECT_FALSE(ParseListen("127.0.0.1:", &host, &port));
}

TEST(ListenTest, ListeningBeyondThisMachineWarnsThatNobodyIsAskedToLogIn) {
  for (const char* loopback : {"127.0.0.1", "::1", "localhost"}) {
    ApiOptions o;
    o.host = loopback;
    EXPECT_EQ(ApiServer(o).ExposureWarning(), "") << loopback;
  }
  for (const char* open : {"0.0.0.0", "192.168.1.20", "::"}) {
    ApiOptions o;
    o.host = open;
    const std::string warning = ApiServer(o).ExposureWarning();
    EXPECT_NE(warning.find("ask for no login"), std::string::npos) << open;
    EXPECT_NE(warning.find("or listen on 127.0.0.1"), std::string::npos) << open;
  }
}

// Real headless Chromium, as the machine's own package (scripts/setup installs it).
std::string RunChromium(const std::string& args, const std::string& profile) {
  const std::string cmd =
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "
      "--user-data-dir='" +
      profile + "' --window-size=1400,1700 --virtual-time-budget=10000 " + args + " 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(ApiTest, TheDashboardRendersChartsAndTheIncidentInChromiumAndRunsNoPostedScript) {
  ASSERT_EQ(std::system("command -v chromium > /dev/null"), 0)
      << "the browser test needs Debian's chromium package: run scripts/setup";
  // Brazil's alerts are silenced, for a reason written in markup.
  const int64_t silence_id =
      SilenceBrazilForAnHour("\"><img src=x onerror=\"document.title='pwned'\">");
  ASSERT_GT(silence_id, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/";
  const std::string dom = RunChromium("--dump-dom " + url, dir_->File("profile1"));
  std::string error;
  ASSERT_TRUE(ExpireSilence(Db(), silence_id, clock_.NowMs(), &error)) << error;
  EXPECT_EQ(Occurrences(dom, "alerts silenced until"), 1u);
  // Its reason shows as the note's tooltip, an attribute's text (the checks below find no
  // element made of it and no script run by it).
  EXPECT_NE(dom.find("img src=x onerror="), std::string::npos) << dom.substr(0, 3000);
  ASSERT_NE(dom.find("data-rendered=\"yes\""), std::string::npos) << dom.substr(0, 3000);
  // A chart per watched country (uPlot draws each into a canvas), an outage band's
  // country tiles, and the incident with its countries and evidence.
  EXPECT_GE(Occurrences(dom, "class=\"uplot"), 7u);
  EXPECT_GE(Occurrences(dom, "<canvas"), 7u);
  EXPECT_NE(dom.find(", mentions per 1 min"), std::string::npos);  // the 6-hour view's buckets
  EXPECT_NE(dom.find("international incident 1"), std::string::npos);
  EXPECT_NE(dom.find("id=\"outage-1\""), std::string::npos);
  EXPECT_GE(Occurrences(dom, "class=\"tile had-outage\""), 7u);
  // Countries whose outage came back say when (and each wave is a band of its own).
  EXPECT_GE(Occurrences(dom, "class=\"back\""), 3u);
  EXPECT_NE(dom.find(">back 10:1"), std::string::npos);
  // The hostile post is shown as text; neither its script nor its image handler ran.
  EXPECT_NE(dom.find("&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(dom.find("<img src=\"x\""), std::string::npos);
  EXPECT_NE(dom.find("<title>hashmon</title>"), std::string::npos);
  EXPECT_EQ(dom.find("pwned</title>"), std::string::npos);
  // A screenshot, kept as the test's artefact next to the test binary.
  const std::string artefacts =
      std::filesystem::path(HASHMON_BINARY).parent_path().string() + "/test-artifacts";
  std::filesystem::create_directories(artefacts);
  const std::string shot = artefacts + "/dashboard.png";
  std::filesystem::remove(shot);
  RunChromium("--screenshot='" + shot + "' " + url, dir_->File("profile2"));
  EXPECT_GT(std::filesystem::exists(shot) ? std::filesystem::file_size(shot) : 0u, 20'000u);
}

TEST_F(ApiTest, ALinkToTheDashboardOpensItsWeekAndTagAndAWeekIsDrawnInTenMinuteBuckets) {
  ASSERT_EQ(std::system("command -v chromium > /dev/null"), 0)
      << "the browser test needs Debian's chromium package: run scripts/setup";
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port_) + "/#window=604800&tag=twitterdown";
  const std::string dom = RunChromium("--dump-dom '" + url + "'", dir_->File("profile3"));
  ASSERT_NE(dom.find("data-rendered=\"yes\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find(", mentions per 10 min"), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find(">Mentions per 10 minutes</h2>"), std::string::npos);
  EXPECT_NE(dom.find("<option value=\"twitterdown\">#twitterdown</option>"), std::string::npos);
  EXPECT_GE(Occurrences(dom, "class=\"uplot"), 7u);
  EXPECT_NE(dom.find("international incident 1"), std::string::npos);
}

// An alert's link names its outage (#outage-1): the dashboard opens on it and marks it.
TEST_F(ApiTest, AnAlertsLinkOpensTheDashboardOnItsOutage) {
  ASSERT_EQ(std::system("command -v chromium > /dev/null"), 0)
      << "the browser test needs Debian's chromium package: run scripts/setup";
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/#outage-1";
  const std::string dom = RunChromium("--dump-dom '" + url + "'", dir_->File("profile4"));
  ASSERT_NE(dom.find("data-rendered=\"yes\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find("class=\"incident ended focus\" id=\"outage-1\""), std::string::npos)
      << dom.substr(0, 6000);
  EXPECT_NE(dom.find("2016-01-19T"), std::string::npos);  // the outage's day, not today's
}

}  // namespace
}  // namespace hashmon
