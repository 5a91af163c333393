#include "hashmon/prefilter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace hashmon {
namespace {

constexpr size_t kMinNeedle = 3;

bool IsTagAscii(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Which bytes of a tag's key a post's text must hold as they are. A key is folded in full
// (TagKey), so some of its ASCII letters may stand for a non-ASCII character of the post
// (Unicode's CaseFolding.txt, as ICU has it; a test checks every code point):
// - K (KELVIN SIGN) keys as k, and sharp s and long s as s or ss: never searched for;
// - the ligatures ff, fi, fl, ffi, ffl and st key as those letters: an f, an i or l after
//   an f, and a t after an s are not;
// - I WITH DOT ABOVE keys as i and a combining dot, N PRECEDED BY APOSTROPHE as an
//   apostrophe and n, A WITH RIGHT HALF RING as a and a half ring: a letter next to a
//   non-ASCII byte is not.
std::vector<bool> SearchableBytes(const std::string& key) {
  std::vector<bool> searchable(key.size());
  auto ascii_at = [&](size_t i) { return static_cast<unsigned char>(key[i]) < 0x80; };
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const char before = i > 0 ? key[i - 1] : '\0';
    const bool by_non_ascii =
        (i > 0 && !ascii_at(i - 1)) || (i + 1 < key.size() && !ascii_at(i + 1));
    searchable[i] = IsTagAscii(c) && c != 'k' && c != 's' && c != 'f' &&
                    !(before == 'f' && (c == 'i' || c == 'l')) && !(before == 's' && c == 't') &&
                    !by_non_ascii;
  }
  return searchable;
}

// The longest run of searchable bytes in a key.
std::string LongestSearchableRun(const std::string& key) {
  const std::vector<bool> searchable = SearchableBytes(key);
  std::string best, run;
  for (size_t i = 0; i <= key.size(); ++i) {
    if (i < key.size() && searchable[i]) {
      run.push_back(key[i]);
    } else {
      if (run.size() > best.size()) best = run;
      run.clear();
    }
  }
  return best;
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
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
         c == '_';
}

// An escaped backslash ("\\u0041") escapes nothing: count the backslashes before p.
bool EscapeStartsHere(const char* begin, const char* p, size_t left) {
  size_t run = 0;
  while (p - run > begin && p[-1 - static_cast<ptrdiff_t>(run)] == '\\') ++run;
  return run % 2 == 0 && IsAsciiEscape(p, left);
}

}  // namespace

// Verifies a position flagged by a vector pass: a whole needle or an ASCII escape.
bool Prefilter::IsCandidateAt(const char* begin, const char* p, size_t left) const {
  if (*p == '\\') return EscapeStartsHere(begin, p, left);
  for (const auto& needle : needles_) {
    if (needle.size() <= left && EqualsNoCase(p, needle)) return true;
  }
  return false;
}

size_t Prefilter::FindScalar(const char* p, size_t n, size_t from) const {
  for (size_t i = from; i < n; ++i) {
    const char c = Lower(p[i]);
    if (c == '\\' || std::find(firsts_.begin(), firsts_.end(), c) != firsts_.end()) {
      if (IsCandidateAt(p, p + i, n - i)) return i;
    }
  }
  return n;
}

#if defined(__x86_64__)
// One pass over 32-byte blocks: for each needle, its first two bytes and its last must
// match at their distances; a backslash may start an escape. Both sides are folded the same
// way (the case bit set), which takes '_' (0x5F) to 0x7F: a needle folded on one side only
// misses "_down", the needle of #aws_down. Candidates are verified.
__attribute__((target("avx2"))) size_t Prefilter::FindAvx2(const char* p, size_t n) const {
  const size_t reach = std::max<size_t>(max_needle_, 3) - 1 + 32;
  const __m256i case_bit = _mm256_set1_epi8(0x20);
  const __m256i backslash = _mm256_set1_epi8('\\');
  size_t i = 0;
  const __m256i letter_u = _mm256_set1_epi8('u');
  const __m256i digit_0 = _mm256_set1_epi8('0');
  for (; i + reach <= n; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 1));
    const __m256i a2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 2));
    const __m256i a_folded = _mm256_or_si256(a, case_bit);
    const __m256i a1_folded = _mm256_or_si256(a1, case_bit);
    // "\u0": the only escapes that can spell an ASCII character.
    const __m256i escape = _mm256_and_si256(
        _mm256_cmpeq_epi8(a, backslash),
        _mm256_and_si256(_mm256_cmpeq_epi8(a1, letter_u), _mm256_cmpeq_epi8(a2, digit_0)));
    uint32_t mask = static_cast<uint32_t>(_mm256_movemask_epi8(escape));
    for (size_t k = 0; k < needles_.size(); ++k) {
      const size_t m = needles_[k].size();
      const __m256i b = _mm256_or_si256(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + m - 1)), case_bit);
      const __m256i hit = _mm256_and_si256(
          _mm256_and_si256(
              _mm256_cmpeq_epi8(a_folded,
                                _mm256_set1_epi8(static_cast<char>(needles_[k][0] | 0x20))),
              _mm256_cmpeq_epi8(a1_folded,
                                _mm256_set1_epi8(static_cast<char>(needles_[k][1] | 0x20)))),
          _mm256_cmpeq_epi8(b, _mm256_set1_epi8(static_cast<char>(needles_[k][m - 1] | 0x20))));
      mask |= static_cast<uint32_t>(_mm256_movemask_epi8(hit));
    }
    while (mask) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (IsCandidateAt(p, p + at, n - at)) return at;
      mask &= mask - 1;
    }
  }
  return FindScalar(p, n, i);
}

