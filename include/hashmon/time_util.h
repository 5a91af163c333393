// Parsing and formatting of the timestamps the feeds carry. All times are UTC.
#ifndef HASHMON_TIME_UTIL_H_
#define HASHMON_TIME_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hashmon {

constexpr int64_t kMillisPerMinute = 60'000;
constexpr int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr int64_t kMillisPerDay = 24 * kMillisPerHour;

// "2016-01-19T08:15:00Z", "2016-01-19T08:15:00.123+00:00", "2016-01-19 08:15:00",
// "2016-01-19" (midnight). Returns milliseconds since the epoch.
std::optional<int64_t> ParseIsoTime(std::string_view text);

// X v1.1 created_at: "Tue Jan 19 08:15:00 +0000 2016".
std::optional<int64_t> ParseTwitterTime(std::string_view text);

// Accepts ISO 8601, a time relative to now_ms ("-2h", "-30m", "-7d" before it; "+2h"
// after it), or epoch seconds.
std::optional<int64_t> ParseUserTime(std::string_view text, int64_t now_ms);

// "90s", "2m", "1h", "1d", "250ms" (a bare number is seconds) -> milliseconds.
std::optional<int64_t> ParseDuration(const std::string& text);

// "2016-01-19T08:15:00Z" (seconds precision; milliseconds are dropped).
std::string FormatIsoTime(int64_t millis);

// A span rounded up, for people: "1 min", "7 min", "3 h", "2 d".
std::string FormatSpan(int64_t millis);

// Floor to the start of the minute.
inline int64_t MinuteOf(int64_t millis) {
  int64_t m = millis / kMillisPerMinute;
  if (millis < 0 && millis % kMillisPerMinute != 0) --m;
  return m * kMillisPerMinute;
}

// The starts of the first and last whole minutes inside [from_ms, to_ms) (first > last
// when none is): the minutes a gap leaves unwatched from start to end.
inline std::pair<int64_t, int64_t> WholeMinutesWithin(int64_t from_ms, int64_t to_ms) {
  return {MinuteOf(from_ms + kMillisPerMinute - 1), MinuteOf(to_ms) - kMillisPerMinute};
}

// Days since epoch for a civil date and back (Howard Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace hashmon

#endif  // HASHMON_TIME_UTIL_H_
