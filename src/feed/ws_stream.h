// One WebSocket connection (Bluesky Jetstream, Mastodon's WebSocket API) through
// cpprestsdk: a fresh client per connection, TLS verified, our own idle watchdog, and a
// heartbeat frame sent on an interval because Jetstream sends none of its own.
#ifndef HASHMON_FEED_WS_STREAM_H_
#define HASHMON_FEED_WS_STREAM_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "feed/http_stream.h"
#include "hashmon/clock.h"

namespace hashmon {

struct WsRequest {
  std::string url;                             // ws:// or wss://
  std::map<std::string, std::string> headers;  // never logged
  int64_t idle_timeout_ms = 30'000;
  // cpprestsdk 2.10 cannot send ping frames, so the heartbeat is an unsolicited pong
  // (RFC 6455 5.5.3): it keeps proxies and NAT state alive and, on a dead socket, makes
  // the send fail so that the connection ends at once instead of at the idle timeout.
  int64_t heartbeat_every_ms = 10'000;
  // Text messages sent once the handshake succeeds, in order, before on_open runs (Mastodon's
  // `subscribe` messages, which add hashtags to one socket).
  std::vector<std::string> send_on_open;
  // Offered in Sec-WebSocket-Protocol (Jetstream v2: xrpc.v1.json).
  std::vector<std::string> subprotocols;
};

// Delivers each text (or binary) message to on_message(data, len), in order, on one
// thread (data[len] is a writable NUL, so the message can be parsed in place), until
// the server closes, the connection fails, nothing arrives for idle_timeout_ms (by
// `clock`) or *stop becomes true. The handler runs on the network thread, so a slow
// handler slows the socket down (TCP backpressure) instead of queuing in memory.
// `on_open`, if given, runs on the calling thread once the handshake succeeds and before
// any message is delivered (those that arrive meanwhile are kept): a connect step such
// as Mastodon's gap fill, whose REST calls need the network threads this must not block.
StreamOutcome StreamWebSocket(const WsRequest& request,
                              const std::function<void(char*, size_t)>& on_message,
                              const std::atomic<bool>* stop, Clock* clock,
                              const std::function<void()>& on_open = nullptr);

}  // namespace hashmon

#endif  // HASHMON_FEED_WS_STREAM_H_
