#include "feed/feed_server.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "feed/feed_writer.h"
#include "feed/mastodon_feed.h"
#include "hashmon/bounded_json.h"
#include "hashmon/decoder.h"
#include "net/tcp_listener.h"

namespace hashmon {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

bool ParseFault(const std::string& spec, FeedFaults* f) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos) return false;
  const std::string name = spec.substr(0, eq);
  int v = 0;
  try {
    v = std::stoi(spec.substr(eq + 1));
  } catch (const std::exception&) {
    return false;
  }
  if (name == "drop-after")
    f->drop_after_lines = v;
  else if (name == "truncate-after")
    f->truncate_after_lines = v;
  else if (name == "stall-after")
    f->stall_after_lines = v;
  else if (name == "garbage-every")
    f->garbage_every_lines = v;
  else if (name == "status")
    f->statuses.push_back(v);
  else if (name == "backfill")
    f->backfill_lines = v;
  else if (name == "chunk-bytes")
    f->chunk_bytes = static_cast<size_t>(v);
  else if (name == "split-lines")
    f->split_lines = v != 0;
  else if (name == "lost-on-reconnect")
    f->lost_lines = static_cast<size_t>(v);
  else if (name == "resend-after-fault")
    f->resend_after_fault = v != 0;
  else
    return false;
  return true;
}

std::optional<FeedProtocol> ParseFeedProtocol(const std::string& name) {
  if (name == "ndjson" || name == "x-v2") return FeedProtocol::kNdjson;
  if (name == "mastodon-sse") return FeedProtocol::kMastodonSse;
  if (name == "jetstream") return FeedProtocol::kJetstream;
  if (name == "jetstream-v2") return FeedProtocol::kJetstreamV2;
  if (name == "mastodon-ws") return FeedProtocol::kMastodonWs;
  return std::nullopt;
}

namespace {

class ChunkedWriter : public FeedWriter {
 public:
  ChunkedWriter(tcp::socket* sock, FeedProtocol protocol, size_t chunk_bytes, bool split_lines)
      : sock_(sock), protocol_(protocol), chunk_bytes_(chunk_bytes), split_lines_(split_lines) {}
  bool Send(const std::string& record) override {
    if (protocol_ == FeedProtocol::kMastodonSse && !IsSseLine(record)) {
      pending_ += "event: update\ndata: " + record + "\n\n";
    } else {
      pending_ += record + "\n";
    }
    return pending_.size() < chunk_bytes_ || Write(/*all=*/false);
  }
  void SendTorn(const std::string& record) override {
    Flush();
    const std::string half = record.substr(0, record.size() / 2);
    net::write(*sock_, http::make_chunk(net::buffer(half)), ec_);
    Drop();
  }
  void Drop() override { sock_->shutdown(tcp::socket::shutdown_both, ec_); }
  void End() override {
    Flush();
    net::write(*sock_, http::make_chunk_last(), ec_);
    Drop();
  }
  void Stall() override {
    Flush();
    char probe[256];
    while (!ec_) sock_->read_some(net::buffer(probe), ec_);
  }

