// libFuzzer target: any bytes as one feed record, with and without an SSE event name.
// Besides memory errors and undefined behaviour, it stops where a decoded post could not be
// counted right: a post needs an id (de-duplication keys on it) and an event time (its
// minute), and a record that is not a post says why (the reason its counter is named by).
#include <cstdint>
#include <string>

#include "hashmon/decoder.h"
#include "hashmon/html_text.h"

namespace {

void Check(const hashmon::Record& r) {
  if (r.reason == nullptr) __builtin_trap();
  if (r.kind == hashmon::RecordKind::kPost && (r.post.id.empty() || r.post.created_at <= 0))
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static hashmon::Decoder decoder;
  std::string buf(reinterpret_cast<const char*>(data), size);
  Check(decoder.Decode(buf.data(), buf.size()));
  buf.assign(reinterpret_cast<const char*>(data), size);
  Check(decoder.Decode(buf.data(), buf.size(), "update"));
  hashmon::HtmlToText(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
