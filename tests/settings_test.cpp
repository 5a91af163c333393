// Where settings come from (config file, then environment, then flags) and how sources
// and X's stream rules are set up.
#include "cli/settings.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "feed/x_rules.h"
#include "http_test_server.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::TempDir;

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v :
         {"HASHMON_CONFIG", "HASHMON_DB", "HASHMON_TAGS", "HASHMON_SOURCE", "HASHMON_LISTEN",
          "HASHMON_WEBHOOK_URL", "HASHMON_WEBHOOK_FORMAT", "HASHMON_WEBHOOK_WHEN",
          "HASHMON_X_BEARER_TOKEN", "HASHMON_MASTODON_TOKEN"}) {
      unsetenv(v);
    }
  }
  void TearDown() override { SetUp(); }
  TempDir tmp_;
};

TEST_F(SettingsTest, TheEnvironmentOverridesTheConfigFile) {
  const std::string path = tmp_.File("hashmon.json");
  testing::WriteFile(path, R"({
    // comments are allowed
    "db": "/var/lib/hashmon/from-file.db",
    "tags": ["twitterdown", "instagramdown"],
    "sources": ["jetstream", "mastodon:mastodon.social"],
    "lateness": "5m",
  })");
  setenv("HASHMON_DB", "/tmp/from-env.db", 1);
  Settings s;
  std::string error;
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.db, "/tmp/from-env.db");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"twitterdown", "instagramdown"}));
  EXPECT_EQ(s.sources, (std::vector<std::string>{"jetstream", "mastodon:mastodon.social"}));
  EXPECT_EQ(s.lateness, "5m");
}

// "tags" may be written as HASHMON_TAGS is, one string with commas.
TEST_F(SettingsTest, TheConfigFilesTagsMayBeOneStringWithCommas) {
  const std::string path = tmp_.File("hashmon.json");
  testing::WriteFile(path, R"({"tags": "twitterdown, instagramdown"})");
  Settings s;
  std::string error;
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.tags, (std::vector<std::string>{"twitterdown", "instagramdown"}));
}

TEST_F(SettingsTest, SilencesAndTheRecordingDirectoryComeFromTheConfigFile) {
  const std::string path = tmp_.File("hashmon.json");
  testing::WriteFile(path, R"({
    "record": "/var/lib/hashmon/archive",
    "silences": [
      {"country": "BR", "until": "2026-12-03T06:00:00Z", "comment": "planned maintenance"},
      {"tag": "xdown", "from": "2026-12-05T00:00:00Z", "until": "2026-12-06T00:00:00Z"}
    ]
  })");
  Settings s;
  std::string error;
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.record_dir, "/var/lib/hashmon/archive");
  ASSERT_EQ(s.silences.size(), 2u);
  EXPECT_EQ(s.silences[0].country, "BR");
  EXPECT_EQ(s.silences[0].comment, "planned maintenance");
  EXPECT_EQ(s.silences[1].tag, "xdown");

  testing::WriteFile(path, R"({"silences": [{"country": "BR"}]})");
  EXPECT_FALSE(LoadSettings(path, &s, &error));
  EXPECT_NE(error.find(path + ": silences: a silence needs \"until\""), std::string::npos) << error;
}

TEST_F(SettingsTest, AConfigFileWithATokenMustBeReadableByItsOwnerOnly) {
  const std::string path = tmp_.File("secret.json");
  testing::WriteFile(path, R"({"x_bearer_token": "AAAA-secret"})");
  chmod(path.c_str(), 0644);
  Settings s;
  std::string error;
  EXPECT_FALSE(LoadSettings(path, &s, &error));
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  EXPECT_EQ(error.find("AAAA-secret"), std::string::npos);
  chmod(path.c_str(), 0600);
  EXPECT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.x_bearer_token, "AAAA-secret");
}

