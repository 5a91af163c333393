#include "hashmon/decoder.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "hashmon/bounded_json.h"
#include "hashmon/html_text.h"
#include "hashmon/tag_key.h"
#include "hashmon/time_util.h"

namespace hashmon {

const char* SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kX:
      return "x";
    case SourceKind::kBluesky:
      return "bluesky";
    case SourceKind::kMastodon:
      return "mastodon";
  }
  return "?";
}

SourceKind SourceKindFromName(const std::string& name) {
  return name == "bluesky"    ? SourceKind::kBluesky
         : name == "mastodon" ? SourceKind::kMastodon
                              : SourceKind::kX;
}

namespace {

using Allocator = rapidjson::MemoryPoolAllocator<>;
using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator>;
using Value = rapidjson::GenericValue<rapidjson::UTF8<>, Allocator>;

constexpr unsigned kParseFlags = rapidjson::kParseStopWhenDoneFlag;

const Value* Member(const Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

const Value* ObjectMember(const Value& obj, const char* name) {
  const Value* v = Member(obj, name);
  return v && v->IsObject() ? v : nullptr;
}

const Value* ArrayMember(const Value& obj, const char* name) {
  const Value* v = Member(obj, name);
  return v && v->IsArray() ? v : nullptr;
}

std::string_view Str(const Value& obj, const char* name) {
  const Value* v = Member(obj, name);
  if (!v || !v->IsString()) return {};
  return {v->GetString(), v->GetStringLength()};
}

// An id may arrive as a string or as a (64-bit) number.
std::string IdString(const Value& obj, const char* name) {
  const Value* v = Member(obj, name);
  if (!v) return {};
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  return {};
}

// A post's event time: after the epoch's first millisecond (0 and before is corrupt data,
// and 0 means "no time" downstream).
std::optional<int64_t> EventTime(std::optional<int64_t> ms) {
  if (ms && *ms <= 0) return std::nullopt;
  return ms;
}

// X v1.1's timestamp_ms: "1453191300000" (a number where a tool rewrote the line). Up to 16 digits
// (a time in the year 2286 has 14); anything else is no time, and created_at decides.
std::optional<int64_t> EpochMillis(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Record Reject(RecordKind kind, const char* reason) {
  Record r;
  r.kind = kind;
  r.reason = reason;
  return r;
}

void AddTags(const Value* hashtags, const char* field, std::vector<std::string>* out) {
  if (!hashtags || !hashtags->IsArray()) return;
  for (const auto& h : hashtags->GetArray()) {
    std::string_view tag = Str(h, field);
    if (!tag.empty()) out->emplace_back(tag);
  }
}

void AddLanguage(std::string_view lang, CountryEvidence* e) {
  if (!lang.empty() && lang != "und") e->languages.emplace_back(lang);
}

// --- X API v1.1 --------------------------------------------------------------------

// Returns whether the tweet carries its tags as entities. X always sends
// `entities.hashtags` (empty when there are none), but a tweet saved without its entities
// (a trimmed archive, a hand-made line) has only its text to say what it carries.
bool ReadV1Tags(const Value& tweet, std::string* text, std::vector<std::string>* tags) {
  const Value* ext = ObjectMember(tweet, "extended_tweet");
  const Value* src = ext ? ext : &tweet;
  std::string_view t = Str(*src, ext ? "full_text" : "text");
  if (t.empty()) t = Str(tweet, "full_text");
  if (text) text->assign(t);
  const Value* ents = ObjectMember(*src, "entities");
  const Value* hashtags = ents ? ArrayMember(*ents, "hashtags") : nullptr;
  AddTags(hashtags, "text", tags);
  return hashtags != nullptr;
}

std::optional<GeoPoint> V1Coordinates(const Value& tweet) {
  if (const Value* c = ObjectMember(tweet, "coordinates")) {  // GeoJSON: [lon, lat]
    const Value* xy = ArrayMember(*c, "coordinates");
    if (xy && xy->Size() == 2 && (*xy)[0].IsNumber() && (*xy)[1].IsNumber()) {
      return GeoPoint{(*xy)[1].GetDouble(), (*xy)[0].GetDouble()};
    }
  }
  if (const Value* g = ObjectMember(tweet, "geo")) {  // legacy: [lat, lon]
    const Value* xy = ArrayMember(*g, "coordinates");
    if (xy && xy->Size() == 2 && (*xy)[0].IsNumber() && (*xy)[1].IsNumber()) {
      return GeoPoint{(*xy)[0].GetDouble(), (*xy)[1].GetDouble()};
    }
  }
  return std::nullopt;
}

// The middle of a box [west, south, east, north], or nothing for one that is not a box on
// the globe. (A box that crosses the antimeridian has west > east: its middle is across it.)
std::optional<GeoPoint> BoxMiddle(double west, double south, double east, double north) {
  if (!(south >= -90 && north <= 90 && south <= north && west >= -180 && east <= 180))
    return std::nullopt;
  double lon = (west + east) / 2;
  if (west > east) lon = lon > 0 ? lon - 180 : lon + 180;
  return GeoPoint{(south + north) / 2, lon};
}

// A place's location where it has no country code: the middle of its bounding box, a
// GeoJSON polygon of [lon, lat] corners (v1.1). X sends the code; a trimmed archive may not.
std::optional<GeoPoint> V1PlaceMiddle(const Value& place) {
  const Value* box = ObjectMember(place, "bounding_box");
  const Value* rings = box ? ArrayMember(*box, "coordinates") : nullptr;
  if (!rings || rings->Empty() || !(*rings)[0].IsArray() || (*rings)[0].Empty())
    return std::nullopt;
  double west = 180, south = 90, east = -180, north = -90;
  for (const auto& corner : (*rings)[0].GetArray()) {
    if (!corner.IsArray() || corner.Size() != 2 || !corner[0].IsNumber() || !corner[1].IsNumber())
      return std::nullopt;
    west = std::min(west, corner[0].GetDouble());
    east = std::max(east, corner[0].GetDouble());
    south = std::min(south, corner[1].GetDouble());
    north = std::max(north, corner[1].GetDouble());
  }
  return BoxMiddle(west, south, east, north);
}

// The same for a v2 place, whose box is geo.bbox [west, south, east, north].
std::optional<GeoPoint> V2PlaceMiddle(const Value& place) {
  const Value* geo = ObjectMember(place, "geo");
  const Value* bbox = geo ? ArrayMember(*geo, "bbox") : nullptr;
  if (!bbox || bbox->Size() != 4) return std::nullopt;
  for (const auto& edge : bbox->GetArray()) {
    if (!edge.IsNumber()) return std::nullopt;
  }
  return BoxMiddle((*bbox)[0].GetDouble(), (*bbox)[1].GetDouble(), (*bbox)[2].GetDouble(),
                   (*bbox)[3].GetDouble());
}

Record DecodeV1Tweet(const Value& tweet) {
  Record r;
  Post& p = r.post;
  p.source = SourceKind::kX;
  p.id = IdString(tweet, "id_str");
  if (p.id.empty()) p.id = IdString(tweet, "id");
  std::optional<int64_t> when = EventTime(EpochMillis(IdString(tweet, "timestamp_ms")));
  if (!when) when = EventTime(ParseTwitterTime(Str(tweet, "created_at")));
  if (p.id.empty() || !when) return Reject(RecordKind::kError, "x_v1_missing_id_or_time");
  p.created_at = *when;
  p.has_structured_tags = ReadV1Tags(tweet, &p.text, &p.hashtags);
  // A retweet carries the content of the post it repeats: its tags count for the retweeter.
  if (const Value* rt = ObjectMember(tweet, "retweeted_status"))
    ReadV1Tags(*rt, nullptr, &p.hashtags);
  p.evidence.coordinates = V1Coordinates(tweet);
  if (const Value* place = ObjectMember(tweet, "place")) {
    p.evidence.place_country_code = Str(*place, "country_code");
    if (p.evidence.place_country_code.empty() && !p.evidence.coordinates)
      p.evidence.coordinates = V1PlaceMiddle(*place);
  }
  if (const Value* user = ObjectMember(tweet, "user")) {
    p.evidence.profile_location = Str(*user, "location");
    p.evidence.time_zone = Str(*user, "time_zone");
  }
  AddLanguage(Str(tweet, "lang"), &p.evidence);
  r.kind = RecordKind::kPost;
  return r;
}

Record DecodeV1Delete(const Value& del) {
  const Value* status = ObjectMember(del, "status");
  if (!status) return Reject(RecordKind::kNotice, "x_delete_other");
  Record r;
  r.kind = RecordKind::kDelete;
  r.post.source = SourceKind::kX;
  r.post.id = IdString(*status, "id_str");
  if (r.post.id.empty()) r.post.id = IdString(*status, "id");
  if (r.post.id.empty()) return Reject(RecordKind::kError, "x_delete_without_id");
  return r;
}

// --- X API v2 ----------------------------------------------------------------------

const Value* FindById(const Value* array, std::string_view id) {
  if (!array || !array->IsArray() || id.empty()) return nullptr;
  for (const auto& item : array->GetArray()) {
    if (Str(item, "id") == id) return &item;
  }
  return nullptr;
}

// A post of more than 280 characters has its first 280 in `text`, with the entities found
// there, and the whole in `note_tweet` (`text` and `entities`), which the stream sends when
// asked (tweet.fields=note_tweet): a tag near the end of a long post is only there.
const Value& V2Body(const Value& tweet) {
  const Value* note = ObjectMember(tweet, "note_tweet");
  return note && !Str(*note, "text").empty() ? *note : tweet;
}

Record DecodeV2(const Value& msg, const Value& data) {
  Record r;
  Post& p = r.post;
  p.source = SourceKind::kX;
  // Edits get new ids; the first id of the edit history identifies the post.
  const Value* history = ArrayMember(data, "edit_history_tweet_ids");
  if (history && history->Size() > 0 && (*history)[0].IsString()) {
    p.id = (*history)[0].GetString();
  } else {
    p.id = IdString(data, "id");
  }
  auto when = EventTime(ParseIsoTime(Str(data, "created_at")));
  if (p.id.empty() || !when) return Reject(RecordKind::kError, "x_v2_missing_id_or_time");
  p.created_at = *when;
  const Value& body = V2Body(data);
  p.text = Str(body, "text");
  const Value* ents = ObjectMember(body, "entities");
  const Value* tags = ents ? ArrayMember(*ents, "hashtags") : nullptr;
  if (tags) {
    p.has_structured_tags = true;
    AddTags(tags, "tag", &p.hashtags);
  } else {
    p.extract_from_text = true;  // v2 leaves out empty entity arrays
  }
  const Value* includes = ObjectMember(msg, "includes");
  if (const Value* refs = ArrayMember(data, "referenced_tweets")) {
    for (const auto& ref : refs->GetArray()) {
      if (Str(ref, "type") != "retweeted" || !includes) continue;
      const Value* orig = FindById(Member(*includes, "tweets"), Str(ref, "id"));
      const Value* oents = orig ? ObjectMember(V2Body(*orig), "entities") : nullptr;
      if (oents) AddTags(Member(*oents, "hashtags"), "tag", &p.hashtags);
    }
  }
  if (const Value* geo = ObjectMember(data, "geo")) {
    const Value* place = nullptr;
    if (includes) {
      place = FindById(Member(*includes, "places"), Str(*geo, "place_id"));
      if (place) p.evidence.place_country_code = Str(*place, "country_code");
    }
    if (const Value* c = ObjectMember(*geo, "coordinates")) {
      const Value* xy = ArrayMember(*c, "coordinates");
      if (xy && xy->Size() == 2 && (*xy)[0].IsNumber() && (*xy)[1].IsNumber()) {
        p.evidence.coordinates = GeoPoint{(*xy)[1].GetDouble(), (*xy)[0].GetDouble()};
      }
    }
    if (place && p.evidence.place_country_code.empty() && !p.evidence.coordinates)
      p.evidence.coordinates = V2PlaceMiddle(*place);
  }
  if (includes) {
    const Value* user = FindById(Member(*includes, "users"), Str(data, "author_id"));
    if (user) p.evidence.profile_location = Str(*user, "location");
  }
  AddLanguage(Str(data, "lang"), &p.evidence);
  r.kind = RecordKind::kPost;
  return r;
}

// --- Bluesky Jetstream -------------------------------------------------------------

// A Bluesky tag value, which the lexicon writes without its '#'. The atproto SDK's facet
// detection kept it until 2023-09 (bluesky-social/atproto#1674), and hand-made facets
// still do (TextBuilder().tag("#cats", ...)): such a post says #cats all the same.
void AddBlueskyTag(std::string_view tag, Post* p) {
  tag = WithoutHash(tag);
  if (!tag.empty()) p->hashtags.emplace_back(tag);
}

// A post record's tags: its facets' tags (the text only when it has no facets at all: an
// older client's post), and its `tags`, which always count.
void ReadBlueskyTags(const Value& record, Post* p) {
  if (const Value* facets = ArrayMember(record, "facets")) {
    p->has_structured_tags = true;
    for (const auto& facet : facets->GetArray()) {
      const Value* features = ArrayMember(facet, "features");
      if (!features) continue;
      for (const auto& f : features->GetArray()) {
        if (Str(f, "$type") == "app.bsky.richtext.facet#tag") AddBlueskyTag(Str(f, "tag"), p);
      }
    }
  } else {
    p->extract_from_text = true;
  }
  if (const Value* tags = ArrayMember(record, "tags")) {
    for (const auto& t : tags->GetArray()) {
      if (t.IsString()) AddBlueskyTag(std::string_view(t.GetString(), t.GetStringLength()), p);
    }
  }
}

// A commit's fields (`collection`, `operation`, `rkey`, `record`), which Jetstream's v1
// events nest in `commit` and its v2 messages carry beside `did` and `time`.
Record DecodeBlueskyCommit(std::string_view did, int64_t time_ms, const Value& commit) {
  std::string_view collection = Str(commit, "collection");
  if (collection != "app.bsky.feed.post")
    return Reject(RecordKind::kIgnored, "bluesky_other_collection");
  std::string_view op = Str(commit, "operation");
  std::string_view rkey = Str(commit, "rkey");
  if (did.empty() || rkey.empty()) return Reject(RecordKind::kError, "bluesky_bad_commit");
  Record r;
  Post& p = r.post;
  p.source = SourceKind::kBluesky;
  p.id.reserve(did.size() + collection.size() + rkey.size() + 7);
  p.id.append("at://").append(did).append("/").append(collection).append("/").append(rkey);
  p.created_at = time_ms;
  if (op == "delete") {
    r.kind = RecordKind::kDelete;
    return r;
  }
  if (op == "update") return Reject(RecordKind::kNotice, "bluesky_update");
  if (op != "create") return Reject(RecordKind::kError, "bluesky_unknown_operation");
  const Value* record = ObjectMember(commit, "record");
  if (!record) return Reject(RecordKind::kError, "bluesky_bad_commit");
  p.text = Str(*record, "text");
  ReadBlueskyTags(*record, &p);
  if (const Value* langs = ArrayMember(*record, "langs")) {
    for (const auto& l : langs->GetArray()) {
      if (l.IsString()) AddLanguage({l.GetString(), l.GetStringLength()}, &p.evidence);
    }
  }
  if (did.substr(0, 8) == "did:web:") p.evidence.domain = did.substr(8);
  r.kind = RecordKind::kPost;
  return r;
}

Record DecodeJetstream(const Value& ev) {
  std::string_view kind = Str(ev, "kind");
  if (kind == "identity" || kind == "account")
    return Reject(RecordKind::kIgnored, "bluesky_identity");
  if (kind != "commit") return Reject(RecordKind::kError, "bluesky_unknown_kind");
  const Value* commit = ObjectMember(ev, "commit");
  const Value* time_us = Member(ev, "time_us");
  if (!commit || !time_us || !time_us->IsInt64() || !EventTime(time_us->GetInt64() / 1000))
    return Reject(RecordKind::kError, "bluesky_bad_commit");
  return DecodeBlueskyCommit(Str(ev, "did"), time_us->GetInt64() / 1000, *commit);
}

// Jetstream v2 (`network.bsky.jetstream.subscribeEvents`, atproto proposal 0015 framing):
// {"$type":"message","payload":{"$type":"...#commit","seq","did","time",...}}. `time` is
// what v1 called time_us: when Jetstream saw (or indexed) the event.
Record DecodeJetstreamV2(const Value& payload) {
  constexpr std::string_view kPrefix = "network.bsky.jetstream.subscribeEvents#";
  std::string_view type = Str(payload, "$type");
  if (type.substr(0, kPrefix.size()) != kPrefix)
    return Reject(RecordKind::kIgnored, "bluesky_unknown_kind");
  type.remove_prefix(kPrefix.size());
  if (type == "identity" || type == "account" || type == "sync")
    return Reject(RecordKind::kIgnored, "bluesky_identity");
  if (type == "info") return Reject(RecordKind::kNotice, "jetstream_info");
  // An unknown kind is skipped, as the protocol asks of clients, for forward compatibility.
  if (type != "commit") return Reject(RecordKind::kIgnored, "bluesky_unknown_kind");
  std::optional<int64_t> when = EventTime(ParseIsoTime(Str(payload, "time")));
  if (!when) return Reject(RecordKind::kError, "bluesky_bad_commit");
  return DecodeBlueskyCommit(Str(payload, "did"), *when, payload);
}

// --- Mastodon ----------------------------------------------------------------------

std::string_view HostOf(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  url.remove_prefix(start + 3);
  return url.substr(0, url.find_first_of("/:?#"));
}

Record DecodeMastodonStatus(const Value& status) {
  Record r;
  Post& p = r.post;
  p.source = SourceKind::kMastodon;
  p.id = Str(status, "uri");  // ids are per instance; the uri is global
  auto when = EventTime(ParseIsoTime(Str(status, "created_at")));
  if (p.id.empty() || !when) return Reject(RecordKind::kError, "mastodon_missing_uri_or_time");
  p.created_at = *when;
  // A reblog is a post of its own, carrying the content (and tags) of the boosted status.
  const Value* reblog = ObjectMember(status, "reblog");
  const Value& content_src = reblog ? *reblog : status;
  p.text = HtmlToText(Str(content_src, "content"));
  if (const Value* tags = ArrayMember(content_src, "tags")) {
    p.has_structured_tags = true;
    AddTags(tags, "name", &p.hashtags);
  } else {
    p.extract_from_text = true;
  }
  if (const Value* account = ObjectMember(status, "account")) {
    std::string_view acct = Str(*account, "acct");
    size_t at = acct.find('@');
    p.evidence.domain =
        at != std::string_view::npos ? acct.substr(at + 1) : HostOf(Str(*account, "url"));
  }
  AddLanguage(Str(status, "language"), &p.evidence);
  r.kind = RecordKind::kPost;
  return r;
}

bool LooksLikeMastodonStatus(const Value& v) {
  return Member(v, "uri") && Member(v, "content") && Member(v, "account");
}

}  // namespace

struct Decoder::Impl {
  std::vector<char> chunk = std::vector<char>(64 * 1024);
  Allocator value_alloc{chunk.data(), chunk.size()};
  Allocator stack_alloc;
  std::string copy;

  Record DecodeValue(const Value& v, std::string_view event, int depth);
  Record DecodeMastodonEvent(const Value& v, std::string_view event, const Value* payload,
                             int depth);
  Record ParseAndDecode(char* text, std::string_view event, int depth);
};

Record Decoder::Impl::ParseAndDecode(char* text, std::string_view event, int depth) {
  Document doc(&value_alloc, 1024, &stack_alloc);
  switch (ParseJsonInsitu<kParseFlags>(&doc, text)) {
    case JsonParse::kOk:
      break;
    case JsonParse::kMalformed:
      return Reject(RecordKind::kError, "malformed_json");
    case JsonParse::kTooDeep:
      return Reject(RecordKind::kError, "json_too_deep");
  }
  return DecodeValue(doc, event, depth);
}

Record Decoder::Impl::DecodeMastodonEvent(const Value& v, std::string_view event,
                                          const Value* payload, int depth) {
  if (event == "update") {
    if (payload && payload->IsString()) {
      // The WebSocket API sends the Status as a JSON string: parse it a second time, in
      // place (in-situ strings are NUL-terminated inside the first parse's buffer).
      return ParseAndDecode(const_cast<char*>(payload->GetString()), {}, depth + 1);
    }
    if (payload && payload->IsObject()) return DecodeValue(*payload, {}, depth + 1);
    if (LooksLikeMastodonStatus(v)) return DecodeMastodonStatus(v);
    return Reject(RecordKind::kError, "mastodon_bad_update");
  }
  if (event == "delete") {
    // Mastodon deletes carry the instance-local id only; they cannot retract a count anyway.
    return Reject(RecordKind::kNotice, "mastodon_delete");
  }
  if (event == "status.update") return Reject(RecordKind::kNotice, "mastodon_edit");
  return Reject(RecordKind::kIgnored, "mastodon_other_event");
}

Record Decoder::Impl::DecodeValue(const Value& v, std::string_view event, int depth) {
  if (depth > 3) return Reject(RecordKind::kError, "nested_too_deep");
  if (!v.IsObject()) {
    if (v.IsString() && event == "delete") return Reject(RecordKind::kNotice, "mastodon_delete");
    return Reject(RecordKind::kError, "not_an_object");
  }
  // hashmon record envelope: {"recv": ..., "event": ..., "msg": <message>}.
  if (const Value* msg = Member(v, "msg"); msg && Member(v, "recv")) {
    std::string_view inner_event = Str(v, "event");
    if (!inner_event.empty()) return DecodeMastodonEvent(*msg, inner_event, msg, depth + 1);
    return DecodeValue(*msg, {}, depth + 1);
  }
  if (!event.empty()) return DecodeMastodonEvent(v, event, nullptr, depth);
  if (const Value* data = ObjectMember(v, "data")) return DecodeV2(v, *data);
  if (Member(v, "did") && Member(v, "kind")) return DecodeJetstream(v);
  if (Member(v, "id_str") || (Member(v, "user") && Member(v, "created_at")))
    return DecodeV1Tweet(v);
  if (const Value* del = ObjectMember(v, "delete")) return DecodeV1Delete(*del);
  // Jetstream v2 (after X v1: tweets, the most frequent records, are not asked for it).
  if (std::string_view type = Str(v, "$type"); type == "message" || type == "error") {
    const Value* payload = ObjectMember(v, "payload");
    if (type == "message" && payload) return DecodeJetstreamV2(*payload);
    // An error frame ends the connection (the server closes it next): said, not a bad line.
    if (type == "error") return Reject(RecordKind::kNotice, "jetstream_error");
  }
  if (Member(v, "errors")) return Reject(RecordKind::kNotice, "x_v2_error");
  if (Member(v, "limit")) return Reject(RecordKind::kNotice, "x_limit");
  if (Member(v, "warning")) return Reject(RecordKind::kNotice, "x_warning");
  if (Member(v, "disconnect")) return Reject(RecordKind::kNotice, "x_disconnect");
  if (Member(v, "scrub_geo") || Member(v, "status_withheld") || Member(v, "user_withheld")) {
    return Reject(RecordKind::kNotice, "x_compliance");
  }
  if (Member(v, "event") && Member(v, "stream")) {
    std::string_view ev = Str(v, "event");
    return DecodeMastodonEvent(v, ev, Member(v, "payload"), depth);
  }
  if (LooksLikeMastodonStatus(v)) return DecodeMastodonStatus(v);
  if (Member(v, "type") && Member(v, "stream"))
    return Reject(RecordKind::kIgnored, "mastodon_client_message");
  if (Member(v, "error")) return Reject(RecordKind::kNotice, "stream_error");
  return Reject(RecordKind::kError, "unknown_message");
}

namespace {

// Sizes no network issues. A record past them is hostile, and its fields would stay in
// memory for hours: de-duplication keeps every counted post's id (up to 2 million), and
// the country locator remembers the profile locations it has read.
constexpr size_t kMaxPostIdBytes = 1024;   // X ids are 19 digits; at:// paths and URIs ~100
constexpr size_t kMaxEvidenceBytes = 256;  // X allows a location of 30 characters

// Refuses a post whose identity is too long to be real, and drops evidence of a size no
// profile has (it then decides nothing, as if absent).
Record BoundFields(Record r) {
  if (r.kind != RecordKind::kPost && r.kind != RecordKind::kDelete) return r;
  if (r.post.id.size() > kMaxPostIdBytes) return Reject(RecordKind::kError, "id_too_long");
  CountryEvidence& e = r.post.evidence;
  for (std::string* field : {&e.place_country_code, &e.profile_location, &e.time_zone, &e.domain})
    if (field->size() > kMaxEvidenceBytes) field->clear();
  if (e.languages.size() > 8) e.languages.clear();  // Bluesky allows 3, X and Mastodon 1
  return r;
}

}  // namespace

Decoder::Decoder() : impl_(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;

Record Decoder::Decode(char* text, size_t len, std::string_view sse_event) {
  size_t start = 0;
  // A byte-order mark, which Windows tools write at the start of a UTF-8 file (and so of
  // its first line, or of each file's when files are joined with cat).
  if (std::string_view(text, len).substr(0, 3) == kUtf8ByteOrderMark) start = 3;
  while (start < len && (text[start] == ' ' || text[start] == '\t' || text[start] == '\r')) ++start;
  if (start == len) return Reject(RecordKind::kNotice, "keep_alive");
  Record r;
  if (text[start] != '{' && text[start] != '[' && sse_event == "delete") {
    r = Reject(RecordKind::kNotice, "mastodon_delete");
  } else if (text[start] != '{') {
    r = Reject(RecordKind::kError, "not_json");
  } else {
    r = impl_->ParseAndDecode(text + start, sse_event, 0);
  }
  impl_->value_alloc.Clear();
  impl_->stack_alloc.Clear();
  return BoundFields(std::move(r));
}

Record Decoder::DecodeCopy(std::string_view text, std::string_view sse_event) {
  impl_->copy.assign(text);
  return Decode(impl_->copy.data(), impl_->copy.size(), sse_event);
}

namespace {

// The digits after the first `key` (a number member), or 0.
int64_t NumberAfter(std::string_view event, std::string_view key) {
  // Inside a JSON string a quote is always escaped, so this pattern can only be a key.
  const size_t at = event.find(key);
  if (at == std::string_view::npos) return 0;
  size_t i = at + key.size();
  while (i < event.size() && event[i] == ' ') ++i;
  int64_t v = 0;
  size_t digits = 0;
  for (; i < event.size() && event[i] >= '0' && event[i] <= '9' && digits < 18; ++i, ++digits) {
    v = v * 10 + (event[i] - '0');
  }
  return digits > 0 ? v : 0;
}

// The time after the first `key` (a string member holding an RFC 3339 time), in
// microseconds, or 0.
int64_t MicrosAfter(std::string_view event, std::string_view key) {
  const size_t at = event.find(key);
  if (at == std::string_view::npos) return 0;
  std::string_view rest = event.substr(at + key.size(), 40);
  std::optional<int64_t> ms = ParseIsoTime(rest.substr(0, rest.find('"')));
  return ms && *ms > 0 ? *ms * 1000 : 0;
}

}  // namespace

int64_t JetstreamTimeUs(std::string_view event) {
  if (int64_t v = NumberAfter(event, "\"time_us\":"); v > 0) return v;
  // v2: witnessedAt is what a time cursor is resolved against; older servers send only time.
  if (int64_t v = MicrosAfter(event, "\"witnessedAt\":\""); v > 0) return v;
  return MicrosAfter(event, "\"time\":\"");
}

}  // namespace hashmon
