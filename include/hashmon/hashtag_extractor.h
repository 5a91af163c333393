// Hashtag extraction from post text by twitter-text's rules (v3 conformance suite):
// which characters may precede the hash, which make up the body, the all-digits rule,
// the followed-by rule and the removal of hashtags inside URLs.
#ifndef HASHMON_HASHTAG_EXTRACTOR_H_
#define HASHMON_HASHTAG_EXTRACTOR_H_

#include <string>
#include <string_view>
#include <vector>

namespace hashmon {

struct HashtagMatch {
  size_t begin;          // byte offset of the hash sign in the UTF-8 text
  size_t end;            // byte offset just past the tag
  std::string_view tag;  // the tag as written, without the hash sign
};

// Returns the hashtags in `text` (UTF-8), in order, as written. Invalid UTF-8 is
// treated as non-tag characters, never read past the end.
std::vector<HashtagMatch> ExtractHashtags(std::string_view text);

// Convenience for callers that want owned strings.
std::vector<std::string> ExtractHashtagStrings(std::string_view text);

}  // namespace hashmon

#endif  // HASHMON_HASHTAG_EXTRACTOR_H_