TEST_F(SettingsTest, AWebhookUrlIsACredentialLikeAToken) {
  // Whoever reads a Slack or Discord webhook URL can post to the channel.
  const std::string path = tmp_.File("hook.json");
  testing::WriteFile(
      path,
      R"({"webhook_url": "https://hooks.slack.com/services/T0/B0/s3cret", "webhook_format": "slack"})");
  chmod(path.c_str(), 0644);
  Settings s;
  std::string error;
  EXPECT_FALSE(LoadSettings(path, &s, &error));
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  EXPECT_EQ(error.find("s3cret"), std::string::npos);
  chmod(path.c_str(), 0600);
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.webhook_format, "slack");
  setenv("HASHMON_WEBHOOK_FORMAT", "discord", 1);
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.webhook_format, "discord");
}

TEST_F(SettingsTest, AlertsAreSentWhenDetectedUnlessOnlyConfirmedOnesAreWanted) {
  Settings s;
  std::string error;
  ASSERT_TRUE(LoadSettings("", &s, &error)) << error;
  EXPECT_EQ(s.webhook_when, "detected");
  const std::string path = tmp_.File("when.json");
  testing::WriteFile(path, R"({"webhook_when": "confirmed"})");
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.webhook_when, "confirmed");
  setenv("HASHMON_WEBHOOK_WHEN", "detected", 1);
  ASSERT_TRUE(LoadSettings(path, &s, &error)) << error;
  EXPECT_EQ(s.webhook_when, "detected");
}

TEST_F(SettingsTest, AnUnknownSettingIsNamed) {
  const std::string path = tmp_.File("typo.json");
  testing::WriteFile(path, R"({"dbb": "x.db"})");
  Settings s;
  std::string error;
  EXPECT_FALSE(LoadSettings(path, &s, &error));
  EXPECT_NE(error.find("dbb"), std::string::npos) << error;
}

TEST_F(SettingsTest, AMistakeInTheConfigFileIsSaidWithTheFileAndTheSetting) {
  const std::string path = tmp_.File("mistaken.json");
  const std::map<std::string, std::string> says = {
      {R"({"tags": ["twitterdown", 3]})", ": tags: every item is a string"},
      {R"({"sources": "jetstream"})", ": unknown setting or wrong type: \"sources\""},
      {R"({"db": 3})", ": unknown setting or wrong type: \"db\""},
      {R"({"silences": [{"tag": 3}]})", ": silences: "},
      {R"(["db", "x.db"])", ": not a JSON object"},
  };
  for (const auto& [text, message] : says) {
    testing::WriteFile(path, text);
    Settings s;
    std::string error;
    EXPECT_FALSE(LoadSettings(path, &s, &error)) << text;
    EXPECT_EQ(error.rfind(path + message, 0), 0u) << text << " said: " << error;
  }
}

