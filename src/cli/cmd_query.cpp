// hashmon query: read-only questions to the SQLite history.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/answer_file.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/clock.h"
#include "hashmon/tag_key.h"
#include "hashmon/time_util.h"
#include "store/json_views.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

struct CountsArgs {
  std::string db = DatabaseByDefault();
  std::string tag;
  std::string country = "all";
  std::string since, until;
  std::string every = "1m";
  std::string format;
  std::string output;
};

// Eight levels of block characters, scaled to the series' maximum: each cell the busiest of
// its buckets.
std::string Sparkline(const std::vector<int64_t>& cells) {
  static const char* kBars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const int64_t top = cells.empty() ? 0 : *std::max_element(cells.begin(), cells.end());
  std::string out;
  for (int64_t v : cells) out += kBars[top == 0 ? 0 : (v == 0 ? 0 : 1 + (v * 7) / top)];
  return out;
}

// One line of the table: a series' mentions, its busiest bucket, and its trend in cells.
struct SeriesLine {
  int64_t total = 0;
  int64_t peak = 0;
  int64_t peak_time = 0;
  std::vector<int64_t> cells;
};

// The table reads the counts twice, holding a line per series rather than every bucket (a
// year of minutes is millions): first for the time span and each series' total and peak,
// then for the trend, `buckets` buckets from `first` in at most kTrendCells cells.
void PrintTable(SqliteStore& store, const CountQuery& q) {
  constexpr int64_t kTrendCells = 60;
  SQLite::Transaction snapshot(store.db());  // both passes read the same rows
  int64_t first = INT64_MAX, last = INT64_MIN;
  std::map<std::pair<std::string, std::string>, SeriesLine> series;
  store.ForEachCount(q, [&](const CountRow& r) {
    first = std::min(first, r.time);
    last = std::max(last, r.time);
    SeriesLine& line = series[{r.tag, r.country}];
    line.total += r.count;
    if (r.count > line.peak) line.peak = r.count, line.peak_time = r.time;
    return true;
  });
  if (series.empty()) {
    std::printf("no mentions in this range\n");
    return;
  }
  const int64_t every_ms = q.every_ms;
  const int64_t buckets = (last - first) / every_ms + 1;
  const int64_t n_cells = std::min(buckets, kTrendCells);
  for (auto& [key, line] : series) line.cells.assign(static_cast<size_t>(n_cells), 0);
  store.ForEachCount(q, [&](const CountRow& r) {
    auto it = series.find({r.tag, r.country});
    if (it == series.end() || r.time > last) return true;  // (the snapshot keeps them out)
    // Cell c holds buckets [c * buckets / width, (c + 1) * buckets / width).
    const int64_t i = (r.time - first) / every_ms;
    const int64_t c =
        buckets <= kTrendCells ? i : ((i + 1) * kTrendCells + buckets - 1) / buckets - 1;
    int64_t& cell = it->second.cells[static_cast<size_t>(c)];
    cell = std::max(cell, r.count);
    return true;
  });
  std::printf("%s .. %s, every %llds\n", FormatIsoTime(first).c_str(),
              FormatIsoTime(last + every_ms).c_str(), static_cast<long long>(every_ms / 1000));
  std::printf("%-14s %-7s %9s %6s  %-20s  %s\n", "tag", "country", "mentions", "peak", "peak at",
              "trend");
  std::vector<std::pair<int64_t, std::pair<std::string, std::string>>> order;
  order.reserve(series.size());
  for (const auto& [key, line] : series) order.push_back({-line.total, key});
  std::sort(order.begin(), order.end());
  for (const auto& [neg_total, key] : order) {
    const SeriesLine& line = series[key];
    std::printf("%-14s %-7s %9lld %6lld  %-20s  %s\n", key.first.c_str(), key.second.c_str(),
                static_cast<long long>(line.total), static_cast<long long>(line.peak),
                FormatIsoTime(line.peak == 0 ? first : line.peak_time).c_str(),
                Sparkline(line.cells).c_str());
  }
  snapshot.commit();
}

// CSV, JSON or JSON lines, written as the rows are read.
void PrintRows(SqliteStore& store, const CountQuery& q, const std::string& format) {
  if (format == "csv") {
    std::printf("time,tag,country,count\n");
    store.ForEachCount(q, [](const CountRow& r) {
      std::printf("%s,%s,%s,%lld\n", FormatIsoTime(r.time).c_str(), r.tag.c_str(),
                  r.country.c_str(), static_cast<long long>(r.count));
      return true;
    });
    return;
  }
  const bool lines = format == "jsonl";
  bool any = false;
  if (!lines) std::fputs("[", stdout);
  store.ForEachCount(q, [&](const CountRow& r) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    WriteCountRow(w, r);
    if (!lines && any) std::fputc(',', stdout);
    std::fputs(buf.GetString(), stdout);
    if (lines) std::fputc('\n', stdout);
    any = true;
    return true;
  });
  if (!lines) std::fputs("]\n", stdout);
}