 private:
  bool Flush() override { return Write(/*all=*/true); }
  // Chunks of about chunk_bytes, of whole lines; with split_lines, of exactly chunk_bytes
  // wherever lines end (a long line spans several, as from a server whose buffers are
  // smaller than the line), the rest waiting for more unless `all`.
  bool Write(bool all) {
    const size_t size = split_lines_ && chunk_bytes_ ? chunk_bytes_ : pending_.size();
    size_t at = 0;
    for (; size > 0 && pending_.size() - at >= size && !ec_; at += size)
      net::write(*sock_, http::make_chunk(net::buffer(pending_.data() + at, size)), ec_);
    if (all && at < pending_.size() && !ec_)
      net::write(*sock_, http::make_chunk(net::buffer(pending_.data() + at, pending_.size() - at)),
                 ec_);
    pending_.erase(0, all ? pending_.size() : at);
    return !ec_;
  }
  static bool IsSseLine(const std::string& l) {
    return l.empty() || l[0] == ':' || l.rfind("event:", 0) == 0 || l.rfind("data:", 0) == 0;
  }
  tcp::socket* sock_;
  FeedProtocol protocol_;
  size_t chunk_bytes_;
  bool split_lines_;
  std::string pending_;
  boost::system::error_code ec_;
};

// Jetstream's: a message per record, as text, or (v2, given a dictionary) as a binary
// frame holding one zstd frame. (Mastodon's is MastodonWsWriter.)
class WebSocketWriter : public FeedWriter {
 public:
  WebSocketWriter(tcp::socket* sock, const ZSTD_CDict* dictionary)
      : ws_(*sock), dictionary_(dictionary), cctx_(dictionary ? ZSTD_createCCtx() : nullptr) {}
  ~WebSocketWriter() override { ZSTD_freeCCtx(cctx_); }
  WebSocketWriter(const WebSocketWriter&) = delete;
  WebSocketWriter& operator=(const WebSocketWriter&) = delete;
  bool Accept(const http::request<http::string_body>& req) {
    // Jetstream v2's framing, named as the client offered it (proposal 0015).
    const std::string offered(req[http::field::sec_websocket_protocol]);
    if (offered.find("xrpc.v1.json") != std::string::npos) {
      ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(http::field::sec_websocket_protocol, "xrpc.v1.json");
      }));
    }
    ws_.accept(req, ec_);
    ws_.text(!dictionary_);
    return !ec_;
  }
  bool Send(const std::string& record) override {
    if (!dictionary_) {
      ws_.write(net::buffer(record), ec_);
      return !ec_;
    }
    frame_.resize(ZSTD_compressBound(record.size()));
    const size_t n = ZSTD_compress_usingCDict(cctx_, frame_.data(), frame_.size(), record.data(),
                                              record.size(), dictionary_);
    if (ZSTD_isError(n)) return false;
    ws_.write(net::buffer(frame_.data(), n), ec_);
    return !ec_;
  }
  void SendTorn(const std::string& record) override {
    // A message cut off mid-frame: a frame header promising more than is sent.
    ws_.write_some(false, net::buffer(record.substr(0, record.size() / 2)), ec_);
    Drop();
  }
  void Drop() override { ws_.next_layer().shutdown(tcp::socket::shutdown_both, ec_); }
  void End() override {
    ws_.close(websocket::close_code::normal, ec_);
    Drop();
  }
  void Stall() override {
    // Reading handles control frames: heartbeats are swallowed, and a close frame (the
    // client giving up) ends the stall.
    boost::beast::flat_buffer buf;
    while (!ec_) ws_.read(buf, ec_), buf.clear();
  }

 private:
  websocket::stream<tcp::socket&> ws_;
  const ZSTD_CDict* dictionary_;
  ZSTD_CCtx* cctx_;
  std::string frame_;
  boost::system::error_code ec_;
};