TEST_F(SettingsTest, SourcesResolveToProtocolsAndTheirTokens) {
  Settings s;
  std::string error;
  auto jet = ResolveSource(s, "jetstream", {"twitterdown"}, &error);
  ASSERT_TRUE(jet);
  EXPECT_EQ(jet->options.protocol, StreamProtocol::kJetstream);
  EXPECT_EQ(jet->options.url.rfind("wss://", 0), 0u);

  EXPECT_FALSE(ResolveSource(s, "x", {"twitterdown"}, &error));
  EXPECT_NE(error.find("HASHMON_X_BEARER_TOKEN"), std::string::npos);
  s.x_bearer_token = "tok";
  auto x = ResolveSource(s, "x", {"twitterdown"}, &error);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->options.headers.at("Authorization"), "Bearer tok");
  EXPECT_NE(x->options.url.find("expansions=author_id,geo.place_id,referenced_tweets.id"),
            std::string::npos);  // a retweet's original, with the tags its text cut off
  EXPECT_NE(x->options.url.find("note_tweet"), std::string::npos);  // a long post's whole
  EXPECT_EQ(x->name.find("tok"), std::string::npos);

  for (const char* none : {"mastodon:", "mastodon-ws:/"}) {  // no instance to connect to
    EXPECT_FALSE(ResolveSource(s, none, {"twitterdown"}, &error)) << none;
    EXPECT_NE(error.find("names no instance: write it as mastodon"), std::string::npos) << error;
  }
  auto m = ResolveSource(s, "mastodon:mastodon.social", {"twitterdown"}, &error);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->options.protocol, StreamProtocol::kSse);
  EXPECT_EQ(m->options.url, "https://mastodon.social/api/v1/streaming/hashtag?tag=twitterdown");
  EXPECT_EQ(m->options.gap_fill_url, "https://mastodon.social/api/v1/timelines/tag/");
  EXPECT_EQ(m->options.mastodon_tags, std::vector<std::string>{"twitterdown"});

  s.mastodon_token = "user-token";
  auto w = ResolveSource(s, "mastodon-ws:mastodon.social", {"twitterdown"}, &error);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->options.protocol, StreamProtocol::kMastodonWs);
  EXPECT_EQ(w->options.url,
            "wss://mastodon.social/api/v1/streaming?stream=hashtag&tag=twitterdown");
  EXPECT_EQ(w->options.gap_fill_url, "https://mastodon.social/api/v1/timelines/tag/");
  // mastodon.social streams from streaming.mastodon.social: its web host says so when asked.
  EXPECT_EQ(w->options.streaming_discovery_url, "https://mastodon.social/api/v1/streaming");
  EXPECT_EQ(w->options.headers.at("Authorization"), "Bearer user-token");  // not in the URL
  EXPECT_EQ(w->options.url.find("user-token"), std::string::npos);

  EXPECT_FALSE(ResolveSource(s, "gopher://x", {}, &error));
}

TEST_F(SettingsTest, TheXTokenGoesToXsOwnApiOverHttpsAndNowhereElse) {
  Settings s;
  s.x_bearer_token = "tok";
  std::string error;
  for (const char* x_url : {"https://api.x.com/2/tweets/sample/stream",
                            "https://API.Twitter.com:443/2/tweets/search/stream?x=1"}) {
    auto spec = ResolveSource(s, x_url, {"twitterdown"}, &error);
    ASSERT_TRUE(spec) << error;
    EXPECT_EQ(spec->options.headers.at("Authorization"), "Bearer tok") << x_url;
  }
  for (const char* elsewhere :
       {"http://api.x.com/2/tweets/search/stream", "https://relay.example/stream",
        "https://api.x.com@relay.example/stream", "https://api.x.com.relay.example/",
        "http://127.0.0.1:8080/subscribe"}) {
    auto spec = ResolveSource(s, elsewhere, {"twitterdown"}, &error);
    ASSERT_TRUE(spec) << error;
    EXPECT_EQ(spec->options.headers.count("Authorization"), 0u) << elsewhere;
  }
}

TEST_F(SettingsTest, ASourceIsShownWithoutItsCredentials) {
  Settings s;
  std::string error;
  auto spec = ResolveSource(s, "https://me:hunter2@relay.example/feed?token=abc", {}, &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->name, "https://relay.example/feed");
  EXPECT_EQ(spec->options.url, "https://me:hunter2@relay.example/feed?token=abc");  // as given

  std::string invalid, unknown;
  EXPECT_FALSE(ResolveSource(s, "https://me:hunter2@relay example/?token=abc", {}, &invalid));
  EXPECT_NE(invalid.find("not a valid URL"), std::string::npos) << invalid;
  EXPECT_NE(invalid.find("%20"), std::string::npos) << invalid;  // the fix
  EXPECT_FALSE(ResolveSource(s, "gopher://me:hunter2@relay.example/?token=abc", {}, &unknown));
  for (const std::string& message : {invalid, unknown}) {
    for (const char* secret : {"hunter2", "abc"})
      EXPECT_EQ(message.find(secret), std::string::npos) << message;
  }
}

