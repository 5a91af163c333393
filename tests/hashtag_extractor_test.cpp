// Hashtag extraction follows twitter-text's conformance suite.
#include "hashmon/hashtag_extractor.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "test_util.h"

namespace hashmon {
namespace {

std::vector<std::string> Tags(std::string_view text) { return ExtractHashtagStrings(text); }

TEST(HashtagExtractor, PassesEveryConformanceCase) {
  rapidjson::Document cases;
  cases.Parse(testing::ReadFile(testing::TestDataPath("hashtags/dev_cases.json")).c_str());
  ASSERT_TRUE(cases.IsArray());
  int checked = 0;
  for (const auto& c : cases.GetArray()) {
    std::vector<std::string> expected;
    for (const auto& e : c["expected"].GetArray())
      expected.emplace_back(e.GetString(), e.GetStringLength());
    EXPECT_EQ(Tags({c["text"].GetString(), c["text"].GetStringLength()}), expected)
        << c["description"].GetString() << ": " << c["text"].GetString();
    ++checked;
  }
  EXPECT_EQ(checked, 89);
}

TEST(HashtagExtractor, ReportsByteOffsetsOfTheHashSign) {
  const auto m = ExtractHashtags("é #twitterdown now");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].begin, 3u);
  EXPECT_EQ(m[0].end, 15u);
  EXPECT_EQ(m[0].tag, "twitterdown");
}

TEST(HashtagExtractor, KeepsCaseAndDecomposedFormAsWritten) {
  EXPECT_EQ(Tags("#TwitterDown"), std::vector<std::string>{"TwitterDown"});
  EXPECT_EQ(Tags("#ta\xCC\x81im"), std::vector<std::string>{"ta\xCC\x81im"});
}

TEST(HashtagExtractor, DoesNotTreatKeycapEmojiAsHashtag) {
  EXPECT_TRUE(Tags("#\xEF\xB8\x8F\xE2\x83\xA3 keycap").empty());
}

TEST(HashtagExtractor, DropsTagFollowedByAnotherHashOrProtocol) {
  EXPECT_TRUE(Tags("#a#b").empty());
  EXPECT_TRUE(Tags("#http://twitter.com").empty());
}

TEST(HashtagExtractor, DecoyTagsAreOtherTags) {
  EXPECT_EQ(Tags("#twitterdownload #twitter_down #twitterdown"),
            (std::vector<std::string>{"twitterdownload", "twitter_down", "twitterdown"}));
}

TEST(HashtagExtractor, SurvivesInvalidUtf8) {
  EXPECT_EQ(Tags("\xff\xfe #ok \xc3"), std::vector<std::string>{"ok"});
  EXPECT_TRUE(Tags("#\xef").empty());
}

}  // namespace
}  // namespace hashmon
