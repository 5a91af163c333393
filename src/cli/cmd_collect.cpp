// hashmon collect: live streams into the database, with the HTTP API and alerts.
#include <cpprest/base_uri.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/collect_check.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/settings.h"
#include "feed/collector.h"
#include "feed/http_stream.h"
#include "feed/recorder.h"
#include "feed/url_text.h"
#include "feed/x_rules.h"
#include "ops/api_server.h"
#include "ops/notifier.h"
#include "store/retention.h"

namespace hashmon {
namespace {

// Commits run on the threads that read the streams. With WAL only another writer can hold
// the database (a `hashmon silence add`, the notifier's outbox, someone's sqlite3): short
// writes are waited for, a long hold is not. A failed commit keeps its counts in memory and
// is retried later (less and less often), so a stream stalls at most this long at a time
// instead of SQLite's usual 5 s, which a busy feed's server may answer by dropping us.
constexpr int kCollectBusyTimeoutMs = 250;

struct CollectArgs {
  std::string config;
  std::string db, protocol, idle, resume_param, listen, lateness, record_dir, record_keep,
      keep_history, x_backfill, jetstream_zstd;
  std::vector<std::string> tags, sources, settings;
  bool until_eof = false;
  bool check = false;
  bool test_webhook = false;
};

// Flags override the config file and the environment.
void ApplyFlags(const CollectArgs& a, Settings* s) {
  auto take = [](const std::string& flag, std::string* into) {
    if (!flag.empty()) *into = flag;
  };
  take(a.db, &s->db);
  if (!a.sources.empty()) s->sources = a.sources;
  take(a.protocol, &s->protocol);
  take(a.idle, &s->idle_timeout);
  take(a.lateness, &s->lateness);
  take(a.x_backfill, &s->x_backfill);
  take(a.jetstream_zstd, &s->jetstream_zstd);
  take(a.resume_param, &s->resume_param);
  take(a.listen, &s->listen);
  take(a.record_dir, &s->record_dir);
  take(a.record_keep, &s->record_keep);
  take(a.keep_history, &s->keep_history);
  if (!a.tags.empty()) s->tags = a.tags;
}

// The webhook notifier on a thread of its own, when one is configured. On the way out it
// sends what the last commit decided; anything it cannot send waits in the outbox.
class AlertLoop {
 public:
  bool Start(const Settings& settings, SqliteStore* store, Clock* clock, Logger* log,
             std::string* error) {
    if (settings.webhook_url.empty()) return true;
    NotifierOptions n;
    n.url = settings.webhook_url;
    n.format = ParseWebhookFormat(settings.webhook_format).value_or(WebhookFormat::kAlertmanager);
    // Where an alert's link opens the dashboard (settings were checked: the address parses).
    std::string host = "127.0.0.1";
    int port = 8080;
    if (!settings.listen.empty()) ParseListen(settings.listen, &host, &port);
    n.external_url = ListenUrl(host, port);
    if (auto repeat = ParseDuration(settings.webhook_repeat)) n.repeat_ms = *repeat;
    n.confirmed_only = settings.webhook_when == "confirmed";
    n.chat_id = settings.telegram_chat_id;
    n.silences = settings.silences;
    for (const auto& s : n.silences) log->Info("webhook silence: " + DescribeSilence(s));
    store->set_alerting(true);
    notifier_ = Notifier::Open(settings.db, n, clock, log, error);
    if (!notifier_) return false;
    thread_ = std::thread([this] { notifier_->Run(&stop_); });
    return true;
  }
  ~AlertLoop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (notifier_) notifier_->Tick();
  }
  const NotifierStats* stats() const { return notifier_ ? &notifier_->stats() : nullptr; }