// A dictionary trained on (up to 20,000 of) the feed's lines, for Jetstream v2's
// compression; empty if zstd cannot make one from them.
std::string TrainDictionary(const std::vector<std::string>& lines) {
  std::string samples;
  std::vector<size_t> sizes;
  const size_t step = std::max<size_t>(1, lines.size() / 20'000);
  for (size_t i = 0; i < lines.size(); i += step) {
    samples += lines[i];
    sizes.push_back(lines[i].size());
  }
  std::string dict(64 << 10, '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return {};
  dict.resize(n);
  return dict;
}

}  // namespace

struct FeedServer::Impl {
  FeedProtocol protocol = FeedProtocol::kNdjson;
  std::vector<std::string> lines;
  std::vector<StatusTags> statuses;  // per line, for a Mastodon feed's streams and timelines
  FeedFaults faults;
  double rate = 0;
  std::vector<int64_t> send_at_ms;  // per line, from the start of the stream (--speed)
  std::optional<std::chrono::steady_clock::time_point> started;  // the first line's send
  std::unique_ptr<TcpListener> listener;
  std::mutex mu;
  // Shared across connections: a live stream goes on. Mastodon serves one stream per
  // hashtag, each where it is; every other feed is the "" stream.
  std::map<std::string, size_t> next_line;
  size_t hold_until_streams = 0;  // see HoldUntilFollowing
  int connection_no = 0;
  std::atomic<bool> stop{false};
  // Jetstream v2: what it compresses with, when a stream asks.
  std::string dictionary;
  ZSTD_CDict* cdict = nullptr;
  ~Impl() { ZSTD_freeCDict(cdict); }
};

FeedServer::FeedServer(std::vector<std::string> lines, FeedFaults faults, double lines_per_second,
                       FeedProtocol protocol)
    : impl_(std::make_unique<Impl>()) {
  impl_->protocol = protocol;
  impl_->lines = std::move(lines);
  if (Mastodon()) {
    impl_->statuses.reserve(impl_->lines.size());
    for (const std::string& line : impl_->lines) impl_->statuses.push_back(StatusTags::Of(line));
  }
  impl_->faults = std::move(faults);
  impl_->rate = lines_per_second;
  if (protocol == FeedProtocol::kJetstreamV2) {
    impl_->dictionary = TrainDictionary(impl_->lines);
    if (!impl_->dictionary.empty())
      impl_->cdict = ZSTD_createCDict(impl_->dictionary.data(), impl_->dictionary.size(), 1);
  }
}

uint32_t FeedServer::dictionary_id() const {
  return static_cast<uint32_t>(ZDICT_getDictID(impl_->dictionary.data(), impl_->dictionary.size()));
}

FeedServer::~FeedServer() { Stop(); }

int FeedServer::Start(int port, std::string* error) {
  impl_->listener = std::make_unique<TcpListener>(
      ListenerOptions{"127.0.0.1", port},
      [this](const std::shared_ptr<TcpListener::Socket>& sock) { Serve(sock.get()); });
  return impl_->listener->Start(error);
}

std::string FeedServer::StreamKey(const std::string& target) const {
  return Mastodon() ? RequestedTag(target) : std::string();
}

bool FeedServer::GarbageBefore(size_t at) const {
  const int64_t every = impl_->faults.garbage_every_lines;
  return every > 0 && at > 0 && at % static_cast<size_t>(every) == 0;
}

int64_t FeedServer::WireLines(size_t at) const {
  const int64_t every = impl_->faults.garbage_every_lines;
  return static_cast<int64_t>(at) + (every > 0 ? static_cast<int64_t>(at) / every : 0);
}

size_t FeedServer::StartLine(const std::string& target, int connection_no, bool* garbage_received) {
  Impl& s = *impl_;
  if (garbage_received) *garbage_received = false;
  std::lock_guard<std::mutex> lock(s.mu);
  const size_t next = s.next_line[StreamKey(target)];
  size_t pos = next;  // a live stream goes on where it is
  if (connection_no > 1) pos = std::min(pos + s.faults.lost_lines, s.lines.size());
  if (connection_no > 1 && s.faults.backfill_lines > 0) {
    pos = next > static_cast<size_t>(s.faults.backfill_lines) ? next - s.faults.backfill_lines : 0;
  }
  if (connection_no > 1) pos = BackfillStart(target, pos);
  const size_t c = target.find("cursor=");
  if (c == std::string::npos) return pos;
  int64_t cursor = 0;
  try {
    cursor = std::stoll(target.substr(c + 7));
  } catch (const std::exception&) {
    return pos;
  }
  if (!Jetstream()) {
    // The cursor counts the lines the client received, garbage included (see
    // GarbageBefore): the first line it has not received is that many lines on the wire in.
    size_t at = std::min<size_t>(static_cast<size_t>(std::max<int64_t>(cursor, 0)), s.lines.size());
    while (at > 0 && WireLines(at - 1) >= cursor) --at;
    if (garbage_received) *garbage_received = WireLines(at) == cursor;
    return at;
  }
  // Jetstream: the first event at or after the cursor's time (recordings are in time order).
  size_t i = 0;
  while (i < s.lines.size() && JetstreamTimeUs(s.lines[i]) < cursor) ++i;
  return i;
}

// X's `backfill_minutes=N` on a reconnect: the stream starts again N minutes back (by the
// posts' times: a recording's "now" is the post it stands at), so the posts of the
// disconnection come after all, and some it had sent before come twice.
size_t FeedServer::BackfillStart(const std::string& target, size_t pos) const {
  const size_t at = target.find("backfill_minutes=");
  if (at == std::string::npos || impl_->protocol != FeedProtocol::kNdjson) return pos;
  int64_t minutes = 0;
  try {
    minutes = std::stoll(target.substr(at + std::strlen("backfill_minutes=")));
  } catch (const std::exception&) {
    return pos;
  }
  const std::vector<std::string>& lines = impl_->lines;
  if (lines.empty()) return pos;
  Decoder decoder;
  auto time_of = [&](size_t i) { return decoder.DecodeCopy(lines[i]).post.created_at; };
  int64_t now = 0;
  for (size_t i = std::min(pos, lines.size() - 1); now == 0 && i < lines.size(); --i)
    now = time_of(i);  // the newest post at or before where the stream stands
  const int64_t from = now - std::clamp<int64_t>(minutes, 0, 5) * 60'000;
  for (int64_t t; pos > 0 && ((t = time_of(pos - 1)) == 0 || t >= from);) --pos;
  return pos;
}

// Mastodon's hashtag timeline, for gap fill: up to `limit` statuses newer than min_id
// among those already streamed, newest first.
std::string FeedServer::Timeline(const std::string& target) {
  Impl& s = *impl_;
  auto param = [&](const char* name) -> std::string {
    const size_t at = target.find(std::string(name) + "=");
    if (at == std::string::npos) return {};
    const size_t from = at + std::strlen(name) + 1;
    return target.substr(from, target.find('&', from) - from);
  };
  const std::string min_id = param("min_id");
  // As Mastodon's API: 20 by default, at most 40; a limit that is no number is the default.
  size_t limit = 20;
  const std::string limit_text = param("limit");
  if (!limit_text.empty() && limit_text.size() <= 9 &&
      limit_text.find_first_not_of("0123456789") == std::string::npos) {
    limit = std::clamp<size_t>(std::stoul(limit_text), 1, 40);
  }
  auto newer = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a > b;
  };
  const std::string tag = RequestedTag(target);
  std::vector<std::string> page;
  std::lock_guard<std::mutex> lock(s.mu);
  // Posts made so far: as far as any stream has got (the feed is one timeline).
  size_t now = 0;
  for (const auto& [stream, next] : s.next_line) now = std::max(now, next);
  for (size_t i = 0; i < now && i < s.statuses.size() && page.size() < limit; ++i) {
    const StatusTags& status = s.statuses[i];
    if (!status.CarriedBy(tag) || status.id.empty()) continue;
    if (min_id.empty() || newer(status.id, min_id)) page.push_back(s.lines[i]);
  }
  std::string body = "[";
  for (size_t i = page.size(); i-- > 0;) body += page[i] + (i ? "," : "");
  return body + "]";
}

