#include "cli/settings.h"

#include <cpprest/base_uri.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/options.h"
#include "feed/url_text.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

bool IsMastodonSource(const std::string& source) {
  return source.rfind("mastodon:", 0) == 0 || source.rfind("mastodon-ws:", 0) == 0;
}

// Whether `url` is X's own API over HTTPS, the only place an X bearer token may go: a relay
// that serves X's format is someone else's server, and over http:// anyone on the way reads it.
bool IsXApiUrl(const std::string& url) {
  const std::string host = HostOf(url);  // https://api.x.com@elsewhere/ is elsewhere
  return url.rfind("https://", 0) == 0 && (host == "api.x.com" || host == "api.twitter.com");
}

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// "a, b" is a and b: the spaces after the commas are a list's, not the items'.
std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    item = WithoutSurroundingSpaces(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The settings given as strings, by their names in the config file.
std::map<std::string, std::string*> StringSettings(Settings* s) {
  return {
      {"db", &s->db},
      {"protocol", &s->protocol},
      {"idle_timeout", &s->idle_timeout},
      {"resume_param", &s->resume_param},
      {"lateness", &s->lateness},
      {"listen", &s->listen},
      {"webhook_url", &s->webhook_url},
      {"webhook_format", &s->webhook_format},
      {"webhook_repeat", &s->webhook_repeat},
      {"webhook_when", &s->webhook_when},
      {"telegram_chat_id", &s->telegram_chat_id},
      {"record", &s->record_dir},
      {"record_keep", &s->record_keep},
      {"keep_history", &s->keep_history},
      {"x_bearer_token", &s->x_bearer_token},
      {"x_backfill", &s->x_backfill},
      {"jetstream_zstd", &s->jetstream_zstd},
      {"mastodon_token", &s->mastodon_token},
  };
}

// Sets one member of the config file's object; the error names the setting, not the file.
bool ApplySetting(const std::string& key, const rapidjson::Value& value, Settings* s,
                  std::string* error) {
  if ((key == "tags" || key == "sources") && value.IsArray()) {
    auto& list = key == "tags" ? s->tags : s->sources;
    list.clear();
    for (const auto& t : value.GetArray()) {
      if (!t.IsString()) {
        *error = key + ": every item is a string, e.g. [\"twitterdown\"]";
        return false;
      }
      list.emplace_back(t.GetString());
    }
    return true;
  }
  if (key == "tags" && value.IsString()) {  // "twitterdown,xdown", as HASHMON_TAGS is written
    s->tags = SplitCommas(value.GetString());
    return true;
  }
  if (key == "silences" && value.IsArray()) {
    s->silences.clear();
    for (const auto& v : value.GetArray()) {
      Silence silence;
      if (!ParseSilence(v, &silence, error)) {
        *error = "silences: " + *error;
        return false;
      }
      s->silences.push_back(std::move(silence));
    }
    return true;
  }
  if (key == "source" && value.IsString()) {
    s->sources = {value.GetString()};
    return true;
  }
  const auto strings = StringSettings(s);
  const auto found = strings.find(key);
  if (found == strings.end() || !value.IsString()) {
    *error = "unknown setting or wrong type: \"" + key + "\" (see config.example.json)";
    return false;
  }
  *found->second = value.GetString();
  return true;
}

// A file that holds a credential must be the owner's alone. (A Slack or Discord webhook URL
// is a credential too: whoever reads it can post.)
bool SecretsArePrivate(const std::string& path, const Settings& s, std::string* error) {
  if (s.x_bearer_token.empty() && s.mastodon_token.empty() && s.webhook_url.empty()) return true;
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    *error = path + " holds a token or webhook URL but others can read it: run chmod 600 " + path +
             " (or give it in the environment instead)";
    return false;
  }
  return true;
}

bool ReadConfigFile(const std::string& path, Settings* s, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read the config file " + path;
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag>(
      text.str().c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    *error = path + ": not a JSON object (" + rapidjson::GetParseError_En(doc.GetParseError()) +
             " at byte " + std::to_string(doc.GetErrorOffset()) + ")";
    return false;
  }
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    if (!ApplySetting(it->name.GetString(), it->value, s, error)) {
      *error = path + ": " + *error;
      return false;
    }
  }
  return SecretsArePrivate(path, *s, error);
}

}  // namespace

bool LoadSettings(const std::string& path, Settings* s, std::string* error) {
  const std::string file =
      !path.empty() ? path : (Env("HASHMON_CONFIG") ? Env("HASHMON_CONFIG") : "");
  if (!file.empty() && !ReadConfigFile(file, s, error)) return false;
  if (const char* v = Env("HASHMON_DB")) s->db = v;
  if (const char* v = Env("HASHMON_TAGS")) s->tags = SplitCommas(v);
  if (const char* v = Env("HASHMON_SOURCE")) s->sources = SplitCommas(v);
  if (const char* v = Env("HASHMON_LISTEN")) s->listen = v;
  if (const char* v = Env("HASHMON_WEBHOOK_URL")) s->webhook_url = v;
  if (const char* v = Env("HASHMON_WEBHOOK_FORMAT")) s->webhook_format = v;
  if (const char* v = Env("HASHMON_WEBHOOK_WHEN")) s->webhook_when = v;
  if (const char* v = Env("HASHMON_TELEGRAM_CHAT_ID")) s->telegram_chat_id = v;
  if (const char* v = Env("HASHMON_X_BEARER_TOKEN")) s->x_bearer_token = v;
  if (const char* v = Env("HASHMON_MASTODON_TOKEN")) s->mastodon_token = v;
  return true;
}

