// A Mastodon server whose streaming API runs on another host says so with a redirect; the
// stream's URL moves there, keeping its path, query and kind of scheme.
#include "feed/streaming_host.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

TEST(MovedToHostOf, AnSseStreamMovesToTheStreamingHost) {
  EXPECT_EQ(MovedToHostOf("https://mastodon.social/api/v1/streaming/hashtag?tag=twitterdown",
                          "https://streaming.mastodon.social/api/v1/streaming"),
            "https://streaming.mastodon.social/api/v1/streaming/hashtag?tag=twitterdown");
}

TEST(MovedToHostOf, AWebSocketStaysAWebSocket) {
  EXPECT_EQ(MovedToHostOf("wss://mastodon.social/api/v1/streaming?stream=hashtag&tag=twitterdown",
                          "https://streaming.mastodon.social/api/v1/streaming"),
            "wss://streaming.mastodon.social/api/v1/streaming?stream=hashtag&tag=twitterdown");
  EXPECT_EQ(MovedToHostOf("ws://127.0.0.1:8000/api/v1/streaming?stream=hashtag&tag=x",
                          "http://127.0.0.1:4000/api/v1/streaming"),
            "ws://127.0.0.1:4000/api/v1/streaming?stream=hashtag&tag=x");
}

TEST(MovedToHostOf, ThePortIsTheRedirectsOwn) {
  EXPECT_EQ(MovedToHostOf("http://127.0.0.1:8000/api/v1/streaming/hashtag?tag=x",
                          "http://127.0.0.1:4000/api/v1/streaming"),
            "http://127.0.0.1:4000/api/v1/streaming/hashtag?tag=x");
  EXPECT_EQ(MovedToHostOf("https://example.social:8443/api/v1/streaming/hashtag?tag=x",
                          "https://streaming.example.social/api/v1/streaming"),
            "https://streaming.example.social/api/v1/streaming/hashtag?tag=x");
}

TEST(MovedToHostOf, ASecureStreamIsNeverTakenToAPlainOne) {
  EXPECT_FALSE(MovedToHostOf("https://mastodon.social/api/v1/streaming/hashtag?tag=x",
                             "http://streaming.mastodon.social/api/v1/streaming"));
  EXPECT_FALSE(MovedToHostOf("wss://mastodon.social/api/v1/streaming?stream=hashtag&tag=x",
                             "ws://streaming.mastodon.social/api/v1/streaming"));
}

TEST(MovedToHostOf, ARedirectThatNamesNoHostMovesNothing) {
  EXPECT_FALSE(
      MovedToHostOf("https://mastodon.social/api/v1/streaming/hashtag?tag=x", "/api/v1/streaming"));
  EXPECT_FALSE(MovedToHostOf("https://mastodon.social/api/v1/streaming/hashtag?tag=x", ""));
  EXPECT_FALSE(MovedToHostOf("https://mastodon.social/api/v1/streaming/hashtag?tag=x",
                             "https://exa mple.social/\x01"));
}

}  // namespace
}  // namespace hashmon
