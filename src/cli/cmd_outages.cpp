// hashmon query outages | spikes: what the detector decided, as a report, CSV or JSON.

#include <charconv>
#include <cstdio>

#include "cli/answer_file.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/clock.h"
#include "hashmon/tag_key.h"
#include "hashmon/terminal_text.h"
#include "hashmon/time_util.h"
#include "store/json_views.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

struct OutageArgs {
  std::string db = DatabaseByDefault();
  std::string tag, country, since, until, format, output;
  int64_t id = 0;  // outages only
};

std::string TimeOfDay(int64_t ms) { return ms == 0 ? "-" : FormatIsoTime(ms).substr(11, 8); }

std::string Delay(int64_t from, int64_t to) {
  if (from == 0 || to == 0) return "";
  const int64_t s = (to - from) / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%lld:%02lld", static_cast<long long>(s / 60),
                static_cast<long long>(s % 60));
  return buf;
}

void PrintCsv(const std::vector<SqliteStore::OutageRow>& rows) {
  std::printf(
      "id,tag,country,started,detected_at,ended,resolved_at,mentions,peak_time,peak_count,"
      "confirmed_at,waves\n");
  for (const auto& row : rows) {
    for (const auto& [cc, c] : row.outage.countries) {
      std::printf("%lld,%s,%s,%s,%s,%s,%s,%lld,%s,%lld,%s,%zu\n",
                  static_cast<long long>(row.outage.id), row.outage.tag.c_str(), cc.c_str(),
                  FormatIsoTime(c.started).c_str(), FormatIsoTime(c.detected_at).c_str(),
                  c.ended ? FormatIsoTime(c.ended).c_str() : "",
                  c.resolved_at ? FormatIsoTime(c.resolved_at).c_str() : "",
                  static_cast<long long>(c.mentions), FormatIsoTime(c.peak_time).c_str(),
                  static_cast<long long>(c.peak_count),
                  c.confirmed_at ? FormatIsoTime(c.confirmed_at).c_str() : "", WavesOf(c).size());
    }
  }
}

// A post's text on one line of at most `max` bytes (and its escapes), safe for a terminal.
std::string OneLine(std::string text, size_t max) {
  for (char& c : text) c = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (text.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
      --cut;  // keep UTF-8 whole
    text = text.substr(0, cut) + "...";
  }
  return TerminalSafe(text);
}

// A country whose outage came back: each of its waves, under its row's columns.
void PrintWaves(const OutageCountry& c) {
  const std::vector<OutageWave> waves = WavesOf(c);
  if (waves.size() < 2) return;
  for (size_t i = 0; i < waves.size(); ++i) {
    const OutageWave& w = waves[i];
    std::printf("    %-5s %-9s %-9s %-8s %s\n", i == 0 ? "wave" : "back",
                TimeOfDay(w.started).c_str(), TimeOfDay(w.detected_at).c_str(),
                Delay(w.started, w.detected_at).c_str(), TimeOfDay(w.ended).c_str());
  }
}

void PrintReport(const std::vector<SqliteStore::OutageRow>& rows) {
  if (rows.empty()) {
    std::printf("no outages in this range\n");
    return;
  }
  for (const auto& row : rows) {
    const Outage& o = row.outage;
    std::printf("Outage #%lld: #%s, %s\n", static_cast<long long>(o.id), o.tag.c_str(),
                o.countries.size() >= 2 ? ("international incident, " +
                                           std::to_string(o.countries.size()) + " countries")
                                              .c_str()
                                        : ("in " + o.countries.begin()->first).c_str());
    std::printf(
        "  began %s, detected %s (%s after onset), %s\n", FormatIsoTime(o.started).c_str(),
        FormatIsoTime(o.detected_at).c_str(), Delay(o.started, o.detected_at).c_str(),
        o.ended ? ("ended " + FormatIsoTime(o.ended) + ", resolved " + FormatIsoTime(o.resolved_at))
                      .c_str()
                : "still ongoing");
    std::printf("  peak %lld mentions a minute at %s\n", static_cast<long long>(o.peak_count),
                FormatIsoTime(o.peak_time).c_str());
    std::printf("  %-7s %-9s %-9s %-8s %-9s %9s %5s\n", "country", "began", "detected", "delay",
                "ended", "mentions", "peak");
    for (const auto& [cc, c] : o.countries) {
      std::printf("  %-7s %-9s %-9s %-8s %-9s %9lld %5lld%s\n", cc.c_str(),
                  TimeOfDay(c.started).c_str(), TimeOfDay(c.detected_at).c_str(),
                  Delay(c.started, c.detected_at).c_str(), TimeOfDay(c.ended).c_str(),
                  static_cast<long long>(c.mentions), static_cast<long long>(c.peak_count),
                  c.confirmed_at ? "" : "  provisional: withdrawn unless it says more soon");
      PrintWaves(c);
    }
    if (!row.evidence.empty()) std::printf("  what people said:\n");
    std::string last_country;
    for (const auto& e : row.evidence) {
      if (e.country == last_country) continue;  // one sample per country in the report
      last_country = e.country;
      std::printf("    %s %s  %s\n", e.country.c_str(), TimeOfDay(e.created_at).c_str(),
                  e.text.empty() ? "(deleted)" : OneLine(e.text, 100).c_str());
    }
  }
}

