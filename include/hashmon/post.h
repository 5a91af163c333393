// A post as the core sees it, whatever feed it came from.
#ifndef HASHMON_POST_H_
#define HASHMON_POST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashmon {

// Posts from sources that share an id space share a SourceKind: X v1.1 and v2 are one.
enum class SourceKind { kX, kBluesky, kMastodon };

const char* SourceKindName(SourceKind kind);
// The inverse of SourceKindName; unknown names are X.
SourceKind SourceKindFromName(const std::string& name);

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// Everything a post says about where its author is, strongest first.
struct CountryEvidence {
  std::string place_country_code;  // ISO alpha-2 from the feed's place object
  std::optional<GeoPoint> coordinates;
  std::string profile_location;  // free text the user typed
  std::string time_zone;         // legacy X user.time_zone (Rails name or IANA id)
  std::string domain;            // Mastodon instance domain or Bluesky handle
  std::vector<std::string> languages;
};

struct Post {
  SourceKind source = SourceKind::kX;
  std::string id;          // unique within source (X id_str, at:// path, Mastodon uri)
  int64_t created_at = 0;  // event time, milliseconds since the Unix epoch
  std::string text;
  // Tags as written, without '#'. When has_structured_tags is false the decoder found
  // no structured tags and the matcher extracts them from text.
  std::vector<std::string> hashtags;
  bool has_structured_tags = false;
  // Bluesky: tags from the text only when the record has no facets at all.
  bool extract_from_text = false;
  CountryEvidence evidence;
};

}  // namespace hashmon

#endif  // HASHMON_POST_H_
