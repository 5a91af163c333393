// A Mastodon hashtag stream on 127.0.0.1, over Server-Sent Events and over WebSocket
// (where each Status is a JSON string inside an `update` event). The streaming API has no
// resume, so posts made while the stream was down come from the hashtag timeline (min_id)
// after the reconnect: the history still equals a clean replay.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "feed/collector.h"
#include "feed/feed_server.h"
#include "feed/recorder.h"
#include "feed/ws_stream.h"
#include "hashmon/time_util.h"
#include "history_util.h"
#include "http_test_server.h"
#include "store/sqlite_store.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::RunGenerator;
using testing::TempDir;

class MastodonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    locator_ = CountryLocator::FromEmbeddedData();
    ASSERT_EQ(RunGenerator("gen-sample.py", "--posts 3000 --format mastodon", Feed()), 0);
    std::ifstream in(Feed());
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }
  std::string Feed() const { return tmp_.File("statuses.jsonl"); }
  std::string Write(const std::vector<std::string>& lines, const std::string& name) const {
    const std::string path = tmp_.File(name);
    std::ofstream out(path);
    for (const auto& line : lines) out << line << "\n";
    return path;
  }
  // `input` replayed for #fail and #twitterdown into a new database: its counts per day.
  std::string DailyCounts(const std::string& input, const std::string& db_name) const {
    const std::string db = tmp_.File(db_name);
    EXPECT_EQ(testing::RunHashmon("replay -q --tag fail --tag twitterdown --db '" + db + "' '" +
                                  input + "'")
                  .exit_code,
              0);
    return testing::RunHashmon("query counts --every 1d --format csv --db '" + db + "'").out;
  }

  enum Transport { kSse, kWebSocket };
  // `web_host`: the stream's URL names this server instead, which answers the streaming
  // API's discovery request with a redirect to the one that streams (as mastodon.social
  // redirects to streaming.mastodon.social) and serves nothing else.
  testing::CollectRun Collect(const FeedFaults& faults, bool gap_fill, Transport transport = kSse,
                              testing::HttpTestServer* web_host = nullptr) {
    const bool ws = transport == kWebSocket;
    FeedServer server(lines_, faults, 0,
                      ws ? FeedProtocol::kMastodonWs : FeedProtocol::kMastodonSse);
    std::string error;
    const int port = server.Start(0, &error);
    EXPECT_GT(port, 0) << error;
    streaming_port_ = port;
    CollectOptions o;
    const std::string host = "127.0.0.1:" + std::to_string(port);
    const std::string named = web_host ? web_host->url().substr(7) : host;
    o.protocol = ws ? StreamProtocol::kMastodonWs : StreamProtocol::kSse;
    o.url = ws ? "ws://" + named + "/api/v1/streaming?stream=hashtag&tag=twitterdown"
               : "http://" + named + "/api/v1/streaming/hashtag?tag=twitterdown";
    if (web_host) o.streaming_discovery_url = web_host->url() + "/api/v1/streaming";
    o.mastodon_tags = {"twitterdown"};
    if (gap_fill) o.gap_fill_url = "http://" + host + "/api/v1/timelines/tag/";
    const std::string db =
        std::string(ws ? "ws-" : "sse-") + (gap_fill ? "filled.db" : "unfilled.db");
    auto run = testing::CollectHistory(o, tmp_.File(db), locator_.get(), nullptr);
    EXPECT_TRUE(run.ok) << run.log;
    server.Stop();
    return run;
  }

  // #twitterdown and #fail on one socket of the streaming API at `base`, with gap fill from
  // the hashtag timelines of the server at `timelines_url`.
  static CollectOptions OneSocketForTwoTags(const std::string& base,
                                            const std::string& timelines_url) {
    CollectOptions o;
    o.protocol = StreamProtocol::kMastodonWs;
    o.url = base + "?stream=hashtag&tag=twitterdown";
    o.mastodon_tags = {"twitterdown", "fail"};
    o.gap_fill_url = timelines_url + "/api/v1/timelines/tag/";
    return o;
  }

  // Whether a Status names `tag` among its tags, as a Mastodon server matches them.
  static bool Tagged(const rapidjson::Value& status, const std::string& tag) {
    if (!status.IsObject() || !status.HasMember("tags")) return false;
    for (const auto& t : status["tags"].GetArray()) {
      std::string name = t["name"].GetString();
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == tag) return true;
    }
    return false;
  }

  TempDir tmp_;
  std::unique_ptr<CountryLocator> locator_;
  std::vector<std::string> lines_;
  std::atomic<int> streaming_port_{0};
};