// The query the options ask; false when they cannot be read, said on stderr as `what`'s.
bool ParseRange(const OutageArgs& a, const char* what, SqliteStore::OutageQuery* q) {
  SystemClock clock;
  std::string error;
  q->tag = TagOption(a.tag);
  const auto country = CountryOption(a.country, &error);
  if (country) q->country = *country;
  if (!country ||
      !ParseTimeRange(a.since, a.until, clock.NowMs(), &q->since_ms, &q->until_ms, &error)) {
    std::fprintf(stderr, "hashmon query %s: %s\n", what, error.c_str());
    return false;
  }
  return true;
}

std::unique_ptr<SqliteStore> Open(const std::string& db) {
  std::string error;
  auto store = SqliteStore::OpenReadOnly(db, &error);
  if (!store) std::fprintf(stderr, "hashmon query: %s\n", error.c_str());
  return store;
}

int RunOutages(const OutageArgs& a) {
  SqliteStore::OutageQuery q;
  if (!ParseRange(a, "outages", &q)) return 2;
  q.id = a.id;
  auto store = Open(a.db);
  if (!store) return 1;
  const auto rows = store->QueryOutages(q);
  if (a.id != 0 && rows.empty()) {
    std::fprintf(stderr, "hashmon query outages: no outage #%lld in %s%s\n",
                 static_cast<long long>(a.id), a.db.c_str(),
                 a.since.empty() && a.until.empty() && a.tag.empty() && a.country.empty()
                     ? ""
                     : " that the other options let through");
    return 1;
  }
  const std::string format = a.format.empty() ? (StdoutIsTerminal() ? "table" : "json") : a.format;
  if (format == "json" || format == "jsonl")
    PrintJsonRows(OutagesJson(rows), format);
  else if (format == "csv")
    PrintCsv(rows);
  else
    PrintReport(rows);
  NoteATagNeverCounted(*store, q.tag, a.db);
  return 0;
}

int RunSpikes(const OutageArgs& a) {
  SqliteStore::OutageQuery q;
  if (!ParseRange(a, "spikes", &q)) return 2;
  auto store = Open(a.db);
  if (!store) return 1;
  const auto spikes = store->QuerySpikes(q);
  const std::string format = a.format.empty() ? (StdoutIsTerminal() ? "table" : "json") : a.format;
  if (format == "json" || format == "jsonl") {
    PrintJsonRows(SpikesJson(spikes), format);
  } else if (format == "table" && spikes.empty()) {
    std::printf("no spikes in this range\n");
  } else {
    std::printf(format == "csv" ? "time,tag,country,count,expected,score\n"
                                : "%-20s %-14s %-7s %6s %9s %8s\n",
                "time", "tag", "country", "count", "expected", "score");
    for (const auto& s : spikes) {
      std::printf(
          format == "csv" ? "%s,%s,%s,%lld,%.4f,%.6f\n" : "%-20s %-14s %-7s %6lld %9.4f %8.6f\n",
          FormatIsoTime(s.minute).c_str(), s.tag.c_str(), s.country.c_str(),
          static_cast<long long>(s.count), s.expected, s.score);
    }
  }
  NoteATagNeverCounted(*store, q.tag, a.db);
  return 0;
}

// For the table: whether the posts of a gap's time came again (JSON's posts_missing_from).
// A gap whose posts may all be missing, the usual case, needs no note.
std::string PostsMissingNote(const GapRecord& g) {
  if (g.NothingMissing()) return " (its posts came again: nothing missing)";
  // (The history keeps a gap's start to the second and missing_from to the millisecond.)
  const int64_t missing_from = g.PostsMissingFrom();
  if (missing_from < g.from_ms + 1000) return "";
  return " (its posts came again up to " + FormatIsoTime(missing_from) + ")";
}

int RunGaps(const OutageArgs& a) {
  SqliteStore::OutageQuery q;
  if (!ParseRange(a, "gaps", &q)) return 2;
  auto store = Open(a.db);
  if (!store) return 1;
  const auto gaps = store->QueryGaps(q);
  const std::string format = a.format.empty() ? (StdoutIsTerminal() ? "table" : "json") : a.format;
  if (format == "json" || format == "jsonl") {
    PrintJsonRows(GapsJson(gaps), format);
  } else if (format == "table" && gaps.empty()) {
    std::printf("no gaps in this range: no source went unwatched\n");
  } else {
    if (format == "csv") std::printf("source,from,to,reason\n");
    for (const auto& g : gaps) {
      const bool csv = format == "csv";
      std::printf(csv ? "%s,%s,%s,%s%s\n" : "%-40s %s .. %s  %s%s\n",
                  (csv ? CsvField(g.source) : g.source).c_str(), FormatIsoTime(g.from_ms).c_str(),
                  g.to_ms ? FormatIsoTime(g.to_ms).c_str() : "",
                  (csv ? CsvField(g.reason) : g.reason).c_str(),
                  csv ? "" : PostsMissingNote(g).c_str());
    }
  }
  return 0;
}

