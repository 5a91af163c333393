// hashmon collect: a live stream into the database. hashmon serve-feed: a recording
// served as a live stream on 127.0.0.1, for tests and demos.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/settings.h"
#include "feed/collector.h"
#include "feed/feed_server.h"
#include "feed/recorder.h"
#include "feed/x_rules.h"
#include "ops/api_server.h"
#include "ops/notifier.h"

namespace hashmon {
namespace {

struct CollectArgs {
  std::string config;
  std::string db, protocol, idle, resume_param, listen;
  std::vector<std::string> tags, sources;
  bool until_eof = false;
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
  take(a.resume_param, &s->resume_param);
  take(a.listen, &s->listen);
  if (!a.tags.empty()) s->tags = a.tags;
}

int RunCollect(const CollectArgs& a) {
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  Settings settings;
  std::string error;
  if (!LoadSettings(a.config, &settings, &error)) {
    log.Error(error);
    return 2;
  }
  ApplyFlags(a, &settings);
  PipelineConfig config;
  if (!settings.tags.empty()) config.tags = settings.tags;
  std::vector<SourceSpec> specs;
  for (const auto& name : settings.sources) {
    auto spec = ResolveSource(settings, name, config.tags, &error);
    if (!spec) {
      log.Error(error);
      return 2;
    }
    if (!settings.idle_timeout.empty()) {
      auto idle = ParseDuration(settings.idle_timeout);
      if (!idle) {
        log.Error("idle timeout: expected a duration such as 30s, not \"" + settings.idle_timeout +
                  "\"");
        return 2;
      }
      spec->options.idle_timeout_ms = *idle;
    }
    specs.push_back(std::move(*spec));
  }
  if (specs.empty()) {
    log.Error("no source: give --source (jetstream, x, mastodon:HOST or a URL)");
    return 2;
  }
  auto locator = CountryLocator::FromEmbeddedData();
  Pipeline pipeline(config, locator.get());
  LogRejectedRecords(&pipeline, &log);
  auto store = SqliteStore::OpenForWriting(settings.db, &error);
  if (!store) {
    log.Error(error);
    return 1;
  }
  for (const auto& spec : specs) {
    if (spec.manage_x_rules &&
        !EnsureXRules(kXRulesUrl, settings.x_bearer_token, config.tags, &log, &error)) {
      log.Error(error);
      return 1;
    }
  }
  const std::atomic<bool>& stop = StopOnSignals();
  // One collector per source, each on its own thread and connection, sharing the pipeline
  // and the store under one lock (a single source needs neither thread nor lock).
  std::recursive_mutex shared;
  std::vector<std::unique_ptr<LiveStatus>> live;
  std::vector<std::unique_ptr<Collector>> collectors;
  if (specs.size() > 1) store->RestorePipeline(&pipeline);
  for (const auto& spec : specs) {
    live.push_back(std::make_unique<LiveStatus>());
    live.back()->Update([&](LiveSnapshot& s) { s.started_ms = clock.NowMs(); });
    CollectOptions options = spec.options;
    options.until_eof = a.until_eof;
    options.live = live.back().get();
    options.display_name = spec.name;
    if (specs.size() > 1) {
      options.shared = &shared;
      options.restore_pipeline = false;
      options.flush_at_end = false;
    }
    collectors.push_back(
        std::make_unique<Collector>(&pipeline, store.get(), &clock, &log, options));
  }
  // Alerts: queued in the database with the detection that decides them, sent by a
  // notifier on its own thread and connection.
  std::unique_ptr<Notifier> notifier;
  std::thread notifier_thread;
  std::atomic<bool> notifier_stop{false};
  std::string external_url =
      "http://" + (settings.listen.empty() ? std::string("127.0.0.1:8080") : settings.listen) + "/";
  if (!settings.webhook_url.empty()) {
    NotifierOptions n;
    n.url = settings.webhook_url;
    n.external_url = external_url;
    if (auto repeat = ParseDuration(settings.webhook_repeat)) n.repeat_ms = *repeat;
    store->set_alerting(true);
    notifier = Notifier::Open(settings.db, n, &clock, &log, &error);
    if (!notifier) {
      log.Error(error);
      return 1;
    }
    notifier_thread = std::thread([&] { notifier->Run(&notifier_stop); });
  }
  std::unique_ptr<ApiServer> api;
  if (!settings.listen.empty()) {
    ApiOptions o;
    if (!ParseListen(settings.listen, &o.host, &o.port)) {
      log.Error("listen: expected HOST:PORT such as 127.0.0.1:8080, not \"" + settings.listen +
                "\"");
      return 2;
    }
    o.db_path = settings.db;
    for (const auto& l : live) o.live.push_back(l.get());
    o.alerts = notifier ? &notifier->stats() : nullptr;
    o.watched_countries = DefaultCountries();
    o.clock = &clock;
    api = std::make_unique<ApiServer>(o);
    const int port = api->Start(&error);
    if (port < 0) {
      log.Error(error);
      return 1;
    }
    log.Info("serving the API, /metrics and the dashboard on http://" + o.host + ":" +
             std::to_string(port) + "/");
  }
  std::string names;
  for (const auto& spec : specs) names += (names.empty() ? "" : ", ") + spec.name;
  log.Info("collecting from " + names + " into " + settings.db);
  bool ok = true;
  if (collectors.size() == 1) {
    ok = collectors[0]->Run(&stop, &error);
    if (!ok) log.Error(error);
  } else {
    std::vector<std::thread> threads;
    std::mutex errors_mu;
    for (auto& c : collectors) {
      threads.emplace_back([&, c = c.get()] {
        std::string e;
        if (!c->Run(&stop, &e)) {
          std::lock_guard<std::mutex> lock(errors_mu);
          log.Error(e);
          ok = false;
        }
      });
    }
    for (auto& t : threads) t.join();
    if (a.until_eof) {
      std::lock_guard<std::recursive_mutex> lock(shared);
      pipeline.Flush();  // every source has ended: close the open minutes once
    }
    if (!collectors[0]->CommitNow()) ok = false;
  }
  if (api) api->Stop();
  notifier_stop = true;
  if (notifier_thread.joinable()) notifier_thread.join();
  if (notifier) notifier->Tick();  // what the last commit decided; the rest waits in the outbox
  const auto& s = pipeline.stats();
  int reconnects = 0;
  for (const auto& c : collectors) reconnects += c->stats().reconnects;
  log.Info("stopped: " + std::to_string(s.posts) + " posts, " + std::to_string(s.mentions) +
           " mentions, " + std::to_string(reconnects) + " reconnects");
  return ok ? 0 : 1;
}

struct RecordArgs {
  std::string source;
  std::string out;
  std::string idle = "30s";
  bool until_eof = false;
};

// Records a stream's raw lines; reconnects like the collector.
int RunRecord(const RecordArgs& a) {
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  auto idle = ParseDuration(a.idle);
  if (!idle) {
    log.Error("--idle-timeout: expected a duration such as 30s");
    return 2;
  }
  StreamRequest req{a.source, BearerHeaders(), *idle};
  const std::atomic<bool>& stop = StopOnSignals();
  Recorder recorder(a.out, &clock);
  Backoff backoff;
  std::string carry, error;
  bool failed = false;
  while (!stop && !failed) {
    const StreamOutcome out = StreamHttp(
        req,
        [&](const char* data, size_t len) {
          carry.append(data, len);
          size_t pos = 0, nl;
          while ((nl = carry.find('\n', pos)) != std::string::npos) {
            size_t end = nl;
            if (end > pos && carry[end - 1] == '\r') --end;
            if (end > pos &&
                !recorder.Write(std::string_view(carry).substr(pos, end - pos), &error))
              failed = true;
            pos = nl + 1;
          }
          carry.erase(0, pos);
        },
        &stop, &clock);
    carry.clear();  // a line cut by the disconnection is not recorded
    if (out.received_data) backoff.OnConnected();
    if (out.kind == StreamOutcome::kStopped || (out.kind == StreamOutcome::kEnded && a.until_eof))
      break;
    const int64_t delay =
        backoff.NextDelayMs(out.kind == StreamOutcome::kEnded ? FailureKind::kNetwork : out.failure,
                            out.rate_limit_reset_ms, clock.NowMs());
    log.LogLimited(LogLevel::kWarn, "record-reconnect",
                   "stream interrupted (" + out.message + "); reconnecting in " +
                       std::to_string(delay) + " ms");
    for (int64_t waited = 0; waited < delay && !stop; waited += 100) clock.SleepForMs(100);
  }
  if (failed || !recorder.Flush(&error)) {
    log.Error(error);
    return 1;
  }
  log.Info("recorded " + std::to_string(recorder.lines()) + " messages into " + a.out);
  return 0;
}

struct ServeArgs {
  std::string file;
  std::string protocol = "ndjson";
  int port = 0;
  double rate = 0;
  std::vector<std::string> faults;
};

int RunServeFeed(const ServeArgs& a) {
  std::ifstream in(a.file);
  if (!in) {
    std::fprintf(stderr, "hashmon serve-feed: cannot read %s\n", a.file.c_str());
    return 1;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  FeedFaults faults;
  for (const auto& f : a.faults) {
    if (!ParseFault(f, &faults)) {
      std::fprintf(stderr, "hashmon serve-feed: unknown --fault %s\n", f.c_str());
      return 2;
    }
  }
  FeedServer server(std::move(lines), faults, a.rate, *ParseFeedProtocol(a.protocol));
  std::string error;
  const int port = server.Start(a.port, &error);
  if (port < 0) {
    std::fprintf(stderr, "hashmon serve-feed: %s\n", error.c_str());
    return 1;
  }
  std::printf("serving %s as %s on %s://127.0.0.1:%d/\n", a.file.c_str(), a.protocol.c_str(),
              a.protocol == "jetstream" ? "ws" : "http", port);
  std::fflush(stdout);
  const std::atomic<bool>& stop = StopOnSignals();
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.Stop();
  return 0;
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
  cmd->add_option("--tag", args->tags, "Hashtag to watch (repeatable; default twitterdown)");
  cmd->add_option("--source", args->sources,
                  "jetstream (default), x, mastodon:HOST, or a ws(s):// or http(s):// URL; repeat "
                  "it to collect "
                  "several at once. Tokens come from HASHMON_X_BEARER_TOKEN / "
                  "HASHMON_MASTODON_TOKEN or the config");
  cmd->add_option("--protocol", args->protocol,
                  "Override the protocol a URL implies: ndjson, mastodon-sse, jetstream");
  cmd->add_option("--idle-timeout", args->idle,
                  "Reconnect when nothing arrives for this long (default 30s)");
  cmd->add_flag("--until-eof", args->until_eof,
                "Stop when the server ends the stream (finite relays, demos)");
  cmd->add_option("--listen", args->listen,
                  "Serve the API, /metrics and the dashboard on HOST:PORT (e.g. 127.0.0.1:8080)");
  cmd->add_option(
      "--resume-param", args->resume_param,
      "Query parameter a relay resumes from (line number), e.g. cursor for hashmon serve-feed");
  cmd->callback([args, exit] { exit->value = RunCollect(*args); });

  auto rec = std::make_shared<RecordArgs>();
  CLI::App* r = app.add_subcommand(
      "record", "Record a live stream's raw messages into hourly zstd files (replayable)");
  r->add_option("--source", rec->source, "http(s) URL of the stream")->required();
  r->add_option("--out", rec->out, "Directory for the hourly .jsonl.zst files")->required();
  r->add_option("--idle-timeout", rec->idle, "Reconnect when nothing arrives for this long")
      ->capture_default_str();
  r->add_flag("--until-eof", rec->until_eof, "Stop when the server ends the stream");
  r->callback([rec, exit] { exit->value = RunRecord(*rec); });

  auto serve = std::make_shared<ServeArgs>();
  CLI::App* s = app.add_subcommand(
      "serve-feed", "Serve a recording as a live NDJSON stream on 127.0.0.1 (tests, demos)");
  s->add_option("file", serve->file, "JSONL recording")->required();
  s->add_option(
       "--protocol", serve->protocol,
       "ndjson or x-v2 (chunked NDJSON), mastodon-sse (Server-Sent Events), jetstream (WebSocket)")
      ->check(CLI::IsMember({"ndjson", "x-v2", "mastodon-sse", "jetstream"}))
      ->capture_default_str();
  s->add_option("--port", serve->port, "Port on 127.0.0.1 (0 picks a free one)")
      ->capture_default_str();
  s->add_option("--rate", serve->rate, "Lines per second (0: as fast as the client reads)");
  s->add_option(
      "--fault", serve->faults,
      "drop-after=N, truncate-after=N, stall-after=N, garbage-every=N, status=CODE, backfill=N");
  s->callback([serve, exit] { exit->value = RunServeFeed(*serve); });
}

}  // namespace hashmon
