#include "feed/mastodon_stream.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "hashmon/bounded_json.h"

namespace hashmon {
namespace {

bool SameTag(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsStatusId(const std::string& id) {
  return !id.empty() && id.size() <= 32 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

MastodonCursor::MastodonCursor(std::vector<std::string> tags) : tags_(std::move(tags)) {}

std::string MastodonCursor::Followed(std::string_view tag) const {
  if (tag.empty()) return tags_.size() == 1 ? tags_.front() : std::string();
  for (const auto& t : tags_) {
    if (SameTag(t, tag)) return t;
  }
  return {};
}

void MastodonCursor::Note(std::string_view tag, const std::string& id) {
  if (!IsStatusId(id)) return;
  if (newest_any_.empty() || NewerStatusId(id, newest_any_)) newest_any_ = id;
  const std::string followed = Followed(tag);
  if (followed.empty()) return;
  std::string& newest = newest_[followed];
  if (newest.empty() || NewerStatusId(id, newest)) newest = id;
}

std::string MastodonCursor::MinId(const std::string& tag) const {
  const auto it = newest_.find(tag);
  return it != newest_.end() ? it->second : newest_any_;
}

std::string MastodonCursor::Text() const {
  if (tags_.size() == 1) return MinId(tags_.front());
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  for (const auto& [tag, id] : newest_) {
    w.Key(tag.data(), static_cast<rapidjson::SizeType>(tag.size()));
    w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  }
  w.EndObject();
  return newest_.empty() ? newest_any_ : std::string(sb.GetString(), sb.GetSize());
}

void MastodonCursor::Restore(const std::string& text) {
  if (text.empty() || text.front() != '{') {  // one id: one hashtag's, or a socket's newest
    Note(tags_.size() == 1 ? std::string_view(tags_.front()) : std::string_view(), text);
    return;
  }
  rapidjson::Document doc;
  if (ParseJson(&doc, text.data(), text.size()) != JsonParse::kOk || !doc.IsObject()) return;
  for (const auto& m : doc.GetObject()) {
    if (!m.value.IsString()) continue;
    const std::string id = m.value.GetString();
    // A tag no longer followed still says how far the socket had got.
    Note(std::string_view(m.name.GetString(), m.name.GetStringLength()), id);
  }
}

bool NewerStatusId(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() > b.size() : a > b;
}

std::string StatusIdOf(std::string_view text, std::string_view quote) {
  const std::string key = std::string(quote) + "id" + std::string(quote) + ":" + std::string(quote);
  const size_t at = text.find(key);
  if (at == std::string_view::npos) return {};
  const size_t from = at + key.size();
  size_t end = from;
  while (end < text.size() && end - from < 32 && text[end] >= '0' && text[end] <= '9') ++end;
  return end > from && text.substr(end, quote.size()) == quote
             ? std::string(text.substr(from, end - from))
             : std::string();
}

std::string StreamTagOf(std::string_view message) {
  constexpr std::string_view kKey = "\"stream\":[\"hashtag\",\"";
  const size_t at = message.find(kKey);
  if (at == std::string_view::npos) return {};
  const size_t from = at + kKey.size();
  const size_t end = message.find('"', from);
  // A tag written with escapes is not one we subscribed to as written: unknown stream.
  if (end == std::string_view::npos || end - from > 256 ||
      message.substr(from, end - from).find('\\') != std::string_view::npos)
    return {};
  return std::string(message.substr(from, end - from));
}

std::vector<std::string> MastodonSubscribeMessages(const std::vector<std::string>& tags) {
  std::vector<std::string> messages;
  for (size_t i = 1; i < tags.size(); ++i) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("type");
    w.String("subscribe");
    w.Key("stream");
    w.String("hashtag");
    w.Key("tag");
    w.String(tags[i].data(), static_cast<rapidjson::SizeType>(tags[i].size()));
    w.EndObject();
    messages.emplace_back(sb.GetString(), sb.GetSize());
  }
  return messages;
}

std::string MastodonErrorOf(std::string_view message) {
  if (message.substr(0, 9) != "{\"error\":") return {};
  rapidjson::Document doc;
  if (ParseJson(&doc, message.data(), message.size()) != JsonParse::kOk || !doc.IsObject() ||
      !doc.HasMember("error") || !doc["error"].IsString())
    return {};
  std::string said(doc["error"].GetString(), std::min<size_t>(doc["error"].GetStringLength(), 200));
  for (char& c : said) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';  // no control characters
  }
  return said;
}

}  // namespace hashmon