// A cursor as a person reads it: Jetstream's is a time in microseconds, a file's a byte
// offset; others (a relay's line, a post id) as they are.
std::string ReadableCursor(const SqliteStore::SourceRow& s) {
  int64_t n = 0;
  const char* end = s.cursor.data() + s.cursor.size();
  const bool number = std::from_chars(s.cursor.data(), end, n).ptr == end && !s.cursor.empty();
  if (s.source == "jetstream" && number && n > 0) return FormatIsoTime(n / 1000) + " (time_us)";
  if (s.source.rfind("file:", 0) == 0 && number) {
    std::string tags;
    for (const std::string& tag : SplitTagKeys(s.tags.value_or("")))
      tags += (tags.empty() ? ", for #" : " #") + tag;
    return "byte " + s.cursor + (s.complete ? ", read to the end" : "") + tags;
  }
  return s.cursor;
}

int RunSources(const OutageArgs& a) {
  auto store = Open(a.db);
  if (!store) return 1;
  const auto sources = store->QuerySources();
  const std::string format = a.format.empty() ? (StdoutIsTerminal() ? "table" : "json") : a.format;
  if (format == "json" || format == "jsonl") {
    PrintJsonRows(SourcesJson(sources), format);
  } else if (format == "csv") {
    std::printf("source,name,cursor,complete,committed\n");
    for (const auto& s : sources) {
      std::printf("%s,%s,%s,%d,%s\n", CsvField(s.source).c_str(), CsvField(s.name).c_str(),
                  CsvField(s.cursor).c_str(), s.complete ? 1 : 0,
                  FormatIsoTime(s.committed_ms).c_str());
    }
  } else if (sources.empty()) {
    std::printf("no source has committed to this history yet\n");
  } else {
    SystemClock clock;
    std::printf("%-44s %-20s %9s  %s\n", "source", "last commit", "ago", "cursor");
    for (const auto& s : sources) {
      std::printf("%-44s %-20s %8llds  %s\n",
                  TerminalSafe(s.name.empty() ? s.source : s.name).c_str(),
                  FormatIsoTime(s.committed_ms).c_str(),
                  static_cast<long long>((clock.NowMs() - s.committed_ms) / 1000),
                  TerminalSafe(ReadableCursor(s)).c_str());
    }
  }
  return 0;
}

void AddOptions(CLI::App* cmd, OutageArgs* a) {
  cmd->add_option("--db", a->db, "SQLite database (default: $HASHMON_DB, else hashmon.db)");
  cmd->add_option("--tag", a->tag, "Only this tag");
  cmd->add_option("--country", a->country, "Only outages that involve this country (ISO code)");
  cmd->add_option("--since", a->since, "Start (ISO 8601 UTC, or -2h relative to now)");
  cmd->add_option("--until", a->until, "End, exclusive");
  cmd->add_option("--format", a->format,
                  "table (a report; default on a terminal), csv, json, or jsonl (a line each)")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}));
  AddOutputOption(cmd, &a->output);
}

// Registers `name`, whose answer `run` prints (or writes into --output); returns its options.
OutageArgs* AddQuery(CLI::App* query, ExitCode* exit, const char* name, const char* description,
                     int (*run)(const OutageArgs&)) {
  auto args = std::make_shared<OutageArgs>();
  CLI::App* cmd = query->add_subcommand(name, description);
  AddOptions(cmd, args.get());
  cmd->callback([args, exit, run] {
    exit->value =
        AnswerInto(args->output, &args->format, "hashmon query", [&] { return run(*args); });
  });
  return args.get();
}

}  // namespace

void RegisterOutageQueries(CLI::App* query, ExitCode* exit) {
  OutageArgs* outages =
      AddQuery(query, exit, "outages",
               "Crowd-reported outages: per country and international incidents", RunOutages);
  query->get_subcommand("outages")
      ->add_option("--id", outages->id,
                   "Only the outage of this number (as alerts and the report name it: #3); "
                   "exits 1 when there is none")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            if (ParseOutageNumber(text)) return "";
            return "an outage's number, 1 or more (as in \"Outage #3\"), not \"" + text + "\"";
          },
          "N"));
  AddQuery(query, exit, "spikes", "Single anomalous minutes", RunSpikes);
  AddQuery(query, exit, "gaps",
           "When a live source went unwatched: disconnected, or not running (no data, not zero "
           "mentions)",
           RunGaps);
  auto sources = std::make_shared<OutageArgs>();
  CLI::App* cmd = query->add_subcommand(
      "sources", "Each source's and replayed file's cursor, and when it was last committed");
  cmd->add_option("--db", sources->db, "SQLite database (default: $HASHMON_DB, else hashmon.db)");
  cmd->add_option("--format", sources->format,
                  "table (default on a terminal), csv, json, or jsonl (a line each)")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}));
  AddOutputOption(cmd, &sources->output);
  cmd->callback([sources, exit] {
    exit->value = AnswerInto(sources->output, &sources->format, "hashmon query",
                             [&] { return RunSources(*sources); });
  });
}

}  // namespace hashmon
