#include "hashmon/hashtag_extractor.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace hashmon {
namespace {

struct Span {
  size_t begin, end;
};

bool IsHashSign(UChar32 c) { return c == '#' || c == 0xFF03; }

// twitter-text: \p{L}\p{M} make a hashtag "alpha"; these plus \p{Nd} and a short list
// of joiners and marks make up the body.
bool IsHashtagAlpha(UChar32 c) {
  if (c < 0) return false;
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0;
}

bool IsHashtagChar(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  if ((U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0) return true;
  switch (c) {
    case 0x200C:
    case 0x200D:
    case 0xA67E:
    case 0x05BE:
    case 0x05F3:
    case 0x05F4:
    case 0xFF5E:
    case 0x301C:
    case 0x309B:
    case 0x309C:
    case 0x30A0:
    case 0x30FB:
    case 0x3003:
    case 0x0F0B:
    case 0x0F0C:
    case 0x00B7:
      return true;
    default:
      return false;
  }
}

UChar32 DecodeAt(std::string_view s, size_t i, size_t* next) {
  int32_t pos = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), pos, static_cast<int32_t>(s.size()), c);
  *next = static_cast<size_t>(pos);
  return c;
}

UChar32 DecodeBefore(std::string_view s, size_t i) {
  if (i == 0) return U_SENTINEL;
  int32_t pos = static_cast<int32_t>(i);
  UChar32 c;
  U8_PREV(reinterpret_cast<const uint8_t*>(s.data()), 0, pos, c);
  return c;
}

bool IsSpace(UChar32 c) { return c >= 0 && (u_isUWhiteSpace(c) || c == 0x200B); }

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool StartsWithNoCase(std::string_view s, size_t i, const char* prefix) {
  size_t n = std::strlen(prefix);
  if (i + n > s.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[k]) return false;
  }
  return true;
}

// Generic top-level domains that twitter-text links without a protocol. Two-letter
// country domains are linked only when a path follows ("t.co/abc").
bool IsGenericTld(std::string_view tld) {
  static const std::array<const char*, 40> kTlds = {
      "com",  "net",  "org",  "edu",  "gov",  "mil",    "int",    "info",   "biz",   "name",
      "pro",  "aero", "asia", "cat",  "coop", "jobs",   "mobi",   "museum", "tel",   "travel",
      "xxx",  "app",  "dev",  "io",   "xyz",  "online", "site",   "store",  "tech",  "blog",
      "news", "live", "club", "shop", "top",  "link",   "social", "media",  "today", "world"};
  std::string lower(tld);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return std::find_if(kTlds.begin(), kTlds.end(), [&](const char* t) { return lower == t; }) !=
         kTlds.end();
}

bool IsUrlPrecedingOk(std::string_view s, size_t i) {
  if (i == 0) return true;
  const char p = s[i - 1];
  if (IsAsciiAlnum(p) || p == '@' || p == '$' || p == '#' || p == '.' || p == '-' || p == '_') {
    return false;
  }
  const UChar32 c = DecodeBefore(s, i);
  return c != 0xFF03 && c != 0xFF20;
}

// Length of a domain ("www.example.com") starting at i, or 0. Sets *tld to its last label.
size_t DomainLength(std::string_view s, size_t i, std::string_view* tld) {
  size_t j = i, labels = 0, label_start = i;
  while (true) {
    size_t k = j;
    while (k < s.size() && (IsAsciiAlnum(s[k]) || s[k] == '-' || s[k] == '_')) ++k;
    if (k == j) break;
    ++labels;
    label_start = j;
    j = k;
    if (j + 1 < s.size() && s[j] == '.' && IsAsciiAlnum(s[j + 1])) {
      ++j;
      continue;
    }
    break;
  }
  if (labels < 2) return 0;
  *tld = s.substr(label_start, j - label_start);
  return j - i;
}

