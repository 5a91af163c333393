#include "hashmon/prefilter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hashmon {
namespace {

constexpr size_t kMinNeedle = 3;

// Characters whose case folds or canonical equivalents include non-ASCII code points
// (K: KELVIN SIGN; s: LONG S, and "ss" from sharp s) cannot be searched for as ASCII.
bool Searchable(char c) {
  return ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') && c != 'k' && c != 's';
}

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsNoCase(const char* p, const std::string& needle) {
  for (size_t i = 0; i < needle.size(); ++i) {
    if (Lower(p[i]) != needle[i]) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "\u00XX" where XX is an ASCII letter, digit, '#' or '_'.
bool IsAsciiEscape(const char* p, size_t left) {
  if (left < 6 || p[1] != 'u' || p[2] != '0' || p[3] != '0') return false;
  const int hi = HexValue(p[4]), lo = HexValue(p[5]);
  if (hi < 0 || lo < 0) return false;
  const char c = static_cast<char>(hi * 16 + lo);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '_';
}

}  // namespace

Prefilter::Prefilter(const WatchedTags& tags) {
  for (const auto& key : tags.keys()) {
    std::string best, run;
    for (char c : key + '\0') {
      if (Searchable(c)) {
        run.push_back(c);
      } else {
        if (run.size() > best.size()) best = run;
        run.clear();
      }
    }
    if (best.size() < kMinNeedle) {
      enabled_ = false;
      needles_.clear();
      return;
    }
    needles_.push_back(best);
  }
  // Delete notices never carry the tag but must reach the store (they remove evidence).
  needles_.push_back("delete\"");
}

size_t Prefilter::FindNeedle(const std::string& needle, const char* p, size_t n) const {
  const size_t m = needle.size();
  if (n < m) return n;
  const size_t last = n - m;  // last valid start
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i first = _mm_set1_epi8(needle[0]);
  const __m128i final = _mm_set1_epi8(needle[m - 1]);
  const __m128i case_bit = _mm_set1_epi8(0x20);
  for (; i + 16 <= last + 1; i += 16) {
    const __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), case_bit);
    const __m128i b =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + m - 1)), case_bit);
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
    while (mask) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctz(mask));
      if (EqualsNoCase(p + i + bit, needle)) return i + bit;
      mask &= mask - 1;
    }
  }
#endif
  for (; i <= last; ++i) {
    if (Lower(p[i]) == needle[0] && EqualsNoCase(p + i, needle)) return i;
  }
  return n;
}

size_t Prefilter::FindEscape(const char* p, size_t n) const {
  const char* q = p;
  const char* end = p + n;
  while ((q = static_cast<const char*>(std::memchr(q, '\\', static_cast<size_t>(end - q)))) != nullptr) {
    if (IsAsciiEscape(q, static_cast<size_t>(end - q))) return static_cast<size_t>(q - p);
    q += (q + 1 < end && q[1] == '\\') ? 2 : 1;  // an escaped backslash escapes nothing
  }
  return n;
}

Prefilter::Scanner::Scanner(const Prefilter& filter, const char* p, size_t n)
    : filter_(filter), p_(p), n_(n), next_(filter.needles_.size() + 1, SIZE_MAX) {}

size_t Prefilter::Scanner::Next(size_t from) {
  if (!filter_.enabled_) return from;
  size_t best = n_;
  for (size_t k = 0; k < next_.size(); ++k) {
    if (next_[k] == SIZE_MAX || next_[k] < from) {
      const bool escape = k == filter_.needles_.size();
      next_[k] = from + (escape ? filter_.FindEscape(p_ + from, n_ - from)
                                : filter_.FindNeedle(filter_.needles_[k], p_ + from, n_ - from));
    }
    best = std::min(best, next_[k]);
  }
  return best;
}

size_t Prefilter::FindCandidate(const char* p, size_t n) const {
  if (!enabled_) return 0;
  size_t best = FindEscape(p, n);
  for (const auto& needle : needles_) best = std::min(best, FindNeedle(needle, p, best));
  return best;
}

}  // namespace hashmon
