// Decides the country of a post from its evidence, strongest first: place country code,
// coordinates, profile location text, legacy time zone, instance domain, language. Evidence
// that names a place outside the watched countries decides "??" or that country, and
// weaker evidence cannot pull the post into a watched country.
#ifndef HASHMON_COUNTRY_LOCATOR_H_
#define HASHMON_COUNTRY_LOCATOR_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hashmon/post.h"

namespace hashmon {

enum class Method { kNone, kPlace, kCoords, kProfile, kTimezone, kDomain, kLang };

const char* MethodName(Method m);

struct Attribution {
  std::string country = "??";  // ISO 3166-1 alpha-2, or "??"
  Method method = Method::kNone;
};

// Whether `country` can be a country as the history names them: an ISO 3166-1 alpha-2 code
// (any case; "GB", not "UK") or "??" for posts no country was found for. (For users' filters
// and silences: anything else would match nothing.)
bool IsCountryKey(const std::string& country);

class CountryLocator {
 public:
  // Builds the locator from the data compiled into the binary.
  static std::unique_ptr<CountryLocator> FromEmbeddedData();
  ~CountryLocator();

  Attribution Locate(const CountryEvidence& evidence) const;

  // The steps, exposed for tests and `hashmon inspect`. Each returns nothing when the
  // evidence says nothing, "??" when it names a place that is not one known country.
  std::optional<std::string> FromCoordinates(GeoPoint p) const;
  std::optional<std::string> FromProfileLocation(std::string_view text) const;
  std::optional<std::string> FromTimeZone(std::string_view zone) const;
  static std::optional<std::string> FromDomain(std::string_view domain);
  static std::optional<std::string> FromLanguages(const std::vector<std::string>& langs);

  struct Data;

 private:
  explicit CountryLocator(std::unique_ptr<Data> data);
  std::optional<std::string> ProfileLocationUncached(std::string_view text) const;
  std::unique_ptr<Data> data_;
};

}  // namespace hashmon

#endif  // HASHMON_COUNTRY_LOCATOR_H_
