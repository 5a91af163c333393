// Silences: which webhook alerts a configured silence holds back, and how a config file
// states one.
#include "hashmon/silence.h"

#include <gtest/gtest.h>

#include "hashmon/time_util.h"

namespace hashmon {
namespace {

int64_t At(const char* iso) { return *ParseIsoTime(iso); }

Silence Parsed(const char* json, std::string* error = nullptr) {
  rapidjson::Document d;
  d.Parse(json);
  Silence s;
  std::string e;
  const bool ok = ParseSilence(d, &s, &e);
  if (error) *error = ok ? "" : e;
  return s;
}

TEST(SilenceTest, ItCoversItsTagAndCountryFromItsStartUntilItsEnd) {
  Silence s;
  s.tag = "twitterdown";
  s.country = "BR";
  s.from_ms = At("2026-12-03T00:00:00Z");
  s.until_ms = At("2026-12-03T06:00:00Z");
  EXPECT_TRUE(Covers(s, "twitterdown", "BR", At("2026-12-03T00:00:00Z")));
  EXPECT_TRUE(Covers(s, "TwitterDown", "br", At("2026-12-03T05:59:59Z")));
  EXPECT_FALSE(Covers(s, "twitterdown", "BR", At("2026-12-03T06:00:00Z")));  // ended
  EXPECT_FALSE(Covers(s, "twitterdown", "BR", At("2026-12-02T23:59:59Z")));  // not yet
  EXPECT_FALSE(Covers(s, "twitterdown", "PH", At("2026-12-03T01:00:00Z")));
  EXPECT_FALSE(Covers(s, "xdown", "BR", At("2026-12-03T01:00:00Z")));
}

TEST(SilenceTest, WhatItDoesNotNameItCoversWhole) {
  Silence s;
  s.until_ms = At("2026-12-03T06:00:00Z");
  EXPECT_TRUE(Covers(s, "xdown", "??", At("2026-12-03T01:00:00Z")));
  std::vector<Silence> silences = {s};
  EXPECT_EQ(FindSilence(silences, "twitterdown", "LT", At("2026-12-03T01:00:00Z")), &silences[0]);
  EXPECT_EQ(FindSilence(silences, "twitterdown", "LT", At("2026-12-03T07:00:00Z")), nullptr);
}

TEST(SilenceTest, AConfigSilenceNeedsOnlyItsEnd) {
  std::string error;
  const Silence s = Parsed(
      R"({"tag": "#TwitterDown", "country": "BR", "from": "2026-12-03T00:00:00Z",
          "until": "2026-12-03T06:00:00Z", "comment": "planned maintenance"})",
      &error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(s.tag, "twitterdown");  // as tags are kept: NFC, case-folded
  EXPECT_EQ(s.from_ms, At("2026-12-03T00:00:00Z"));
  EXPECT_EQ(DescribeSilence(s), "#twitterdown BR until 2026-12-03T06:00:00Z (planned maintenance)");
  const Silence open = Parsed(R"({"until": "2026-12-03T06:00:00Z"})", &error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(open.from_ms, INT64_MIN);
  EXPECT_EQ(DescribeSilence(open), "every country until 2026-12-03T06:00:00Z");
}

TEST(SilenceTest, AMistakeInAConfigSilenceSaysWhatToFix) {
  std::string error;
  Parsed(R"({"country": "BR"})", &error);
  EXPECT_NE(error.find("needs \"until\""), std::string::npos) << error;
  Parsed(R"({"until": "tomorrow"})", &error);
  EXPECT_NE(error.find("ISO 8601"), std::string::npos) << error;
  EXPECT_NE(error.find("tomorrow"), std::string::npos) << error;
  Parsed(R"({"from": "2026-12-03T06:00:00Z", "until": "2026-12-03T00:00:00Z"})", &error);
  EXPECT_NE(error.find("ends"), std::string::npos) << error;
  Parsed(R"({"until": "2026-12-03T06:00:00Z", "countries": ["BR"]})", &error);
  EXPECT_NE(error.find("\"countries\""), std::string::npos) << error;
  Parsed(R"({"until": 1764741600})", &error);
  EXPECT_NE(error.find("strings"), std::string::npos) << error;
  for (const char* wrong : {"BRA", "UK", "XX"}) {
    const std::string json =
        std::string(R"({"country": ")") + wrong + R"(", "until": "2026-12-03T06:00:00Z"})";
    Parsed(json.c_str(), &error);
    EXPECT_NE(error.find("ISO 3166 code such as BR or GB (not UK)"), std::string::npos) << error;
  }
  EXPECT_EQ(Parsed(R"({"country": "br", "until": "2026-12-03T06:00:00Z"})", &error).country, "BR");
  EXPECT_EQ(Parsed(R"({"country": "??", "until": "2026-12-03T06:00:00Z"})", &error).country, "??");
  Parsed(R"(["BR"])", &error);
  EXPECT_NE(error.find("object"), std::string::npos) << error;
}

}  // namespace
}  // namespace hashmon
