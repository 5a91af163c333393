#include "hashmon/country_locator.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <unordered_map>

#include "geo_index.h"
#include "hashmon/embedded_data.h"
#include "place_text.h"

namespace hashmon {

const char* MethodName(Method m) {
  switch (m) {
    case Method::kNone:
      return "none";
    case Method::kPlace:
      return "place";
    case Method::kCoords:
      return "coords";
    case Method::kProfile:
      return "profile";
    case Method::kTimezone:
      return "timezone";
    case Method::kDomain:
      return "domain";
    case Method::kLang:
      return "lang";
  }
  return "none";
}

namespace locator_internal {

// How strongly a gazetteer entry names its country. Codes count only as trailing tokens.
enum class Kind { kCode = 0, kCity = 1, kSubdivision = 2, kRegion = 3, kCountry = 4 };

struct Entry {
  std::string country;  // "??" for regions that span countries
  Kind kind;
  int64_t population;
};

constexpr double kSnapToCoastKm = 25.0;
constexpr int64_t kCityInsideTextMinPopulation = 100'000;
constexpr size_t kMaxNgram = 6;
constexpr double kDominantPopulationRatio = 5.0;
constexpr size_t kProfileCacheSize = 200'000;

std::vector<std::string_view> SplitTokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Per country, what one part of a location says about it.
struct Vote {
  Kind best_kind = Kind::kCode;
  int64_t population = 0;
  bool trailing_code = false;  // the part ends with a code of this country ("Birmingham AL")
};

}  // namespace locator_internal
using namespace locator_internal;

struct CountryLocator::Data {
  GeoIndex watched;  // 1:50m polygons of the watched countries
  GeoIndex world;    // 1:110m polygons of every country
  std::unordered_map<std::string, std::vector<Entry>> names;
  std::unordered_map<std::string, std::string> rails_zones;  // Rails name -> country
  std::unordered_map<std::string, std::string> iana_zones;   // IANA id -> country
  std::mutex cache_mu;
  std::unordered_map<std::string, std::optional<std::string>> profile_cache;

  void LoadGazetteer(std::string_view tsv);
  void LoadZones(std::string_view rails_json, std::string_view zone_tab);
  std::map<std::string, Vote> PartVotes(std::string_view raw_part, bool is_last_part) const;
};

// Calls fn for each line that is not empty and not a # comment.
template <typename Fn>
void ForEachDataLine(std::string_view text, Fn fn) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line[0] != '#') fn(line);
  }
}

void CountryLocator::Data::LoadGazetteer(std::string_view tsv) {
  ForEachDataLine(tsv, [&](std::string_view line) {
    if (line.substr(0, 5) == "name\t") return;
    std::string_view f[4];
    size_t start = 0;
    for (int k = 0; k < 4; ++k) {
      size_t tab = line.find('\t', start);
      f[k] =
          line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
      start = tab == std::string_view::npos ? line.size() : tab + 1;
    }
    std::string key = NormalizePlace(f[0]);
    if (key.empty()) return;
    Kind kind = f[2] == "country"       ? Kind::kCountry
                : f[2] == "region"      ? Kind::kRegion
                : f[2] == "subdivision" ? Kind::kSubdivision
                : f[2] == "city"        ? Kind::kCity
                                        : Kind::kCode;
    // Short names ("LA", "Rio", "QC") are too ambiguous inside text: codes only.
    if (key.size() <= 3 && kind != Kind::kCountry) kind = Kind::kCode;
    if (key.size() <= 3 && kind == Kind::kCountry && key.find(' ') == std::string::npos)
      kind = Kind::kCode;
    names[key].push_back({std::string(f[1]), kind, std::atoll(std::string(f[3]).c_str())});
  });
}

void CountryLocator::Data::LoadZones(std::string_view rails_json, std::string_view zone_tab) {
  ForEachDataLine(zone_tab, [&](std::string_view line) {
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1), t3 = line.find('\t', t2 + 1);
    if (t1 == std::string_view::npos || t2 == std::string_view::npos) return;
    iana_zones[std::string(
        line.substr(t2 + 1, t3 == std::string_view::npos ? std::string_view::npos : t3 - t2 - 1))] =
        std::string(line.substr(0, t1));
  });
  rapidjson::Document doc;
  doc.Parse(rails_json.data(), rails_json.size());
  if (doc.HasParseError() || !doc.HasMember("mapping")) return;
  // Map by the Rails name, not the IANA target: "Bern" once pointed at Europe/Berlin.
  for (const auto& m : doc["mapping"].GetObject()) {
    const auto& cz = m.value["country_zone_tab"];
    if (cz.IsString()) rails_zones[m.name.GetString()] = cz.GetString();
  }
}

