// Comparison keys for hashtags: NFC plus Unicode full case folding (ICU), so that
// #TwitterDown, #twitterdown and #TWITTERDOWN are one tag while #twitterdownload is not.
#ifndef HASHMON_TAG_KEY_H_
#define HASHMON_TAG_KEY_H_

#include <string>
#include <string_view>
#include <vector>

namespace hashmon {

// The canonical caseless key of a tag (without '#'), as UTF-8.
std::string TagKey(std::string_view tag);

// A tag as a user writes it ("#TwitterDown", "＃TwitterDown" or "twitterdown"), without its
// '#' or fullwidth '＃'; and its key.
std::string_view WithoutHash(std::string_view tag);
inline std::string UserTagKey(std::string_view tag) { return TagKey(WithoutHash(tag)); }

// The set of tags a user watches, keyed by TagKey. Small: a linear scan beats hashing.
class WatchedTags {
 public:
  explicit WatchedTags(const std::vector<std::string>& tags);

  // Returns the index of the watched tag whose key equals TagKey(tag), or -1.
  int Find(std::string_view tag) const;
  // Same, for a tag that is already a key.
  int FindKey(std::string_view key) const;

  size_t size() const { return keys_.size(); }
  const std::string& key(size_t i) const { return keys_[i]; }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  std::vector<std::string> keys_;
};

}  // namespace hashmon

#endif  // HASHMON_TAG_KEY_H_
