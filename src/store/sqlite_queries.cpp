// The read side of the store: what `query`, the API and the dashboard ask of a history.
// Each reads in one statement per table, binds every value it is given, and reads a history
// of an older schema (opened read-only, so not migrated) as far as that schema goes.
#include <algorithm>
#include <charconv>
#include <iterator>

#include "store/sql_time.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

// A sample post counts in the wave that fired when it was posted: the last to start by
// then (the first, for a post just before it: an onset is dated to its minute).
void CountPostInItsWave(OutageCountry* c, int64_t created_at) {
  if (c->waves.empty()) return;
  auto it = c->waves.rbegin();
  while (std::next(it) != c->waves.rend() && it->started > created_at) ++it;
  ++it->evidence;
}

// The statements that read one outage's countries, waves and sample posts, each written for
// the history's schema.
class OutageParts {
 public:
  OutageParts(SQLite::Database& db, int schema_version)
      : countries_(db, CountriesSql(schema_version)),
        waves_(db, WavesSql(schema_version)),
        evidence_(db,
                  "SELECT country, source, post_id, created_at, text FROM evidence WHERE "
                  "outage_id = ? ORDER BY country, created_at, post_id") {}

  void ReadCountries(Outage* x) {
    countries_.bind(1, static_cast<int64_t>(x->id));
    while (countries_.executeStep()) {
      const SQLite::Statement& c = countries_;
      OutageCountry oc;
      oc.country = c.getColumn(0).getString();
      oc.started = Ms(c.getColumn(1));
      oc.detected_at = Ms(c.getColumn(2));
      oc.ended = Ms(c.getColumn(3));
      oc.resolved_at = Ms(c.getColumn(4));
      oc.mentions = c.getColumn(5).getInt64();
      oc.peak_time = Ms(c.getColumn(6));
      oc.peak_count = c.getColumn(7).getInt64();
      oc.evidence = c.getColumn(8).getInt();
      oc.confirmed_at = Ms(c.getColumn(9));
      x->countries[oc.country] = oc;
    }
    countries_.reset();
  }

  void ReadWaves(Outage* x) {
    waves_.bind(1, static_cast<int64_t>(x->id));
    while (waves_.executeStep()) {
      const SQLite::Statement& w = waves_;
      const auto country = x->countries.find(w.getColumn(0).getString());
      if (country == x->countries.end()) continue;
      country->second.waves.push_back({Ms(w.getColumn(1)), Ms(w.getColumn(2)), Ms(w.getColumn(3)),
                                       Ms(w.getColumn(4)), w.getColumn(5).getInt64(),
                                       Ms(w.getColumn(6)), w.getColumn(7).getInt64()});
    }
    waves_.reset();
  }

  // The sample posts, each also counted into its country's wave (not stored per wave).
  void ReadEvidence(SqliteStore::OutageRow* row) {
    Outage& x = row->outage;
    evidence_.bind(1, static_cast<int64_t>(x.id));
    while (evidence_.executeStep()) {
      const SQLite::Statement& e = evidence_;
      row->evidence.push_back(
          {x.id, e.getColumn(0).getString(), SourceKindFromName(e.getColumn(1).getString()),
           e.getColumn(2).getString(), e.getColumn(3).getInt64(),
           e.getColumn(4).isNull() ? std::string() : e.getColumn(4).getString()});
      const auto country = x.countries.find(row->evidence.back().country);
      if (country != x.countries.end())
        CountPostInItsWave(&country->second, row->evidence.back().created_at);
    }
    evidence_.reset();
  }

 private:
  static std::string CountriesSql(int version) {
    // A history from before schema 5 never withdrew an alert.
    const char* confirmed_at = version >= 5 ? "confirmed_at" : "detected_at";
    return std::string(
               "SELECT country, started, detected_at, ended, resolved_at, mentions, peak_time, "
               "peak_count, (SELECT COUNT(*) FROM evidence e WHERE e.outage_id = oc.outage_id "
               "AND e.country = oc.country), ") +
           confirmed_at + " FROM outage_countries oc WHERE outage_id = ? ORDER BY started, country";
  }

  // Before schema 6 each country had one wave, and none is stored; before schema 7 waves
  // kept no mentions or peaks of their own.
  static std::string WavesSql(int version) {
    if (version < 6) return "SELECT NULL, NULL, NULL, NULL, NULL, 0, NULL, 0 WHERE ? IS NULL";
    return std::string("SELECT country, started, detected_at, ended, resolved_at, ") +
           (version >= 7 ? "mentions, peak_time, peak_count" : "0, NULL, 0") +
           " FROM outage_waves WHERE outage_id = ? ORDER BY country, wave";
  }

