// libFuzzer target: hashtag extraction, tag keys and the pre-filter on arbitrary bytes.
#include <cstdint>
#include <string_view>

#include "hashmon/hashtag_extractor.h"
#include "hashmon/prefilter.h"
#include "hashmon/tag_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& m : hashmon::ExtractHashtags(text)) {
    if (m.begin >= m.end || m.end > size) __builtin_trap();
    hashmon::TagKey(m.tag);
  }
  static const hashmon::WatchedTags tags({"twitterdown"});
  static const hashmon::Prefilter filter(tags);
  for (size_t pos = 0; pos < size;) {
    const size_t hit = pos + filter.FindCandidate(text.data() + pos, size - pos);
    if (hit > size) __builtin_trap();
    pos = hit + 1;
  }
  return 0;
}
