// Routes one line of a stream to the pipeline, understanding Server-Sent Events framing
// (Mastodon): "event:" names the "data:" lines that follow, ":" lines are comments
// (the ":thump" heartbeat) and a blank line ends an event. Lines of plain NDJSON pass
// straight through. Shared by replay (recordings) and collect (live SSE streams).
#ifndef HASHMON_FEED_SSE_FRAMER_H_
#define HASHMON_FEED_SSE_FRAMER_H_

#include <string>
#include <string_view>

#include "hashmon/pipeline.h"

namespace hashmon {

class SseFramer {
 public:
  // `line` is writable and has room for a NUL at line[len]. Returns true when the line
  // carried a record for the pipeline (not framing, a comment or a keep-alive).
  bool OnLine(char* line, size_t len, bool unterminated, Pipeline* pipeline) {
    if (len > 0 && line[len - 1] == '\r') --len;
    line[len] = '\0';
    std::string_view view(line, len);
    if (view.empty()) {
      event_.clear();  // a blank line ends an SSE event (and is an X keep-alive)
      return false;
    }
    if (view[0] != '{') {
      if (StartsWith(view, "event:")) {
        view.remove_prefix(6);
        while (!view.empty() && view[0] == ' ') view.remove_prefix(1);
        event_.assign(view);
        return false;
      }
      if (StartsWith(view, "data:")) {
        const size_t skip = 5 + (len > 5 && line[5] == ' ');
        pipeline->OnRecord(line + skip, len - skip, event_, unterminated);
        return true;
      }
      if (view[0] == ':') return false;  // SSE comment
    }
    pipeline->OnRecord(line, len, {}, unterminated);
    return true;
  }

  void Reset() { event_.clear(); }
  const std::string& event() const { return event_; }

 private:
  static bool StartsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
  }
  std::string event_;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_SSE_FRAMER_H_
