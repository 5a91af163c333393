// StreamHttp, the cpprestsdk stream reader under every HTTP source, against a real
// server on 127.0.0.1.
#include "feed/http_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
      [&](char* data, size_t n) { consumed.append(data, n); }, &stop_, &clock_,
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
      [&](char* data, size_t n) {
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
      [](char*, size_t) { throw std::runtime_error("disk full"); }, &stop_, &clock_);
  EXPECT_EQ(out.kind, StreamOutcome::kFailed);
  EXPECT_NE(out.message.find("disk full"), std::string::npos) << out.message;
}

}  // namespace
}  // namespace hashmon
