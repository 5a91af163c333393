// The test feed server's Mastodon side: hashtag streams as a Mastodon server serves them,
// over WebSocket with `subscribe` messages that add hashtags to one socket.
#ifndef HASHMON_FEED_MASTODON_FEED_H_
#define HASHMON_FEED_MASTODON_FEED_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <string>
#include <vector>

#include "feed/feed_writer.h"

namespace hashmon {

// A record as Mastodon's WebSocket API sends it on `tag`'s stream: the Status as a JSON
// string inside an `update` event. Lines that are not JSON objects (garbage faults) go out
// as they are.
std::string MastodonUpdateMessage(const std::string& record, const std::string& tag);

// The hashtag a Mastodon request is about: `tag=` of a stream, the path of a timeline.
std::string RequestedTag(const std::string& target);

// What a Mastodon server's hashtag streams and timelines need to know of a recorded line,
// read from its JSON once rather than each time a stream or a timeline page looks at it.
struct StatusTags {
  static StatusTags Of(const std::string& line);
  // Whether a hashtag stream for `tag` carries the line, as a server's would: a Status whose
  // tags name it (any case). Other lines (notices, garbage) go to every stream, and every
  // line to the "" stream (a feed that is not Mastodon's).
  bool CarriedBy(const std::string& tag) const;

  bool object = false;  // the line is a JSON object
  bool tagged = false;  // ... with a `tags` array: a Status, which only its tags' streams carry
  std::string id;       // its string `id`, if it has one
  std::vector<std::string> tags;  // the names in `tags`, ASCII letters in lower case
};

// One Mastodon WebSocket connection: the hashtag of its URL, plus those the client
// subscribes to (and minus those it unsubscribes from), each status sent once on each
// followed hashtag's stream that it carries. The socket moves onto an io_context of its
// own, so that reading the client's messages and writing statuses interleave on the
// connection's one thread.
class MastodonWsWriter : public FeedWriter {
 public:
  using tcp = boost::asio::ip::tcp;
  // `stop`: the server is stopping, so every wait ends.
  MastodonWsWriter(tcp::socket* accepted, std::string url_tag, const std::atomic<bool>* stop);
  ~MastodonWsWriter() override;

  bool Accept(const boost::beast::http::request<boost::beast::http::string_body>& req);
  // Takes in what the client has sent so far, without waiting.
  void Poll();
  // Waits until the connection follows at least `n` hashtags; false if the client left.
  bool AwaitStreams(size_t n);
  const std::vector<std::string>& streams() const { return streams_; }
  // Whether some followed stream carries the line.
  bool Carries(const StatusTags& line) const;

  bool Send(const std::string& record) override;
  // The same, for a record whose StatusTags are known.
  bool Send(const std::string& record, const StatusTags& status);
  void SendTorn(const std::string& record) override;
  void Drop() override;
  void End() override;
  void Stall() override;

 private:
  void ReadNext();
  void Handle(const std::string& message);
  bool Write(const std::string& message, bool whole = true);
  // Runs the io_context until *done, the client leaves or the server stops.
  bool RunUntil(const bool* done);
  // Closes the connection and runs the io_context until the pending operation whose
  // handler sets *done has ended.
  void Abandon(const bool* done);

  boost::asio::io_context ioc_;
  tcp::socket sock_;
  boost::beast::websocket::stream<tcp::socket&> ws_;
  const std::atomic<bool>* stop_;
  boost::beast::flat_buffer in_;
  std::vector<std::string> streams_;
  std::vector<std::string> replies_;  // errors for the client, sent between statuses
  bool gone_ = false;                 // the client left (or the connection failed)
  boost::system::error_code ec_;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_MASTODON_FEED_H_