TEST_F(MastodonTest, ACleanSseStreamGivesTheSameHistoryAsAReplay) {
  const std::string expected =
      testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  ASSERT_NE(expected.find("outage"), std::string::npos) << expected;
  EXPECT_EQ(Collect({}, true).history, expected);
}

TEST_F(MastodonTest, PostsMadeWhileDisconnectedComeBackFromTheHashtagTimeline) {
  const std::string expected =
      testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  FeedFaults f;
  f.drop_after_lines = 4000;
  f.lost_lines = 300;  // posted while the stream was down: never streamed
  auto without = Collect(f, false);
  EXPECT_NE(without.history, expected);  // the fault really loses posts
  auto with = Collect(f, true);
  EXPECT_EQ(with.history, expected);
  EXPECT_GE(with.stats.gap_filled, 300);
}

TEST_F(MastodonTest, ACleanWebSocketStreamGivesTheSameHistoryAsAReplay) {
  const std::string expected =
      testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  EXPECT_EQ(Collect({}, true, kWebSocket).history, expected);
}

TEST_F(MastodonTest, OverWebSocketPostsMadeWhileDisconnectedComeBackFromTheHashtagTimeline) {
  const std::string expected =
      testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  FeedFaults f;
  f.drop_after_lines = 4000;
  f.lost_lines = 300;
  auto without = Collect(f, false, kWebSocket);
  EXPECT_NE(without.history, expected);
  auto with = Collect(f, true, kWebSocket);
  EXPECT_EQ(with.history, expected);
  EXPECT_GE(with.stats.gap_filled, 300);
}

TEST_F(MastodonTest, AServerThatStreamsFromAnotherHostIsFollowedThere) {
  const std::string expected =
      testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  for (Transport transport : {kSse, kWebSocket}) {
    // As Mastodon's web app answers any /api/v1/streaming path when it does not stream.
    testing::HttpTestServer web_host([this](const testing::TestRequest& r) {
      if (r.target.rfind("/api/v1/streaming", 0) != 0) return testing::TestResponse{404, "{}"};
      const std::string to = "http://127.0.0.1:" + std::to_string(streaming_port_.load());
      return testing::TestResponse{301, "", {{"Location", to + r.target}}};
    });
    web_host.Start();
    const auto run = Collect({}, true, transport, &web_host);
    EXPECT_TRUE(run.history == expected) << transport << run.log.substr(0, 2000);
    const auto asked = web_host.requests();
    ASSERT_EQ(asked.size(), 1u);  // asked once; the stream itself went to the streaming host
    EXPECT_EQ(asked[0].target, "/api/v1/streaming");
  }
}

