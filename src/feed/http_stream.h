// One connection to a streaming HTTP endpoint (chunked NDJSON: X API v2, in-house relays),
// through cpprestsdk: a fresh client per connection, TLS verified, a long request timeout
// and an idle watchdog of our own, since a silent stream is the usual way these die.
#ifndef HASHMON_FEED_HTTP_STREAM_H_
#define HASHMON_FEED_HTTP_STREAM_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "hashmon/backoff.h"
#include "hashmon/clock.h"

namespace hashmon {

struct StreamOutcome {
  enum Kind { kEnded, kFailed, kStalled, kStopped } kind = kFailed;
  FailureKind failure = FailureKind::kNetwork;  // for kFailed and kStalled
  int http_status = 0;
  std::string message;
  std::optional<int64_t> rate_limit_reset_ms;
  bool received_data = false;
};

struct StreamRequest {
  std::string url;
  std::map<std::string, std::string> headers;  // e.g. Authorization (never logged)
  int64_t idle_timeout_ms = 30'000;
};

// Streams the body to on_bytes until the server ends it, the connection fails, nothing
// arrives for idle_timeout_ms (measured with `clock`), or *stop becomes true.
StreamOutcome StreamHttp(const StreamRequest& request, const std::function<void(const char*, size_t)>& on_bytes,
                         const std::atomic<bool>* stop, Clock* clock);

// One plain request (REST calls: X rules, Mastodon timelines, webhooks), TLS verified.
// status is 0 and error set when no answer came.
struct HttpReply {
  int status = 0;
  std::string body;
  std::string error;
};
HttpReply HttpCall(const std::string& method, const std::string& url, const std::map<std::string, std::string>& headers,
                   const std::string& json_body, int64_t timeout_ms);

// Sizes cpprestsdk's thread pool, once per process: the first call wins (its default of
// 40 threads is slow on 2 cores). A stream whose reader falls behind holds one pool
// thread (that is its backpressure), so a process with N streams needs N + 1 threads
// for the REST calls (gap fill, webhooks) and timers to go on.
void InitHttpThreads(size_t threads);

}  // namespace hashmon

#endif  // HASHMON_FEED_HTTP_STREAM_H_
