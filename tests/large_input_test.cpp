// Megabytes of one short pattern, in a post's text and in a Mastodon status's HTML: every
// parser of hostile text must take time in proportion to its input. Fuzzing finds crashes
// in short inputs; a search that starts again at each match only shows at this size (a
// status of a few million "&#" once took hours).
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "hashmon/country_locator.h"
#include "hashmon/decoder.h"
#include "hashmon/hashtag_extractor.h"

namespace hashmon {
namespace {

constexpr size_t kBytes = 4u << 20;

const char* const kPatterns[] = {"&#",
                                 "&amp",
                                 "<a ",
                                 "<!--",
                                 "<",
                                 ">",
                                 "#",
                                 "#a",
                                 "#a ",
                                 "@",
                                 "@a",
                                 "http://",
                                 "a.com/",
                                 "www.",
                                 "https://t.co/#a",
                                 "$",
                                 "\xEF\xBC\x83",  // "＃"
                                 "\xCC\x81",      // a combining accent
                                 "#\xE2\x80\x8D",
                                 "\\u0023",
                                 "\\\\",
                                 "\\\"",
                                 "a,",
                                 ", ",
                                 "_",
                                 "\t",
                                 "#_1"};

std::string Repeated(const std::string& pattern) {
  std::string text;
  text.reserve(kBytes + pattern.size());
  while (text.size() < kBytes) text += pattern;
  return text;
}

// `text` as a JSON string's contents, escaped as a writer would.
std::string JsonString(const std::string& text) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return sb.GetString();
}

class LargeInputTest : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() { locator_ = CountryLocator::FromEmbeddedData().release(); }
  static void TearDownTestSuite() { delete locator_; }
  static CountryLocator* locator_;
  Decoder decoder_;
};
CountryLocator* LargeInputTest::locator_ = nullptr;

TEST_P(LargeInputTest, APostsTextOfOnePatternIsReadToTheEnd) {
  const std::string body = JsonString("#twitterdown " + Repeated(GetParam()));
  Record r = decoder_.DecodeCopy(R"({"data":{"id":"1","created_at":"2016-01-19T08:15:00Z",)"
                                 R"("text":)" +
                                 body + R"(},"includes":{"users":[{"location":)" + body + "}]}}");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  const auto tags = ExtractHashtags(r.post.text);
  ASSERT_FALSE(tags.empty());
  EXPECT_EQ(tags[0].tag, "twitterdown");
  locator_->Locate(r.post.evidence);
}

TEST_P(LargeInputTest, AStatussHtmlOfOnePatternIsReadToTheEnd) {
  const std::string content = JsonString("<p>#twitterdown " + Repeated(GetParam()) + "</p>");
  Record r = decoder_.DecodeCopy(
      R"({"id":"1","uri":"https://m.example/1","created_at":"2016-01-19T08:15:00.000Z",)"
      R"("content":)" +
          content + R"(,"tags":[],"account":{"acct":"a","note":)" + content + "}}",
      "update");
  ASSERT_EQ(r.kind, RecordKind::kPost);
  EXPECT_EQ(r.post.text.substr(0, 13), "#twitterdown ");
  ExtractHashtags(r.post.text);
}

INSTANTIATE_TEST_SUITE_P(Patterns, LargeInputTest, ::testing::ValuesIn(kPatterns));

}  // namespace
}  // namespace hashmon