// A URL without a host (a script's empty $PORT variable, say) is a mistake to fix, not a
// network error to retry for ever.
TEST_F(SettingsTest, ASourceUrlWithoutAHostIsRefusedWithTheFix) {
  Settings s;
  for (const char* url : {"http:///subscribe", "ws://:8080/subscribe", "https://me:pw@/feed"}) {
    std::string error;
    EXPECT_FALSE(ResolveSource(s, url, {}, &error)) << url;
    EXPECT_NE(error.find("names no host: write it as http://HOST:PORT/PATH"), std::string::npos)
        << error;
    EXPECT_EQ(error.find("pw"), std::string::npos) << error;
  }
}

TEST_F(SettingsTest, XBackfillIsWholeMinutesUpToFiveAndOnlyForX) {
  Settings s;
  s.x_bearer_token = "tok";
  s.sources = {"x", "jetstream"};
  std::vector<SourceSpec> specs;
  std::string error;
  ASSERT_TRUE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << error;
  EXPECT_EQ(specs[0].options.backfill_max_minutes, 0);  // off unless asked for
  s.x_backfill = "3m";
  specs.clear();
  ASSERT_TRUE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << error;
  EXPECT_EQ(specs[0].options.backfill_max_minutes, 3);
  EXPECT_EQ(specs[1].options.backfill_max_minutes, 0);  // Jetstream resumes by its cursor
  for (const char* wrong : {"6m", "90s", "soon"}) {
    s.x_backfill = wrong;
    specs.clear();
    EXPECT_FALSE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << wrong;
    EXPECT_NE(error.find("from 1m to 5m"), std::string::npos) << error;
  }
}

TEST_F(SettingsTest, AnIdleTimeoutIsASecondOrMore) {
  Settings s;
  s.sources = {"jetstream"};
  std::vector<SourceSpec> specs;
  std::string error;
  s.idle_timeout = "1s";
  ASSERT_TRUE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << error;
  EXPECT_EQ(specs[0].options.idle_timeout_ms, 1'000);
  for (const char* wrong : {"0", "0s", "500ms", "soon"}) {
    s.idle_timeout = wrong;
    specs.clear();
    EXPECT_FALSE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << wrong;
    EXPECT_NE(error.find("1s or more"), std::string::npos) << error;
  }
}

TEST_F(SettingsTest, TheSameSourceTwiceIsRefused) {
  Settings s;
  s.sources = {"jetstream", "https://relay.example/feed", "jetstream"};
  std::vector<SourceSpec> specs;
  std::string error;
  EXPECT_FALSE(ResolveSources(s, {"twitterdown"}, &specs, &error));
  EXPECT_NE(error.find("given twice"), std::string::npos) << error;
  s.sources = {"jetstream", "jetstream-v2"};
  specs.clear();
  EXPECT_TRUE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << error;
}

TEST_F(SettingsTest, TheExampleConfigFileLoads) {
  Settings s;
  std::string error;
  ASSERT_TRUE(LoadSettings(std::string(HASHMON_SOURCE_DIR) + "/config.example.json", &s, &error))
      << error;
  EXPECT_EQ(s.sources, std::vector<std::string>{"jetstream"});
  EXPECT_EQ(s.lateness, "2m");
}

TEST_F(SettingsTest, MastodonSseIsStreamedOnceForEachWatchedTag) {
  Settings s;
  s.sources = {"mastodon:mastodon.social", "jetstream"};
  std::vector<SourceSpec> specs;
  std::string error;
  ASSERT_TRUE(ResolveSources(s, {"twitterdown", "störung"}, &specs, &error)) << error;
  ASSERT_EQ(specs.size(), 3u);  // Jetstream carries every tag on one connection
  EXPECT_EQ(specs[0].name, "mastodon:mastodon.social #twitterdown");
  EXPECT_EQ(specs[0].options.url,
            "https://mastodon.social/api/v1/streaming/hashtag?tag=twitterdown");
  EXPECT_EQ(specs[1].name, "mastodon:mastodon.social #störung");
  EXPECT_EQ(specs[1].options.url,
            "https://mastodon.social/api/v1/streaming/hashtag?tag=st%C3%B6rung");
  EXPECT_EQ(specs[1].options.mastodon_tags, std::vector<std::string>{"störung"});
  EXPECT_EQ(specs[2].name, "jetstream");

  // One tag: one source, named as configured (and its checkpoint as before).
  specs.clear();
  ASSERT_TRUE(ResolveSources(s, {"twitterdown"}, &specs, &error)) << error;
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "mastodon:mastodon.social");
}

