// Collector settings: a JSON config file, then environment variables, then flags, each
// overriding the one before. Tokens come only from the environment or a config file
// that nobody else can read, never from flags (which show in `ps`), and are never logged.
#ifndef HASHMON_CLI_SETTINGS_H_
#define HASHMON_CLI_SETTINGS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "feed/collector.h"
#include "hashmon/silence.h"

namespace hashmon {

struct Settings {
  std::string db = "hashmon.db";
  std::vector<std::string> tags;                     // empty: the pipeline's default (twitterdown)
  std::vector<std::string> sources = {"jetstream"};  // each runs on its own connection
  std::string protocol;                              // override the protocol a URL source implies
  std::string idle_timeout;  // empty: the source's own (30 s; 21 s for X, whose keep-alive is 20 s)
  std::string resume_param;
  // How long after its end a minute closes for detection; a source whose posts arrive
  // later than this behind the others needs more (see hashmon_mentions_undetected_total).
  std::string lateness = "2m";
  std::string listen;       // host:port for the HTTP API inside the collector; empty: none
  std::string webhook_url;  // a secret for Slack and Discord: never logged
  std::string webhook_format = "alertmanager";  // or slack, discord, telegram
  std::string telegram_chat_id;  // with webhook_format telegram: the chat the bot posts to
  std::string webhook_repeat = "4h";
  std::string webhook_when = "detected";  // or confirmed (NotifierOptions::confirmed_only)
  std::vector<Silence> silences;  // webhook alerts not to send, for a while (config file only)
  // Also write every raw message the sources send into this directory (hourly zstd
  // files, as `hashmon record` writes; a subdirectory per source when there are several).
  std::string record_dir;
  // How long each hour's recording is kept after the hour ("30d"); empty: for ever.
  std::string record_keep;
  // How long the history keeps its counts, spikes and gaps ("400d", at least 7d); the
  // collector deletes older ones at its start and hourly. Empty: for ever (see `prune`).
  std::string keep_history;
  std::string x_bearer_token;
  // X: after a disconnection, ask for the missed minutes again (`backfill_minutes`, up to
  // 5m; X offers it on some access levels only). Empty or 0: never.
  std::string x_backfill;
  // Jetstream v2: "on" (compressed messages, the default) or "off" (plain JSON).
  std::string jetstream_zstd = "on";
  std::string mastodon_token;
};

// Reads the config file at `path` (empty: $HASHMON_CONFIG, or nothing) into *s, then the
// environment (HASHMON_DB, HASHMON_TAGS and HASHMON_SOURCE comma-separated, HASHMON_LISTEN,
// HASHMON_WEBHOOK_URL, HASHMON_WEBHOOK_FORMAT, HASHMON_WEBHOOK_WHEN,
// HASHMON_TELEGRAM_CHAT_ID, HASHMON_X_BEARER_TOKEN,
// HASHMON_MASTODON_TOKEN). Returns false with a message saying what to fix.
bool LoadSettings(const std::string& path, Settings* s, std::string* error);

// A named or URL source, resolved to what the collector connects to:
//   jetstream            Bluesky Jetstream (public, no token), the default
//   jetstream-v2         Jetstream's v2 stream (subscribeEvents), compressed with zstd
//   x                    X API v2 filtered stream (HASHMON_X_BEARER_TOKEN)
//   mastodon:HOST        a Mastodon server's hashtag stream over SSE (HASHMON_MASTODON_TOKEN)
//   ws://... wss://...   a Jetstream-compatible WebSocket
//   http://... https://  NDJSON over HTTP (any supported format per line)
struct SourceSpec {
  std::string name;  // for logs: never holds a token
  CollectOptions options;
  bool manage_x_rules = false;
};
std::optional<SourceSpec> ResolveSource(const Settings& s, const std::string& source,
                                        const std::vector<std::string>& tags, std::string* error);

// Every configured source, resolved. Mastodon's SSE streams one hashtag per connection, so
// with several watched tags a `mastodon:` source becomes one per tag (named
// "mastodon:HOST #tag"); a `mastodon-ws:` source carries them all on one socket. Returns
// false with *error (what to fix).
bool ResolveSources(const Settings& settings, const std::vector<std::string>& tags,
                    std::vector<SourceSpec>* specs, std::string* error);

}  // namespace hashmon

#endif  // HASHMON_CLI_SETTINGS_H_
