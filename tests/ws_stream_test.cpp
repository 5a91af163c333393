// The WebSocket reader's idle watchdog, against a real server on 127.0.0.1: Mastodon's
// streaming server sends nothing but pings while a hashtag is quiet, and those pings must
// keep the connection (no reconnect); a silent server must not.
#include "feed/ws_stream.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <functional>
#include <thread>

#include "hashmon/clock.h"

namespace hashmon {
namespace {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

constexpr int64_t kIdleMs = 1000;

// Accepts one WebSocket client. With `pings`, sends that many pings, moving the test's time
// on by most of the idle timeout after each (see Serve), then one text message and a
// normal close. Without, it says nothing, and time runs out.
class QuietServer {
 public:
  QuietServer(FakeClock* clock, int pings) : clock_(clock), pings_(pings) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  // A silent server waits for the client to hang up, or for the test to be done with it.
  ~QuietServer() {
    net::post(ioc_, [this] {
      if (silent_ != nullptr) boost::beast::get_lowest_layer(*silent_).close();
    });
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void Serve() {
    tcp::socket sock(ioc_);
    acceptor_.accept(sock);
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept();
    if (pings_ == 0) {  // silent; the client's time runs out at once
      clock_->Advance(2 * kIdleMs);
      boost::beast::flat_buffer buf;
      silent_ = &ws;
      ws.async_read(buf, [](boost::system::error_code, size_t) {});
      ioc_.run();  // until the client hangs up or the destructor closes the socket
      return;
    }
    int pongs = 0;
    ws.control_callback([&](websocket::frame_type kind, boost::beast::string_view) {
      if (kind == websocket::frame_type::pong) ++pongs;
    });
    // One read stays pending throughout: control frames (the pongs) arrive through it.
    boost::beast::flat_buffer buf;
    bool read_done = false;
    ws.async_read(buf, [&](boost::system::error_code, size_t) { read_done = true; });
    // Each round: a ping, the client's automatic pong (it has seen the ping), time moves
    // on by most of the idle timeout, and the client's heartbeat (a pong of its own, sent
    // right after its watchdog looked at the new time and found the connection alive).
    auto run_until = [&](const std::function<bool()>& done) {
      while (!done() && !read_done) ioc_.run_one();
    };
    for (int i = 0; i < pings_ && !read_done; ++i) {
      bool sent = false;
      ws.async_ping({}, [&](boost::system::error_code) { sent = true; });
      run_until([&] { return sent && pongs >= 2 * i + 1; });
      clock_->Advance(kIdleMs * 8 / 10);
      run_until([&] { return pongs >= 2 * i + 2; });
    }
    bool written = false;
    ws.async_write(net::buffer(std::string(R"({"event":"update"})")),
                   [&](boost::system::error_code, size_t) { written = true; });
    while (!written && !read_done) ioc_.run_one();
    ws.async_close(websocket::close_code::normal, [](boost::system::error_code) {});
    ioc_.run();
  }

  FakeClock* clock_;
  int pings_;
  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_, {net::ip::make_address("127.0.0.1"), 0}};
  int port_ = 0;
  websocket::stream<tcp::socket>* silent_ = nullptr;  // set and used on the server's thread
  std::thread thread_;
};

StreamOutcome Stream(int port, FakeClock* clock, std::vector<std::string>* messages,
                     int64_t heartbeat_every_ms) {
  WsRequest request;
  request.url = "ws://127.0.0.1:" + std::to_string(port) + "/api/v1/streaming";
  request.idle_timeout_ms = kIdleMs;
  request.heartbeat_every_ms = heartbeat_every_ms;
  std::atomic<bool> stop{false};
  return StreamWebSocket(
      request, [&](char* p, size_t n) { messages->emplace_back(p, n); }, &stop, clock);
}

TEST(WebSocketIdleTest, PingsFromAQuietServerKeepTheConnection) {
  FakeClock clock(1'000'000);
  std::vector<std::string> messages;
  StreamOutcome out;
  {
    QuietServer server(&clock, 5);  // 4 s of pings against a 1 s idle timeout
    out = Stream(server.port(), &clock, &messages, kIdleMs * 7 / 10);
  }
  EXPECT_NE(out.kind, StreamOutcome::kStalled) << out.message;
  EXPECT_EQ(messages.size(), 1u);
}

TEST(WebSocketIdleTest, ASilentServerIsAStall) {
  FakeClock clock(1'000'000);
  std::vector<std::string> messages;
  StreamOutcome out;
  {
    QuietServer server(&clock, 0);
    out = Stream(server.port(), &clock, &messages, 0);
  }
  EXPECT_EQ(out.kind, StreamOutcome::kStalled);
  EXPECT_TRUE(messages.empty());
}

}  // namespace
}  // namespace hashmon
