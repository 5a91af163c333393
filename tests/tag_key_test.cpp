// Tags compare by NFC + Unicode case folding.
#include "hashmon/tag_key.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

TEST(TagKey, FoldsCase) {
  EXPECT_EQ(TagKey("TwitterDown"), "twitterdown");
  EXPECT_EQ(TagKey("TWITTERDOWN"), "twitterdown");
}

TEST(TagKey, ComposesAndFoldsUnicode) {
  EXPECT_EQ(TagKey("Cafe\xCC\x81"), TagKey("café"));  // decomposed é
  EXPECT_EQ(TagKey("CAFÉ"), TagKey("café"));
  EXPECT_EQ(TagKey("Straße"), TagKey("STRASSE"));
  EXPECT_EQ(TagKey("\xE2\x84\xAA"
                   "ey"),
            "key");  // KELVIN SIGN folds to k
}

TEST(TagKey, KeepsDistinctTagsDistinct) {
  EXPECT_NE(TagKey("twitterdownload"), TagKey("twitterdown"));
  EXPECT_NE(TagKey("ｔｗｉｔｔｅｒｄｏｗｎ"), TagKey("twitterdown"));  // full width: NFC leaves it
}

TEST(WatchedTags, FindsByKeyAndIgnoresLeadingHash) {
  WatchedTags tags({"#TwitterDown", "caídadetwitter", "twitterdown"});
  EXPECT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags.Find("TWITTERDOWN"), 0);
  EXPECT_EQ(tags.Find("CAÍDADETWITTER"), 1);
  EXPECT_EQ(tags.Find("twitterdownload"), -1);
}

// Japanese and Chinese keyboards type the fullwidth number sign, which twitter-text and
// Bluesky take as a hashtag's marker too.
TEST(WatchedTags, IgnoresALeadingFullwidthHashAsWell) {
  WatchedTags tags({"\uFF03TwitterDown"});
  EXPECT_EQ(tags.keys(), std::vector<std::string>{"twitterdown"});
  EXPECT_EQ(WithoutHash("##x"), "#x");
}

}  // namespace
}  // namespace hashmon
