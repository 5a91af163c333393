#include "hashmon/alert.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "hashmon/html_text.h"
#include "hashmon/time_util.h"

namespace hashmon {

std::string AlertFingerprint(const std::string& tag, const std::string& country,
                             int64_t outage_id) {
  // FNV-1a over the sorted label pairs, each part ended by a 0 byte (as Alertmanager does
  // with its own hash), so that no two label sets run together.
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const std::string& part :
       {std::string("alertname"), std::string(kAlertName), std::string("country"), country,
        std::string("incident"), std::to_string(outage_id), std::string("tag"), tag}) {
    mix(part);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// One "key": "string value" member of the object being written.
void WriteMember(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string Summary(const Alert& a) {
  if (a.test) return "A test of hashmon's webhook: nothing is down";
  return "Users in " + a.country + " report #" + a.tag;
}

std::string Description(const Alert& a) {
  if (a.test) {
    return a.status == "firing"
               ? "A test alert from hashmon (collect --test-webhook), watching #" + a.tag +
                     ": alerts reach this receiver. Nothing is down; it resolves at once."
               : "The test alert from hashmon is resolved.";
  }
  if (a.withdrawn) {
    return "#" + a.tag + " in " + a.country + ": the provisional alert of " +
           FormatIsoTime(a.starts_at) + " is withdrawn; it said no more";
  }
  if (a.status != "firing") {
    return "#" + a.tag + " in " + a.country + " is back to its baseline since " +
           FormatIsoTime(a.ends_at) + " (" + std::to_string(a.mentions) + " mentions in all)";
  }
  std::string countries;
  for (const auto& c : a.incident_countries) countries += (countries.empty() ? "" : " ") + c;
  return Summary(a) + " since " + FormatIsoTime(a.starts_at) + " (" + std::to_string(a.mentions) +
         " mentions so far, peak " + std::to_string(a.peak_count) + "/min); incident " +
         std::to_string(a.outage_id) + " countries: " + countries +
         (a.provisional ? "; provisional: withdrawn unless it says more within minutes" : "");
}

std::string OutageLink(const Alert& a, const std::string& external_url) {
  return external_url + "#outage-" + std::to_string(a.outage_id);
}

std::string ChatPayload(const Alert& a, WebhookFormat format, const std::string& external_url,
                        const std::string& chat_id) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  const std::string text = AlertText(a, external_url);
  w.StartObject();
  if (format == WebhookFormat::kTelegram) {
    // Plain text (no parse_mode): nothing in the post's tag or text is read as markup.
    WriteMember(w, "chat_id", chat_id);
    WriteMember(w, "text", text);
  } else if (format == WebhookFormat::kSlack) {
    WriteMember(w, "text", EscapeAmpLtGt(text));  // Slack reads &, < and > as its own markup
  } else {
    // Discord takes up to 2000 characters (an incident of every country needs some 900),
    // and the message must not ping anyone (@everyone, roles).
    WriteMember(w, "content", text);
    w.Key("allowed_mentions");
    w.StartObject();
    w.Key("parse");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  return sb.GetString();
}

}  // namespace

std::optional<WebhookFormat> ParseWebhookFormat(const std::string& name) {
  if (name == "alertmanager") return WebhookFormat::kAlertmanager;
  if (name == "slack") return WebhookFormat::kSlack;
  if (name == "discord") return WebhookFormat::kDiscord;
  if (name == "telegram") return WebhookFormat::kTelegram;
  return std::nullopt;
}

std::string AlertText(const Alert& a, const std::string& external_url) {
  const bool firing = a.status == "firing";
  return std::string(firing ? "\U0001F534 " : "\u2705 ") + Description(a) + " " +
         OutageLink(a, external_url);
}

std::string WebhookPayload(const Alert& a, WebhookFormat format, const std::string& external_url,
                           const std::string& chat_id) {
  if (format == WebhookFormat::kAlertmanager) return AlertmanagerPayload(a, external_url);
  return ChatPayload(a, format, external_url, chat_id);
}

std::string AlertmanagerPayload(const Alert& a, const std::string& external_url) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  auto str = [&w](const char* key, const std::string& value) { WriteMember(w, key, value); };
  auto labels = [&](const char* key) {
    w.Key(key);
    w.StartObject();
    str("alertname", kAlertName);
    str("country", a.country);
    str("incident", std::to_string(a.outage_id));
    str("tag", a.tag);
    if (a.test) str("test", "true");
    w.EndObject();
  };
  const std::string summary = Summary(a);
  const std::string description = Description(a);
  const std::string generator = OutageLink(a, external_url);
  w.StartObject();
  str("version", "4");
  str("groupKey", "{}:{incident=\"" + std::to_string(a.outage_id) + "\"}");
  w.Key("truncatedAlerts");
  w.Int(0);
  str("status", a.status);
  str("receiver", "hashmon");
  w.Key("groupLabels");
  w.StartObject();
  str("incident", std::to_string(a.outage_id));
  w.EndObject();
  labels("commonLabels");
  w.Key("commonAnnotations");
  w.StartObject();
  str("summary", summary);
  w.EndObject();
  str("externalURL", external_url);
  w.Key("alerts");
  w.StartArray();
  w.StartObject();
  str("status", a.status);
  labels("labels");
  w.Key("annotations");
  w.StartObject();
  str("summary", summary);
  str("description", description);
  if (a.status == "firing") str("provisional", a.provisional ? "true" : "false");
  w.EndObject();
  str("startsAt", FormatIsoTime(a.starts_at));
  // Alertmanager's zero time means "no end yet".
  str("endsAt", a.ends_at ? FormatIsoTime(a.ends_at) : "0001-01-01T00:00:00Z");
  str("generatorURL", generator);
  str("fingerprint", AlertFingerprint(a.tag, a.country, a.outage_id));
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

}  // namespace hashmon
