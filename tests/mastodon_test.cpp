// A Mastodon hashtag stream over Server-Sent Events on 127.0.0.1. The streaming API has
// no resume, so posts made while the stream was down come from the hashtag timeline
// (min_id) after the reconnect: the history still equals a clean replay.
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

  testing::CollectRun Collect(const FeedFaults& faults, bool gap_fill) {
    FeedServer server(lines_, faults, 0, FeedProtocol::kMastodonSse);
    std::string error;
    const int port = server.Start(0, &error);
    EXPECT_GT(port, 0) << error;
    CollectOptions o;
    o.protocol = StreamProtocol::kSse;
    const std::string host = "http://127.0.0.1:" + std::to_string(port);
    o.url = host + "/api/v1/streaming/hashtag?tag=twitterdown";
    if (gap_fill) o.gap_fill_url = host + "/api/v1/timelines/tag/twitterdown";
    auto run = testing::CollectHistory(o, tmp_.File(gap_fill ? "filled.db" : "unfilled.db"), locator_.get(),
                                       [] { return false; });
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

}  // namespace
}  // namespace hashmon
