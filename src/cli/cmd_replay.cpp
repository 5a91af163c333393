// hashmon replay: recorded feeds -> SQLite history, exactly as if they were live.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "feed/replayer.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

struct ReplayArgs {
  std::string db = "hashmon.db";
  std::vector<std::string> tags;
  std::vector<std::string> files;
  std::vector<std::string> settings;
  double speed = 0;
  std::string lateness = "2m";
  size_t commit_mb = 64;
  size_t read_kb = 4096;
  bool no_prefilter = false;
  bool quiet = false;
};

std::string Thousands(int64_t n) {
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0 && s[i - 1] != '-') out.push_back(',');
    out.push_back(s[i]);
  }
  return out;
}

std::string ReasonList(const std::map<std::string, int64_t>& m) {
  std::string out;
  for (const auto& [reason, n] : m) out += (out.empty() ? "" : ", ") + reason + " " + Thousands(n);
  return out;
}

// Progress on one line of a terminal: bytes, posts a second, event time, mentions.
void ShowProgress(const ReplayProgress& p) {
  const double secs = std::max<int64_t>(1, p.elapsed_ms) / 1000.0;
  std::fprintf(stderr, "\r%.0f MB  %s posts/s  event time %s  mentions %s   ", p.bytes / 1e6,
               Thousands(static_cast<int64_t>(p.posts / secs)).c_str(),
               p.newest_event_ms == INT64_MIN ? "-" : FormatIsoTime(p.newest_event_ms).c_str(),
               Thousands(p.mentions).c_str());
}

// What the replay read and counted, and what it could not (rejected, late, skipped).
void PrintSummary(const ReplayArgs& a, const Pipeline& pipeline, const Replayer& replayer,
                  double secs) {
  const auto& s = pipeline.stats();
  std::string tags;
  for (const auto& t : pipeline.watched().keys()) tags += (tags.empty() ? "#" : ", #") + t;
  std::printf(
      "replayed %.1f MB in %.2f s into %s: %s posts parsed, %s mentions of %s, %s duplicates "
      "skipped\n",
      replayer.progress().bytes / 1e6, secs, a.db.c_str(), Thousands(s.posts).c_str(),
      Thousands(s.mentions).c_str(), tags.c_str(), Thousands(s.duplicates).c_str());
  if (!s.errors.empty()) std::printf("rejected records: %s\n", ReasonList(s.errors).c_str());
  if (!s.notices.empty()) std::printf("notices: %s\n", ReasonList(s.notices).c_str());
  if (s.deletes > 0) std::printf("delete notices: %s\n", Thousands(s.deletes).c_str());
  if (s.late_mentions + s.ahead_mentions > 0) {
    const std::string late =
        s.late_mentions == 0
            ? "0 late"
            : Thousands(s.late_mentions) + " late (their minute had closed; up to " +
                  FormatSpan(s.max_late_lag_ms) + " behind the newest posts, so a --lateness of " +
                  std::to_string(LatenessMinutesToTake(s.max_late_lag_ms)) +
                  "m would take them all)";
    std::printf(
        "counted but not seen by detection: %s, %s ahead (stamped far ahead of the other "
        "posts)\n",
        late.c_str(), Thousands(s.ahead_mentions).c_str());
  }
  if (s.withdrawn_alerts > 0) {
    std::printf(
        "provisional alerts withdrawn: %s (countries that joined an outage on little evidence "
        "and said no more within the time allowed; a collector's alert receivers hear of such "
        "alerts, marked provisional, unless they ask for confirmed alerts only)\n",
        Thousands(s.withdrawn_alerts).c_str());
  }
  if (replayer.skipped_members() > 0) {
    std::printf("%s input(s) skipped: already replayed into this database\n",
                Thousands(replayer.skipped_members()).c_str());
  }
}

int RunReplay(const ReplayArgs& a) {
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  PipelineConfig config;
  if (!a.tags.empty()) config.tags = a.tags;
  std::string error = WatchedTagsError(config.tags);
  const auto lateness = error.empty() ? ParseLateness(a.lateness, &error) : std::nullopt;
  if (!lateness || !ApplyTrackerSettings(a.settings, &config.tracker, &error)) {
    log.Error(error);
    return 2;
  }
  config.allowed_lateness_ms = *lateness;
  // Each argument is one input (a directory's files in path order); inputs are merged by
  // event time, as sources collected together would have been. Listed before anything is
  // replayed: a directory that cannot be read through would leave posts out.
  std::vector<std::vector<std::string>> inputs;
  for (const auto& path : a.files) {
    if (!ExpandInputPaths({path}, &inputs.emplace_back(), &error)) {
      log.Error(error);
      return 1;
    }
  }
  WritingSetup setup;
  if (!OpenHistoryForWriting(a.db, &log, &setup, &error)) {
    log.Error(error);
    return 1;
  }
  auto& store = setup.store;
  Pipeline pipeline(config, setup.locator.get());
  LogRejectedRecords(&pipeline, &log);
  ReplayOptions options;
  options.speed = a.speed;
  options.commit_bytes = a.commit_mb << 20;
  options.read_bytes = std::max<size_t>(1, a.read_kb) << 10;
  options.prefilter = !a.no_prefilter;
  const bool tty = StderrIsTerminal() && !a.quiet;
  if (tty) options.on_progress = ShowProgress;
  Replayer replayer(&pipeline, store.get(), &clock, &log, options);
  const int64_t start = clock.MonotonicMs();
  int status = 0;
  if (!replayer.ReplayInputs(inputs, &error)) {
    log.Error(error);
    error.clear();
    status = 1;
  }
  if (!replayer.Finish(&error)) {
    log.Error(error);
    status = 1;
  }
  if (tty) std::fprintf(stderr, "\n");
  if (!a.quiet)
    PrintSummary(a, pipeline, replayer, std::max<int64_t>(1, clock.MonotonicMs() - start) / 1000.0);
  return status;
}

}  // namespace

CLI::Validator SpeedFactor() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end != text.c_str() && *end == '\0' && v >= 0 && std::isfinite(v)) return "";
        return "0 (as fast as possible) or a factor such as 60 (an hour a minute), not " + text;
      },
      "FACTOR");
}

void RegisterReplay(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Replay recorded feeds (JSONL, .gz/.bz2/.zst, tar, dir, -) into the database");
  cmd->add_option("--db", args->db, "SQLite database to write")->capture_default_str();
  AddWatchedTagsOption(cmd, &args->tags);
  cmd->add_option(
         "--speed", args->speed,
         "Pace by event time: 60 replays an hour in a minute (default: as fast as possible)")
      ->check(SpeedFactor());
  cmd->add_option("--lateness", args->lateness, "Allowed lateness before a minute closes")
      ->capture_default_str();
  cmd->add_option("--commit-mb", args->commit_mb, "Commit every N MB of input")
      ->capture_default_str();
  cmd->add_option(
      "--set", args->settings,
      "Override a detector setting, e.g. --set alert_p=1e-6 (repeatable; as for detect)");
  cmd->add_option("--read-kb", args->read_kb, "Read size in KiB")->capture_default_str();
  cmd->add_flag("--no-prefilter", args->no_prefilter, "Parse every record (slower; same counts)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress or summary");
  cmd->add_option("files", args->files,
                  "Files, archives or directories; - for stdin. Several are merged by event time")
      ->required();
  cmd->callback([args, exit] { exit->value = RunReplay(*args); });
}

}  // namespace hashmon
