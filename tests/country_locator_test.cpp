// Country attribution: strongest evidence first; a named place abroad blocks weaker hints.
#include "hashmon/country_locator.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

class CountryLocatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { locator_ = CountryLocator::FromEmbeddedData().release(); }
  static void TearDownTestSuite() { delete locator_; }

  std::string Profile(const std::string& text) {
    return locator_->FromProfileLocation(text).value_or("-");
  }
  std::string Coords(double lat, double lon) {
    return locator_->FromCoordinates({lat, lon}).value_or("-");
  }

  static CountryLocator* locator_;
};
CountryLocator* CountryLocatorTest::locator_ = nullptr;

TEST_F(CountryLocatorTest, PlaceCountryCodeWinsOverEverything) {
  CountryEvidence e;
  e.place_country_code = "ph";
  e.profile_location = "London";
  Attribution a = locator_->Locate(e);
  EXPECT_EQ(a.country, "PH");
  EXPECT_EQ(a.method, Method::kPlace);
}

TEST_F(CountryLocatorTest, APlaceCodeThatIsNotTwoLettersIsNoEvidence) {
  // Hostile or broken place fields must not become "countries" in the history.
  for (const char* code : {"\x1b[", "1!", "??", "*A", "\xC3\xA9"}) {
    CountryEvidence e;
    e.place_country_code = code;
    e.profile_location = "London";
    const Attribution a = locator_->Locate(e);
    EXPECT_EQ(a.country, "GB") << code;
    EXPECT_EQ(a.method, Method::kProfile) << code;
  }
}

TEST_F(CountryLocatorTest, CoordinatesInsideTheWatchedCountries) {
  EXPECT_EQ(Coords(-23.55, -46.63), "BR");  // São Paulo
  EXPECT_EQ(Coords(14.6, 120.98), "PH");    // Manila
  EXPECT_EQ(Coords(51.5, -0.12), "GB");     // London
  EXPECT_EQ(Coords(0.35, 32.58), "UG");     // Kampala
  EXPECT_EQ(Coords(52.52, 13.40), "DE");    // Berlin
  EXPECT_EQ(Coords(-26.2, 28.05), "ZA");    // Johannesburg
  EXPECT_EQ(Coords(54.69, 25.28), "LT");    // Vilnius
}

TEST_F(CountryLocatorTest, CoastalCitiesSnapToTheNearestWatchedCountry) {
  EXPECT_EQ(Coords(-22.91, -43.17), "BR");  // Rio, just off the 1:50m coast
  EXPECT_EQ(Coords(-8.05, -34.88), "BR");   // Recife
  EXPECT_EQ(Coords(-29.86, 31.03), "ZA");   // Durban
}

TEST_F(CountryLocatorTest, CoordinatesAbroadDecideTheOtherCountry) {
  EXPECT_EQ(Coords(48.86, 2.35), "FR");    // Paris (ISO_A2 is -99 in Natural Earth)
  EXPECT_EQ(Coords(-29.31, 27.48), "LS");  // Maseru: Lesotho is a hole in ZA
  EXPECT_EQ(Coords(40.71, -74.0), "US");
  EXPECT_EQ(Coords(0, 0), "-");      // no fix
  EXPECT_EQ(Coords(-40, -30), "-");  // open sea
}

TEST_F(CountryLocatorTest, ProfileLocationsAsPeopleWriteThem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"São Paulo", "BR"},
      {"sao paulo", "BR"},
      {"Rio de Janeiro - RJ", "BR"},
      {"Belo Horizonte, MG", "BR"},
      {"Brasil 🇧🇷", "BR"},
      {"Salvador, Bahia", "BR"},
      {"Sampa", "BR"},
      {"Recife, PE", "BR"},
      {"Manila", "PH"},
      {"Quezon City, Philippines", "PH"},
      {"Pilipinas", "PH"},
      {"Caloocan", "PH"},
      {"Cebu", "PH"},
      {"🇵🇭", "PH"},
      {"London", "GB"},
      {"London, England", "GB"},
      {"Manchester UK", "GB"},
      {"Glasgow, Scotland", "GB"},
      {"Cardiff, Wales", "GB"},
      {"United Kingdom", "GB"},
      {"Kampala", "UG"},
      {"Kampala, Uganda 🇺🇬", "UG"},
      {"Entebbe", "UG"},
      {"Berlin", "DE"},
      {"München", "DE"},
      {"Muenchen", "DE"},
      {"Köln, Deutschland", "DE"},
      {"Deutschland", "DE"},
      {"Johannesburg", "ZA"},
      {"Joburg", "ZA"},
      {"Jozi", "ZA"},
      {"Cape Town, South Africa", "ZA"},
      {"Durban, KZN", "ZA"},
      {"Mzansi", "ZA"},
      {"Pretoria, Gauteng", "ZA"},
      {"Vilnius", "LT"},
      {"Kaunas, Lietuva", "LT"},
      {"Klaipėda", "LT"},
      {"Lithuania", "LT"},
  };
  for (const auto& [text, cc] : cases) EXPECT_EQ(Profile(text), cc) << text;
}

