// Normalisation of place names for matching: NFKD, accents removed, case folded, and
// everything that is not a letter or digit turned into a single space.
#ifndef HASHMON_CORE_PLACE_TEXT_H_
#define HASHMON_CORE_PLACE_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace hashmon {

// "São Paulo-SP" -> "sao paulo sp".
std::string NormalizePlace(std::string_view text);

// Splits a location into its parts ("Rio de Janeiro - RJ, Brasil" -> 3 parts), keeping
// the raw text of each part.
std::vector<std::string_view> SplitPlaceParts(std::string_view text);

// ISO codes of the flag emoji (regional indicator pairs) in text, in order.
std::vector<std::string> FlagCountries(std::string_view text);

}  // namespace hashmon

#endif  // HASHMON_CORE_PLACE_TEXT_H_
