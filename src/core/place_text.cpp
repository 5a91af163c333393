#include "place_text.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace hashmon {

namespace {

bool AllAscii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// What NormalizePlace gives for ASCII text, without ICU: NFKD leaves ASCII as it is, ASCII
// has no marks or format characters, and its letters and digits are its alphanumerics.
// Most gazetteer names and profile locations are ASCII, and ICU's round trip through UTF-16
// is most of what building the locator costs at start-up.
std::string NormalizeAsciiPlace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (const char c : text) {
    if (c == '\'') continue;
    const bool upper = c >= 'A' && c <= 'Z';
    if (upper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back(upper ? static_cast<char>(c - 'A' + 'a') : c);
    } else {
      pending_space = true;
    }
  }
  return out;
}

}  // namespace

std::string NormalizePlace(std::string_view text) {
  if (AllAscii(text)) return NormalizeAsciiPlace(text);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status)) return {};
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
  s = nfkd->normalize(s, status);
  s.foldCase();
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (int32_t i = 0; i < s.length();) {
    const UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    const int8_t type = u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR) continue;
    if (c == '\'' || c == 0x2019) continue;  // "Kaua'i", "O’Neill": apostrophes join
    if (u_isalnum(c) || type == U_COMBINING_SPACING_MARK) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      char utf8[U8_MAX_LENGTH];
      int32_t length = 0;
      U8_APPEND_UNSAFE(utf8, length, c);
      out.append(utf8, static_cast<size_t>(length));
    } else {
      pending_space = true;
    }
  }
  return out;
}

std::vector<std::string_view> SplitPlaceParts(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  auto flush = [&](size_t end) {
    if (end > start) parts.push_back(text.substr(start, end - start));
  };
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t sep_len = 0;
    if (c == ',' || c == '/' || c == '|' || c == ';' || c == '(' || c == ')' || c == '[' ||
        c == ']' || c == '\n' || c == '\\' ||
        (c == '-' && i > 0 && i + 1 < text.size() && text[i - 1] == ' ' && text[i + 1] == ' ')) {
      sep_len = 1;
    } else if (text.compare(i, 3, "\xE2\x80\xA2") == 0 || text.compare(i, 3, "\xE2\x80\x93") == 0 ||
               text.compare(i, 3, "\xE2\x80\x94") == 0) {  // • – —
      sep_len = 3;
    } else if (text.compare(i, 2, "\xC2\xB7") == 0) {  // ·
      sep_len = 2;
    }
    if (sep_len) {
      flush(i);
      i += sep_len;
      start = i;
    } else {
      ++i;
    }
  }
  flush(text.size());
  return parts;
}

std::vector<std::string> FlagCountries(std::string_view text) {
  std::vector<std::string> out;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  UChar32 prev = -1;
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    const bool regional = c >= 0x1F1E6 && c <= 0x1F1FF;
    if (regional && prev >= 0) {
      out.push_back(
          {static_cast<char>('A' + (prev - 0x1F1E6)), static_cast<char>('A' + (c - 0x1F1E6))});
      prev = -1;
    } else {
      prev = regional ? c : -1;
    }
  }
  return out;
}

}  // namespace hashmon