 private:
  std::unique_ptr<Notifier> notifier_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// Retention (keep_history) on a thread of its own, when it is set: a pass at the start,
// then hourly. On the way out the pass in progress finishes unless a signal stops it.
std::unique_ptr<HistoryRetention> StartRetention(const Settings& settings, Clock* clock,
                                                 Logger* log, const std::atomic<bool>& stop) {
  std::string error;  // (checked with the other settings, in RecordAndListenError)
  const int64_t keep = ParseHistoryToKeep(settings.keep_history, &error).value_or(0);
  if (keep <= 0) return nullptr;
  auto retention = std::make_unique<HistoryRetention>(settings.db, keep, clock, log, &stop);
  log->Info("keeping " + settings.keep_history + " of history in " + settings.db +
            ": older counts, spikes and gaps are deleted now and hourly");
  retention->Start();
  return retention;
}

// Starts the HTTP API inside the collector when --listen is given.
bool StartApi(const Settings& settings, const std::vector<std::unique_ptr<LiveStatus>>& live,
              const NotifierStats* alerts, const RetentionStats* retention, Clock* clock,
              Logger* log, std::unique_ptr<ApiServer>* api, std::string* error) {
  if (settings.listen.empty()) return true;
  ApiOptions o;
  if (!ParseListen(settings.listen, &o.host, &o.port)) {
    *error = "listen: expected HOST:PORT such as 127.0.0.1:8080, not \"" + settings.listen + "\"";
    return false;
  }
  o.db_path = settings.db;
  for (const auto& l : live) o.live.push_back(l.get());
  o.alerts = alerts;
  o.retention = retention;
  o.watched_countries = DefaultCountries();
  o.config_silences = settings.silences;
  o.clock = clock;
  *api = std::make_unique<ApiServer>(o);
  const int port = (*api)->Start(error);
  if (port < 0) return false;
  log->Info("serving the API, /metrics and the dashboard on " + ListenUrl(o.host, port));
  if (const std::string warning = (*api)->ExposureWarning(); !warning.empty()) log->Warn(warning);
  return true;
}

// Where `collect --record` writes a source's raw messages: the directory itself for one
// source, else a subdirectory named after the source ("mastodon-mastodon.social-xdown").
std::string RecordDirFor(const std::string& dir, const std::string& source, size_t sources) {
  if (sources == 1) return dir;
  std::string name;
  for (unsigned char c : source) {
    const bool keep = std::isalnum(c) || c == '.' || c == '_' || c >= 0x80;
    if (keep)
      name += static_cast<char>(c);
    else if (!name.empty() && name.back() != '-')
      name += '-';
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  return dir + "/" + name;
}

// Runs the collectors to the end: one on this thread, several on threads of their own
// that share the pipeline under `shared`.
bool RunCollectors(const std::vector<std::unique_ptr<Collector>>& collectors, Pipeline* pipeline,
                   std::recursive_mutex* shared, bool until_eof, const std::atomic<bool>& stop,
                   Clock* clock, Logger* log) {
  std::string error;
  if (collectors.size() == 1) {
    if (collectors[0]->Run(&stop, &error)) return true;
    log->Error(error);
    return false;
  }
  std::atomic<bool> ok{true};
  std::vector<std::thread> threads;
  threads.reserve(collectors.size());
  for (const auto& c : collectors) {
    threads.emplace_back([&, c = c.get()] {
      std::string e;
      if (!c->Run(&stop, &e)) {
        log->Error(e);
        ok = false;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (until_eof) {
    std::lock_guard<std::recursive_mutex> lock(*shared);
    pipeline->Flush();  // every source has ended: close the open minutes once
  }
  // Each source's last counts, within one grace period for all of them.
  const int64_t deadline = clock->MonotonicMs() + collectors[0]->exit_commit_grace_ms();
  for (const auto& c : collectors) {
    if (!c->CommitBeforeExit(deadline, &error)) {
      log->Error(error);
      ok = false;
    }
  }
  return ok;
}

// What a user must fix in the webhook's settings (empty: nothing).
std::string WebhookSettingsError(const Settings& settings) {
  if (!ParseWebhookFormat(settings.webhook_format)) {
    return "unknown webhook_format \"" + settings.webhook_format +
           "\": use alertmanager, slack, discord or telegram";
  }
  const std::string& url = settings.webhook_url;
  if (!url.empty() &&
      (!web::uri::validate(url) ||
       (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) || HostOf(url).empty())) {
    // Not shown: a webhook URL holds its receiver's token.
    return "webhook_url is not a valid http:// or https:// URL: check it for spaces and "
           "other characters URLs cannot hold (a space is %20)";
  }
  if (settings.webhook_format == "telegram" && !settings.webhook_url.empty() &&
      settings.telegram_chat_id.empty()) {
    return "webhook_format telegram needs the chat to post to: set telegram_chat_id in the "
           "config (or HASHMON_TELEGRAM_CHAT_ID), e.g. -1001234567890 for a group or "
           "@channelname, with webhook_url https://api.telegram.org/bot<token>/sendMessage";
  }
  if (const auto repeat = ParseDuration(settings.webhook_repeat); !repeat || *repeat < 60'000) {
    return "webhook_repeat \"" + settings.webhook_repeat +
           "\": give how often an ongoing outage is sent again, a minute or more, such as 4h";
  }
  if (settings.webhook_when != "detected" && settings.webhook_when != "confirmed") {
    return "unknown webhook_when \"" + settings.webhook_when +
           "\": use detected (send at once, marked provisional where it may be withdrawn) "
           "or confirmed (send once confirmed)";
  }
  return "";
}

// What a user must fix in the settings of the recording and the HTTP API (empty: nothing).
std::string RecordAndListenError(const Settings& settings) {
  std::string error;
  const auto keep = ParseTimeToKeep(settings.record_keep,
                                    "--record-keep (or \"record_keep\" in the config)", &error);
  if (!keep) return error;
  if (*keep > 0 && settings.record_dir.empty()) {
    return "--record-keep (or \"record_keep\") says how long recordings are kept: give "
           "--record DIR (or \"record\") too";
  }
  if (!ParseHistoryToKeep(settings.keep_history, &error)) return error;
  std::string host;
  int port = 0;
  if (!settings.listen.empty() && !ParseListen(settings.listen, &host, &port)) {
    return "listen: expected HOST:PORT such as 127.0.0.1:8080, not \"" + settings.listen + "\"";
  }
  return "";
}

// The config file with the flags over it, checked: the pipeline's config and the sources to
// collect from. False with *error (what to fix) when they cannot work.
bool CheckedSettings(const CollectArgs& a, Clock* clock, Settings* settings, PipelineConfig* config,
                     std::vector<SourceSpec>* specs, std::string* error) {
  if (!LoadSettings(a.config, settings, error)) return false;
  ApplyFlags(a, settings);
  config->live_clock = clock;
  const auto lateness = ParseLateness(settings->lateness, error);
  if (!lateness) return false;
  config->allowed_lateness_ms = *lateness;
  if (!settings->tags.empty()) config->tags = settings->tags;
  *error = WatchedTagsError(config->tags);
  if (!error->empty()) return false;
  *error = WebhookSettingsError(*settings);
  if (error->empty()) *error = RecordAndListenError(*settings);
  return error->empty() && ApplyTrackerSettings(a.settings, &config->tracker, error) &&
         ResolveSources(*settings, config->tags, specs, error);
}

// One collector per source, each on its own connection, sharing the pipeline and the store
// under `shared` (a single source needs neither thread nor lock), with what they use.
struct Collectors {
  std::recursive_mutex shared;
  std::vector<std::unique_ptr<LiveStatus>> live;
  std::vector<std::unique_ptr<Recorder>> recorders;  // outlive the collectors that write them
  std::vector<std::unique_ptr<Collector>> collectors;
};

bool MakeCollectors(const CollectArgs& a, const Settings& settings,
                    const std::vector<SourceSpec>& specs, Pipeline* pipeline, SqliteStore* store,
                    Clock* clock, Logger* log, Collectors* c, std::string* error) {
  // (Checked with the other settings, in RecordAndListenError.)
  const int64_t keep = ParseTimeToKeep(settings.record_keep, "", error).value_or(0);
  if (specs.size() > 1) store->RestorePipeline(pipeline, log);
  for (const auto& spec : specs) {
    c->live.push_back(std::make_unique<LiveStatus>());
    c->live.back()->Update([&](LiveSnapshot& s) { s.started_ms = clock->NowMs(); });
    CollectOptions options = spec.options;
    options.until_eof = a.until_eof;
    options.live = c->live.back().get();
    options.display_name = spec.name;
    if (!settings.record_dir.empty()) {
      const std::string dir = RecordDirFor(settings.record_dir, spec.name, specs.size());
      if (!WritableDirectory(dir, "--record (or \"record\" in the config)", error)) return false;
      c->recorders.push_back(std::make_unique<Recorder>(dir, clock, keep, log));
      options.recorder = c->recorders.back().get();
      log->Info("recording " + spec.name + " into " + dir);
    }
    if (specs.size() > 1) {
      options.shared = &c->shared;
      options.restore_pipeline = false;
      options.flush_at_end = false;
    }
    c->collectors.push_back(std::make_unique<Collector>(pipeline, store, clock, log, options));
  }
  return true;
}

int RunCollect(const CollectArgs& a) {
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  Settings settings;
  PipelineConfig config;
  std::vector<SourceSpec> specs;
  std::string error;
  if (!CheckedSettings(a, &clock, &settings, &config, &specs, &error)) {
    log.Error(error);
    return 2;
  }
  if (a.test_webhook) return SendTestAlert(settings, config);
  if (a.check) {
    std::vector<std::string> record_dirs;
    for (const auto& spec : specs) {
      if (!settings.record_dir.empty())
        record_dirs.push_back(RecordDirFor(settings.record_dir, spec.name, specs.size()));
    }
    return PrintCollectCheck(settings, config, specs, record_dirs);
  }
  WritingSetup setup;
  if (!OpenHistoryForWriting(settings.db, &log, &setup, &error)) {
    log.Error(error);
    return 1;
  }
  auto& store = setup.store;
  Pipeline pipeline(config, setup.locator.get());
  LogRejectedRecords(&pipeline, &log);
  store->set_busy_timeout_ms(kCollectBusyTimeoutMs);
  InitHttpThreads();  // before any request
  for (const auto& spec : specs) {
    if (spec.manage_x_rules &&
        !EnsureXRules(kXRulesUrl, settings.x_bearer_token, config.tags, &log, &error)) {
      log.Error(error);
      return 1;
    }
  }
  const std::atomic<bool>& stop = StopOnSignals();
  Collectors c;
  if (!MakeCollectors(a, settings, specs, &pipeline, store.get(), &clock, &log, &c, &error)) {
    log.Error(error);
    return 2;
  }
  // (Before the API, which shows its figures, so that it outlives the API.)
  const auto retention = StartRetention(settings, &clock, &log, stop);
  std::unique_ptr<ApiServer> api;
  AlertLoop alerts;
  if (!alerts.Start(settings, store.get(), &clock, &log, &error) ||
      !StartApi(settings, c.live, alerts.stats(), retention ? &retention->stats() : nullptr, &clock,
                &log, &api, &error)) {
    log.Error(error);
    return 1;
  }
  std::string names;
  for (const auto& spec : specs) names += (names.empty() ? "" : ", ") + spec.name;
  log.Info("collecting from " + names + " into " + settings.db);
  const bool ok =
      RunCollectors(c.collectors, &pipeline, &c.shared, a.until_eof, stop, &clock, &log);
  if (api) api->Stop();
  int reconnects = 0;
  int64_t bytes = 0;
  for (const auto& collector : c.collectors) {
    reconnects += collector->stats().reconnects;
    bytes += collector->bytes_received();
  }
  const auto& s = pipeline.stats();
  // (Posts parsed: the pre-filter passes over those that cannot carry a watched tag.)
  char received[32];
  if (bytes < 1'000'000) {
    std::snprintf(received, sizeof received, "%.1f kB", static_cast<double>(bytes) / 1e3);
  } else {
    std::snprintf(received, sizeof received, "%.1f MB", static_cast<double>(bytes) / 1e6);
  }
  log.Info(std::string("stopped: ") + received + " received, " + std::to_string(s.posts) +
           " posts parsed, " + std::to_string(s.mentions) + " mentions, " +
           std::to_string(reconnects) + " reconnects");
  return ok ? 0 : 1;
}

}  // namespace

void RegisterCollect(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<CollectArgs>();
  CLI::App* cmd = app.add_subcommand("collect",
                                     "Collect a live stream (Bluesky Jetstream by default, X, "
                                     "Mastodon, NDJSON) into the database");
  cmd->add_option("--config", args->config,
                  "JSON config file (default: $HASHMON_CONFIG); env and flags override it");
  cmd->add_option("--db", args->db, "SQLite database to write (default hashmon.db)");
  AddWatchedTagsOption(cmd, &args->tags);
  cmd->add_option(
      "--set", args->settings,
      "Override a detector setting, e.g. --set alert_p=1e-6 (repeatable; as for detect)");
  cmd->add_option("--source", args->sources,
                  "jetstream (default), jetstream-v2, x, mastodon:HOST (SSE), mastodon-ws:HOST, or "
                  "a ws(s):// or http(s):// URL; repeat it to collect several at once. Tokens come "
                  "from HASHMON_X_BEARER_TOKEN / "
                  "HASHMON_MASTODON_TOKEN or the config");
  cmd->add_option(
      "--protocol", args->protocol,
      "Override the protocol a URL implies: ndjson, mastodon-sse, jetstream, mastodon-ws");
  cmd->add_option("--lateness", args->lateness,
                  "How long after its end a minute closes for detection (default 2m; raise it "
                  "for a source whose posts arrive late)");
  cmd->add_option("--idle-timeout", args->idle,
                  "Reconnect when nothing arrives for this long (default 30s)");
  cmd->add_option("--x-backfill", args->x_backfill,
                  "X: after a disconnection, ask for the missed minutes again, up to this "
                  "(1m to 5m; X's backfill_minutes, on access levels that have it)");
  cmd->add_option("--jetstream-zstd", args->jetstream_zstd,
                  "Jetstream v2: on (messages compressed with the server's zstd dictionary, the "
                  "default) or off")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_flag("--check", args->check,
                "Check the settings and show them (secrets hidden), then exit: 0 if a collector "
                "could start with them; nothing is connected to or written");
  cmd->add_flag("--test-webhook", args->test_webhook,
                "Send the configured webhook a test alert (marked as one) and its resolution, "
                "say what the receiver answered, then exit; nothing is collected");
  cmd->add_flag("--until-eof", args->until_eof,
                "Stop when the server ends the stream (finite relays, demos)");
  cmd->add_option("--listen", args->listen,
                  "Serve the API, /metrics and the dashboard on HOST:PORT (e.g. 127.0.0.1:8080)");
  cmd->add_option("--record", args->record_dir,
                  "Also write every raw message into this directory, as `hashmon record` does "
                  "(hourly .jsonl.zst; a subdirectory per source when there are several)");
  cmd->add_option("--record-keep", args->record_keep,
                  "With --record: remove each hour's file this long after the hour ends, such "
                  "as 30d (default: keep them all)");
  cmd->add_option("--keep-history", args->keep_history,
                  "Delete counts, spikes and gaps older than this, such as 400d (7d or more), "
                  "at the start and hourly (default: keep them all; see hashmon prune)");
  cmd->add_option(
      "--resume-param", args->resume_param,
      "Query parameter a relay resumes from (line number), e.g. cursor for hashmon serve-feed");
  cmd->callback([args, exit] { exit->value = RunCollect(*args); });
}

}  // namespace hashmon
