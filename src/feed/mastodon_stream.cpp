#include "feed/mastodon_stream.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "hashmon/bounded_json.h"

namespace hashmon {
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
