// hashmon silence add | list | expire: hold webhook alerts back while the collector runs.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/clock.h"
#include "hashmon/silence.h"
#include "hashmon/time_util.h"
#include "store/silence_store.h"

namespace hashmon {
namespace {

struct SilenceArgs {
  std::string db = DatabaseByDefault();
  std::string tag, country, from, until, for_how_long, comment, format;
  bool all = false;
  int64_t id = 0;
};

int Fail(const std::string& error) {
  std::cerr << "hashmon silence: " << error << "\n";
  return 2;
}

// The silence the options describe: --until, or --for from --from (or now).
bool SilenceFromArgs(const SilenceArgs& a, int64_t now_ms, Silence* s, std::string* error) {
  s->tag = TagOption(a.tag);
  const auto country = CountryOption(a.country, error);
  if (!country) return false;
  s->country = *country;
  s->comment = a.comment;
  if (!a.from.empty()) {
    const auto from = ParseUserTime(a.from, now_ms);
    if (!from) {
      *error =
          "--from: expected an ISO 8601 time such as 2026-12-03T00:00:00Z, or one "
          "relative to now such as +1h";
      return false;
    }
    s->from_ms = *from;
  }
  const int64_t start = a.from.empty() ? now_ms : s->from_ms;
  if (a.until.empty() == a.for_how_long.empty()) {
    *error = "say when it ends: --until 2026-12-03T06:00:00Z or --for 2h";
    return false;
  }
  const auto until = a.until.empty() ? std::optional<int64_t>() : ParseUserTime(a.until, now_ms);
  const auto span =
      a.for_how_long.empty() ? std::optional<int64_t>() : ParseDuration(a.for_how_long);
  if (!a.until.empty() && !until) {
    *error =
        "--until: expected an ISO 8601 time such as 2026-12-03T06:00:00Z, or one relative "
        "to now such as +2h";
    if (ParseDuration(a.until)) *error += " (for how long it lasts: --for " + a.until + ")";
    return false;
  }
  if (!a.for_how_long.empty() && !span) {
    *error = "--for: expected a duration such as 90m, 2h or 1d";
    return false;
  }
  s->until_ms = until ? *until : start + *span;
  if (s->until_ms <= std::max(start, now_ms)) {
    *error = "that silence would be over before it began";
    return false;
  }
  return true;
}

int RunAdd(const SilenceArgs& a) {
  SystemClock clock;
  const int64_t now = clock.NowMs();
  Silence s;
  std::string error;
  if (!SilenceFromArgs(a, now, &s, &error)) return Fail(error);
  const auto id = AddSilence(a.db, s, now, &error);
  if (!id) return Fail(error);
  std::printf("silence %lld: %s\n", static_cast<long long>(*id), DescribeSilence(s).c_str());
  return 0;
}

int RunList(const SilenceArgs& a) {
  SystemClock clock;
  const int64_t now = clock.NowMs();
  std::vector<StoredSilence> rows;
  std::string error;
  if (!ListSilences(a.db, a.all, now, &rows, &error)) return Fail(error);
  const std::string format = a.format.empty() ? (StdoutIsTerminal() ? "table" : "csv") : a.format;
  if (format == "json") {
    std::printf("%s\n", SilencesJson(rows, now).c_str());
    return 0;
  }
  const bool csv = format == "csv";
  std::printf(
      csv ? "id,state,tag,country,from,until,comment\n" : "%-4s %-8s %-14s %-7s %-20s %-20s %s\n",
      "id", "state", "tag", "country", "from", "until", "comment");
  for (const auto& r : rows) {
    const Silence& s = r.silence;
    const std::string tag = s.tag.empty() ? (csv ? "" : "*") : s.tag;
    const std::string country = s.country.empty() ? (csv ? "" : "*") : s.country;
    const std::string comment = csv ? CsvField(s.comment) : s.comment;
    std::printf(csv ? "%lld,%s,%s,%s,%s,%s,%s\n" : "%-4lld %-8s %-14s %-7s %-20s %-20s %s\n",
                static_cast<long long>(r.id), SilenceState(s, now), tag.c_str(), country.c_str(),
                FormatIsoTime(s.from_ms).c_str(), FormatIsoTime(s.until_ms).c_str(),
                comment.c_str());
  }
  if (!csv && rows.empty()) std::printf("(no silence is on; --all shows those that ended)\n");
  return 0;
}

int RunExpire(const SilenceArgs& a) {
  SystemClock clock;
  std::string error;
  if (!ExpireSilence(a.db, a.id, clock.NowMs(), &error)) return Fail(error);
  std::printf("silence %lld expired: its alerts go out again\n", static_cast<long long>(a.id));
  return 0;
}

}  // namespace

void RegisterSilence(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<SilenceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "silence", "Hold webhook alerts back for a while (maintenance), with the collector running");
  cmd->require_subcommand(1);

  CLI::App* add = cmd->add_subcommand("add", "Add a silence; prints its id");
  add->add_option("--db", args->db,
                  "The collector's database (default: $HASHMON_DB, else hashmon.db)");
  add->add_option("--tag", args->tag, "Only this tag's alerts (default: every tag)");
  add->add_option("--country", args->country, "Only this country's (BR, ?? ...; default: all)");
  add->add_option("--from", args->from,
                  "When it begins (ISO 8601 UTC, or +1h from now; default: now)");
  add->add_option("--until", args->until, "When it ends (ISO 8601 UTC, or +2h from now)");
  add->add_option("--for", args->for_how_long, "... or how long it lasts (90m, 2h, 1d)");
  add->add_option("--comment", args->comment, "Why, for the log and the list");
  add->callback([args, exit] { exit->value = RunAdd(*args); });

  CLI::App* list = cmd->add_subcommand("list", "The silences that are on (or pending)");
  list->add_option("--db", args->db,
                   "The collector's database (default: $HASHMON_DB, else hashmon.db)");
  list->add_flag("--all", args->all, "Those that ended too");
  list->add_option("--format", args->format, "table (default on a terminal), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  list->callback([args, exit] { exit->value = RunList(*args); });

  CLI::App* expire = cmd->add_subcommand("expire", "End a silence now");
  expire->add_option("id", args->id, "The silence's id (see list)")->required();
  expire->add_option("--db", args->db,
                     "The collector's database (default: $HASHMON_DB, else hashmon.db)");
  expire->callback([args, exit] { exit->value = RunExpire(*args); });
}

}  // namespace hashmon
