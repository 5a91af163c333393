// The client's side of Mastodon's streaming API: where each hashtag's gap fill starts, and
// the messages of a socket that carries several hashtags.
#include "feed/mastodon_stream.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

TEST(MastodonCursorTest, EachTagsGapFillStartsAfterTheNewestStatusOnItsStream) {
  MastodonCursor cursor({"twitterdown", "xdown"});
  cursor.Note("twitterdown", "1005");
  cursor.Note("xdown", "1002");
  cursor.Note("twitterdown", "1003");  // out of order: the newest stays
  EXPECT_EQ(cursor.MinId("twitterdown"), "1005");
  EXPECT_EQ(cursor.MinId("xdown"), "1002");
}

TEST(MastodonCursorTest, AQuietTagStartsFromTheNewestStatusOnTheSocket) {
  // While the socket was up, the quiet tag missed nothing older than that.
  MastodonCursor cursor({"twitterdown", "xdown"});
  EXPECT_EQ(cursor.MinId("xdown"), "");  // nothing seen: no gap to fill
  cursor.Note("twitterdown", "1005");
  EXPECT_EQ(cursor.MinId("xdown"), "1005");
}

TEST(MastodonCursorTest, IdsCompareAsNumbers) {
  MastodonCursor cursor({"twitterdown"});
  cursor.Note("twitterdown", "999");
  cursor.Note("twitterdown", "1000");
  cursor.Note("twitterdown", "998");
  EXPECT_EQ(cursor.MinId("twitterdown"), "1000");
  EXPECT_TRUE(NewerStatusId("1000", "999"));
  EXPECT_FALSE(NewerStatusId("999", "1000"));
}

TEST(MastodonCursorTest, TheStreamNameMatchesAFollowedTagInAnyCase) {
  MastodonCursor cursor({"twitterdown", "xdown"});
  cursor.Note("XDown", "7");
  EXPECT_EQ(cursor.MinId("xdown"), "7");
  cursor.Note("other", "9");  // a stream not followed: only the socket's newest moves
  EXPECT_EQ(cursor.MinId("xdown"), "7");
  EXPECT_EQ(cursor.MinId("twitterdown"), "9");
}

TEST(MastodonCursorTest, WithOneTagTheCheckpointIsTheBareIdAsBefore) {
  MastodonCursor cursor({"twitterdown"});
  cursor.Note("", "42");  // an SSE stream names no stream: it is the one tag's
  EXPECT_EQ(cursor.Text(), "42");
  MastodonCursor restored({"twitterdown"});
  restored.Restore("42");
  EXPECT_EQ(restored.MinId("twitterdown"), "42");
}

TEST(MastodonCursorTest, WithSeveralTagsTheCheckpointKeepsEachTagsId) {
  MastodonCursor cursor({"twitterdown", "störung"});
  cursor.Note("twitterdown", "1005");
  cursor.Note("störung", "1002");
  MastodonCursor restored({"twitterdown", "störung", "newtag"});
  restored.Restore(cursor.Text());
  EXPECT_EQ(restored.MinId("twitterdown"), "1005");
  EXPECT_EQ(restored.MinId("störung"), "1002");
  EXPECT_EQ(restored.MinId("newtag"), "1005");  // added since: from the socket's newest
}

TEST(MastodonCursorTest, HostileIdsAndCheckpointsAreIgnored) {
  MastodonCursor cursor({"twitterdown", "xdown"});
  cursor.Note("twitterdown", "12a");
  cursor.Note("twitterdown", std::string(40, '9'));
  cursor.Note("twitterdown", "");
  EXPECT_EQ(cursor.MinId("twitterdown"), "");
  cursor.Restore("{\"twitterdown\":");
  cursor.Restore("{\"twitterdown\":5}");
  cursor.Restore("not an id");
  EXPECT_EQ(cursor.MinId("twitterdown"), "");
}

TEST(MastodonStreamTest, AMessageNamesItsHashtagStream) {
  EXPECT_EQ(StreamTagOf(R"({"stream":["hashtag","xdown"],"event":"update","payload":"{}"})"),
            "xdown");
  EXPECT_EQ(StreamTagOf(R"({"event":"update","payload":"{}"})"), "");
  EXPECT_EQ(StreamTagOf(R"({"stream":["public"],"event":"update"})"), "");
  EXPECT_EQ(StreamTagOf(R"({"stream":["hashtag","x\"down"],"event":"update"})"), "");
  // A status's text (escaped inside the payload) cannot pose as the stream.
  EXPECT_EQ(StreamTagOf(R"({"event":"update","payload":"{\"stream\":[\"hashtag\",\"x\"]}"})"), "");
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