TEST_F(MastodonTest, AHashtagStreamAndTimelineCarryOnlyThatTagsStatuses) {
  // What `collect` relies on when it opens one socket per watched tag.
  size_t tagged = 0;
  for (const auto& line : lines_) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    tagged += !d.HasParseError() && Tagged(d, "fail");
  }
  ASSERT_GT(tagged, 50u);
  FeedServer server(lines_, {}, 0, FeedProtocol::kMastodonWs);
  std::string error;
  const std::string host = "127.0.0.1:" + std::to_string(server.Start(0, &error));
  WsRequest request;
  request.url = "ws://" + host + "/api/v1/streaming?stream=hashtag&tag=fail";
  std::vector<std::string> messages;
  std::atomic<bool> stop{false};
  SystemClock clock;
  StreamWebSocket(
      request, [&](char* p, size_t n) { messages.emplace_back(p, n); }, &stop, &clock);
  size_t statuses = 0;
  for (const auto& m : messages) {
    rapidjson::Document envelope, status;
    envelope.Parse(m.c_str());
    if (envelope.HasParseError() || !envelope.HasMember("payload")) continue;  // a bad line
    EXPECT_STREQ(envelope["stream"][1].GetString(), "fail");
    status.Parse(envelope["payload"].GetString());
    EXPECT_TRUE(Tagged(status, "fail")) << m;
    ++statuses;
  }
  EXPECT_EQ(statuses, tagged);

  const HttpReply page =
      HttpCall("GET", "http://" + host + "/api/v1/timelines/tag/fail?limit=40", {}, "", 10'000);
  rapidjson::Document timeline;
  timeline.Parse(page.body.c_str());
  ASSERT_TRUE(timeline.IsArray()) << page.body;
  EXPECT_EQ(timeline.Size(), 40u);
  for (const auto& status : timeline.GetArray()) EXPECT_TRUE(Tagged(status, "fail"));
  // As Mastodon: at most 40 a page, and 20 when the limit is no number.
  for (const auto& [limit, size] : std::vector<std::pair<std::string, size_t>>{
           {"400", 40}, {"abc", 20}, {"99999999999999999999999", 20}}) {
    rapidjson::Document other;
    other.Parse(HttpCall("GET", "http://" + host + "/api/v1/timelines/tag/fail?limit=" + limit, {},
                         "", 10'000)
                    .body.c_str());
    ASSERT_TRUE(other.IsArray()) << limit;
    EXPECT_EQ(other.Size(), size) << limit;
  }
  server.Stop();
}

TEST_F(MastodonTest, RecordTakesTheHashtagStreamItIsTold) {
  FeedServer server(lines_, {}, 0, FeedProtocol::kMastodonWs);
  std::string error;
  const std::string host = "http://127.0.0.1:" + std::to_string(server.Start(0, &error));
  const std::string out = tmp_.File("rec-fail");
  ASSERT_EQ(testing::RunHashmon("record --until-eof --source mastodon-ws:" + host +
                                " --tag fail --out '" + out + "'")
                .exit_code,
            0);
  server.Stop();
  // Replayed for both tags, the recording holds every #fail mention and only those
  // #twitterdown ones that carry #fail too.
  const std::string recorded = DailyCounts(out, "rec-fail.db");
  const std::string full = DailyCounts(Feed(), "full.db");
  auto lines_of = [](const std::string& text, const std::string& tag) {
    std::string kept;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.find("," + tag + ",") != std::string::npos) kept += line + "\n";
    return kept;
  };
  EXPECT_EQ(lines_of(recorded, "fail"), lines_of(full, "fail"));
  EXPECT_NE(lines_of(recorded, "twitterdown"), lines_of(full, "twitterdown"));
}

TEST_F(MastodonTest, RecordFollowsTheServerToItsStreamingHost) {
  FeedServer server(lines_, {}, 0, FeedProtocol::kMastodonWs);
  std::string error;
  const std::string streaming = "http://127.0.0.1:" + std::to_string(server.Start(0, &error));
  testing::HttpTestServer web_host([&](const testing::TestRequest& r) {
    if (r.target.rfind("/api/v1/streaming", 0) != 0) return testing::TestResponse{404, "{}"};
    return testing::TestResponse{301, "", {{"Location", streaming + r.target}}};
  });
  web_host.Start();
  const std::string out = tmp_.File("rec-moved");
  ASSERT_EQ(testing::RunHashmon("record --until-eof --source mastodon-ws:" + web_host.url() +
                                " --out '" + out + "'")
                .exit_code,
            0);
  server.Stop();
  EXPECT_EQ(web_host.requests().size(), 1u);
  auto counts = [&](const std::string& input, const std::string& db) {
    EXPECT_EQ(testing::RunHashmon("replay -q --db '" + db + "' '" + input + "'").exit_code, 0);
    return testing::RunHashmon("query counts --every 1d --format csv --db '" + db + "'").out;
  };
  const std::string recorded = counts(out, tmp_.File("rec.db"));
  EXPECT_NE(recorded.find("twitterdown"), std::string::npos);
  EXPECT_EQ(recorded, counts(Feed(), tmp_.File("full.db")));
}

// The feed, with every other status tagged #fail no longer tagged #twitterdown: those
// come only on #fail's stream, the others on both.
std::vector<std::string> WithFailAloneOnEveryOther(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  int fails = 0;
  for (const auto& line : lines) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    const bool fail = !d.HasParseError() && d.IsObject() && d.HasMember("tags") &&
                      std::any_of(d["tags"].Begin(), d["tags"].End(), [](const auto& t) {
                        return std::string(t["name"].GetString()) == "fail";
                      });
    if (!fail || ++fails % 2 == 0) {
      out.push_back(line);
      continue;
    }
    auto& tags = d["tags"];
    for (auto it = tags.Begin(); it != tags.End();) {
      it = std::string((*it)["name"].GetString()) == "twitterdown" ? tags.Erase(it) : it + 1;
    }
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    out.emplace_back(sb.GetString(), sb.GetSize());
  }
  return out;
}