int RunCounts(const CountsArgs& a) {
  std::string error;
  auto store = SqliteStore::OpenReadOnly(a.db, &error);
  if (!store) {
    std::fprintf(stderr, "hashmon query: %s\n", error.c_str());
    return 1;
  }
  SystemClock clock;
  CountQuery q;
  q.tag = TagOption(a.tag);
  const auto country = CountryOption(a.country, &error);
  if (!country) {
    std::fprintf(stderr, "hashmon query: %s\n", error.c_str());
    return 2;
  }
  q.country = *country;
  auto every = ParseDuration(a.every);
  if (!every || *every < 60'000 || *every % 60'000 != 0) {
    std::fprintf(stderr, "hashmon query: --every must be whole minutes: 1m, 5m, 1h or 1d\n");
    return 2;
  }
  q.every_ms = *every;
  if (!ParseTimeRange(a.since, a.until, clock.NowMs(), &q.since_ms, &q.until_ms, &error)) {
    std::fprintf(stderr, "hashmon query: %s\n", error.c_str());
    return 2;
  }
  const std::string format = a.format.empty() ? (StdoutIsTerminal() ? "table" : "csv") : a.format;
  try {
    if (format == "table")
      PrintTable(*store, q);
    else
      PrintRows(*store, q, format);
    NoteATagNeverCounted(*store, q.tag, a.db);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hashmon query: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

void NoteATagNeverCounted(SqliteStore& store, const std::string& tag, const std::string& db) {
  if (tag.empty()) return;
  const std::vector<std::string> tags = store.Tags();
  if (std::find(tags.begin(), tags.end(), tag) != tags.end()) return;
  std::string known;
  for (const auto& t : tags) known += (known.empty() ? "" : ", ") + t;
  std::fprintf(stderr, "hashmon query: %s has no mention of #%s at all (%s)\n", db.c_str(),
               tag.c_str(),
               known.empty() ? "it has none of any tag yet"
                             : ("its tags: " + known + "; --tag names one of them").c_str());
}

void AddOutputOption(CLI::App* cmd, std::string* output) {
  cmd->add_option("-o,--output", *output,
                  "Write the answer to this file, which is replaced only once the whole answer "
                  "is written; its name gives the format: .csv, .json, .jsonl, .txt (a table)");
}

CLI::Option* AddListOption(CLI::App* cmd, const std::string& name, std::vector<std::string>* items,
                           const std::string& help) {
  return cmd->add_option(name, *items, help)->delimiter(',')->transform(WithoutSurroundingSpaces);
}

void AddWatchedTagsOption(CLI::App* cmd, std::vector<std::string>* tags) {
  AddListOption(cmd, "--tag", tags,
                "Hashtag to watch (repeatable, or comma-separated; default twitterdown)");
}

void RegisterQuery(CLI::App& app, ExitCode* exit) {
  CLI::App* query =
      app.add_subcommand("query", "Ask the history (read-only; safe while a collector writes)");
  query->require_subcommand(1);
  auto args = std::make_shared<CountsArgs>();
  CLI::App* counts = query->add_subcommand("counts", "Mentions per tag, country and time bucket");
  counts->add_option("--db", args->db, "SQLite database (default: $HASHMON_DB, else hashmon.db)");
  counts->add_option("--tag", args->tag, "Only this tag (default: every tag)");
  counts->add_option("--country", args->country, "ISO code such as BR, ?? for unattributed, or all")
      ->capture_default_str();
  counts->add_option("--since", args->since, "Start (ISO 8601 UTC, or -2h relative to now)");
  counts->add_option("--until", args->until, "End, exclusive");
  counts->add_option("--every", args->every, "Bucket size: 1m, 5m, 1h, 1d")->capture_default_str();
  counts
      ->add_option("--format", args->format,
                   "table (default on a terminal), csv, json, or jsonl (a line each)")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}));
  AddOutputOption(counts, &args->output);
  counts->callback([args, exit] {
    exit->value =
        AnswerInto(args->output, &args->format, "hashmon query", [&] { return RunCounts(*args); });
  });
  RegisterOutageQueries(query, exit);
}

}  // namespace hashmon
