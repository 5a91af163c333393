#include "hashmon/trailing_max.h"

#include <istream>

#include "hashmon/state_text.h"

namespace hashmon {

void TrailingMax::Add(int64_t t_ms, double value) {
  while (!entries_.empty() && entries_.back().second <= value) entries_.pop_back();
  entries_.emplace_back(t_ms, value);
}

void TrailingMax::ForgetBefore(int64_t t_ms) {
  while (!entries_.empty() && entries_.front().first < t_ms) entries_.pop_front();
}

double TrailingMax::MaxSince(int64_t t_ms, double none) const {
  for (const auto& [t, value] : entries_)
    if (t >= t_ms) return value;  // the first one since is the largest
  return none;
}

void TrailingMax::Write(std::string* out) const {
  StateText text(out);
  text << entries_.size();
  for (const auto& [t, value] : entries_) text << t << value;
}

void TrailingMax::Read(std::istream& in) {
  size_t n = 0;
  in >> n;
  entries_.clear();
  for (size_t i = 0; i < n && in; ++i) {
    int64_t t;
    double value;
    in >> t >> value;
    entries_.emplace_back(t, value);
  }
}

}  // namespace hashmon
