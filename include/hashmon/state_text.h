// Appends numbers to saved state as text, each after a space, the way an ostream with
// precision 17 would read back (`>>`), but with std::to_chars: the shortest text that reads
// back as the same value, several times faster than an ostream. The detector saves every
// firing series' state each minute, so this is on replay's hot path.
#ifndef HASHMON_STATE_TEXT_H_
#define HASHMON_STATE_TEXT_H_

#include <charconv>
#include <string>

namespace hashmon {

class StateText {
 public:
  explicit StateText(std::string* out) : out_(out) {}

  template <typename Number>
  StateText& operator<<(Number value) {
    char buf[32];
    out_->push_back(' ');
    out_->append(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
    return *this;
  }
  StateText& operator<<(bool value) { return *this << static_cast<int>(value); }

 private:
  std::string* out_;
};

}  // namespace hashmon

#endif  // HASHMON_STATE_TEXT_H_
