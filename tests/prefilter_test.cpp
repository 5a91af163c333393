// The pre-filter may flag too much but must never miss a record that carries a watched tag.
#include "hashmon/prefilter.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

bool May(const Prefilter& f, const std::string& s) { return f.MayMatch(s.data(), s.size()); }

TEST(Prefilter, FindsTheTagInAnyCase) {
  Prefilter f(WatchedTags({"twitterdown"}));
  ASSERT_TRUE(f.enabled());
  EXPECT_TRUE(May(f, R"({"text":"#TWITTERDOWN"})"));
  EXPECT_TRUE(May(f, R"({"text":"so #TwitterDown again"})"));
  EXPECT_FALSE(May(f, R"({"text":"nothing to see #twitter #down"})"));
}

TEST(Prefilter, FindsTagsSpelledWithJsonEscapes) {
  Prefilter f(WatchedTags({"twitterdown"}));
  EXPECT_TRUE(May(f, R"({"text":"\u0023twitterdown"})"));
  EXPECT_TRUE(May(f, R"({"text":"#\u0074witterdown"})"));
  EXPECT_TRUE(May(f, R"({"text":"#twitterdow\u006E"})"));
  EXPECT_FALSE(May(f, R"({"text":"caf\u00e9 \ud83d\ude00 http:\/\/t.co"})"));
  EXPECT_FALSE(May(f, R"({"text":"\\u0074 is an escaped backslash"})"));
}

TEST(Prefilter, FlagsDeleteNoticesSoEvidenceCanBeRemoved) {
  Prefilter f(WatchedTags({"twitterdown"}));
  EXPECT_TRUE(May(f, R"({"delete":{"status":{"id_str":"1"}}})"));
}

TEST(Prefilter, SearchesOnlyCharactersWithoutNonAsciiEquivalents) {
  Prefilter f(WatchedTags({"awsdown"}));  // 's' could be written as U+017F LONG S
  ASSERT_TRUE(f.enabled());
  EXPECT_TRUE(May(f, "{\"text\":\"#aw\xC5\xBF" "down\"}"));
}

TEST(Prefilter, DisablesItselfForTagsWithoutAnAsciiRun) {
  Prefilter f(WatchedTags({"日本語"}));
  EXPECT_FALSE(f.enabled());
  EXPECT_TRUE(May(f, "anything"));
}

TEST(Prefilter, FindsEveryCandidateInOrder) {
  Prefilter f(WatchedTags({"twitterdown", "xdown"}));
  const std::string buf = "a twitterdown b XDOWN c \\u0041 d";
  std::vector<size_t> hits;
  for (size_t pos = 0;;) {
    const size_t hit = pos + f.FindCandidate(buf.data() + pos, buf.size() - pos);
    if (hit >= buf.size()) break;
    hits.push_back(hit);
    pos = hit + 1;
  }
  EXPECT_EQ(hits, (std::vector<size_t>{2, 16, 24}));
}

TEST(Prefilter, LongBuffersUseTheVectorPathAndTheTail) {
  Prefilter f(WatchedTags({"twitterdown"}));
  for (size_t pad = 0; pad < 100; ++pad) {
    std::string s(pad, 'x');
    s += "TwitterDown";
    EXPECT_EQ(f.FindCandidate(s.data(), s.size()), pad);
    EXPECT_FALSE(May(f, s.substr(0, s.size() - 1))) << pad;
    std::string e(pad, 'y');
    e += "\\u0023x";
    EXPECT_EQ(f.FindCandidate(e.data(), e.size()), pad);
  }
}

}  // namespace
}  // namespace hashmon
