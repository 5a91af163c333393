#include "hashmon/alert.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "hashmon/time_util.h"

namespace hashmon {

std::string AlertFingerprint(const std::string& tag, const std::string& country, int64_t outage_id) {
  // FNV-1a over the sorted label pairs, each part ended by a 0 byte (as Alertmanager does
  // with its own hash), so that no two label sets run together.
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const std::string& part : {std::string("alertname"), std::string(kAlertName), std::string("country"), country,
                                  std::string("incident"), std::to_string(outage_id), std::string("tag"), tag}) {
    mix(part);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string AlertmanagerPayload(const Alert& a, const std::string& external_url) {
  using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  auto str = [&w](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  auto labels = [&](const char* key) {
    w.Key(key);
    w.StartObject();
    str("alertname", kAlertName);
    str("country", a.country);
    str("incident", std::to_string(a.outage_id));
    str("tag", a.tag);
    w.EndObject();
  };
  std::string countries;
  for (const auto& c : a.incident_countries) countries += (countries.empty() ? "" : " ") + c;
  const std::string summary = "Users in " + a.country + " report #" + a.tag;
  const std::string description =
      a.status == "firing"
          ? summary + " since " + FormatIsoTime(a.starts_at) + " (" + std::to_string(a.mentions) +
                " mentions so far, peak " + std::to_string(a.peak_count) + "/min); incident " +
                std::to_string(a.outage_id) + " countries: " + countries
          : "#" + a.tag + " in " + a.country + " is back to its baseline since " + FormatIsoTime(a.ends_at) + " (" +
                std::to_string(a.mentions) + " mentions in all)";
  const std::string generator = external_url + "#outage-" + std::to_string(a.outage_id);
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
