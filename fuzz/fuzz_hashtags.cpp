// libFuzzer target: hashtag extraction, tag keys and the pre-filter on arbitrary bytes.
// Besides memory errors and undefined behaviour, it stops where a promise breaks:
// - matches lie in the text, in order, without overlap; each is a hash sign ('#' or the
//   fullwidth U+FF03) followed by its tag, a non-empty view of the text, in valid UTF-8
//   (invalid bytes are never tag characters);
// - a tag on its own ("#" + tag) is that one tag: what makes a tag does not depend on the
//   text around it, only whether it counts;
// - a tag's key is its own key (TagKey is idempotent), or a watched tag would not match
//   the posts that carry it.
#include <cstdint>
#include <string>
#include <string_view>

#include "hashmon/hashtag_extractor.h"
#include "hashmon/prefilter.h"
#include "hashmon/tag_key.h"

namespace {

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool IsHashSign(std::string_view text, size_t begin, size_t tag_at) {
  const std::string_view sign = text.substr(begin, tag_at - begin);
  return sign == "#" || sign == "\xEF\xBC\x83";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t previous_end = 0;
  for (const auto& m : hashmon::ExtractHashtags(text)) {
    if (m.begin >= m.end || m.end > size || m.begin < previous_end) __builtin_trap();
    previous_end = m.end;
    const size_t tag_at = static_cast<size_t>(m.tag.data() - text.data());
    if (m.tag.empty() || tag_at + m.tag.size() != m.end || !IsHashSign(text, m.begin, tag_at))
      __builtin_trap();
    if (!ValidUtf8(m.tag)) __builtin_trap();
    const std::string alone = "#" + std::string(m.tag);
    const auto again = hashmon::ExtractHashtags(alone);
    if (again.size() != 1 || again[0].tag != m.tag) __builtin_trap();
    const std::string key = hashmon::TagKey(m.tag);
    if (hashmon::TagKey(key) != key) __builtin_trap();
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
