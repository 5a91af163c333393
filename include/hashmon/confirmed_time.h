// The newest event time a stream has shown, robust to a post with a wrong clock.
#ifndef HASHMON_CONFIRMED_TIME_H_
#define HASHMON_CONFIRMED_TIME_H_

#include <algorithm>
#include <array>
#include <cstdint>

namespace hashmon {

// The median of the last three event times seen (the older of two, before a third): one
// post stamped a year ahead cannot move it, and a real jump (a reconnect after a gap) is
// taken once a second post confirms it. In a stream in time order it trails the newest by
// one post.
class ConfirmedTime {
 public:
  // Sees one more event time; returns the confirmed newest (INT64_MIN before two).
  int64_t See(int64_t event_ms) {
    last_[next_] = event_ms;
    next_ = (next_ + 1) % last_.size();
    const int64_t a = last_[0], b = last_[1], c = last_[2];  // unfilled: INT64_MIN
    return std::max(std::min(a, b), std::min(std::max(a, b), c));
  }

 private:
  std::array<int64_t, 3> last_{INT64_MIN, INT64_MIN, INT64_MIN};
  size_t next_ = 0;
};

}  // namespace hashmon

#endif  // HASHMON_CONFIRMED_TIME_H_