// Byte ranges of URLs, found the way twitter-text finds them closely enough to drop
// hashtags inside them: a protocol URL, or a domain with a known TLD, up to whitespace.
std::vector<Span> FindUrls(std::string_view s) {
  std::vector<Span> urls;
  size_t i = 0;
  while (i < s.size()) {
    size_t next;
    const UChar32 c = DecodeAt(s, i, &next);
    if (IsSpace(c)) {
      i = next;
      continue;
    }
    size_t run_end = i;
    while (run_end < s.size()) {
      size_t n;
      if (IsSpace(DecodeAt(s, run_end, &n))) break;
      run_end = n;
    }
    for (size_t p = i; p < run_end; ++p) {
      if (!IsUrlPrecedingOk(s, p)) continue;
      size_t host = p;
      if (StartsWithNoCase(s, p, "https://"))
        host = p + 8;
      else if (StartsWithNoCase(s, p, "http://"))
        host = p + 7;
      std::string_view tld;
      const size_t len = DomainLength(s, host, &tld);
      if (len == 0) continue;
      const size_t after = host + len;
      const bool has_protocol = host != p;
      const bool path_follows = after < run_end && s[after] == '/';
      const bool boundary = after == run_end || !IsAsciiAlnum(s[after]);
      const bool cc_tld = tld.size() == 2 && IsAsciiAlnum(tld[0]) &&
                          !std::isdigit(static_cast<unsigned char>(tld[0]));
      if (has_protocol || (boundary && (IsGenericTld(tld) || (cc_tld && path_follows)))) {
        urls.push_back({p, run_end});
        break;
      }
    }
    i = run_end;
  }
  return urls;
}

}  // namespace

std::vector<HashtagMatch> ExtractHashtags(std::string_view text) {
  std::vector<HashtagMatch> out;
  std::vector<Span> urls;
  bool urls_found = false;
  size_t i = 0;
  while (i < text.size()) {
    // Skip to the next possible hash sign: '#' or 0xEF, the first byte of U+FF03.
    while (i < text.size() && text[i] != '#' && static_cast<uint8_t>(text[i]) != 0xEF) ++i;
    if (i == text.size()) break;
    const size_t hash_pos = i;
    size_t body_start;
    const UChar32 hash = DecodeAt(text, hash_pos, &body_start);
    i = body_start;
    if (!IsHashSign(hash)) continue;

    const UChar32 before = DecodeBefore(text, hash_pos);
    if (hash_pos > 0 && before != 0xFE0E && before != 0xFE0F &&
        (IsHashtagChar(before) || before == '&')) {
      continue;
    }
    size_t first_next;
    const UChar32 first =
        body_start < text.size() ? DecodeAt(text, body_start, &first_next) : U_SENTINEL;
    if (first == 0xFE0F || first == 0x20E3) continue;  // keycap emoji "#️⃣", not a hashtag
    size_t end = body_start;
    bool has_alpha = false;
    while (end < text.size()) {
      size_t n;
      const UChar32 c = DecodeAt(text, end, &n);
      if (!IsHashtagChar(c)) break;
      has_alpha = has_alpha || IsHashtagAlpha(c);
      end = n;
    }
    if (end == body_start) continue;
    i = end;
    if (!has_alpha) continue;
    size_t after_next;
    const UChar32 after = end < text.size() ? DecodeAt(text, end, &after_next) : U_SENTINEL;
    if (IsHashSign(after) || text.substr(end, 3) == "://") continue;
    if (!urls_found) {
      urls = FindUrls(text);
      urls_found = true;
    }
    const bool in_url = std::any_of(
        urls.begin(), urls.end(), [&](const Span& u) { return hash_pos < u.end && end > u.begin; });
    if (in_url) continue;
    out.push_back({hash_pos, end, text.substr(body_start, end - body_start)});
  }
  return out;
}

std::vector<std::string> ExtractHashtagStrings(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& m : ExtractHashtags(text)) out.emplace_back(m.tag);
  return out;
}

}  // namespace hashmon
