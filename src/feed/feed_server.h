// A local feed server for tests and demos: serves a recorded file as a live stream on
// 127.0.0.1, with injectable faults, in one of four protocols:
//   ndjson        chunked HTTP, a record per line (X's filtered stream, relays);
//                 `?cursor=N` starts at line N; on a reconnect, `backfill_minutes=N`
//                 starts N minutes back, as X does;
//   mastodon-sse  chunked HTTP as Server-Sent Events (`event: update` / `data:`), and
//                 /api/v1/timelines/tag/T?min_id= for gap fill (statuses already streamed);
//   jetstream     WebSocket, a message per record; `?cursor=T` starts at the first event
//                 whose time_us is at or after T, as Jetstream does;
//   jetstream-v2  Jetstream v2 (/xrpc/network.bsky.jetstream.subscribeEvents): the same, and
//                 with `zstdDictionary=ID` each message compressed with a dictionary the
//                 server trains on the feed and serves at
//                 /xrpc/network.bsky.jetstream.getZstdDictionary (another ID: a 400);
//   mastodon-ws   WebSocket, each Status as the JSON-string payload of an `update` event,
//                 with the same hashtag timeline as mastodon-sse; `subscribe` messages add
//                 hashtags to a socket.
// Built on Boost.Beast, so tests talk to a real HTTP and WebSocket peer.
#ifndef HASHMON_FEED_FEED_SERVER_H_
#define HASHMON_FEED_FEED_SERVER_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hashmon {

class FeedWriter;
class MastodonWsWriter;

struct FeedFaults {
  int drop_after_lines = 0;      // close the first connection after this many lines
  int truncate_after_lines = 0;  // send half a line, then close (first connection)
  int stall_after_lines = 0;     // stop sending, keep the socket open (first connection)
  int garbage_every_lines = 0;   // a line of garbage after every N lines
  std::vector<int> statuses;     // answer the first connections with these HTTP statuses
  int backfill_lines = 0;        // a reconnect resends this many lines (duplicates)
  size_t chunk_bytes = 0;    // gather lines into chunks of about this size (0: a line per chunk)
  bool split_lines = false;  // ... or cut chunks of exactly that size, wherever lines end
  size_t lost_lines = 0;     // a reconnect skips this many lines (posted while disconnected)
  // After a fault, an NDJSON stream starts again from the faulted connection's start (what
  // was in flight may be lost); false: from where it stood (X without backfill_minutes).
  bool resend_after_fault = true;
};

enum class FeedProtocol { kNdjson, kMastodonSse, kJetstream, kJetstreamV2, kMastodonWs };

// "ndjson" (or "x-v2"), "mastodon-sse", "jetstream", "jetstream-v2", "mastodon-ws".
std::optional<FeedProtocol> ParseFeedProtocol(const std::string& name);

// Parses "--fault" values: drop-after=N, truncate-after=N, stall-after=N, garbage-every=N,
// status=401 (repeatable), backfill=N, chunk-bytes=N, split-lines=1, lost-on-reconnect=N,
// resend-after-fault=0. Returns false on an unknown fault.
bool ParseFault(const std::string& spec, FeedFaults* faults);

// When each line is due, in ms from the first: the newest event time so far (a late
// post does not take time back; a line without one goes with the line before), scaled
// down by `speed`.
std::vector<int64_t> SendOffsetsMs(const std::vector<int64_t>& event_ms, double speed);

class FeedServer {
 public:
  FeedServer(std::vector<std::string> lines, FeedFaults faults, double lines_per_second = 0,
             FeedProtocol protocol = FeedProtocol::kNdjson);
  ~FeedServer();

  // Sends each line when its event time is due (event_ms per line, 0 where a line has
  // none), `speed` times faster than it happened: 60 plays an hour in a minute. Call
  // before Start.
  void PaceByEventTime(const std::vector<int64_t>& event_ms, double speed);

  // Mastodon over WebSocket: each connection streams nothing until it follows this many
  // hashtags (its URL's and those it subscribed to), so that a test sees every status of
  // each. (A real server streams what comes after each subscription.) Call before Start.
  void HoldUntilFollowing(size_t hashtags);

  // Binds 127.0.0.1:port (0 picks a free port) and serves on a thread. Returns the port.
  int Start(int port, std::string* error);
  void Stop();

  int connections() const { return connections_.load(); }
  // Jetstream v2: the id of the dictionary it compresses with.
  uint32_t dictionary_id() const;
  // True once every line was sent and the last connection ended cleanly.
  bool finished() const { return finished_.load(); }
  // Lines written so far, over all connections.
  int64_t lines_sent() const { return lines_sent_.load(); }
  // True while a connection is stalled by the stall-after fault.
  bool stalled() const { return stalled_.load(); }

 private:
  struct Impl;
  using tcp_socket = boost::asio::ip::tcp::socket;
  // One client's connection, as Serve sets it up.
  struct Connection {
    int number = 0;                 // 1 for the server's first
    bool first = false;             // the first with a stream (after the injected error statuses)
    std::string stream;             // see StreamKey
    size_t start = 0;               // the line it starts at
    bool garbage_received = false;  // the garbage before line `start`, by the client's cursor
    MastodonWsWriter* multiplexed = nullptr;  // a Mastodon socket that follows several tags
  };
  void Serve(tcp_socket* sock);
  // Whether the feed is Mastodon's (SSE or WebSocket): one stream per hashtag, and timelines.
  bool Mastodon() const;
  // Whether it is Jetstream's (v1 or v2): a WebSocket whose cursor is a time.
  bool Jetstream() const;
  // Jetstream v2: the dictionary, or a 400 for a stream that asks for another (true: answered).
  bool AnsweredForTheDictionary(
      tcp_socket* sock, const boost::beast::http::request<boost::beast::http::string_body>& req);
  // Answers with `status` and a JSON body, then closes.
  void AnswerOnce(tcp_socket* sock, unsigned http_version, int status, const std::string& body);
  // The response that starts the stream, in the feed's protocol (null: the request cannot
  // have one, and was answered so).
  std::unique_ptr<FeedWriter> OpenWriter(
      tcp_socket* sock, const boost::beast::http::request<boost::beast::http::string_body>& req,
      const std::string& stream, MastodonWsWriter** multiplexed);
  // Sends the stream's lines, with the faults of the server's first connection; true once
  // every line was sent (false: the client went, or a fault ended the connection).
  bool SendLines(const Connection& c, FeedWriter* writer);
  bool WaitUntilDue(size_t line, FeedWriter* writer);
  std::string Timeline(const std::string& target);
  // `garbage_received`: the client's cursor says it has the garbage line before the start.
  size_t StartLine(const std::string& target, int connection_no, bool* garbage_received = nullptr);
  // The garbage fault puts a line that is not JSON before each line whose index is a
  // positive multiple of garbage_every_lines, wherever a connection starts: the lines on
  // the wire are numbered the same on every connection, as a client's resume cursor counts
  // them. WireLines(at): the lines on the wire before line `at`'s own.
  bool GarbageBefore(size_t at) const;
  int64_t WireLines(size_t at) const;
  size_t BackfillStart(const std::string& target, size_t pos) const;
  // Which live stream a request joins: a Mastodon hashtag's, or the one feed ("").
  std::string StreamKey(const std::string& target) const;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> connections_{0};
  std::atomic<bool> finished_{false};
  std::atomic<bool> stalled_{false};
  std::atomic<int64_t> lines_sent_{0};
};

}  // namespace hashmon

#endif  // HASHMON_FEED_FEED_SERVER_H_