std::map<std::string, Vote> CountryLocator::Data::PartVotes(std::string_view raw_part,
                                                            bool is_last_part) const {
  std::map<std::string, Vote> votes;
  auto vote = [&](const Entry& e) {
    Vote& v = votes[e.country];
    v.best_kind = std::max(v.best_kind, e.kind);
    v.population = std::max(v.population, e.population);
    if (e.kind == Kind::kCode) v.trailing_code = true;  // (codes vote only as trailing tokens)
  };
  for (const auto& flag : FlagCountries(raw_part)) vote({flag, Kind::kCountry, 0});
  const std::string norm = NormalizePlace(raw_part);
  const std::vector<std::string_view> tokens = SplitTokens(norm);
  size_t i = 0;
  while (i < tokens.size()) {
    size_t used = 1;
    for (size_t n = std::min(kMaxNgram, tokens.size() - i); n >= 1; --n) {
      const char* b = tokens[i].data();
      const char* e = tokens[i + n - 1].data() + tokens[i + n - 1].size();
      auto it = names.find(std::string(b, static_cast<size_t>(e - b)));
      if (it == names.end()) continue;
      const bool whole_part = n == tokens.size();
      const bool trailing = is_last_part && i + n == tokens.size();
      bool matched = false;
      for (const Entry& entry : it->second) {
        bool ok = false;
        switch (entry.kind) {
          case Kind::kCountry:
          case Kind::kRegion:
            ok = true;
            break;
          case Kind::kSubdivision:
            ok = whole_part || n >= 2 || (e - b) >= 6;
            break;
          case Kind::kCity:
            ok = whole_part || entry.population >= kCityInsideTextMinPopulation;
            break;
          case Kind::kCode:
            ok = trailing;
            break;
        }
        if (ok) {
          vote(entry);
          matched = true;
        }
      }
      if (matched) {
        used = n;
        break;
      }
    }
    i += used;
  }
  return votes;
}

namespace {

bool IsTwoLetterCode(const std::string& code) {
  return code.size() == 2 && std::isalpha(static_cast<unsigned char>(code[0])) &&
         std::isalpha(static_cast<unsigned char>(code[1]));
}

// The one country that a part both names a place in and ends with a code of, if exactly one
// is: "Birmingham AL", "London ON", "Newcastle NSW" (as "Birmingham, AL" does across parts).
std::optional<std::string> OnlyPlaceWithATrailingCode(const std::map<std::string, Vote>& votes) {
  std::optional<std::string> found;
  for (const auto& [cc, v] : votes) {
    if (!v.trailing_code || v.best_kind == Kind::kCode) continue;
    if (found) return std::nullopt;
    found = cc;
  }
  return found;
}

// Picks one country from a part's votes, or "??" when they disagree.
std::string Decide(const std::map<std::string, Vote>& votes) {
  if (votes.size() == 1) return votes.begin()->first;
  if (auto by_code = OnlyPlaceWithATrailingCode(votes)) return *by_code;
  // Prefer the strongest kind of evidence; among cities, a much bigger namesake wins.
  Kind top = Kind::kCode;
  for (const auto& [cc, v] : votes) top = std::max(top, v.best_kind);
  std::vector<std::pair<int64_t, std::string>> at_top;
  for (const auto& [cc, v] : votes) {
    if (v.best_kind == top) at_top.push_back({v.population, cc});
  }
  if (at_top.size() == 1) return at_top[0].second;
  std::sort(at_top.rbegin(), at_top.rend());
  if (top == Kind::kCity && at_top[0].first >= kDominantPopulationRatio * at_top[1].first) {
    return at_top[0].second;
  }
  return "??";
}

}  // namespace

CountryLocator::CountryLocator(std::unique_ptr<Data> data) : data_(std::move(data)) {}
CountryLocator::~CountryLocator() = default;