namespace {

// A retweet's own text is cut short ("RT @a: ..."), and a long post's `text` holds its
// first 280 characters: the retweeted post (referenced_tweets.id) and a long post's whole
// (note_tweet) carry the tags that were cut off.
constexpr const char* kXStreamUrl =
    "https://api.x.com/2/tweets/search/stream"
    "?expansions=author_id,geo.place_id,referenced_tweets.id"
    "&tweet.fields=created_at,lang,entities,geo,author_id,referenced_tweets,"
    "edit_history_tweet_ids,note_tweet"
    "&user.fields=location,created_at&place.fields=country_code,full_name,place_type,country";

// `mastodon:HOST` or `mastodon-ws:HOST`: the instance's hashtag stream, over SSE (the first
// watched tag only: an SSE stream follows one) or WebSocket (every tag).
void ResolveMastodon(const Settings& s, const std::string& src,
                     const std::vector<std::string>& watched, CollectOptions* o) {
  const bool websocket = src.rfind("mastodon-ws:", 0) == 0;
  const std::string first_tag = PercentEncoded(watched.front());
  std::string host = src.substr(src.find(':') + 1);
  if (host.rfind("https://", 0) != 0 && host.rfind("http://", 0) != 0) host = "https://" + host;
  while (!host.empty() && host.back() == '/') host.pop_back();
  if (websocket) {
    o->protocol = StreamProtocol::kMastodonWs;
    o->url = "ws" + host.substr(4) +
             "/api/v1/streaming?stream=hashtag&tag=" + first_tag;  // http(s) -> ws(s)
    o->idle_timeout_ms = 45'000;  // the server pings every 15 s; posts may be rarer
  } else {
    o->protocol = StreamProtocol::kSse;
    o->url = host + "/api/v1/streaming/hashtag?tag=" + first_tag;
  }
  o->mastodon_tags = websocket ? watched : std::vector<std::string>{watched.front()};
  o->gap_fill_url = host + "/api/v1/timelines/tag/";
  o->streaming_discovery_url = host + "/api/v1/streaming";
  if (!s.mastodon_token.empty()) o->headers["Authorization"] = "Bearer " + s.mastodon_token;
  o->auth_hint =
      "Mastodon 4.2+ needs a user access token with read:statuses in HASHMON_MASTODON_TOKEN "
      "(or mastodon_token in the config file)";
}

// What is wrong with a source's URL, with the fix (empty: nothing). Never the URL's secrets.
std::string SourceUrlError(const std::string& url) {
  if (url.find("://") == std::string::npos) return "";
  if (!web::uri::validate(url)) {
    return "the source " + UrlWithoutSecrets(url) +
           " is not a valid URL: percent-encode spaces and other characters URLs cannot hold "
           "(a space is %20)";
  }
  if (HostOf(url).empty()) {  // cpprestsdk would retry "URI must contain a hostname" for ever
    return "the source " + UrlWithoutSecrets(url) +
           " names no host: write it as http://HOST:PORT/PATH, e.g. http://127.0.0.1:8080/feed";
  }
  return "";
}

}  // namespace