TEST_F(MastodonTest, SeveralTagsShareOneWebSocketAndEachTagsGapIsFilled) {
  const std::vector<std::string> lines = WithFailAloneOnEveryOther(lines_);
  const std::string feed = Write(lines, "two-tags.jsonl");
  const std::vector<std::string> tags = {"twitterdown", "fail"};
  const std::string expected =
      testing::ReplayHistory(feed, tmp_.File("replay-two.db"), locator_.get(), tags);
  ASSERT_NE(expected.find(",fail,"), std::string::npos);

  FeedFaults f;
  f.drop_after_lines = 4000;
  f.lost_lines = 300;  // posted while the socket was down: only the timelines have them
  FeedServer server(lines, f, 0, FeedProtocol::kMastodonWs);
  server.HoldUntilFollowing(2);
  std::string error;
  const std::string host = "127.0.0.1:" + std::to_string(server.Start(0, &error));
  CollectOptions o;
  o.protocol = StreamProtocol::kMastodonWs;
  o.url = "ws://" + host + "/api/v1/streaming?stream=hashtag&tag=twitterdown";
  o.mastodon_tags = tags;
  o.gap_fill_url = "http://" + host + "/api/v1/timelines/tag/";
  FakeClock record_clock(*ParseIsoTime("2026-12-02T10:00:00Z"));
  auto recorder = std::make_unique<Recorder>(tmp_.File("recorded"), &record_clock);
  o.recorder = recorder.get();
  auto run =
      testing::CollectHistory(o, tmp_.File("two-tags.db"), locator_.get(), nullptr, nullptr, tags);
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  EXPECT_EQ(run.history, expected);
  EXPECT_EQ(server.connections(), 2);  // one socket, reconnected once: not one per tag
  EXPECT_GE(run.stats.gap_filled, 300);
  // What `collect --record` kept (messages of both streams, and the statuses gap fill
  // fetched) replays to the same history.
  recorder.reset();
  EXPECT_EQ(testing::ReplayHistory(tmp_.File("recorded/2026-12-02T10.jsonl.zst"),
                                   tmp_.File("from-rec.db"), locator_.get(), tags),
            expected);
}

TEST_F(MastodonTest, ACollectorThatHadASocketPerTagFillsTheGapFromItsCheckpoints) {
  FeedServer server(lines_, {}, 0, FeedProtocol::kMastodonWs);
  server.HoldUntilFollowing(2);
  std::string error;
  const std::string host = "127.0.0.1:" + std::to_string(server.Start(0, &error));
  testing::HttpTestServer timelines([](const testing::TestRequest&) {
    return testing::TestResponse{200, "[]"};
  });
  timelines.Start();
  const std::string base = "ws://" + host + "/api/v1/streaming";
  const CollectOptions o = OneSocketForTwoTags(base, timelines.url());
  auto run = testing::CollectHistory(
      o, tmp_.File("migrated.db"), locator_.get(), nullptr,
      [&](SqliteStore* store, FakeClock*) {
        // What the sources of one socket per tag committed.
        store->Commit({}, {{"mastodon-ws:" + base + "?stream=hashtag&tag=twitterdown", "100"},
                           {"mastodon-ws:" + base + "?stream=hashtag&tag=fail", "200"}});
      },
      o.mastodon_tags);
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;
  std::vector<std::string> asked;
  for (const auto& r : timelines.requests()) asked.push_back(r.target);
  // Each tag from the newest of them: the sockets were all up until the collector stopped.
  EXPECT_EQ(asked,
            (std::vector<std::string>{"/api/v1/timelines/tag/twitterdown?limit=40&min_id=200",
                                      "/api/v1/timelines/tag/fail?limit=40&min_id=200"}));
}

