// Splits a buffer into newline-terminated lines for the pipeline, optionally only the
// lines the pre-filter flags. Shared by replay (files) and the collector (streams).
#ifndef HASHMON_FEED_LINE_SCAN_H_
#define HASHMON_FEED_LINE_SCAN_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "hashmon/prefilter.h"

namespace hashmon {

// Calls fn(line, length) for each complete line of data[0, len) (the '\n' excluded, and,
// when data is writable, so is the line: the caller may put a NUL there), or, with a
// filter, only for lines holding a candidate. Returns the bytes consumed: everything
// through the last newline.
template <typename Char, typename Fn>
size_t ScanLines(Char* data, size_t len, const Prefilter* filter, Fn fn) {
  const char* last_nl = static_cast<const char*>(memrchr(data, '\n', len));
  if (!last_nl) return 0;
  const size_t complete = static_cast<size_t>(last_nl - data) + 1;
  size_t pos = 0;
  while (pos < complete) {
    size_t start = pos, from = pos;
    if (filter) {
      from = pos + filter->FindCandidate(data + pos, complete - pos);
      if (from >= complete) break;
      const char* before = static_cast<const char*>(memrchr(data + pos, '\n', from - pos));
      start = before ? static_cast<size_t>(before - data) + 1 : pos;
    }
    const size_t end = static_cast<size_t>(
        static_cast<const char*>(std::memchr(data + from, '\n', complete - from)) - data);
    fn(data + start, end - start);
    pos = end + 1;
  }
  return complete;
}

// The number of '\n' in data[0, len): memchr is vectorised, a byte loop is not.
inline int64_t CountNewlines(const char* data, size_t len) {
  int64_t n = 0;
  for (const char* end = data + len;
       (data = static_cast<const char*>(std::memchr(data, '\n', end - data))); ++data) {
    ++n;
  }
  return n;
}

// The same as ScanLines with a filter, but from candidates found beforehand (one per
// line, as Prefilter::FindPerLine gives them), at data + origin + candidate.
template <typename Fn>
size_t ScanCandidateLines(char* data, size_t len, const std::vector<int64_t>& candidates,
                          int64_t origin, Fn fn) {
  const char* last_nl = static_cast<const char*>(memrchr(data, '\n', len));
  if (!last_nl) return 0;
  const size_t complete = static_cast<size_t>(last_nl - data) + 1;
  size_t pos = 0;
  for (const int64_t c : candidates) {
    const int64_t at_signed = origin + c;
    if (at_signed < static_cast<int64_t>(pos))
      continue;  // a line already done, or before this buffer
    const size_t at = static_cast<size_t>(at_signed);
    if (at >= complete) break;
    const char* before = static_cast<const char*>(memrchr(data + pos, '\n', at - pos));
    const size_t start = before ? static_cast<size_t>(before - data) + 1 : pos;
    const size_t end = static_cast<size_t>(
        static_cast<const char*>(std::memchr(data + at, '\n', complete - at)) - data);
    fn(data + start, end - start);
    pos = end + 1;
  }
  return complete;
}

}  // namespace hashmon

#endif  // HASHMON_FEED_LINE_SCAN_H_