  SQLite::Statement countries_;
  SQLite::Statement waves_;
  SQLite::Statement evidence_;
};

// Binds the query's period as ?1 (since) and ?2 (until).
void BindPeriod(SQLite::Statement& st, const SqliteStore::OutageQuery& q) {
  st.bind(1, static_cast<int64_t>(Sec(q.since_ms)));
  st.bind(2, static_cast<int64_t>(Sec(q.until_ms)));
}

}  // namespace

std::optional<int64_t> ParseOutageNumber(std::string_view text) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || ptr != end || n < 1) return std::nullopt;
  return n;
}

std::vector<SqliteStore::OutageRow> SqliteStore::QueryOutages(const OutageQuery& q) {
  SQLite::Statement o(*db_,
                      "SELECT id, tag, started, detected_at, ended, resolved_at, peak_time, "
                      "peak_count FROM outages "
                      "WHERE started < ?2 AND (ended IS NULL OR ended >= ?1) AND (?3 = '' OR tag = "
                      "?3) AND (?4 = 0 OR id = ?4) ORDER BY started, id");
  BindPeriod(o, q);
  o.bind(3, q.tag);
  o.bind(4, static_cast<int64_t>(q.id));
  OutageParts parts(*db_, schema_version());
  std::vector<OutageRow> rows;
  while (o.executeStep()) {
    OutageRow row;
    Outage& x = row.outage;
    x.id = o.getColumn(0).getInt64();
    x.tag = o.getColumn(1).getString();
    x.started = Ms(o.getColumn(2));
    x.detected_at = Ms(o.getColumn(3));
    x.ended = Ms(o.getColumn(4));
    x.resolved_at = Ms(o.getColumn(5));
    x.peak_time = Ms(o.getColumn(6));
    x.peak_count = o.getColumn(7).getInt64();
    parts.ReadCountries(&x);
    if (!q.country.empty() && !x.countries.count(q.country)) continue;
    parts.ReadWaves(&x);
    parts.ReadEvidence(&row);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Spike> SqliteStore::QuerySpikes(const OutageQuery& q) {
  std::vector<Spike> out;
  SQLite::Statement s(
      *db_,
      "SELECT tag, country, minute, count, expected, score FROM spikes WHERE minute >= ?1 AND "
      "minute < ?2 "
      "AND (?3 = '' OR country = ?3) AND (?4 = '' OR tag = ?4) ORDER BY minute, tag, country");
  BindPeriod(s, q);
  s.bind(3, q.country);
  s.bind(4, q.tag);
  while (s.executeStep()) {
    out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(),
                   s.getColumn(2).getInt64() * 1000, s.getColumn(3).getInt64(),
                   s.getColumn(4).getDouble(), s.getColumn(5).getDouble()});
  }
  return out;
}

std::vector<GapRecord> SqliteStore::QueryGaps(const OutageQuery& q) {
  std::vector<GapRecord> out;
  // (Where posts may be missing came with schema 10; before, all of each gap.)
  SQLite::Statement s(*db_, std::string("SELECT source, started, ended, reason, ") +
                                (schema_version() >= 10 ? "missing_from" : "NULL") +
                                " FROM gaps WHERE started < ?2 AND "
                                "(ended IS NULL OR ended >= ?1) ORDER BY started");
  BindPeriod(s, q);
  while (s.executeStep()) {
    out.push_back({s.getColumn(0).getString(), s.getColumn(1).getInt64() * 1000,
                   s.getColumn(2).isNull() ? 0 : s.getColumn(2).getInt64() * 1000,
                   s.getColumn(3).getString(),
                   s.getColumn(4).isNull() ? INT64_MIN : s.getColumn(4).getInt64()});
  }
  return out;
}

std::vector<SqliteStore::SourceRow> SqliteStore::QuerySources() {
  std::vector<SourceRow> out;
  // (Names came with schema 8, tags with 11.)
  SQLite::Statement s(*db_, std::string("SELECT source, cursor, complete, updated, ") +
                                (schema_version() >= 8 ? "name" : "''") + ", " +
                                (schema_version() >= 11 ? "tags" : "NULL") +
                                " FROM checkpoints ORDER BY updated DESC, source");
  while (s.executeStep()) {
    out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(),
                   s.getColumn(2).getInt() != 0, s.getColumn(3).getInt64() * 1000,
                   s.getColumn(4).getString(), std::nullopt});
    if (!s.getColumn(5).isNull()) out.back().tags = s.getColumn(5).getString();
  }
  return out;
}

