// The pre-filter may flag too much but must never miss a record that carries a watched tag.
#include "hashmon/prefilter.h"

#include <gtest/gtest.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "hashmon/tag_key.h"

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
  EXPECT_TRUE(May(f,
                  "{\"text\":\"#aw\xC5\xBF"
                  "down\"}"));
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

std::string Utf8(UChar32 c) {
  std::string out;
  icu::UnicodeString(c).toUTF8String(out);
  return out;
}

// The JSON escape of a code point, as X's JSON writes non-ASCII text ("\\ufb06").
std::string JsonEscape(UChar32 c) {
  const icu::UnicodeString units(c);
  std::string out;
  for (int i = 0; i < units.length(); ++i) {
    char unit[8];
    std::snprintf(unit, sizeof unit, "\\u%04x", static_cast<unsigned>(units.charAt(i)));
    out += unit;
  }
  return out;
}

// A post may write a watched tag with a character whose key (its full case fold) holds ASCII
// letters: ﬆ keys as "st", so #inﬆagramdown is #instagramdown, and İ keys as "i" and a
// combining dot. Every such character ICU knows is tried inside a tag, written as it is and
// JSON-escaped, between short and long ASCII parts: the post must be a candidate.
TEST(Prefilter, FindsTagsWrittenWithCharactersWhoseKeyHoldsAscii) {
  std::vector<std::string> tried;
  for (UChar32 c = 0x80; c <= 0x10FFFF; ++c) {
    if (U_IS_SURROGATE(c)) continue;
    const std::string key = TagKey(Utf8(c));
    if (std::none_of(key.begin(), key.end(), [](char b) { return b > 0 && std::isalnum(b); })) {
      continue;
    }
    tried.push_back(Utf8(c));
    for (const auto& [before, after] :
         {std::pair{"zf", "ty"}, std::pair{"twitter", "down"}, std::pair{"instagr", "mfine"}}) {
      const WatchedTags tag({std::string(before) + Utf8(c) + after});
      const Prefilter f(tag);
      for (const std::string& written : {Utf8(c), JsonEscape(c)}) {
        const std::string post = R"({"text":"down? #)" + std::string(before) + written + after +
                                 R"("})" + std::string(40, ' ');
        EXPECT_TRUE(May(f, post)) << "U+" << std::hex << c << " in " << post << ", needle "
                                  << (f.needles().empty() ? "" : f.needles()[0]);
      }
    }
  }
  // Sharp s, long s, Kelvin, the 7 ligatures, I with dot above, ...: whatever ICU's tables
  // hold, never none.
  EXPECT_GE(tried.size(), 10u);
}

// Every candidate offset in buf, in order, as `f` finds them.
std::vector<size_t> AllCandidates(const Prefilter& f, const std::string& buf) {
  std::vector<size_t> hits;
  for (size_t pos = 0; pos < buf.size();) {
    const size_t hit = pos + f.FindCandidate(buf.data() + pos, buf.size() - pos);
    if (hit >= buf.size()) break;
    hits.push_back(hit);
    pos = hit + 1;
  }
  return hits;
}

// Bytes that make near misses likely: the needles' letters in either case, escapes and
// their hex digits, and bytes whose case bit is the only difference from a letter's.
std::string NearMissText(std::mt19937* rng, size_t size) {
  static const std::string kAlphabet = "twiterdownTWITERDOWNxX\\u0023417A_#\n\"@`[{ \x80\xC3";
  static const std::vector<std::string> kPieces = {
      "twitterdown", "TwitterDowN",   "twitterdow", "\\u0074", "\\\\u0074", "\\u00",
      "delete\"",    "instagramdown", "xdown",      "_down",   "_DOWN",     "\x7f"};
  std::string out;
  while (out.size() < size) {
    if ((*rng)() % 8 == 0) {
      out += kPieces[(*rng)() % kPieces.size()];
    } else {
      out += kAlphabet[(*rng)() % kAlphabet.size()];
    }
  }
  out.resize(size);
  return out;
}

std::string PathName(Prefilter::Path path) {
  switch (path) {
    case Prefilter::Path::kScalar:
      return "Scalar";
    case Prefilter::Path::kAvx2:
      return "Avx2";
    case Prefilter::Path::kAvx512:
      return "Avx512";
    default:
      return "Fastest";
  }
}

}  // namespace

// How GoogleTest shows a path (in test names and failures).
void PrintTo(Prefilter::Path path, std::ostream* os) { *os << PathName(path); }

namespace {

class PrefilterPathTest : public ::testing::TestWithParam<Prefilter::Path> {};

TEST_P(PrefilterPathTest, FindsExactlyTheCandidatesTheScalarSearchFinds) {
  if (!Prefilter::Supports(GetParam())) GTEST_SKIP() << "this CPU lacks the instructions";
  // aws_down's needle is "_down" ('s' is not searched for): one that begins with '_'.
  const WatchedTags tags({"twitterdown", "instagramdown", "xdown", "aws_down"});
  Prefilter scalar(tags), vector(tags);
  scalar.UsePath(Prefilter::Path::kScalar);
  vector.UsePath(GetParam());
  std::mt19937 rng(20160119);
  for (int round = 0; round < 3000; ++round) {
    const std::string text = NearMissText(&rng, rng() % 300);
    // Every start offset within a vector's width, so that matches fall on every lane and
    // across block boundaries.
    for (size_t skip = 0; skip < std::min<size_t>(text.size(), 3); ++skip) {
      const std::string buf = text.substr(skip);
      ASSERT_EQ(AllCandidates(vector, buf), AllCandidates(scalar, buf)) << "text: " << buf;
    }
  }
}

// A tag may begin with an underscore (#_twitterdown), and then so does its needle: every
// path must fold it as the scalar search does (not at all), or it misses the tag.
TEST_P(PrefilterPathTest, FindsATagThatBeginsWithAnUnderscore) {
  if (!Prefilter::Supports(GetParam())) GTEST_SKIP() << "this CPU lacks the instructions";
  Prefilter filter(WatchedTags({"_twitterdown"}));
  filter.UsePath(GetParam());
  ASSERT_EQ(filter.needles().front(), "_twitterdown");
  const std::string record =
      std::string(100, ' ') + "{\"text\":\"#_TwitterDown again\"}" + std::string(100, ' ');
  EXPECT_TRUE(filter.MayMatch(record.data(), record.size()));
}

INSTANTIATE_TEST_SUITE_P(Paths, PrefilterPathTest,
                         ::testing::Values(Prefilter::Path::kFastest, Prefilter::Path::kAvx2,
                                           Prefilter::Path::kAvx512),
                         [](const auto& info) { return PathName(info.param); });

}  // namespace
}  // namespace hashmon
