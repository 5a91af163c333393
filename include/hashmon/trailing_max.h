// The largest value seen within a trailing horizon of time, in amortised O(1) a value: the
// detector's bars ("more surprising / more volume than anything in the last N hours").
#ifndef HASHMON_TRAILING_MAX_H_
#define HASHMON_TRAILING_MAX_H_

#include <cstdint>
#include <deque>
#include <iosfwd>
#include <string>
#include <utility>

namespace hashmon {

class TrailingMax {
 public:
  // Values come in time order. A value no larger than a later one can never be the maximum
  // again, so only a decreasing run of (time, value) pairs is kept.
  void Add(int64_t t_ms, double value);
  // Drops what lies before t_ms, for good.
  void ForgetBefore(int64_t t_ms);
  // The largest value added at or after t_ms, or `none`.
  double MaxSince(int64_t t_ms, double none) const;

  // As text, for the detector's saved state: " n t v t v ...".
  void Write(std::string* out) const;
  void Read(std::istream& in);

 private:
  std::deque<std::pair<int64_t, double>> entries_;
};

}  // namespace hashmon

#endif  // HASHMON_TRAILING_MAX_H_
