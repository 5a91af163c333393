#include "store/json_views.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "hashmon/time_util.h"

namespace hashmon {
void WriteTimeOrNull(JsonWriter& w, const char* key, int64_t ms) {
  w.Key(key);
  if (ms <= 0)
    w.Null();
  else
    w.String(FormatIsoTime(ms).c_str());
}

void WriteCountRow(JsonWriter& w, const CountRow& r) {
  w.StartObject();
  w.Key("time");
  w.String(FormatIsoTime(r.time).c_str());
  w.Key("tag");
  w.String(r.tag.c_str());
  w.Key("country");
  w.String(r.country.c_str());
  w.Key("count");
  w.Int64(r.count);
  w.EndObject();
}

namespace {

void WriteCount(JsonWriter& w, const char* key, int64_t n) {
  w.Key(key);
  w.Int64(n);
}

void WriteWave(JsonWriter& w, const OutageWave& wave) {
  w.StartObject();
  WriteTimeOrNull(w, "started", wave.started);
  WriteTimeOrNull(w, "detected_at", wave.detected_at);
  WriteTimeOrNull(w, "ended", wave.ended);
  WriteTimeOrNull(w, "resolved_at", wave.resolved_at);
  WriteCount(w, "mentions", wave.mentions);
  WriteTimeOrNull(w, "peak_time", wave.peak_time);
  WriteCount(w, "peak_count", wave.peak_count);
  w.EndObject();
}

void WriteCountry(JsonWriter& w, const std::string& country, const OutageCountry& c) {
  w.StartObject();
  w.Key("country");
  w.String(country.c_str());
  WriteTimeOrNull(w, "started", c.started);
  WriteTimeOrNull(w, "detected_at", c.detected_at);
  WriteTimeOrNull(w, "confirmed_at", c.confirmed_at);
  w.Key("provisional");  // it may yet be withdrawn (see confirm_minutes)
  w.Bool(c.confirmed_at == 0);
  WriteTimeOrNull(w, "ended", c.ended);
  WriteTimeOrNull(w, "resolved_at", c.resolved_at);
  WriteCount(w, "mentions", c.mentions);
  WriteTimeOrNull(w, "peak_time", c.peak_time);
  WriteCount(w, "peak_count", c.peak_count);
  w.Key("waves");  // more than one: the outage came back after it ended
  w.StartArray();
  for (const OutageWave& wave : WavesOf(c)) WriteWave(w, wave);
  w.EndArray();
  w.EndObject();
}

void WriteEvidence(JsonWriter& w, const EvidencePost& e) {
  w.StartObject();
  w.Key("country");
  w.String(e.country.c_str());
  w.Key("source");
  w.String(SourceKindName(e.source));
  w.Key("id");
  w.String(e.post_id.c_str(), static_cast<rapidjson::SizeType>(e.post_id.size()));
  WriteTimeOrNull(w, "created_at", e.created_at);
  w.Key("text");
  if (e.text.empty())
    w.Null();  // deleted by its author
  else
    w.String(e.text.c_str(), static_cast<rapidjson::SizeType>(e.text.size()));
  w.EndObject();
}

void WriteOutage(JsonWriter& w, const SqliteStore::OutageRow& row) {
  const Outage& o = row.outage;
  w.StartObject();
  WriteCount(w, "id", o.id);
  w.Key("tag");
  w.String(o.tag.c_str());
  WriteTimeOrNull(w, "started", o.started);
  WriteTimeOrNull(w, "detected_at", o.detected_at);
  WriteTimeOrNull(w, "ended", o.ended);
  WriteTimeOrNull(w, "resolved_at", o.resolved_at);
  WriteTimeOrNull(w, "peak_time", o.peak_time);
  WriteCount(w, "peak_count", o.peak_count);
  w.Key("international");
  w.Bool(o.countries.size() >= 2);
  w.Key("countries");
  w.StartArray();
  for (const auto& [country, c] : o.countries) WriteCountry(w, country, c);
  w.EndArray();
  w.Key("evidence");
  w.StartArray();
  for (const auto& e : row.evidence) WriteEvidence(w, e);
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string OutagesJson(const std::vector<SqliteStore::OutageRow>& rows) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const auto& row : rows) WriteOutage(w, row);
  w.EndArray();
  return buf.GetString();
}

std::string OutageJson(const SqliteStore::OutageRow& row) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteOutage(w, row);
  return buf.GetString();
}

std::string SpikesJson(const std::vector<Spike>& spikes) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const auto& s : spikes) {
    w.StartObject();
    w.Key("time");
    w.String(FormatIsoTime(s.minute).c_str());
    w.Key("tag");
    w.String(s.tag.c_str());
    w.Key("country");
    w.String(s.country.c_str());
    w.Key("count");
    w.Int64(s.count);
    w.Key("expected");
    w.Double(s.expected);
    w.Key("score");
    w.Double(s.score);
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

std::string GapsJson(const std::vector<GapRecord>& gaps) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const auto& g : gaps) {
    w.StartObject();
    w.Key("source");
    w.String(g.source.c_str());
    WriteTimeOrNull(w, "from", g.from_ms);
    WriteTimeOrNull(w, "to", g.to_ms);
    w.Key("reason");
    w.String(g.reason.c_str());
    // null: what was posted meanwhile came again (a cursor, gap fill), so nothing is missing.
    WriteTimeOrNull(w, "posts_missing_from", g.NothingMissing() ? 0 : g.PostsMissingFrom());
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

std::string SourcesJson(const std::vector<SqliteStore::SourceRow>& sources) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const auto& s : sources) {
    w.StartObject();
    w.Key("source");
    w.String(s.source.c_str());
    w.Key("name");
    w.String(s.name.c_str());
    w.Key("cursor");
    w.String(s.cursor.c_str());
    w.Key("complete");
    w.Bool(s.complete);
    WriteTimeOrNull(w, "committed", s.committed_ms);
    // What a replayed input was read for (null: not known, as for a live source).
    w.Key("tags");
    if (s.tags) {
      w.StartArray();
      for (const std::string& tag : SplitTagKeys(*s.tags)) w.String(tag.c_str());
      w.EndArray();
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

}  // namespace hashmon