void FeedServer::Serve(tcp_socket* sock) {
  Impl& s = *impl_;
  boost::beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(*sock, buf, req);
  const std::string target(req.target());
  if (Mastodon() && target.rfind("/api/v1/timelines/tag/", 0) == 0) {
    AnswerOnce(sock, req.version(), 200, Timeline(target));
    return;
  }
  if (s.protocol == FeedProtocol::kJetstreamV2 && AnsweredForTheDictionary(sock, req)) return;
  Connection c;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    c.number = ++s.connection_no;
  }
  ++connections_;
  if (static_cast<size_t>(c.number) <= s.faults.statuses.size()) {
    const int code = s.faults.statuses[static_cast<size_t>(c.number) - 1];
    AnswerOnce(sock, req.version(), code,
               R"({"title":"fault injected","status":)" + std::to_string(code) + "}");
    return;
  }
  c.stream = StreamKey(target);
  // Where this connection starts, known before its handshake completes: a Mastodon client's
  // gap fill, made just after the handshake, sees every post made while it was away.
  c.start = StartLine(target, c.number, &c.garbage_received);
  if (Mastodon()) {
    std::lock_guard<std::mutex> lock(s.mu);
    s.next_line[c.stream] = std::max(s.next_line[c.stream], c.start);
  }
  std::unique_ptr<FeedWriter> writer = OpenWriter(sock, req, c.stream, &c.multiplexed);
  if (!writer) return;
  c.first = c.number == 1 + static_cast<int>(s.faults.statuses.size());
  if (SendLines(c, writer.get())) {
    writer->End();
    finished_ = true;
  }
}