TEST_F(SettingsTest, MastodonOverWebSocketStreamsEveryWatchedTagOnOneSocket) {
  Settings s;
  s.sources = {"mastodon-ws:mastodon.social"};
  std::vector<SourceSpec> specs;
  std::string error;
  ASSERT_TRUE(ResolveSources(s, {"twitterdown", "störung"}, &specs, &error)) << error;
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].name, "mastodon-ws:mastodon.social");
  // The URL streams the first tag; a subscribe message asks for the other once connected.
  EXPECT_EQ(specs[0].options.url,
            "wss://mastodon.social/api/v1/streaming?stream=hashtag&tag=twitterdown");
  EXPECT_EQ(specs[0].options.mastodon_tags, (std::vector<std::string>{"twitterdown", "störung"}));
  EXPECT_EQ(specs[0].options.gap_fill_url, "https://mastodon.social/api/v1/timelines/tag/");
}

TEST(XRulesTest, RulesAreMadeOncePerTagAndOnlyOurStaleOnesAreRemoved) {
  std::string rules = R"({"data":[
      {"id":"1","value":"#twitterdown","tag":"hashmon:twitterdown"},
      {"id":"2","value":"#oldtag","tag":"hashmon:oldtag"},
      {"id":"3","value":"cats has:images","tag":"made by hand"}]})";
  testing::HttpTestServer server([&](const testing::TestRequest& r) {
    if (r.method == "GET") return testing::TestResponse{200, rules};
    return testing::TestResponse{200, R"({"meta":{"summary":{}}})"};
  });
  server.Start();
  FakeClock clock;
  std::ostringstream log_out;
  Logger log(&log_out, &clock);
  std::string error;
  XRulesChange change;
  ASSERT_TRUE(EnsureXRules(server.url() + "/2/tweets/search/stream/rules", "tok",
                           {"twitterdown", "facebookdown"}, &log, &error, &change))
      << error;
  EXPECT_EQ(change.added, (std::vector<std::string>{"#facebookdown"}));
  EXPECT_EQ(change.deleted, (std::vector<std::string>{"2"}));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].headers.at("authorization"), "Bearer tok");
  EXPECT_NE(reqs[1].body.find(R"("value":"#facebookdown")"), std::string::npos) << reqs[1].body;
  EXPECT_NE(reqs[2].body.find(R"({"delete":{"ids":["2"]}})"), std::string::npos) << reqs[2].body;

  // Run again once the rules are in place: nothing to change, nothing posted.
  rules = R"({"data":[{"id":"1","value":"#twitterdown","tag":"hashmon:twitterdown"},
                      {"id":"4","value":"#facebookdown","tag":"hashmon:facebookdown"}]})";
  XRulesChange again;
  ASSERT_TRUE(EnsureXRules(server.url() + "/rules", "tok", {"twitterdown", "facebookdown"}, &log,
                           &error, &again));
  EXPECT_TRUE(again.added.empty());
  EXPECT_TRUE(again.deleted.empty());
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(XRulesTest, ARefusedTokenSaysWhatToFix) {
  testing::HttpTestServer server([](const testing::TestRequest&) {
    return testing::TestResponse{401, "{}"};
  });
  server.Start();
  FakeClock clock;
  std::ostringstream log_out;
  Logger log(&log_out, &clock);
  std::string error;
  EXPECT_FALSE(EnsureXRules(server.url() + "/rules", "bad", {"twitterdown"}, &log, &error));
  EXPECT_NE(error.find("HASHMON_X_BEARER_TOKEN"), std::string::npos) << error;
}

}  // namespace
}  // namespace hashmon
