#include "store/json_views.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "hashmon/time_util.h"

namespace hashmon {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void TimeOrNull(Writer& w, const char* key, int64_t ms) {
  w.Key(key);
  if (ms == 0)
    w.Null();
  else
    w.String(FormatIsoTime(ms).c_str());
}

}  // namespace

std::string CountsJson(const std::vector<CountRow>& rows) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartArray();
  for (const auto& r : rows) {
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
  w.EndArray();
  return buf.GetString();
}

std::string OutagesJson(const std::vector<SqliteStore::OutageRow>& rows) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartArray();
  for (const auto& row : rows) {
    const Outage& o = row.outage;
    w.StartObject();
    w.Key("id");
    w.Int64(o.id);
    w.Key("tag");
    w.String(o.tag.c_str());
    TimeOrNull(w, "started", o.started);
    TimeOrNull(w, "detected_at", o.detected_at);
    TimeOrNull(w, "ended", o.ended);
    TimeOrNull(w, "resolved_at", o.resolved_at);
    TimeOrNull(w, "peak_time", o.peak_time);
    w.Key("peak_count");
    w.Int64(o.peak_count);
    w.Key("international");
    w.Bool(o.countries.size() >= 2);
    w.Key("countries");
    w.StartArray();
    for (const auto& [cc, c] : o.countries) {
      w.StartObject();
      w.Key("country");
      w.String(cc.c_str());
      TimeOrNull(w, "started", c.started);
      TimeOrNull(w, "detected_at", c.detected_at);
      TimeOrNull(w, "confirmed_at", c.confirmed_at);
      w.Key("provisional");  // it may yet be withdrawn (see confirm_minutes)
      w.Bool(c.confirmed_at == 0);
      TimeOrNull(w, "ended", c.ended);
      TimeOrNull(w, "resolved_at", c.resolved_at);
      w.Key("mentions");
      w.Int64(c.mentions);
      TimeOrNull(w, "peak_time", c.peak_time);
      w.Key("peak_count");
      w.Int64(c.peak_count);
      w.EndObject();
    }
    w.EndArray();
    w.Key("evidence");
    w.StartArray();
    for (const auto& e : row.evidence) {
      w.StartObject();
      w.Key("country");
      w.String(e.country.c_str());
      w.Key("source");
      w.String(SourceKindName(e.source));
      w.Key("id");
      w.String(e.post_id.c_str(), static_cast<rapidjson::SizeType>(e.post_id.size()));
      TimeOrNull(w, "created_at", e.created_at);
      w.Key("text");
      if (e.text.empty())
        w.Null();  // deleted by its author
      else
        w.String(e.text.c_str(), static_cast<rapidjson::SizeType>(e.text.size()));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

std::string SpikesJson(const std::vector<Spike>& spikes) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
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
  Writer w(buf);
  w.StartArray();
  for (const auto& g : gaps) {
    w.StartObject();
    w.Key("source");
    w.String(g.source.c_str());
    TimeOrNull(w, "from", g.from_ms);
    TimeOrNull(w, "to", g.to_ms);
    w.Key("reason");
    w.String(g.reason.c_str());
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

}  // namespace hashmon