// A hashtag timeline as a Mastodon server pages it: with `min_id`, the 40 statuses just
// newer than it, newest first. Each tag's statuses: `count` of them, `every_s` seconds
// apart from `first` on; status ids grow with time (as Mastodon's do) across tags.
class TagTimelines {
 public:
  void Add(const std::string& tag, int count, int64_t first, int every_s) {
    for (int i = 0; i < count; ++i) {
      const int64_t at = first + int64_t{i} * every_s * 1000;
      const int64_t id = kBaseId + (at - kEpoch) / 100 + static_cast<int64_t>(tags_.size());
      statuses_[tag].emplace_back(id, at);
    }
    tags_.insert(tag);
  }
  // Every status of the tags, as JSON lines in time order, up to `until`.
  std::vector<std::string> LinesUntil(int64_t until) const {
    std::vector<std::pair<int64_t, std::string>> all;
    for (const auto& [tag, list] : statuses_)
      for (const auto& [id, at] : list)
        if (at <= until) all.emplace_back(at, Json(tag, id, at));
    std::sort(all.begin(), all.end());
    std::vector<std::string> lines;
    for (const auto& [at, json] : all) lines.push_back(json);
    return lines;
  }
  testing::TestResponse Answer(const testing::TestRequest& r) const {
    const std::string prefix = "/api/v1/timelines/tag/";
    const size_t query = r.target.find('?');
    const std::string tag = r.target.substr(prefix.size(), query - prefix.size());
    const size_t min_at = r.target.find("min_id=");
    const int64_t min_id = std::stoll(r.target.substr(min_at + 7));
    std::vector<std::string> page;
    const auto it = statuses_.find(tag);
    if (it != statuses_.end()) {
      for (const auto& [id, at] : it->second) {
        if (id > min_id && page.size() < 40) page.push_back(Json(tag, id, at));
      }
    }
    std::reverse(page.begin(), page.end());
    std::string body = "[";
    for (const auto& json : page) body += (body.size() > 1 ? "," : "") + json;
    return {200, body + "]"};
  }

  static constexpr int64_t kBaseId = 100'000'000;
  static constexpr int64_t kEpoch = 1'453'190'400'000;  // 2016-01-19T08:00:00Z

 private:
  static std::string Json(const std::string& tag, int64_t id, int64_t at) {
    const std::string n = std::to_string(id);
    return R"({"id":")" + n + R"(","created_at":")" + FormatIsoTime(at) +
           R"(","uri":"https://example.social/users/u/statuses/)" + n +
           R"(","content":"<p>down again #)" + tag + R"(</p>","tags":[{"name":")" + tag +
           R"("}],"account":{"id":"1","acct":"u@example.social","note":""}})";
  }
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> statuses_;  // id, time
  std::set<std::string> tags_;
};

