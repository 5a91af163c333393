// A silence, as Alertmanager has them: for a stretch of wall-clock time (maintenance, an
// incident already known), the webhook alerts that match it are not sent. Detection, the
// history and the dashboard are not affected.
#ifndef HASHMON_SILENCE_H_
#define HASHMON_SILENCE_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hashmon {

struct Silence {
  std::string tag;      // a watched tag; empty: every tag
  std::string country;  // an ISO code such as BR, or ?? for unattributed; empty: every country
  int64_t from_ms = INT64_MIN;
  int64_t until_ms = INT64_MAX;
  std::string comment;  // why, for the log
};

// Whether `silence` covers an alert for (tag, country) at `now_ms` (tags and countries
// compare in any case).
bool Covers(const Silence& silence, const std::string& tag, const std::string& country,
            int64_t now_ms);

// The first of `silences` that covers the alert, or null.
const Silence* FindSilence(const std::vector<Silence>& silences, const std::string& tag,
                           const std::string& country, int64_t now_ms);

// Reads one silence from a config object:
//   {"tag": "twitterdown", "country": "BR", "from": "2026-12-03T00:00:00Z",
//    "until": "2026-12-03T06:00:00Z", "comment": "planned maintenance"}
// "until" is required (a silence that never ends hides outages for good); the others are
// optional. Returns false with *error saying what to fix.
bool ParseSilence(const rapidjson::Value& value, Silence* silence, std::string* error);

// "BR until 2026-12-03T06:00:00Z (planned maintenance)": for logs.
std::string DescribeSilence(const Silence& silence);

}  // namespace hashmon

#endif  // HASHMON_SILENCE_H_