std::optional<SourceSpec> ResolveSource(const Settings& s, const std::string& src,
                                        const std::vector<std::string>& tags, std::string* error) {
  SourceSpec spec;
  CollectOptions& o = spec.options;
  const std::vector<std::string> watched =
      tags.empty() ? std::vector<std::string>{"twitterdown"} : tags;
  auto starts = [&](const char* p) { return src.rfind(p, 0) == 0; };
  if (src == "jetstream") {
    o.protocol = StreamProtocol::kJetstream;
    o.url = "wss://jetstream2.us-east.bsky.network/subscribe";
    // Bluesky's other official instances, for when this one is down (its cursor is a time,
    // valid on each of them).
    o.other_urls = {"wss://jetstream1.us-east.bsky.network/subscribe",
                    "wss://jetstream1.us-west.bsky.network/subscribe",
                    "wss://jetstream2.us-west.bsky.network/subscribe"};
  } else if (src == "jetstream-v2") {
    // The v2 stream (atproto proposal 0015 framing, optionally zstd-compressed). Its
    // cursor is a time too, so it resumes where a v1 `jetstream` source stopped.
    o.protocol = StreamProtocol::kJetstream;
    o.url = std::string("wss://jetstream.us-east.bsky.network") + kJetstreamV2Method;
    o.other_urls = {std::string("wss://jetstream.us-west.bsky.network") + kJetstreamV2Method};
  } else if (src == "x") {
    if (s.x_bearer_token.empty()) {
      *error =
          "the x source needs a bearer token: set HASHMON_X_BEARER_TOKEN or x_bearer_token in a "
          "0600 config file";
      return std::nullopt;
    }
    o.protocol = StreamProtocol::kNdjson;
    o.url = kXStreamUrl;
    o.headers["Authorization"] = "Bearer " + s.x_bearer_token;
    o.idle_timeout_ms = 21'000;  // a keep-alive every 20 s, often a little late
    spec.manage_x_rules = true;
  } else if (IsMastodonSource(src)) {
    const size_t colon = src.find(':');
    if (src.find_first_not_of('/', colon + 1) == std::string::npos) {  // "https:/api/v1/..."
      const std::string kind = src.substr(0, colon);
      *error = "the source \"" + src + "\" names no instance: write it as " + kind +
               ":HOST, e.g. " + kind + ":mastodon.social";
      return std::nullopt;
    }
    ResolveMastodon(s, src, watched, &o);
  } else if (starts("ws://") || starts("wss://")) {
    o.protocol = StreamProtocol::kJetstream;
    o.url = src;
  } else if (starts("http://") || starts("https://")) {
    o.protocol = StreamProtocol::kNdjson;
    o.url = src;
    if (!s.x_bearer_token.empty() && IsXApiUrl(src))
      o.headers["Authorization"] = "Bearer " + s.x_bearer_token;
  } else {
    *error = "unknown source \"" + UrlWithoutSecrets(src) +
             "\": use jetstream, jetstream-v2, x, mastodon:HOST, mastodon-ws:HOST, or a ws(s):// "
             "or http(s):// URL";
    return std::nullopt;
  }
  if (!s.protocol.empty()) {
    auto p = ParseStreamProtocol(s.protocol);
    if (!p) {
      *error = "unknown protocol \"" + s.protocol +
               "\": use ndjson, mastodon-sse, jetstream or mastodon-ws";
      return std::nullopt;
    }
    o.protocol = *p;
  }
  if (std::string url_error = SourceUrlError(o.url); !url_error.empty()) {
    *error = url_error;
    return std::nullopt;
  }
  o.resume_param = s.resume_param;
  o.jetstream_zstd = s.jetstream_zstd != "off";
  const std::string shown = UrlWithoutSecrets(src);
  spec.name = shown.substr(0, shown.find('?'));
  return spec;
}

// Resolves every configured source. Returns false with *error (what to fix).
bool ResolveSources(const Settings& settings, const std::vector<std::string>& tags,
                    std::vector<SourceSpec>* specs, std::string* error) {
  std::optional<int64_t> idle;
  if (!settings.idle_timeout.empty() && !(idle = ParseIdleTimeout(settings.idle_timeout, error))) {
    *error = "idle timeout: " + *error;
    return false;
  }
  std::optional<int64_t> backfill = settings.x_backfill.empty() || settings.x_backfill == "0"
                                        ? std::optional<int64_t>(0)
                                        : ParseDuration(settings.x_backfill);
  if (!backfill || *backfill % 60'000 != 0 || *backfill > 5 * 60'000) {
    *error =
        "x backfill: expected whole minutes from 1m to 5m (X's backfill_minutes), or 0 for "
        "none, not \"" +
        settings.x_backfill + "\"";
    return false;
  }
  if (settings.jetstream_zstd != "on" && settings.jetstream_zstd != "off") {
    *error = "jetstream_zstd: expected on or off, not \"" + settings.jetstream_zstd + "\"";
    return false;
  }
  // Mastodon's SSE streams one hashtag per connection: such a source becomes one per
  // watched tag. Its WebSocket carries them all (subscribe messages).
  std::vector<std::pair<std::string, std::vector<std::string>>> wanted;
  for (const auto& name : settings.sources) {
    if (name.rfind("mastodon:", 0) != 0 || tags.size() < 2) {
      wanted.emplace_back(name, tags);
      continue;
    }
    for (const auto& tag : tags) wanted.emplace_back(name, std::vector<std::string>{tag});
  }
  for (const auto& [name, source_tags] : wanted) {
    auto spec = ResolveSource(settings, name, source_tags, error);
    if (!spec) return false;
    if (source_tags.size() == 1 && tags.size() > 1) spec->name += " #" + source_tags.front();
    if (idle) spec->options.idle_timeout_ms = *idle;
    if (name == "x") spec->options.backfill_max_minutes = static_cast<int>(*backfill / 60'000);
    // Each source keeps its resume cursor under its name: two of one name would overwrite
    // each other's (and count nothing more: their posts are the same).
    for (const auto& earlier : *specs) {
      if (earlier.name == spec->name) {
        *error = "the source " + spec->name + " is given twice: give it once";
        return false;
      }
    }
    specs->push_back(std::move(*spec));
  }
  if (specs->empty())
    *error =
        "no source: give --source (jetstream, jetstream-v2, x, mastodon:HOST, mastodon-ws:HOST or "
        "a URL)";
  return !specs->empty();
}

}  // namespace hashmon
