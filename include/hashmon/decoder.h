// Turns one record (a line, an SSE event or a WebSocket message) of any supported feed
// format into a Post, a delete notice, or a counted reason for skipping it. The format
// is detected per record, so one file may mix them.
#ifndef HASHMON_DECODER_H_
#define HASHMON_DECODER_H_

#include <memory>
#include <string>
#include <string_view>

#include "hashmon/post.h"

namespace hashmon {

// The byte-order mark Windows tools write at the start of a UTF-8 file: no part of its first
// record.
inline constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

enum class RecordKind {
  kPost,     // a post (it may or may not carry a watched tag)
  kDelete,   // a post was deleted: remove its stored text
  kNotice,   // a recognised control message (limit, disconnect, keep-alive, edit ...)
  kIgnored,  // a recognised message that is not a post (likes, identity events ...)
  kError,    // malformed or unknown; `reason` says which
};

struct Record {
  RecordKind kind = RecordKind::kError;
  // Short, stable label for counters: "x_limit", "malformed_json", "unknown_message" ...
  const char* reason = "";
  Post post;  // kPost: the post. kDelete: source and id of the deleted post.
};

class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes `text`, which must be writable and followed by a NUL byte at text[len]:
  // the parse is in situ and reuses one arena across calls. `sse_event` is the SSE event
  // name ("update", "delete", "status.update") when the record came from an SSE stream.
  Record Decode(char* text, size_t len, std::string_view sse_event = {});

  // Same, for callers that hold a const string: copies it first.
  Record DecodeCopy(std::string_view text, std::string_view sse_event = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// When Jetstream saw an event, in microseconds (the resume cursor), or 0: v1's first
// "time_us" member, or v2's "witnessedAt" (else "time"), which v2 reads as a time cursor
// too. Found without parsing, so that events the pre-filter skips still move the cursor.
int64_t JetstreamTimeUs(std::string_view event);

}  // namespace hashmon

#endif  // HASHMON_DECODER_H_