TEST_F(MastodonTest, AGapLongerThanTheFillReachesIsCountedUpToWhereEveryTagIsWhole) {
  // While the socket was down, #twitterdown had 1,100 statuses (one every 3 s from 08:00),
  // more than gap fill fetches (1,000), and #fail one a minute for an hour.
  TagTimelines gap;
  gap.Add("twitterdown", 1100, TagTimelines::kEpoch, 3);
  gap.Add("fail", 60, TagTimelines::kEpoch + 30'000, 60);
  testing::HttpTestServer timelines([&](const testing::TestRequest& r) { return gap.Answer(r); });
  timelines.Start();
  FeedServer server({}, {}, 0, FeedProtocol::kMastodonWs);  // the socket streams nothing new
  server.HoldUntilFollowing(2);
  std::string error;
  const std::string host = "127.0.0.1:" + std::to_string(server.Start(0, &error));
  const std::string base = "ws://" + host + "/api/v1/streaming";
  const CollectOptions o = OneSocketForTwoTags(base, timelines.url());
  auto run = testing::CollectHistory(
      o, tmp_.File("long-gap.db"), locator_.get(), nullptr,
      [&](SqliteStore* store, FakeClock*) {
        store->Commit({}, {{"mastodon-ws:" + base, std::to_string(TagTimelines::kBaseId - 1)}});
      },
      o.mastodon_tags);
  server.Stop();
  ASSERT_TRUE(run.ok) << run.log;

  // #twitterdown is whole up to its 1,000th status, at 08:49:57; #fail's later statuses
  // would carry the minutes past #twitterdown's missing ones, so they are not counted.
  const int64_t whole_until = *ParseIsoTime("2016-01-19T08:49:57Z");
  EXPECT_EQ(run.stats.gap_filled, 1000 + 50);
  const std::string feed = Write(gap.LinesUntil(whole_until), "whole-part.jsonl");
  EXPECT_EQ(run.history, testing::ReplayHistory(feed, tmp_.File("whole-part.db"), locator_.get(),
                                                o.mastodon_tags));
  EXPECT_EQ(run.stats.late_mentions, 0);
  EXPECT_NE(run.log.find("the gap was longer than gap fill reaches (1000 statuses a hashtag); "
                         "posts after 2016-01-19T08:49:57"),
            std::string::npos)
      << run.log;
}

// A collector stopped at 08:00 starts again at 09:10. Gap fill gets back what was posted
// meanwhile, so that leaves no gap; where it stops short (1,100 statuses of #twitterdown,
// more than it fetches), the time after the last status it has of every tag is a gap; where
// the timelines cannot be had (503), all of it is; and so it is where the last run saw no
// status at all (its checkpoint holds no status id): nothing says where to fill from.
TEST_F(MastodonTest, ARestartLeavesAGapOnlyWhereGapFillStoppedShort) {
  constexpr int kTimelinesFail = -1, kNoStatusSeen = -2;
  for (const int posted : {900, 1100, kTimelinesFail, kNoStatusSeen}) {
    SCOPED_TRACE(posted);
    TagTimelines gap;
    gap.Add("twitterdown", std::max(posted, 0), TagTimelines::kEpoch, 3);
    gap.Add("fail", 60, TagTimelines::kEpoch + 30'000, 60);
    testing::HttpTestServer timelines([&](const testing::TestRequest& r) {
      return posted == kTimelinesFail ? testing::TestResponse{503, ""} : gap.Answer(r);
    });
    timelines.Start();
    FeedServer server({}, {}, 0, FeedProtocol::kMastodonWs);
    server.HoldUntilFollowing(2);
    std::string error;
    const std::string base =
        "ws://127.0.0.1:" + std::to_string(server.Start(0, &error)) + "/api/v1/streaming";
    const CollectOptions o = OneSocketForTwoTags(base, timelines.url());
    const std::string db = tmp_.File("restart-" + std::to_string(posted) + ".db");
    const int64_t stopped = TagTimelines::kEpoch, started = stopped + 70 * 60'000;
    auto run = testing::CollectLiveUntilCut(
        o, db, locator_.get(), started,
        [&](SqliteStore* store) {
          const std::string seen =
              posted == kNoStatusSeen ? "" : std::to_string(TagTimelines::kBaseId - 1);
          store->Commit({}, {{"mastodon-ws:" + base, seen, false, "", stopped}});
        },
        o.mastodon_tags);
    server.Stop();
    const std::string gaps =
        testing::RunHashmon("query gaps --format csv --since 2016-01-19T00:00:00Z --db " + db).out;
    if (posted == 900) {
      EXPECT_EQ(run.stats.gap_filled, 900 + 60);
      EXPECT_EQ(gaps, "source,from,to,reason\n");
    } else if (posted == 1100) {
      EXPECT_EQ(run.stats.gap_filled, 1000 + 50);
      EXPECT_EQ(gaps, "source,from,to,reason\nmastodon-ws:" + base +
                          ",2016-01-19T08:49:57Z,2016-01-19T09:10:00Z,not running\n");
    } else {
      EXPECT_EQ(run.stats.gap_filled, 0);
      EXPECT_EQ(gaps, "source,from,to,reason\nmastodon-ws:" + base +
                          ",2016-01-19T08:00:00Z,2016-01-19T09:10:00Z,not running\n");
    }
  }
}

TEST_F(MastodonTest, RecordTakesEveryTagFromOneSocket) {
  const std::vector<std::string> lines = WithFailAloneOnEveryOther(lines_);
  const std::string feed = Write(lines, "two-tags.jsonl");
  FeedServer server(lines, {}, 0, FeedProtocol::kMastodonWs);
  server.HoldUntilFollowing(2);
  std::string error;
  const std::string host = "http://127.0.0.1:" + std::to_string(server.Start(0, &error));
  const std::string out = tmp_.File("rec-two");
  ASSERT_EQ(testing::RunHashmon("record --until-eof --source mastodon-ws:" + host +
                                " --tag twitterdown --tag fail --out '" + out + "'")
                .exit_code,
            0);
  server.Stop();
  EXPECT_EQ(server.connections(), 2);  // the streaming API's host asked once, then one socket
  const std::string recorded = DailyCounts(out, "rec-two.db");
  EXPECT_NE(recorded.find(",fail,"), std::string::npos);
  EXPECT_EQ(recorded, DailyCounts(feed, "full-two.db"));
}

}  // namespace
}  // namespace hashmon
