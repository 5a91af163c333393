// Where a Mastodon server streams from. Its streaming API may run on a host of its own
// (mastodon.social streams from streaming.mastodon.social); the web host then answers
// GET /api/v1/streaming with a 301 to that host, and with 404 when it streams itself.
// A WebSocket handshake follows no redirect (an HTTP stream would, on every reconnect), so
// the collector asks once and connects there.
#ifndef HASHMON_FEED_STREAMING_HOST_H_
#define HASHMON_FEED_STREAMING_HOST_H_

#include <map>
#include <optional>
#include <string>

namespace hashmon {

// `url` moved to the host (and port) that a redirect's `location` names, with its path and
// query kept and its scheme of the same kind (http/https for SSE, ws/wss for WebSocket).
// nullopt when `location` names no host, or would take a secure stream to a plain one.
std::optional<std::string> MovedToHostOf(const std::string& url, const std::string& location);

struct StreamingHostAnswer {
  bool answered = false;           // false: no answer (network down); ask again before the next try
  std::optional<std::string> url;  // where the stream is, when the server moved it
  std::string refused;             // a redirect not taken (no host, or from TLS to plain)
};

// Asks the server (GET `discovery_url`, https://HOST/api/v1/streaming, its redirect not
// followed) where the stream at `url` is served.
StreamingHostAnswer AskStreamingHost(const std::string& discovery_url, const std::string& url,
                                     const std::map<std::string, std::string>& headers);

}  // namespace hashmon

#endif  // HASHMON_FEED_STREAMING_HOST_H_