std::vector<std::string> SqliteStore::Tags() {
  std::vector<std::string> tags;
  SQLite::Statement q(*db_, HasSeriesTotals()
                                ? "SELECT DISTINCT tag FROM series WHERE mentions > 0 ORDER BY tag"
                                : "SELECT DISTINCT tag FROM buckets ORDER BY tag");
  while (q.executeStep()) tags.push_back(q.getColumn(0).getString());
  return tags;
}

SqliteStore::Summary SqliteStore::Summarize() {
  Summary s;
  s.open_outages =
      db_->execAndGet("SELECT COUNT(*) FROM outage_countries WHERE ended IS NULL").getInt64();
  SQLite::Statement newest(*db_, "SELECT MAX(minute) FROM buckets");
  if (newest.executeStep() && !newest.getColumn(0).isNull())
    s.newest_count_ms = newest.getColumn(0).getInt64() * 1000;
  SQLite::Statement by(*db_, HasSeriesTotals() ? "SELECT country, SUM(mentions) FROM series "
                                                 "GROUP BY country HAVING SUM(mentions) > 0"
                                               : "SELECT country, SUM(count) FROM buckets "
                                                 "GROUP BY country");
  while (by.executeStep())
    s.mentions_by_country[by.getColumn(0).getString()] = by.getColumn(1).getInt64();
  SQLite::Statement latest(*db_,
                           "SELECT id, started, ended FROM outages ORDER BY started DESC LIMIT 1");
  if (latest.executeStep()) {
    s.latest_outage_id = latest.getColumn(0).getInt64();
    s.latest_outage_started = latest.getColumn(1).getInt64() * 1000;
    s.latest_outage_ended =
        latest.getColumn(2).isNull() ? 0 : latest.getColumn(2).getInt64() * 1000;
  }
  SQLite::Statement cp(*db_,
                       "SELECT source, cursor, updated FROM checkpoints ORDER BY updated DESC");
  while (cp.executeStep()) {
    s.sources.push_back(
        {cp.getColumn(0).getString(), cp.getColumn(1).getString(), cp.getColumn(2).getInt64()});
  }
  return s;
}

void SqliteStore::ForEachCount(const CountQuery& cq,
                               const std::function<bool(const CountRow&)>& fn) {
  const int64_t step = std::max<int64_t>(60, cq.every_ms / 1000);
  std::string sql =
      "SELECT (minute / ?1) * ?1 AS t, tag, country, SUM(count) FROM buckets "
      "WHERE minute >= ?2 AND minute < ?3";
  const bool one_tag = !cq.tag.empty();
  if (one_tag) sql += " AND tag = ?4";
  const bool one_country = !cq.country.empty() && cq.country != "all";
  if (one_country) sql += " AND country = ?5";
  // With a tag or a country but not both, the primary key (tag, country, minute) reads
  // only the window once the other is listed, for each of its series; without the list
  // it read the tag's (or every tag's) whole history.
  if (HasSeriesTotals() && one_tag != one_country) {
    sql += one_country ? " AND tag IN (SELECT tag FROM series WHERE country = ?5)"
                       : " AND country IN (SELECT country FROM series WHERE tag = ?4)";
  }
  sql += " GROUP BY t, tag, country ORDER BY t, tag, country";
  SQLite::Statement q(*db_, sql);
  q.bind(1, static_cast<int64_t>(step));
  q.bind(2, static_cast<int64_t>(Sec(cq.since_ms)));
  q.bind(3, static_cast<int64_t>(Sec(cq.until_ms)));
  if (one_tag) q.bind(4, cq.tag);
  if (one_country) q.bind(5, cq.country);
  CountRow row;
  while (q.executeStep()) {
    row.time = q.getColumn(0).getInt64() * 1000;
    row.tag = q.getColumn(1).getString();
    row.country = q.getColumn(2).getString();
    row.count = q.getColumn(3).getInt64();
    if (!fn(row)) return;
  }
}

std::vector<CountRow> SqliteStore::QueryCounts(const CountQuery& q) {
  std::vector<CountRow> rows;
  ForEachCount(q, [&rows](const CountRow& r) {
    rows.push_back(r);
    return true;
  });
  return rows;
}

}  // namespace hashmon