std::unique_ptr<CountryLocator> CountryLocator::FromEmbeddedData() {
  auto data = std::make_unique<Data>();
  data->watched.AddGeoJson(EmbeddedDataFile("countries/ne_50m_admin_0_seven_countries.geojson"),
                           false);
  data->world.AddGeoJson(EmbeddedDataFile("countries/ne_110m_admin_0_countries.geojson"), true);
  data->LoadGazetteer(EmbeddedDataFile("countries/gazetteer.tsv"));
  data->LoadZones(EmbeddedDataFile("countries/rails_timezones.json"),
                  EmbeddedDataFile("countries/zone.tab"));
  return std::unique_ptr<CountryLocator>(new CountryLocator(std::move(data)));
}

std::optional<std::string> CountryLocator::FromCoordinates(GeoPoint p) const {
  if (!(p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180)) return std::nullopt;
  if (p.lat == 0 && p.lon == 0) return std::nullopt;  // "null island": a missing fix
  std::string cc = data_->watched.Find(p.lat, p.lon);
  if (!cc.empty()) return cc;
  cc = data_->world.Find(p.lat, p.lon);
  if (!cc.empty()) return cc;
  // Coastal cities (Rio, Recife, Durban) can fall just outside a generalised coastline.
  cc = data_->watched.Nearest(p.lat, p.lon, kSnapToCoastKm);
  if (!cc.empty()) return cc;
  return std::nullopt;
}

std::optional<std::string> CountryLocator::FromProfileLocation(std::string_view text) const {
  // People write the same few thousand locations over and over: remember the answers.
  {
    std::lock_guard<std::mutex> lock(data_->cache_mu);
    auto it = data_->profile_cache.find(std::string(text));
    if (it != data_->profile_cache.end()) return it->second;
  }
  std::optional<std::string> result = ProfileLocationUncached(text);
  std::lock_guard<std::mutex> lock(data_->cache_mu);
  if (data_->profile_cache.size() >= kProfileCacheSize) data_->profile_cache.clear();
  data_->profile_cache.emplace(std::string(text), result);
  return result;
}

namespace {

// The country of a place named in part `last`, other than a country it names, which an
// earlier part names a place in: the state of "Atlanta, Georgia". Only one such country.
std::optional<std::string> StateNamedAfterTheCountry(
    const std::vector<std::map<std::string, Vote>>& votes, size_t last,
    const std::map<std::string, Vote>& countries) {
  std::optional<std::string> found;
  for (const auto& named : votes[last]) {
    const std::string& cc = named.first;
    if (countries.count(cc) > 0) continue;
    const bool earlier = std::any_of(votes.begin(), votes.begin() + static_cast<long>(last),
                                     [&cc](const auto& part) { return part.count(cc) > 0; });
    if (!earlier) continue;
    if (found) return std::nullopt;
    found = cc;
  }
  return found;
}

}  // namespace

std::optional<std::string> CountryLocator::ProfileLocationUncached(std::string_view text) const {
  const std::vector<std::string_view> parts = SplitPlaceParts(text);
  std::vector<std::map<std::string, Vote>> votes;
  for (size_t i = 0; i < parts.size(); ++i)
    votes.push_back(data_->PartVotes(parts[i], i + 1 == parts.size()));
  // 1. If the last part that names anything names a country (or shows a flag), it decides:
  //    "Paris, France". A country name earlier on does not override a later place. Unless
  //    that name is also a state elsewhere, and the place before it is there: "Atlanta,
  //    Georgia" is in the United States, "Tbilisi, Georgia" in Georgia.
  for (size_t i = votes.size(); i-- > 0;) {
    if (votes[i].empty()) continue;
    std::map<std::string, Vote> countries;
    for (const auto& [cc, v] : votes[i]) {
      if (v.best_kind == Kind::kCountry) countries[cc] = v;
    }
    if (countries.empty()) break;
    if (auto state = StateNamedAfterTheCountry(votes, i, countries)) return *state;
    return Decide(countries);
  }
  // 2. A country that several parts agree on ("Maceió, AL": a city and a state code).
  std::map<std::string, int> agreement;
  for (const auto& part : votes) {
    for (const auto& [cc, v] : part) {
      if (cc != "??") ++agreement[cc];
    }
  }
  std::string best;
  int best_count = 1;
  bool tie = false;
  for (const auto& [cc, n] : agreement) {
    if (n > best_count) {
      best = cc;
      best_count = n;
      tie = false;
    } else if (n == best_count && !best.empty()) {
      tie = true;
    }
  }
  if (!best.empty() && !tie) return best;
  // 3. Otherwise the last part that names anything decides, or says "??" if ambiguous.
  for (size_t i = votes.size(); i-- > 0;) {
    if (!votes[i].empty()) return Decide(votes[i]);
  }
  return std::nullopt;
}

