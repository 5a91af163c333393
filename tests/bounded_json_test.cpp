// JSON from the network is parsed with a bound on its nesting: RapidJSON recurses once per
// level, and a line of a few hundred thousand '[' would otherwise overflow the stack.
#include "hashmon/bounded_json.h"

#include <gtest/gtest.h>

#include <string>

namespace hashmon {
namespace {

std::string Nested(int depth, const std::string& inside = "1") {
  return std::string(depth, '[') + inside + std::string(depth, ']');
}

TEST(BoundedJson, ParsesAsRapidJsonDoes) {
  rapidjson::Document doc;
  const std::string text = R"({"a":[1,"two",{"b":null}],"c":true})";
  ASSERT_EQ(ParseJson(&doc, text.data(), text.size()), JsonParse::kOk);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["a"].Size(), 3u);
  EXPECT_STREQ(doc["a"][1].GetString(), "two");
  EXPECT_TRUE(doc["c"].GetBool());
}

TEST(BoundedJson, ParsesInPlaceWithStringsPointingIntoTheText) {
  rapidjson::Document doc;
  std::string text = R"({"text":"#twitterdown"})";
  ASSERT_EQ(ParseJsonInsitu(&doc, text.data()), JsonParse::kOk);
  const char* s = doc["text"].GetString();
  EXPECT_STREQ(s, "#twitterdown");
  EXPECT_TRUE(s >= text.data() && s < text.data() + text.size());
}

TEST(BoundedJson, ReadsOnlyTheGivenLength) {
  rapidjson::Document doc;
  const std::string text = R"({"a":1}garbage)";
  EXPECT_EQ(ParseJson(&doc, text.data(), 7), JsonParse::kOk);
  EXPECT_EQ(ParseJson(&doc, text.data(), text.size()), JsonParse::kMalformed);
}

TEST(BoundedJson, SyntaxErrorsAreMalformedAndLeaveNoValue) {
  rapidjson::Document doc;
  for (const std::string text : {"", "{", R"({"a":)", "[1,]", "nul", "\"open"}) {
    EXPECT_EQ(ParseJson(&doc, text.data(), text.size()), JsonParse::kMalformed) << text;
    EXPECT_TRUE(doc.IsNull()) << text;
  }
}

TEST(BoundedJson, NestingUpToTheBoundIsParsed) {
  rapidjson::Document doc;
  const std::string text = Nested(kMaxJsonDepth);
  ASSERT_EQ(ParseJson(&doc, text.data(), text.size()), JsonParse::kOk);
  const rapidjson::Value* v = &doc;
  for (int i = 0; i < kMaxJsonDepth; ++i) v = &(*v)[0];
  EXPECT_EQ(v->GetInt(), 1);
}

TEST(BoundedJson, NestingPastTheBoundIsRefusedWithoutRecursingIntoIt) {
  rapidjson::Document doc;
  const std::string one_more = Nested(kMaxJsonDepth + 1);
  EXPECT_EQ(ParseJson(&doc, one_more.data(), one_more.size()), JsonParse::kTooDeep);
  EXPECT_TRUE(doc.IsNull());
  // Unbounded, this many levels overflow an 8 MiB stack (RapidJSON's recursive descent).
  std::string hostile = R"({"text":"#twitterdown","x":)" + std::string(2'000'000, '[');
  EXPECT_EQ(ParseJsonInsitu(&doc, hostile.data()), JsonParse::kTooDeep);
  std::string objects;
  for (int i = 0; i < 500'000; ++i) objects += R"({"a":)";
  EXPECT_EQ(ParseJson(&doc, objects.data(), objects.size()), JsonParse::kTooDeep);
}

TEST(BoundedJson, ADocumentIsReusableAfterARefusal) {
  rapidjson::Document doc;
  const std::string deep = Nested(kMaxJsonDepth + 5);
  ASSERT_EQ(ParseJson(&doc, deep.data(), deep.size()), JsonParse::kTooDeep);
  const std::string text = R"([1,2])";
  ASSERT_EQ(ParseJson(&doc, text.data(), text.size()), JsonParse::kOk);
  EXPECT_EQ(doc.Size(), 2u);
}

}  // namespace
}  // namespace hashmon