bool FeedServer::Jetstream() const {
  return impl_->protocol == FeedProtocol::kJetstream ||
         impl_->protocol == FeedProtocol::kJetstreamV2;
}

bool FeedServer::AnsweredForTheDictionary(tcp_socket* sock,
                                          const http::request<http::string_body>& req) {
  Impl& s = *impl_;
  const std::string target(req.target());
  if (target.rfind("/xrpc/network.bsky.jetstream.getZstdDictionary", 0) == 0) {
    if (s.dictionary.empty()) {
      AnswerOnce(sock, req.version(), 404, R"({"error":"DictionaryNotFound"})");
      return true;
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/octet-stream");
    res.set("x-zstd-dictionary-id", std::to_string(dictionary_id()));
    res.body() = s.dictionary;
    res.prepare_payload();
    res.keep_alive(false);
    http::write(*sock, res);
    boost::system::error_code ec;
    sock->shutdown(tcp::socket::shutdown_both, ec);
    return true;
  }
  const size_t at = target.find("zstdDictionary=");
  if (at == std::string::npos) return false;
  const size_t value = at + 15;
  if (s.cdict &&
      target.substr(value, target.find('&', value) - value) == std::to_string(dictionary_id()))
    return false;
  AnswerOnce(sock, req.version(), 400,
             R"({"error":"UnknownZstdDictionary","message":"current id )" +
                 std::to_string(dictionary_id()) + "\"}");
  return true;
}

bool FeedServer::Mastodon() const {
  const FeedProtocol p = impl_->protocol;
  return p == FeedProtocol::kMastodonSse || p == FeedProtocol::kMastodonWs;
}

void FeedServer::AnswerOnce(tcp_socket* sock, unsigned http_version, int status,
                            const std::string& body) {
  http::response<http::string_body> res{static_cast<http::status>(status), http_version};
  res.set(http::field::content_type, "application/json");
  if (status == 429) res.set("x-rate-limit-reset", "0");
  res.body() = body;
  res.prepare_payload();
  res.keep_alive(false);
  http::write(*sock, res);
  boost::system::error_code ec;
  sock->shutdown(tcp::socket::shutdown_both, ec);
}

std::unique_ptr<FeedWriter> FeedServer::OpenWriter(
    tcp_socket* sock, const boost::beast::http::request<boost::beast::http::string_body>& req,
    const std::string& stream, MastodonWsWriter** multiplexed) {
  Impl& s = *impl_;
  if (s.protocol == FeedProtocol::kMastodonWs && websocket::is_upgrade(req)) {
    auto ws = std::make_unique<MastodonWsWriter>(sock, stream, &s.stop);
    if (!ws->Accept(req) || !ws->AwaitStreams(s.hold_until_streams)) return nullptr;
    *multiplexed = ws.get();
    return ws;
  }
  if (Jetstream() || s.protocol == FeedProtocol::kMastodonWs) {
    if (!websocket::is_upgrade(req)) {
      http::response<http::string_body> res{http::status::upgrade_required, req.version()};
      res.body() = "this feed is served over WebSocket\n";
      res.prepare_payload();
      http::write(*sock, res);
      return nullptr;
    }
    const bool compressed = std::string(req.target()).find("zstdDictionary=") != std::string::npos;
    auto ws = std::make_unique<WebSocketWriter>(sock, compressed ? s.cdict : nullptr);
    if (!ws->Accept(req)) return nullptr;
    return ws;
  }
  http::response<http::empty_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type,
          s.protocol == FeedProtocol::kMastodonSse ? "text/event-stream" : "application/x-ndjson");
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  http::write_header(*sock, sr);
  return std::make_unique<ChunkedWriter>(sock, s.protocol, s.faults.chunk_bytes,
                                         s.faults.split_lines);
}

