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
  int64_t silent_ms = 0;  // kStalled: how long nothing had come when it was called dead
};

struct StreamRequest {
  std::string url;
  std::map<std::string, std::string> headers;  // e.g. Authorization (never logged)
  int64_t idle_timeout_ms = 30'000;
};

// Streams the body to on_bytes until the server ends it, the connection fails, nothing
// arrives for idle_timeout_ms (measured with `clock`), or *stop becomes true. on_bytes
// runs on cpprestsdk's network thread, one piece at a time, on cpprestsdk's own buffer
// (no copy: a consumer that parses in place copies the lines it parses); the socket is
// not read while it runs. on_connected runs on the calling thread
// once the server has answered 200, before any of the body reaches on_bytes.
StreamOutcome StreamHttp(const StreamRequest& request,
                         const std::function<void(const char*, size_t)>& on_bytes,
                         const std::atomic<bool>* stop, Clock* clock,
                         const std::function<void()>& on_connected = nullptr);

// One plain request (REST calls: X rules, Mastodon timelines, webhooks), TLS verified.
// status is 0 and error set when no answer came.
struct HttpReply {
  int status = 0;
  std::string body;
  std::string error;
  std::string location;  // a redirect's Location (when not followed)
};
// Redirects are followed (up to 10, never from https to http) unless `follow_redirects`
// is false; the reply is then the redirect itself, with its Location.
HttpReply HttpCall(const std::string& method, const std::string& url,
                   const std::map<std::string, std::string>& headers, const std::string& json_body,
                   int64_t timeout_ms, bool follow_redirects = true);

// Gives cpprestsdk's thread pool one thread, once per process, before its first use (its
// default of 40 threads is slow on 2 cores). Nothing hashmon runs on the pool waits for the network
// (a stream's consumer works and returns; backpressure is an unfinished write), so one
// thread serves any number of streams and REST calls, and saves the hand-offs between
// pool threads that cost a one-post-per-chunk stream a third of its rate.
void InitHttpThreads();

}  // namespace hashmon

#endif  // HASHMON_FEED_HTTP_STREAM_H_