TEST_F(CountryLocatorTest, PlacesAbroadAreNotPulledIntoWatchedCountries) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Paris, France", "FR"},
      {"Birmingham, AL", "US"},
      {"London, Ontario", "CA"},
      {"New York, NY", "US"},
      {"Lagos, Nigeria", "NG"},
      {"Nairobi", "KE"},
      {"Lisboa, Portugal", "PT"},
      {"Wien", "AT"},
      {"Perth", "AU"},
      {"Toronto", "CA"},
      {"Texas, USA", "US"},
      {"Europe", "??"},
      {"Dover, DE", "??"},
      {"SA", "??"},
  };
  for (const auto& [text, cc] : cases) EXPECT_EQ(Profile(text), cc) << text;
}

// A city name that several countries share is decided by size only when one namesake is far
// bigger; a code written after it, with or without a comma, says which one is meant.
TEST_F(CountryLocatorTest, ACodeAfterACityNameSaysWhichNamesakeItIs) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Birmingham", "GB"},     {"Birmingham AL", "US"},
      {"Birmingham, AL", "US"}, {"London ON", "CA"},
      {"Newcastle", "??"},      {"Newcastle NSW", "AU"},
      {"Newcastle, KZN", "ZA"}, {"Newcastle upon Tyne", "GB"},
      {"Newcastle, UK", "GB"},  {"San Jose", "??"},  // California's and Costa Rica's
      {"San Jose, CA", "US"},   {"San Jose, Batangas", "PH"},
      {"Alexandria", "EG"},     {"Alexandria, VA", "US"},
      {"Perth WA", "AU"},       {"Cambridge MA", "US"},
  };
  for (const auto& [text, cc] : cases) EXPECT_EQ(Profile(text), cc) << text;
}

// The gazetteer knows the big cities abroad that share a name with a watched country's city,
// so that a small namesake in a watched country does not take their people in.
TEST_F(CountryLocatorTest, AWatchedCountrysSmallTownDoesNotTakeInItsBigNamesakeAbroad) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Richmond", "??"},  // Virginia's and British Columbia's, beside a town in ZA
      {"Richmond, VA", "US"}, {"Sacramento", "US"},  // beside a town in Minas Gerais
      {"Macau", "MO"},        {"Blantyre", "MW"},
      {"Halifax", "??"},      {"Halifax, England", "GB"},
      {"Santa Maria", "??"},  {"Santa Maria, RS", "BR"},
  };
  for (const auto& [text, cc] : cases) EXPECT_EQ(Profile(text), cc) << text;
}

// Georgia is a country and a US state: the place before it tells which.
TEST_F(CountryLocatorTest, ACountryThatIsAlsoAStateElsewhereIsReadByThePlaceBeforeIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Atlanta, Georgia", "US"}, {"Tbilisi, Georgia", "GE"}, {"Georgia", "GE"},
      {"Georgia, USA", "US"},     {"Athens, Georgia", "GE"},  // Athens is in Greece, which says
                                                              // neither
  };
  for (const auto& [text, cc] : cases) EXPECT_EQ(Profile(text), cc) << text;
}

