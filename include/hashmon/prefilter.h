// A byte-level pre-filter that finds the records which may carry a watched tag, so that
// replay parses only those. It must never miss one: it matches case-insensitively each
// tag's longest ASCII run that a post must hold as it is (not a letter that a ligature, a
// Kelvin sign or a long s may stand for: a key is folded in full), and any JSON escape of
// an ASCII letter, digit or '#' ("\u0023", "\u0074"), since such a record could spell the
// tag in escapes.
#ifndef HASHMON_PREFILTER_H_
#define HASHMON_PREFILTER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hashmon/tag_key.h"

namespace hashmon {

class Prefilter {
 public:
  // How candidates are searched for. Every path finds the same candidates; kFastest is the
  // widest vector path the CPU supports. (The others exist so that tests and the fuzzer can
  // check each path on any machine whose CPU has it: the AVX2 path is the one that runs on
  // a CPU without AVX-512.)
  enum class Path { kFastest, kScalar, kAvx2, kAvx512 };

  explicit Prefilter(const WatchedTags& tags);

  // Whether this CPU can run `path`.
  static bool Supports(Path path);
  // Searches with `path` from now on (one the CPU supports; see Supports).
  void UsePath(Path path);

  // False when some watched tag has no ASCII run long enough to search for; then every
  // record must be parsed.
  bool enabled() const { return enabled_; }

  // The offset in [0, n) of the first byte of a possible match in p[0, n), or n if none.
  // The caller parses the whole record (line) around that offset.
  size_t FindCandidate(const char* p, size_t n) const;

  // True if a record may carry a watched tag (the same test, for one record).
  bool MayMatch(const char* p, size_t n) const { return !enabled_ || FindCandidate(p, n) < n; }

  const std::vector<std::string>& needles() const { return needles_; }

  // The most bytes one match spans: a scan of consecutive buffers that carries this many
  // bytes minus one from the end of each to the start of the next misses nothing.
  size_t max_match_bytes() const { return std::max<size_t>(max_needle_, 6); }

  // Appends to *out the offset (plus `base`) of one candidate per line of p[0, n): after
  // a candidate, the search goes on after the end of its line.
  void FindPerLine(const char* p, size_t n, int64_t base, std::vector<int64_t>* out) const;

 private:
  bool IsCandidateAt(const char* begin, const char* p, size_t left) const;
  size_t FindScalar(const char* p, size_t n, size_t from) const;
  size_t FindAvx2(const char* p, size_t n) const;
  size_t FindAvx512(const char* p, size_t n) const;

  bool enabled_ = true;
  bool use_avx2_ = false;
  bool use_avx512_ = false;
  std::vector<std::string> needles_;  // lower case ASCII
  std::vector<char> firsts_;
  size_t max_needle_ = 0;
};

}  // namespace hashmon

#endif  // HASHMON_PREFILTER_H_
