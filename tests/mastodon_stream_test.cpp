// The client's side of Mastodon's streaming API: status ids, and the messages of a socket
// that carries several hashtags.
#include "feed/mastodon_stream.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

TEST(MastodonStreamTest, StatusIdsCompareAsNumbers) {
  EXPECT_TRUE(NewerStatusId("1000", "999"));
  EXPECT_FALSE(NewerStatusId("999", "1000"));
  EXPECT_TRUE(NewerStatusId("110000000000000002", "110000000000000001"));
  EXPECT_FALSE(NewerStatusId("5", "5"));
}

TEST(MastodonStreamTest, TheStatusIdIsReadAsJsonOrInsideAJsonString) {
  EXPECT_EQ(StatusIdOf(R"({"id":"1005","uri":"x"})", "\""), "1005");
  EXPECT_EQ(StatusIdOf(R"({"event":"update","payload":"{\"id\":\"1005\"}"})", "\\\""), "1005");
  EXPECT_EQ(StatusIdOf(R"({"id":"12a"})", "\""), "");  // not a Mastodon id
  EXPECT_EQ(StatusIdOf(R"({"id":"")" + std::string(40, '9') + R"("})", "\""), "");
  EXPECT_EQ(StatusIdOf(R"({"uri":"x"})", "\""), "");
}

TEST(MastodonStreamTest, EveryTagAfterTheUrlsIsSubscribedToWithEscapes) {
  EXPECT_TRUE(MastodonSubscribeMessages({"twitterdown"}).empty());
  EXPECT_EQ(MastodonSubscribeMessages({"twitterdown", "störung", "a\"b"}),
            (std::vector<std::string>{R"({"type":"subscribe","stream":"hashtag","tag":"störung"})",
                                      R"({"type":"subscribe","stream":"hashtag","tag":"a\"b"})"}));
}

TEST(MastodonStreamTest, AServerErrorIsReadPrintableAndShort) {
  EXPECT_EQ(MastodonErrorOf(R"({"error":"Unknown stream type","status":400})"),
            "Unknown stream type");
  EXPECT_EQ(MastodonErrorOf(R"({"error":"bad\u001b[31mred","status":400})"), "bad [31mred");
  EXPECT_EQ(MastodonErrorOf("{\"error\":\"" + std::string(1000, 'x') + "\"}").size(), 200u);
  EXPECT_EQ(MastodonErrorOf(R"({"stream":["hashtag","x"],"event":"update"})"), "");
  EXPECT_EQ(MastodonErrorOf(R"({"error":)"), "");
}

}  // namespace
}  // namespace hashmon
