#include "hashmon/time_util.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace hashmon {
namespace {

bool ReadDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// A count in a relative time or a duration has at most this many digits, so that the count
// times a day in milliseconds stays far from int64_t's limit.
constexpr size_t kMaxCountDigits = 9;

// Reads the digits from `pos` into `out`; returns how many there were, or 0 when there were
// none or more than kMaxCountDigits.
size_t ReadCount(std::string_view s, size_t pos, int64_t* out) {
  int64_t v = 0;
  size_t i = pos;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (i - pos == kMaxCountDigits) return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return i - pos;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

// A day that exists: 2016-02-30 is no date (it read as 2016-03-01).
bool ValidDate(int y, int mo, int d) {
  if (y < 1970 || y >= 3000 || mo < 1 || mo > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !ReadDigits(s, 5, 2, &mo) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &d) || !ValidDate(y, mo, d)) {
    return std::nullopt;
  }
  size_t pos = 10;
  int64_t millis = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ' || s[pos] == 't')) {
    if (!ReadDigits(s, pos + 1, 2, &h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &mi)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!ReadDigits(s, pos + 1, 2, &sec)) return std::nullopt;
      pos += 3;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (digits < 3) millis = millis * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (; digits < 3; ++digits) millis *= 10;
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om = 0;
      const int sign = s[pos] == '-' ? -1 : 1;
      if (!ReadDigits(s, pos + 1, 2, &oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!ReadDigits(s, pos, 2, &om)) return std::nullopt;
        pos += 2;
      }
      offset_min = sign * (oh * 60 + om);
    }
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(y, mo, d);
  const int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return seconds * 1000 + millis;
}

std::optional<int64_t> ParseTwitterTime(std::string_view s) {
  // "Tue Jan 19 08:15:00 +0000 2016"
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 30) return std::nullopt;
  int mo = 0;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(4, 3) == kMonths[i]) mo = i + 1;
  }
  int d, h, mi, sec, off, y;
  if (mo == 0 || !ReadDigits(s, 8, 2, &d) || !ReadDigits(s, 11, 2, &h) ||
      !ReadDigits(s, 14, 2, &mi) || !ReadDigits(s, 17, 2, &sec) || !ReadDigits(s, 21, 4, &off) ||
      !ReadDigits(s, 26, 4, &y) || !ValidDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  const int sign = s[20] == '-' ? -1 : 1;
  const int64_t offset_s = sign * ((off / 100) * 3600 + (off % 100) * 60);
  return (DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s) * 1000;
}

std::optional<int64_t> ParseUserTime(std::string_view text, int64_t now_ms) {
  if (text.empty()) return std::nullopt;
  if ((text[0] == '-' || text[0] == '+') && text.size() >= 3) {
    int64_t n = 0;
    const size_t digits = ReadCount(text, 1, &n);
    if (digits == 0 || digits + 2 != text.size()) return std::nullopt;
    const char unit = text.back();
    const int64_t per = unit == 'm'   ? 60'000
                        : unit == 'h' ? 3'600'000
                        : unit == 'd' ? 86'400'000
                                      : 0;
    if (per == 0) return std::nullopt;
    return text[0] == '-' ? now_ms - n * per : now_ms + n * per;
  }
  if (auto iso = ParseIsoTime(text)) return iso;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits && text.size() <= 12) return std::stoll(std::string(text)) * 1000;
  return std::nullopt;
}

std::string FormatSpan(int64_t millis) {
  const int64_t minutes = std::max<int64_t>(1, (millis + 59'999) / 60'000);
  if (minutes < 120) return std::to_string(minutes) + " min";
  if (minutes < 48 * 60) return std::to_string(minutes / 60) + " h";
  return std::to_string(minutes / (24 * 60)) + " d";
}

std::string FormatIsoTime(int64_t millis) {
  int64_t secs = millis / 1000;
  if (millis < 0 && millis % 1000 != 0) --secs;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

std::optional<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int64_t n = 0;
  const size_t digits = ReadCount(text, 0, &n);
  if (digits == 0) return std::nullopt;
  const std::string unit = text.substr(digits);
  if (unit == "ms") return n;
  if (unit == "s" || unit.empty()) return n * 1000;
  if (unit == "m" || unit == "min") return n * 60'000;
  if (unit == "h") return n * 3'600'000;
  if (unit == "d") return n * 86'400'000;
  return std::nullopt;
}

}  // namespace hashmon
