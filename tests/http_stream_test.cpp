// StreamHttp, the cpprestsdk stream reader under every HTTP source, against a real
// server on 127.0.0.1.
#include "feed/http_stream.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "feed/feed_server.h"
#include "hashmon/clock.h"
#include "http_test_server.h"

namespace hashmon {
namespace {

using testing::HttpTestServer;
using testing::TestRequest;
using testing::TestResponse;

class HttpStreamTest : public ::testing::Test {
 protected:
  FakeClock clock_{1'453'190'400'000};
  std::atomic<bool> stop_{false};
};

TEST_F(HttpStreamTest, AnErrorPageNeverReachesTheConsumer) {
  HttpTestServer server([](const TestRequest&) {
    return TestResponse{401, "{\"data\":{\"id\":\"1\",\"text\":\"#TwitterDown\"}}\n"};
  });
  server.Start();
  std::string consumed;
  bool connected = false;
  const StreamOutcome out = StreamHttp(
      {server.url() + "/stream", {}, 30'000},
      [&](const char* data, size_t n) { consumed.append(data, n); }, &stop_, &clock_,
      [&] { connected = true; });
  EXPECT_EQ(out.kind, StreamOutcome::kFailed);
  EXPECT_EQ(out.failure, FailureKind::kAuth);
  EXPECT_EQ(out.http_status, 401);
  EXPECT_FALSE(out.received_data);
  EXPECT_FALSE(connected);
  EXPECT_EQ(consumed, "");
}

TEST_F(HttpStreamTest, TheConnectStepRunsFirstAndMayItselfCallTheServer) {
  // Mastodon's gap fill is a REST call made on connecting, while the stream's body is
  // already arriving: with one network thread it must neither deadlock nor come after
  // the stream's first post.
  HttpTestServer server([](const TestRequest& r) {
    if (r.target == "/rest") return TestResponse{200, "[]"};
    return TestResponse{200, "first\nsecond\n"};
  });
  server.Start();
  std::vector<std::string> events;
  std::string consumed;
  const StreamOutcome out = StreamHttp(
      {server.url() + "/stream", {}, 30'000},
      [&](const char* data, size_t n) {
        if (consumed.empty()) events.push_back("body");
        consumed.append(data, n);
      },
      &stop_, &clock_,
      [&] {
        const HttpReply reply = HttpCall("GET", server.url() + "/rest", {}, "", 10'000);
        events.push_back("connected, rest " + std::to_string(reply.status));
      });
  EXPECT_EQ(out.kind, StreamOutcome::kEnded) << out.message;
  EXPECT_TRUE(out.received_data);
  EXPECT_EQ(events, (std::vector<std::string>{"connected, rest 200", "body"}));
  EXPECT_EQ(consumed, "first\nsecond\n");
}

TEST_F(HttpStreamTest, AConsumerThatThrowsFailsTheStreamInsteadOfTheProcess) {
  HttpTestServer server([](const TestRequest&) { return TestResponse{200, "line\n"}; });
  server.Start();
  const StreamOutcome out = StreamHttp(
      {server.url() + "/stream", {}, 30'000},
      [](const char*, size_t) { throw std::runtime_error("disk full"); }, &stop_, &clock_);
  EXPECT_EQ(out.kind, StreamOutcome::kFailed);
  EXPECT_NE(out.message.find("disk full"), std::string::npos) << out.message;
}

TEST(SendOffsets, FollowEventTimeScaledBySpeedAndNeverGoBack) {
  // Posts at 0 s, 60 s, a late one from 30 s, a notice without a time, then 120 s.
  const std::vector<int64_t> times = {1'000'000, 1'060'000, 1'030'000, 0, 1'120'000};
  EXPECT_EQ(SendOffsetsMs(times, 60), (std::vector<int64_t>{0, 1000, 1000, 1000, 2000}));
  EXPECT_EQ(SendOffsetsMs(times, 0), (std::vector<int64_t>(5, 0)));
}

TEST_F(HttpStreamTest, AFeedPacedByEventTimeTakesItsTime) {
  // Three posts a second apart in event time, served 20 times faster: at least 100 ms.
  FeedServer server({"a", "b", "c"}, {});
  server.PaceByEventTime({1'000, 2'000, 3'000}, 20);
  std::string error;
  const int port = server.Start(0, &error);
  ASSERT_GT(port, 0) << error;
  std::string consumed;
  const auto start = std::chrono::steady_clock::now();
  const StreamOutcome out = StreamHttp(
      {"http://127.0.0.1:" + std::to_string(port) + "/", {}, 30'000},
      [&](const char* data, size_t n) { consumed.append(data, n); }, &stop_, &clock_);
  const auto took = std::chrono::steady_clock::now() - start;
  server.Stop();
  EXPECT_EQ(out.kind, StreamOutcome::kEnded) << out.message;
  EXPECT_EQ(consumed, "a\nb\nc\n");
  EXPECT_GE(took, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace hashmon
