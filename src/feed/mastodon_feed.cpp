#include "feed/mastodon_feed.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>

#include "feed/url_text.h"
#include "hashmon/bounded_json.h"

namespace hashmon {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

namespace {

// The `update` event for a record known to be a JSON object.
std::string UpdateMessage(const std::string& record, const std::string& tag) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("stream");
  w.StartArray();
  w.String("hashtag");
  w.String(tag.c_str());
  w.EndArray();
  w.Key("event");
  w.String("update");
  w.Key("payload");
  w.String(record.data(), static_cast<rapidjson::SizeType>(record.size()));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace

// A record as Mastodon's WebSocket API sends it: the Status as a JSON string inside an
// `update` event. Lines that are not JSON objects (garbage faults) go out as they are.
std::string MastodonUpdateMessage(const std::string& record, const std::string& tag) {
  rapidjson::Document d;
  if (ParseJson(&d, record.data(), record.size()) != JsonParse::kOk || !d.IsObject()) return record;
  return UpdateMessage(record, tag);
}

// The hashtag a Mastodon request is about: `tag=` of a stream, the path of a timeline.
std::string RequestedTag(const std::string& target) {
  const std::string timeline = "/api/v1/timelines/tag/";
  size_t from, to;
  if (target.rfind(timeline, 0) == 0) {
    from = timeline.size();
    to = target.find('?', from);
  } else {
    const size_t at = target.find("tag=");
    if (at == std::string::npos) return {};
    from = at + 4;
    to = target.find('&', from);
  }
  return target.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

StatusTags StatusTags::Of(const std::string& line) {
  StatusTags out;
  rapidjson::Document d;
  if (ParseJson(&d, line.data(), line.size()) != JsonParse::kOk || !d.IsObject()) return out;
  out.object = true;
  if (d.HasMember("id") && d["id"].IsString()) out.id = d["id"].GetString();
  if (!d.HasMember("tags") || !d["tags"].IsArray()) return out;
  out.tagged = true;
  for (const auto& t : d["tags"].GetArray()) {
    if (t.IsObject() && t.HasMember("name") && t["name"].IsString())
      out.tags.push_back(AsciiLower(t["name"].GetString()));
  }
  return out;
}

bool StatusTags::CarriedBy(const std::string& tag) const {
  if (tag.empty() || !tagged) return true;
  return std::find(tags.begin(), tags.end(), AsciiLower(tag)) != tags.end();
}

MastodonWsWriter::MastodonWsWriter(tcp::socket* accepted, std::string url_tag,
                                   const std::atomic<bool>* stop)
    : sock_(ioc_), ws_(sock_), stop_(stop) {
  const auto protocol = accepted->local_endpoint(ec_).protocol();
  sock_.assign(protocol, accepted->release(ec_), ec_);
  if (!url_tag.empty()) streams_.push_back(std::move(url_tag));
}

MastodonWsWriter::~MastodonWsWriter() {
  // Lets the pending read end (aborted) while this object still exists.
  sock_.close(ec_);
  ioc_.restart();
  try {
    ioc_.poll();
  } catch (const std::exception&) {  // a destructor must not throw; the connection is over
  }
}

bool MastodonWsWriter::Accept(
    const boost::beast::http::request<boost::beast::http::string_body>& req) {
  ws_.accept(req, ec_);
  if (ec_) return false;
  ws_.text(true);
  ReadNext();
  return true;
}

void MastodonWsWriter::ReadNext() {
  ws_.async_read(in_, [this](boost::system::error_code ec, size_t) {
    if (ec) {
      gone_ = true;
      return;
    }
    Handle(boost::beast::buffers_to_string(in_.data()));
    in_.consume(in_.size());
    ReadNext();
  });
}

void MastodonWsWriter::Handle(const std::string& message) {
  rapidjson::Document d;
  if (ParseJson(&d, message.data(), message.size()) != JsonParse::kOk || !d.IsObject() ||
      !d.HasMember("type") || !d["type"].IsString())
    return;
  const std::string type = d["type"].GetString();
  if (type != "subscribe" && type != "unsubscribe") return;
  const bool hashtag = d.HasMember("stream") && d["stream"].IsString() &&
                       std::string(d["stream"].GetString()) == "hashtag";
  if (!hashtag || !d.HasMember("tag") || !d["tag"].IsString()) {
    replies_.push_back(R"({"error":"Unknown stream type","status":400})");
    return;
  }
  const std::string tag = d["tag"].GetString();
  const auto it = std::find(streams_.begin(), streams_.end(), tag);
  if (type == "subscribe" && it == streams_.end()) streams_.push_back(tag);
  if (type == "unsubscribe" && it != streams_.end()) streams_.erase(it);
}

bool MastodonWsWriter::RunUntil(const bool* done) {
  while (!*done && !gone_) {
    if (stop_ && *stop_) return false;
    if (ioc_.stopped()) ioc_.restart();
    ioc_.run_one_for(std::chrono::milliseconds(50));
  }
  return *done;
}

void MastodonWsWriter::Poll() {
  if (ioc_.stopped()) ioc_.restart();
  ioc_.poll();
  std::vector<std::string> replies;
  replies.swap(replies_);
  for (const auto& r : replies) Write(r);
}

bool MastodonWsWriter::AwaitStreams(size_t n) {
  while (streams_.size() < n && !gone_ && !(stop_ && *stop_)) {
    if (ioc_.stopped()) ioc_.restart();
    ioc_.run_one_for(std::chrono::milliseconds(50));
  }
  return streams_.size() >= n;
}

bool MastodonWsWriter::Carries(const StatusTags& line) const {
  return std::any_of(streams_.begin(), streams_.end(),
                     [&](const std::string& tag) { return line.CarriedBy(tag); });
}

bool MastodonWsWriter::Write(const std::string& message, bool whole) {
  bool done = false;
  auto on_written = [this, &done](boost::system::error_code ec, size_t) {
    if (ec) gone_ = true;
    done = true;
  };
  if (whole) {
    ws_.async_write(net::buffer(message), on_written);
  } else {  // a frame header promising more than is sent
    ws_.async_write_some(false, net::buffer(message), on_written);
  }
  const bool ok = RunUntil(&done);
  if (!done) Abandon(&done);
  return ok && !gone_;
}

void MastodonWsWriter::Abandon(const bool* done) {
  // The pending operation's handler sets *done, a local of the caller, and its buffer may
  // be the caller's too: it must end (aborted, once the socket is closed) before the caller
  // returns, or it would write into a frame that is gone.
  sock_.close(ec_);
  gone_ = true;
  while (!*done) {
    if (ioc_.stopped()) ioc_.restart();
    ioc_.run_one_for(std::chrono::milliseconds(50));
  }
}

bool MastodonWsWriter::Send(const std::string& record) {
  return Send(record, StatusTags::Of(record));
}

bool MastodonWsWriter::Send(const std::string& record, const StatusTags& status) {
  Poll();
  if (!status.object) return Write(record);  // once, whatever the streams (a garbage fault)
  const std::vector<std::string> streams = streams_;
  for (const auto& tag : streams) {
    if (status.CarriedBy(tag) && !Write(UpdateMessage(record, tag))) return false;
  }
  return true;
}

void MastodonWsWriter::SendTorn(const std::string& record) {
  const std::string message =
      MastodonUpdateMessage(record, streams_.empty() ? std::string() : streams_.front());
  Write(message.substr(0, message.size() / 2), /*whole=*/false);
  Drop();
}

void MastodonWsWriter::Drop() { sock_.shutdown(tcp::socket::shutdown_both, ec_); }

void MastodonWsWriter::End() {
  bool done = false;
  ws_.async_close(websocket::close_code::normal,
                  [&done](boost::system::error_code) { done = true; });
  RunUntil(&done);
  if (!done) Abandon(&done);
  Drop();
}

void MastodonWsWriter::Stall() {
  // Reading goes on (heartbeats are swallowed); the client giving up ends the stall.
  const bool never = false;
  RunUntil(&never);
}

}  // namespace hashmon