bool FeedServer::SendLines(const Connection& c, FeedWriter* writer) {
  Impl& s = *impl_;
  // A faulted connection may lose whatever was still in flight, so the next one starts
  // again from this connection's start (de-duplication absorbs the resend), the way X's
  // backfill and Jetstream's cursor rewind cover a disconnection.
  // Mastodon's streaming API has no resume: what was in flight is gone (gap fill finds it).
  auto rewind = [&] {
    std::lock_guard<std::mutex> lock(s.mu);
    if (!Mastodon() && s.faults.resend_after_fault) s.next_line[c.stream] = c.start;
  };
  size_t pos = c.start;
  int sent = 0;
  while (!s.stop) {
    std::string line;
    size_t at;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (pos >= s.lines.size()) break;
      at = pos++;
      line = s.lines[at];
      s.next_line[c.stream] = std::max(s.next_line[c.stream], pos);
    }
    if (Mastodon()) {  // the statuses never change once the server is made: no lock
      const StatusTags& status = s.statuses[at];
      if (c.multiplexed ? (c.multiplexed->Poll(), !c.multiplexed->Carries(status))
                        : !status.CarriedBy(c.stream))
        continue;
    }
    if (c.first && s.faults.stall_after_lines && sent == s.faults.stall_after_lines) {
      rewind();
      stalled_ = true;
      writer->Stall();
      stalled_ = false;
      return false;
    }
    if (c.first && s.faults.truncate_after_lines && sent == s.faults.truncate_after_lines) {
      rewind();
      writer->SendTorn(line);
      return false;
    }
    if (c.first && s.faults.drop_after_lines && sent == s.faults.drop_after_lines) {
      rewind();
      writer->Drop();
      return false;
    }
    if (GarbageBefore(at) && !(at == c.start && c.garbage_received)) {
      if (!writer->Send("{not json at all")) return false;
    }
    if (!s.send_at_ms.empty() && !WaitUntilDue(pos - 1, writer)) return false;
    if (!(c.multiplexed ? c.multiplexed->Send(line, s.statuses[at]) : writer->Send(line)))
      return false;
    ++sent;
    ++lines_sent_;
    if (s.rate > 0) std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / s.rate));
  }
  return true;
}

void FeedServer::HoldUntilFollowing(size_t hashtags) { impl_->hold_until_streams = hashtags; }

void FeedServer::PaceByEventTime(const std::vector<int64_t>& event_ms, double speed) {
  impl_->send_at_ms = SendOffsetsMs(event_ms, speed);
}

bool FeedServer::WaitUntilDue(size_t line, FeedWriter* writer) {
  Impl& s = *impl_;
  std::chrono::steady_clock::time_point due;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    // One timeline for the whole stream: posts go on being made while a client is away.
    if (!s.started)
      s.started = std::chrono::steady_clock::now() - std::chrono::milliseconds(s.send_at_ms[line]);
    due = *s.started + std::chrono::milliseconds(s.send_at_ms[line]);
  }
  if (std::chrono::steady_clock::now() >= due) return true;
  if (!writer->Flush()) return false;  // what is due goes out before the pause
  while (!s.stop && std::chrono::steady_clock::now() < due) {
    std::this_thread::sleep_until(
        std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
  }
  return !s.stop;
}

std::vector<int64_t> SendOffsetsMs(const std::vector<int64_t>& event_ms, double speed) {
  std::vector<int64_t> out(event_ms.size(), 0);
  if (speed <= 0) return out;
  int64_t first = 0, newest = 0, offset = 0;
  bool seen = false;
  for (size_t i = 0; i < event_ms.size(); ++i) {
    if (event_ms[i] > 0) {
      if (!seen) first = newest = event_ms[i], seen = true;
      newest = std::max(newest, event_ms[i]);  // a late post does not take time back
      offset = static_cast<int64_t>(static_cast<double>(newest - first) / speed);
    }
    out[i] = offset;  // notices and bad lines go with the post before them
  }
  return out;
}

void FeedServer::Stop() {
  if (!impl_) return;
  impl_->stop = true;  // first: a connection waiting for its next line's time gives up
  if (impl_->listener) impl_->listener->Stop();
}

}  // namespace hashmon
