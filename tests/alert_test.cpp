// An outage as a webhook call: Alertmanager's payload for any Alertmanager receiver, or a
// message for a Slack or Discord channel that says who reports what, since when.
#include "hashmon/alert.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "hashmon/time_util.h"

namespace hashmon {
namespace {

Alert Firing() {
  Alert a;
  a.status = "firing";
  a.outage_id = 3;
  a.tag = "twitterdown";
  a.country = "BR";
  a.starts_at = *ParseIsoTime("2016-01-19T08:15:00Z");
  a.mentions = 120;
  a.peak_count = 48;
  a.incident_countries = {"BR", "PH", "GB"};
  return a;
}

rapidjson::Document Json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

TEST(WebhookFormat, IsNamedInTheConfig) {
  EXPECT_EQ(ParseWebhookFormat("alertmanager"), WebhookFormat::kAlertmanager);
  EXPECT_EQ(ParseWebhookFormat("slack"), WebhookFormat::kSlack);
  EXPECT_EQ(ParseWebhookFormat("discord"), WebhookFormat::kDiscord);
  EXPECT_EQ(ParseWebhookFormat("telegram"), WebhookFormat::kTelegram);
  EXPECT_FALSE(ParseWebhookFormat("Slack").has_value());
  EXPECT_FALSE(ParseWebhookFormat("").has_value());
}

TEST(WebhookPayload, AlertmanagerIsTheDefaultPayload) {
  const Alert a = Firing();
  EXPECT_EQ(WebhookPayload(a, WebhookFormat::kAlertmanager, "http://127.0.0.1:8080/"),
            AlertmanagerPayload(a, "http://127.0.0.1:8080/"));
}

TEST(WebhookPayload, ASlackMessageSaysWhoReportsWhatSinceWhenWithALink) {
  const auto d = Json(WebhookPayload(Firing(), WebhookFormat::kSlack, "http://127.0.0.1:8080/"));
  ASSERT_TRUE(d.IsObject());
  ASSERT_TRUE(d.HasMember("text"));
  const std::string text = d["text"].GetString();
  for (const char* part :
       {"Users in BR report #twitterdown since 2016-01-19T08:15:00Z", "120 mentions so far",
        "peak 48/min", "BR PH GB", "http://127.0.0.1:8080/#outage-3"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << " in " << text;
  }
}

TEST(WebhookPayload, SlackMarkupInTheTextIsSentAsEntities) {
  Alert a = Firing();
  a.tag = "a<b>&c";  // what Slack would read as a link or a mention
  const std::string text =
      Json(WebhookPayload(a, WebhookFormat::kSlack, "http://h/"))["text"].GetString();
  EXPECT_NE(text.find("#a&lt;b&gt;&amp;c"), std::string::npos) << text;
  EXPECT_EQ(text.find('<'), std::string::npos);
}

TEST(WebhookPayload, ADiscordMessageMentionsNobody) {
  Alert a = Firing();
  a.tag = "everyone";
  const auto d = Json(WebhookPayload(a, WebhookFormat::kDiscord, "http://h/"));
  ASSERT_TRUE(d.HasMember("content"));
  EXPECT_NE(std::string(d["content"].GetString()).find("#everyone"), std::string::npos);
  ASSERT_TRUE(d.HasMember("allowed_mentions"));
  EXPECT_TRUE(d["allowed_mentions"]["parse"].IsArray());
  EXPECT_EQ(d["allowed_mentions"]["parse"].Size(), 0u);
}

TEST(WebhookPayload, ATelegramMessageGoesToItsChatAsPlainText) {
  Alert a = Firing();
  a.tag = "<b>down</b>";  // plain text: no parse_mode, so no markup is read
  const auto d = Json(WebhookPayload(a, WebhookFormat::kTelegram, "http://h/", "-1001234567890"));
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["chat_id"].GetString(), "-1001234567890");
  EXPECT_NE(std::string(d["text"].GetString()).find("report #<b>down</b> since"),
            std::string::npos);
  EXPECT_FALSE(d.HasMember("parse_mode"));
}

TEST(WebhookPayload, AProvisionalAlertSaysSoAndAWithdrawnOneThatItIsWithdrawn) {
  Alert a = Firing();
  a.provisional = true;
  const auto d = Json(AlertmanagerPayload(a, "http://h/"));
  EXPECT_STREQ(d["alerts"][0]["annotations"]["provisional"].GetString(), "true");
  EXPECT_NE(AlertText(a, "http://h/").find("provisional: withdrawn unless it says more"),
            std::string::npos);
  EXPECT_STREQ(
      Json(AlertmanagerPayload(Firing(), "http://h/"))["alerts"][0]["annotations"]["provisional"]
          .GetString(),
      "false");
  a.status = "resolved";
  a.provisional = false;
  a.withdrawn = true;
  a.ends_at = *ParseIsoTime("2016-01-19T08:30:00Z");
  EXPECT_NE(
      AlertText(a, "http://h/")
          .find("#twitterdown in BR: the provisional alert of 2016-01-19T08:15:00Z is withdrawn"),
      std::string::npos)
      << AlertText(a, "http://h/");
}

TEST(WebhookPayload, AResolvedMessageSaysWhenItWasOver) {
  Alert a = Firing();
  a.status = "resolved";
  a.ends_at = *ParseIsoTime("2016-01-19T10:08:00Z");
  const std::string text = AlertText(a, "http://h/");
  EXPECT_NE(text.find("#twitterdown in BR is back to its baseline since 2016-01-19T10:08:00Z"),
            std::string::npos)
      << text;
  EXPECT_NE(AlertText(Firing(), "http://h/"), text);
}

TEST(WebhookPayload, ATestAlertSaysNothingIsDownInEveryFormat) {
  Alert a = Firing();
  a.test = true;
  for (const auto format : {WebhookFormat::kSlack, WebhookFormat::kDiscord,
                            WebhookFormat::kTelegram, WebhookFormat::kAlertmanager}) {
    const std::string body = WebhookPayload(a, format, "http://h/", "-100");
    EXPECT_NE(body.find("A test alert from hashmon"), std::string::npos) << body;
    EXPECT_NE(body.find("Nothing is down"), std::string::npos) << body;
    EXPECT_EQ(body.find("Users in BR report"), std::string::npos) << body;
  }
  a.status = "resolved";
  EXPECT_NE(AlertText(a, "http://h/").find("The test alert from hashmon is resolved"),
            std::string::npos);
}

}  // namespace
}  // namespace hashmon
