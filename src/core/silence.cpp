#include "hashmon/silence.h"

#include <algorithm>
#include <cctype>

#include "hashmon/country_locator.h"
#include "hashmon/tag_key.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

bool SameText(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Reads an optional string member; false if it is there but not a string.
bool OptionalString(const rapidjson::Value& v, const char* name, std::string* out) {
  if (!v.HasMember(name)) return true;
  if (!v[name].IsString()) return false;
  *out = v[name].GetString();
  return true;
}

}  // namespace

bool Covers(const Silence& s, const std::string& tag, const std::string& country, int64_t now_ms) {
  return now_ms >= s.from_ms && now_ms < s.until_ms && (s.tag.empty() || SameText(s.tag, tag)) &&
         (s.country.empty() || SameText(s.country, country));
}

const Silence* FindSilence(const std::vector<Silence>& silences, const std::string& tag,
                           const std::string& country, int64_t now_ms) {
  for (const auto& s : silences) {
    if (Covers(s, tag, country, now_ms)) return &s;
  }
  return nullptr;
}

bool ParseSilence(const rapidjson::Value& v, Silence* s, std::string* error) {
  const std::string example =
      R"( (e.g. {"country": "BR", "until": "2026-12-03T06:00:00Z", "comment": "maintenance"}))";
  if (!v.IsObject()) {
    *error = "a silence is an object" + example;
    return false;
  }
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    if (key != "tag" && key != "country" && key != "from" && key != "until" && key != "comment") {
      *error = "a silence has no setting \"" + key + "\": use tag, country, from, until, comment";
      return false;
    }
  }
  std::string from, until;
  if (!OptionalString(v, "tag", &s->tag) || !OptionalString(v, "country", &s->country) ||
      !OptionalString(v, "from", &from) || !OptionalString(v, "until", &until) ||
      !OptionalString(v, "comment", &s->comment)) {
    *error = "a silence's settings are strings" + example;
    return false;
  }
  if (!s->tag.empty()) s->tag = TagKey(s->tag[0] == '#' ? s->tag.substr(1) : s->tag);
  if (!s->country.empty() && !IsCountryKey(s->country)) {
    *error =
        "a silence's country is an ISO 3166 code such as BR or GB (not UK), or ?? for posts with "
        "no country; not \"" +
        s->country + "\"";
    return false;
  }
  for (char& c : s->country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (until.empty()) {
    *error = "a silence needs \"until\", when it ends" + example;
    return false;
  }
  const auto until_ms = ParseIsoTime(until);
  const auto from_ms = from.empty() ? std::optional<int64_t>(INT64_MIN) : ParseIsoTime(from);
  if (!until_ms || !from_ms) {
    *error = "a silence's from and until are ISO 8601 times such as 2026-12-03T06:00:00Z, not \"" +
             (until_ms ? from : until) + "\"";
    return false;
  }
  if (*until_ms <= *from_ms) {
    *error = "a silence ends (" + until + ") before it begins (" + from + ")";
    return false;
  }
  s->from_ms = *from_ms;
  s->until_ms = *until_ms;
  return true;
}

std::string DescribeSilence(const Silence& s) {
  std::string text = s.tag.empty() ? std::string() : "#" + s.tag + " ";
  text += s.country.empty() ? "every country" : s.country;
  text += " until " + FormatIsoTime(s.until_ms);
  if (!s.comment.empty()) text += " (" + s.comment + ")";
  return text;
}

}  // namespace hashmon