// The same test on 64-byte blocks, where AVX-512BW is available. The needles' bytes are
// broadcast once, outside the loop (loads through `p` may alias them, so the compiler
// would otherwise reload them for every block).
__attribute__((target("avx512bw"))) size_t Prefilter::FindAvx512(const char* p, size_t n) const {
  const size_t reach = std::max<size_t>(max_needle_, 3) - 1 + 64;
  constexpr size_t kMax = 8;
  if (needles_.size() > kMax) return FindAvx2(p, n);
  __m512i first[kMax], second[kMax], last[kMax];
  size_t last_at[kMax];
  const size_t count = needles_.size();
  for (size_t k = 0; k < count; ++k) {
    const size_t m = needles_[k].size();
    first[k] = _mm512_set1_epi8(static_cast<char>(needles_[k][0] | 0x20));
    second[k] = _mm512_set1_epi8(static_cast<char>(needles_[k][1] | 0x20));
    last[k] = _mm512_set1_epi8(static_cast<char>(needles_[k][m - 1] | 0x20));
    last_at[k] = m - 1;
  }
  const __m512i case_bit = _mm512_set1_epi8(0x20);
  const __m512i backslash = _mm512_set1_epi8('\\');
  const __m512i letter_u = _mm512_set1_epi8('u');
  const __m512i digit_0 = _mm512_set1_epi8('0');
  size_t i = 0;
  for (; i + reach <= n; i += 64) {
    const __m512i a = _mm512_loadu_si512(p + i);
    const __m512i a1 = _mm512_loadu_si512(p + i + 1);
    const __m512i a_folded = _mm512_or_si512(a, case_bit);
    const __m512i a1_folded = _mm512_or_si512(a1, case_bit);
    uint64_t mask = _mm512_cmpeq_epi8_mask(a, backslash) & _mm512_cmpeq_epi8_mask(a1, letter_u);
    if (mask) mask &= _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p + i + 2), digit_0);
    for (size_t k = 0; k < count; ++k) {
      const uint64_t head =
          _mm512_cmpeq_epi8_mask(a_folded, first[k]) & _mm512_cmpeq_epi8_mask(a1_folded, second[k]);
      if (head) {
        const __m512i b = _mm512_or_si512(_mm512_loadu_si512(p + i + last_at[k]), case_bit);
        mask |= head & _mm512_cmpeq_epi8_mask(b, last[k]);
      }
    }
    while (mask) {
      const size_t at = i + static_cast<size_t>(__builtin_ctzll(mask));
      if (IsCandidateAt(p, p + at, n - at)) return at;
      mask &= mask - 1;
    }
  }
  return FindScalar(p, n, i);
}
#endif

Prefilter::Prefilter(const WatchedTags& tags) {
  for (const auto& key : tags.keys()) {
    std::string best = LongestSearchableRun(key);
    if (best.size() < kMinNeedle) {
      enabled_ = false;
      needles_.clear();
      return;
    }
    needles_.push_back(best);
  }
  // Delete notices never carry the tag but must reach the store (they remove evidence).
  needles_.push_back("delete\"");
  for (const auto& n : needles_) {
    firsts_.push_back(n[0]);
    max_needle_ = std::max(max_needle_, n.size());
  }
  UsePath(Path::kFastest);
}

bool Prefilter::Supports(Path path) {
  switch (path) {
    case Path::kFastest:
    case Path::kScalar:
      return true;
#if defined(__x86_64__)
    case Path::kAvx2:
      return __builtin_cpu_supports("avx2");
    case Path::kAvx512:
      return __builtin_cpu_supports("avx512bw");
#else
    case Path::kAvx2:
    case Path::kAvx512:
      return false;
#endif
  }
  return false;
}

void Prefilter::UsePath(Path path) {
  use_avx512_ = (path == Path::kFastest || path == Path::kAvx512) && Supports(Path::kAvx512);
  use_avx2_ = (path == Path::kFastest || path == Path::kAvx2) && Supports(Path::kAvx2);
}

void Prefilter::FindPerLine(const char* p, size_t n, int64_t base,
                            std::vector<int64_t>* out) const {
  size_t pos = 0;
  while (pos < n) {
    const size_t off = FindCandidate(p + pos, n - pos);
    if (off >= n - pos) return;
    const size_t at = pos + off;
    out->push_back(base + static_cast<int64_t>(at));
    const void* nl = std::memchr(p + at, '\n', n - at);
    if (!nl) return;
    pos = static_cast<size_t>(static_cast<const char*>(nl) - p) + 1;
  }
}

size_t Prefilter::FindCandidate(const char* p, size_t n) const {
  if (!enabled_) return 0;
#if defined(__x86_64__)
  if (use_avx512_) return FindAvx512(p, n);
  if (use_avx2_) return FindAvx2(p, n);
#endif
  return FindScalar(p, n, 0);
}

}  // namespace hashmon