TEST_F(CountryLocatorTest, CountriesInTheirOwnLanguagesAndTheirTimeZoneCities) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Magyarország", "HU"}, {"日本", "JP"},      {"Россия", "RU"},     {"Polska", "PL"},
      {"Sverige", "SE"},      {"Україна", "UA"},   {"Aotearoa", "NZ"},   {"대한민국", "KR"},
      {"Bucharest", "RO"},    {"București", "RO"}, {"Москва", "RU"},     {"東京", "JP"},
      {"Dhaka", "BD"},        {"Tehran", "IR"},    {"Casablanca", "MA"}, {"Budapest", "HU"},
      {"Beirut", "LB"},       {"Tashkent", "UZ"},  {"Tel Aviv", "IL"},   {"Hà Nội", "VN"},
  };
  for (const auto& [text, cc] : cases) EXPECT_EQ(Profile(text), cc) << text;
}

TEST_F(CountryLocatorTest, PlaceNamesThatAreEverydayWordsSayNothing) {
  // Iceland is "Island" in German and "Ísland" in Icelandic, Kazakhstan has a city Oral, and
  // Poland is "Pole" in Afrikaans: none of them decides anything.
  for (const char* text : {"island", "Staten Island", "Oral", "North Pole", "Christmas", "Easter"})
    EXPECT_EQ(Profile(text), "-") << text;
  EXPECT_EQ(Profile("Long Island, NY"), "US");
}

TEST_F(CountryLocatorTest, NonPlacesSayNothing) {
  for (const char* text :
       {"", "Earth", "everywhere", "in my head", "she/her", "🌈✨", "somewhere over the rainbow"}) {
    EXPECT_EQ(Profile(text), "-") << text;
  }
}

TEST_F(CountryLocatorTest, NamedPlaceAbroadBlocksWeakerEvidence) {
  CountryEvidence e;
  e.profile_location = "Paris, France";
  e.time_zone = "Brasilia";
  e.languages = {"lt"};
  Attribution a = locator_->Locate(e);
  EXPECT_EQ(a.country, "FR");
  EXPECT_EQ(a.method, Method::kProfile);
  e.profile_location = "Europe";
  EXPECT_EQ(locator_->Locate(e).country, "??");
}

TEST_F(CountryLocatorTest, LegacyTimeZoneByRailsName) {
  EXPECT_EQ(locator_->FromTimeZone("Brasilia").value_or("-"), "BR");
  EXPECT_EQ(locator_->FromTimeZone("London").value_or("-"), "GB");
  EXPECT_EQ(locator_->FromTimeZone("Pretoria").value_or("-"), "ZA");
  EXPECT_EQ(locator_->FromTimeZone("Vilnius").value_or("-"), "LT");
  EXPECT_EQ(locator_->FromTimeZone("Bern").value_or("-"), "CH");  // once pointed at Berlin
  EXPECT_EQ(locator_->FromTimeZone("Nairobi").value_or("-"), "KE");
  EXPECT_EQ(locator_->FromTimeZone("America/Sao_Paulo").value_or("-"), "BR");
  EXPECT_EQ(locator_->FromTimeZone("West Central Africa").value_or("-"), "-");
}

TEST_F(CountryLocatorTest, DomainsAndLanguages) {
  EXPECT_EQ(CountryLocator::FromDomain("mastodon.com.br").value_or("-"), "BR");
  EXPECT_EQ(CountryLocator::FromDomain("social.example.co.uk").value_or("-"), "GB");
  EXPECT_EQ(CountryLocator::FromDomain("mastodon.social").value_or("-"), "-");
  EXPECT_EQ(CountryLocator::FromDomain("fosstodon.io").value_or("-"), "-");
  EXPECT_EQ(CountryLocator::FromLanguages({"lt"}).value_or("-"), "LT");
  EXPECT_EQ(CountryLocator::FromLanguages({"tl"}).value_or("-"), "PH");
  EXPECT_EQ(CountryLocator::FromLanguages({"pt"}).value_or("-"), "-");
  EXPECT_EQ(CountryLocator::FromLanguages({"de"}).value_or("-"), "-");
  EXPECT_EQ(CountryLocator::FromLanguages({"af"}).value_or("-"), "-");
  EXPECT_EQ(CountryLocator::FromLanguages({"lt", "tl"}).value_or("-"), "-");
}

TEST_F(CountryLocatorTest, NoEvidenceIsUnattributed) {
  Attribution a = locator_->Locate(CountryEvidence{});
  EXPECT_EQ(a.country, "??");
  EXPECT_EQ(a.method, Method::kNone);
}

}  // namespace
}  // namespace hashmon
