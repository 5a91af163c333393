// A Mastodon hashtag stream on 127.0.0.1, over Server-Sent Events and over WebSocket
// (where each Status is a JSON string inside an `update` event). The streaming API has no
// resume, so posts made while the stream was down come from the hashtag timeline (min_id)
// after the reconnect: the history still equals a clean replay.
#include <gtest/gtest.h>

#include <fstream>

#include "feed/collector.h"
#include "feed/feed_server.h"
#include "history_util.h"
#include "test_util.h"

namespace hashmon {
namespace {

using testing::TempDir;

class MastodonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    locator_ = CountryLocator::FromEmbeddedData();
    const std::string cmd = "python3 '" + std::string(HASHMON_SOURCE_DIR) +
                            "/scripts/gen-sample.py' --posts 3000 --format mastodon --out '" + Feed() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(Feed());
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }
  std::string Feed() const { return tmp_.File("statuses.jsonl"); }

  enum Transport { kSse, kWebSocket };
  testing::CollectRun Collect(const FeedFaults& faults, bool gap_fill, Transport transport = kSse) {
    const bool ws = transport == kWebSocket;
    FeedServer server(lines_, faults, 0, ws ? FeedProtocol::kMastodonWs : FeedProtocol::kMastodonSse);
    std::string error;
    const int port = server.Start(0, &error);
    EXPECT_GT(port, 0) << error;
    CollectOptions o;
    const std::string host = "127.0.0.1:" + std::to_string(port);
    o.protocol = ws ? StreamProtocol::kMastodonWs : StreamProtocol::kSse;
    o.url = ws ? "ws://" + host + "/api/v1/streaming?stream=hashtag&tag=twitterdown"
               : "http://" + host + "/api/v1/streaming/hashtag?tag=twitterdown";
    if (gap_fill) o.gap_fill_url = "http://" + host + "/api/v1/timelines/tag/twitterdown";
    const std::string db = std::string(ws ? "ws-" : "sse-") + (gap_fill ? "filled.db" : "unfilled.db");
    auto run = testing::CollectHistory(o, tmp_.File(db), locator_.get(), [] { return false; });
    EXPECT_TRUE(run.ok) << run.log;
    server.Stop();
    return run;
  }

  TempDir tmp_;
  std::unique_ptr<CountryLocator> locator_;
  std::vector<std::string> lines_;
};

TEST_F(MastodonTest, ACleanSseStreamGivesTheSameHistoryAsAReplay) {
  const std::string expected = testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  ASSERT_NE(expected.find("outage"), std::string::npos) << expected;
  EXPECT_EQ(Collect({}, true).history, expected);
}

TEST_F(MastodonTest, PostsMadeWhileDisconnectedComeBackFromTheHashtagTimeline) {
  const std::string expected = testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
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
  const std::string expected = testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  EXPECT_EQ(Collect({}, true, kWebSocket).history, expected);
}

TEST_F(MastodonTest, OverWebSocketPostsMadeWhileDisconnectedComeBackFromTheHashtagTimeline) {
  const std::string expected = testing::ReplayHistory(Feed(), tmp_.File("replay.db"), locator_.get());
  FeedFaults f;
  f.drop_after_lines = 4000;
  f.lost_lines = 300;
  auto without = Collect(f, false, kWebSocket);
  EXPECT_NE(without.history, expected);
  auto with = Collect(f, true, kWebSocket);
  EXPECT_EQ(with.history, expected);
  EXPECT_GE(with.stats.gap_filled, 300);
}

}  // namespace
}  // namespace hashmon
