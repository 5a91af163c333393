#include "hashmon/tag_key.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>

namespace hashmon {
namespace {

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

std::string TagKey(std::string_view tag) {
  if (IsAscii(tag)) {  // The common case needs no ICU: ASCII folds to lower case.
    std::string out(tag);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(tag);
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(tag.data(), tag.size()));
  // Canonical caseless match (Unicode 3.13 D145): NFD, fold, NFD; then NFC for storage.
  icu::UnicodeString folded = nfd->normalize(s, status);
  folded.foldCase();
  folded = nfc->normalize(nfd->normalize(folded, status), status);
  if (U_FAILURE(status)) return std::string(tag);
  std::string out;
  folded.toUTF8String(out);
  return out;
}

std::string_view WithoutHash(std::string_view tag) {
  constexpr std::string_view kFullwidthHash = "\xEF\xBC\x83";  // U+FF03
  if (!tag.empty() && tag[0] == '#') {
    tag.remove_prefix(1);
  } else if (tag.substr(0, kFullwidthHash.size()) == kFullwidthHash) {
    tag.remove_prefix(kFullwidthHash.size());
  }
  return tag;
}

WatchedTags::WatchedTags(const std::vector<std::string>& tags) {
  for (const auto& t : tags) {
    std::string key = UserTagKey(t);
    if (!key.empty() && std::find(keys_.begin(), keys_.end(), key) == keys_.end()) {
      keys_.push_back(std::move(key));
    }
  }
}

int WatchedTags::FindKey(std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return static_cast<int>(i);
  }
  return -1;
}

int WatchedTags::Find(std::string_view tag) const { return FindKey(TagKey(tag)); }

}  // namespace hashmon