std::optional<std::string> CountryLocator::FromTimeZone(std::string_view zone) const {
  if (zone.empty()) return std::nullopt;
  // Rails names for regions rather than cities: users across many countries picked them.
  static const char* kRegional[] = {"West Central Africa",
                                    "Central America",
                                    "Mid-Atlantic",
                                    "International Date Line West",
                                    "UTC",
                                    "Greenwich"};
  for (const char* r : kRegional) {
    if (zone == r) return std::nullopt;
  }
  auto it = data_->rails_zones.find(std::string(zone));
  if (it != data_->rails_zones.end()) return it->second;
  auto iana = data_->iana_zones.find(std::string(zone));
  if (iana != data_->iana_zones.end()) return iana->second;
  return std::nullopt;
}

std::optional<std::string> CountryLocator::FromDomain(std::string_view domain) {
  while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string tld(domain.substr(dot + 1));
  for (char& c : tld) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (tld.size() != 2) return std::nullopt;
  // Country domains sold as generic names say nothing about where their users live.
  static const char* kGenericUse[] = {"io",  "co", "me", "tv", "ai", "fm", "gg", "ly",
                                      "to",  "cc", "ws", "la", "am", "sh", "so", "is",
                                      "im",  "st", "vc", "nu", "tk", "ac", "eu", "su",
                                      "xyz", "id", "ms", "mu", "re", "ch", "at"};
  for (const char* g : kGenericUse) {
    if (tld == g) return std::nullopt;
  }
  if (tld == "uk") return std::string("GB");
  for (char& c : tld) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return tld;
}

std::optional<std::string> CountryLocator::FromLanguages(const std::vector<std::string>& langs) {
  // Only languages spoken (on social media) in essentially one country decide anything:
  // pt, de, en and af are shared and say nothing alone.
  static const std::pair<const char*, const char*> kSingleCountry[] = {
      {"lt", "LT"}, {"tl", "PH"}, {"fil", "PH"}, {"zu", "ZA"}, {"xh", "ZA"},
      {"lg", "UG"}, {"ja", "JP"}, {"ko", "KR"},  {"th", "TH"}};
  std::optional<std::string> found;
  for (const auto& full : langs) {
    std::string lang = full.substr(0, full.find_first_of("-_"));
    for (char& c : lang) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [code, cc] : kSingleCountry) {
      if (lang != code) continue;
      if (found && *found != cc) return std::nullopt;  // languages disagree
      found = cc;
    }
  }
  return found;
}

Attribution CountryLocator::Locate(const CountryEvidence& e) const {
  auto decided = [](std::string cc, Method m) {
    Attribution a;
    a.country = std::move(cc);
    a.method = m;
    return a;
  };
  // A place's code is two letters; anything else in that field is no evidence (and must
  // not become a "country" in the history, the metrics and the reports).
  if (IsTwoLetterCode(e.place_country_code)) {
    std::string cc = e.place_country_code;
    for (char& c : cc) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return decided(cc == "UK" ? "GB" : cc, Method::kPlace);
  }
  if (e.coordinates) {
    if (auto cc = FromCoordinates(*e.coordinates)) return decided(*cc, Method::kCoords);
  }
  if (!e.profile_location.empty()) {
    if (auto cc = FromProfileLocation(e.profile_location)) return decided(*cc, Method::kProfile);
  }
  if (auto cc = FromTimeZone(e.time_zone)) return decided(*cc, Method::kTimezone);
  if (auto cc = FromDomain(e.domain)) return decided(*cc, Method::kDomain);
  if (auto cc = FromLanguages(e.languages)) return decided(*cc, Method::kLang);
  return Attribution{};
}

bool IsCountryKey(const std::string& country) {
  if (country == "??") return true;
  if (!IsTwoLetterCode(country)) return false;
  // Every ISO 3166-1 country has its names in the gazetteer, whose second column is the
  // code: "UK" (which people write for GB) and "XX" are in no row.
  std::string column = "\t" + country + "\t";
  for (char& c : column) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return EmbeddedDataFile("countries/gazetteer.tsv").find(column) != std::string_view::npos;
}

}  // namespace hashmon
