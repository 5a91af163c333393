// hashmon record: a live stream's raw messages into hourly zstd files. hashmon
// serve-feed: a recording served as a live stream on 127.0.0.1, for tests and demos.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/settings.h"
#include "feed/collector.h"
#include "feed/feed_server.h"
#include "feed/http_stream.h"
#include "feed/mastodon_stream.h"
#include "feed/recorder.h"
#include "feed/streaming_host.h"
#include "feed/ws_stream.h"
#include "feed/x_rules.h"
#include "hashmon/backoff.h"
#include "hashmon/decoder.h"

namespace hashmon {
namespace {

struct RecordArgs {
  std::string source;
  std::vector<std::string> tags;
  std::string out;
  std::string idle = "30s";
  std::string keep;
  bool until_eof = false;
};

// Records a stream's raw messages; reconnects like the collector. Jetstream reconnects
// ask for the time cursor of the last recorded event (rewound a few seconds; replay
// drops the repeats), so a recording has no hole where the connection dropped.
// One connection's messages into the recording, until it ends. `write_failed` says that a
// write failed (a full disk): the message is lost, not the recording.
StreamOutcome RecordOnce(const SourceSpec& spec, int64_t idle_ms, Recorder* recorder,
                         int64_t* last_time_us, const std::atomic<bool>& stop, Clock* clock,
                         const std::function<void()>& write_failed, std::string* error) {
  if (!IsWebSocket(spec.options.protocol)) {
    return StreamHttp(
        {spec.options.url, spec.options.headers, idle_ms},
        [&](const char* data, size_t len) {
          if (!recorder->WriteLines(std::string_view(data, len), error)) write_failed();
        },
        &stop, clock);
  }
  const bool jetstream = spec.options.protocol == StreamProtocol::kJetstream;
  const std::string url =
      jetstream ? JetstreamSubscribeUrl(spec.options.url, *last_time_us, spec.options.rewind_us)
                : spec.options.url;
  // Jetstream v2 is recorded uncompressed: a recording holds the JSON messages.
  WsRequest request{url, spec.options.headers, idle_ms, 10'000, {}, {}};
  if (jetstream && IsJetstreamV2Url(url)) request.subprotocols = {"xrpc.v1.json"};
  if (spec.options.protocol == StreamProtocol::kMastodonWs)
    request.send_on_open = MastodonSubscribeMessages(spec.options.mastodon_tags);
  return StreamWebSocket(
      request,
      [&](char* data, size_t len) {
        const std::string_view message(data, len);
        if (jetstream) *last_time_us = std::max(*last_time_us, JetstreamTimeUs(message));
        if (!message.empty() && !recorder->Write(message, error)) write_failed();
      },
      &stop, clock);
}

// The source to record, resolved and checked (X's rules made for the tags); nullopt once the
// error is logged, with the exit code in *exit_code.
std::optional<SourceSpec> SourceToRecord(const RecordArgs& a, Logger* log, int* exit_code) {
  Settings settings;
  std::string error;
  *exit_code = 2;
  if (!LoadSettings("", &settings, &error)) {
    log->Error(error);
    return std::nullopt;
  }
  // Mastodon's WebSocket streams every tag on one socket, its SSE the first tag only.
  // X streams what its rules match: one is made for each (as `collect` does).
  std::vector<std::string> tags = a.tags.empty() ? settings.tags : a.tags;
  if (tags.empty()) tags = PipelineConfig{}.tags;
  error = WatchedTagsError(tags);
  auto spec = error.empty() ? ResolveSource(settings, a.source, tags, &error) : std::nullopt;
  if (!spec || !WritableDirectory(a.out, "--out", &error)) {
    log->Error(error);
    return std::nullopt;
  }
  if (spec->manage_x_rules) {
    InitHttpThreads();
    if (!EnsureXRules(kXRulesUrl, settings.x_bearer_token, tags, log, &error)) {
      log->Error(error);
      *exit_code = 1;
      return std::nullopt;
    }
  }
  return spec;
}

// Records, reconnecting with backoff, until stopped (or, with --until-eof, the stream ends).
void RecordUntilStopped(const RecordArgs& a, SourceSpec spec, int64_t idle_ms, Recorder* recorder,
                        Clock* clock, Logger* log) {
  const std::atomic<bool>& stop = StopOnSignals();
  Backoff backoff;
  int64_t last_time_us = 0;
  std::string error;
  auto write_failed = [&] {
    log->LogLimited(LogLevel::kError, "record-write",
                    error + ": " + std::to_string(recorder->lost()) +
                        " messages lost so far; recording goes on as soon as the disk takes it");
  };
  bool streaming_host_known = spec.options.streaming_discovery_url.empty();
  bool answered = false;  // a server has answered since the start
  while (!stop) {
    if (!streaming_host_known) {  // as the collector does (see streaming_host.h)
      const StreamingHostAnswer answer = AskStreamingHost(spec.options.streaming_discovery_url,
                                                          spec.options.url, spec.options.headers);
      streaming_host_known = answer.answered;
      if (answer.url) spec.options.url = *answer.url;
    }
    const StreamOutcome out =
        RecordOnce(spec, idle_ms, recorder, &last_time_us, stop, clock, write_failed, &error);
    recorder->DropPartialLine();  // a line cut by the disconnection is not recorded
    answered = answered || out.received_data || out.http_status == 200;
    if (out.received_data) backoff.OnConnected();
    if (out.kind == StreamOutcome::kStopped || (out.kind == StreamOutcome::kEnded && a.until_eof))
      break;
    const int64_t delay =
        backoff.NextDelayMs(out.kind == StreamOutcome::kEnded ? FailureKind::kNetwork : out.failure,
                            out.rate_limit_reset_ms, clock->NowMs());
    // As collect says it: what to fix where nothing answers, the path is wrong or the
    // credentials are refused.
    const ReconnectNote note = DescribeReconnect(out, FailureReason(out), answered,
                                                 spec.options.url, spec.options.auth_hint, delay);
    log->LogLimited(note.level, "record-" + note.key, note.text);
    for (int64_t waited = 0; waited < delay && !stop; waited += 100) clock->SleepForMs(100);
  }
}

int RunRecord(const RecordArgs& a) {
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  std::string error;
  const auto idle = ParseIdleTimeout(a.idle, &error);
  if (!idle) {
    log.Error("--idle-timeout: " + error);
    return 2;
  }
  const auto keep = ParseTimeToKeep(a.keep, "--keep", &error);
  if (!keep) {
    log.Error(error);
    return 2;
  }
  int exit_code = 0;
  auto spec = SourceToRecord(a, &log, &exit_code);
  if (!spec) return exit_code;
  Recorder recorder(a.out, &clock, *keep, &log);
  RecordUntilStopped(a, std::move(*spec), *idle, &recorder, &clock, &log);
  if (!recorder.Flush(&error)) log.Error(error);
  log.Info("recorded " + std::to_string(recorder.lines()) + " messages into " + a.out);
  if (recorder.lost() == 0) return 0;
  log.Error(std::to_string(recorder.lost()) + " messages could not be written");
  return 1;
}

struct ServeFeedArgs {
  std::string file;
  std::string protocol = "ndjson";
  int port = 0;
  double rate = 0;
  double speed = 0;
  std::vector<std::string> faults;
};

// Each line's event time (0 for lines that are not posts), for --speed.
std::vector<int64_t> EventTimes(const std::vector<std::string>& lines) {
  Decoder decoder;
  std::vector<int64_t> times;
  times.reserve(lines.size());
  for (const auto& line : lines) {
    const Record r = decoder.DecodeCopy(line);
    times.push_back(r.kind == RecordKind::kPost ? r.post.created_at : 0);
  }
  return times;
}

int RunServeFeed(const ServeFeedArgs& a) {
  StopOnSignals();  // before it says it is serving: a stop from then on is a clean one
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
  if (a.speed > 0 && a.rate > 0) {
    std::fprintf(stderr, "hashmon serve-feed: give --speed or --rate, not both\n");
    return 2;
  }
  const std::vector<int64_t> times = a.speed > 0 ? EventTimes(lines) : std::vector<int64_t>();
  FeedServer server(std::move(lines), faults, a.rate, *ParseFeedProtocol(a.protocol));
  if (a.speed > 0) server.PaceByEventTime(times, a.speed);
  std::string error;
  const int port = server.Start(a.port, &error);
  if (port < 0) {
    std::fprintf(stderr, "hashmon serve-feed: %s\n", error.c_str());
    return 1;
  }
  const bool ws = a.protocol.rfind("jetstream", 0) == 0 || a.protocol == "mastodon-ws";
  std::printf("serving %s as %s on %s://127.0.0.1:%d%s\n", a.file.c_str(), a.protocol.c_str(),
              ws ? "ws" : "http", port, a.protocol == "jetstream-v2" ? kJetstreamV2Method : "/");
  std::fflush(stdout);
  WaitForStopSignal();
  server.Stop();
  return 0;
}

}  // namespace

void RegisterFeedTools(CLI::App& app, ExitCode* exit) {
  auto rec = std::make_shared<RecordArgs>();
  CLI::App* r = app.add_subcommand(
      "record", "Record a live stream's raw messages into hourly zstd files (replayable)");
  r->add_option(
       "--source", rec->source,
       "jetstream, jetstream-v2, x, mastodon:HOST, mastodon-ws:HOST, or a ws(s):// or http(s):// "
       "URL (tokens as "
       "for collect)")
      ->required();
  r->add_option("--out", rec->out, "Directory for the hourly .jsonl.zst files")->required();
  AddListOption(r, "--tag", &rec->tags,
                "A hashtag to record, repeatable or comma-separated (default: HASHMON_TAGS, "
                "else twitterdown): mastodon-ws: records them all from one socket, mastodon: "
                "(SSE) the first, x makes a filter rule for each");
  r->add_option("--idle-timeout", rec->idle, "Reconnect when nothing arrives for this long")
      ->capture_default_str();
  r->add_option("--keep", rec->keep,
                "Remove each hour's file this long after the hour ends, such as 30d (default: "
                "keep them all)");
  r->add_flag("--until-eof", rec->until_eof, "Stop when the server ends the stream");
  r->callback([rec, exit] { exit->value = RunRecord(*rec); });

  auto serve = std::make_shared<ServeFeedArgs>();
  CLI::App* s = app.add_subcommand(
      "serve-feed", "Serve a recording as a live NDJSON stream on 127.0.0.1 (tests, demos)");
  s->add_option("file", serve->file, "JSONL recording")->required();
  s->add_option("--protocol", serve->protocol,
                "ndjson or x-v2 (chunked NDJSON), mastodon-sse (Server-Sent Events), jetstream, "
                "jetstream-v2 (compressed on request, with a dictionary trained on the file) or "
                "mastodon-ws (WebSocket)")
      ->check(CLI::IsMember(
          {"ndjson", "x-v2", "mastodon-sse", "jetstream", "jetstream-v2", "mastodon-ws"}))
      ->capture_default_str();
  s->add_option("--port", serve->port, "Port on 127.0.0.1 (0 picks a free one)")
      ->capture_default_str();
  s->add_option("--rate", serve->rate, "Lines per second (0: as fast as the client reads)");
  s->add_option("--speed", serve->speed,
                "Send each post when its event time is due, this many times faster: 60 plays an "
                "hour in a minute (0: as fast as the client reads)")
      ->check(SpeedFactor());
  s->add_option(
      "--fault", serve->faults,
      "drop-after=N, truncate-after=N, stall-after=N, garbage-every=N, status=CODE, backfill=N, "
      "chunk-bytes=N, split-lines=1, lost-on-reconnect=N, resend-after-fault=0");
  s->callback([serve, exit] { exit->value = RunServeFeed(*serve); });
}

}  // namespace hashmon
