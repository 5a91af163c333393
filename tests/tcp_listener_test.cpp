#include "net/tcp_listener.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <istream>

namespace hashmon {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A client of the listener: connects to 127.0.0.1:port with a blocking socket.
class Client {
 public:
  explicit Client(int port) : sock_(ioc_) {
    sock_.connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }
  void Say(const std::string& line) { net::write(sock_, net::buffer(line + "\n")); }
  // The next line the server wrote, or "EOF" once it closed the connection.
  std::string Hear() {
    boost::system::error_code ec;
    net::read_until(sock_, buf_, '\n', ec);
    if (ec) return "EOF";
    std::istream in(&buf_);
    std::string line;
    std::getline(in, line);
    return line;
  }

 private:
  net::io_context ioc_;
  tcp::socket sock_;
  net::streambuf buf_;
};

// Serves by echoing each line back until the client goes; counts the connections it
// served and those still open.
struct EchoServer {
  std::atomic<int> served{0};
  std::atomic<int> open{0};
  TcpListener::ServeFn Fn() {
    return [this](const std::shared_ptr<TcpListener::Socket>& sock) {
      ++served;
      ++open;
      net::streambuf buf;
      boost::system::error_code ec;
      for (;;) {
        net::read_until(*sock, buf, '\n', ec);
        if (ec) break;
        std::istream in(&buf);
        std::string line;
        std::getline(in, line);
        net::write(*sock, net::buffer("echo " + line + "\n"), ec);
        if (ec) break;
      }
      --open;
    };
  }
};

class TcpListenerTest : public ::testing::Test {
 protected:
  // Starts the echo server on a free port of 127.0.0.1; returns the port.
  int Start(ListenerOptions options = {}) {
    listener_ = std::make_unique<TcpListener>(options, echo_.Fn());
    std::string error;
    const int port = listener_->Start(&error);
    EXPECT_GT(port, 0) << error;
    return port;
  }
  EchoServer echo_;
  std::unique_ptr<TcpListener> listener_;
};

TEST_F(TcpListenerTest, ServesEachConnectionOnAThreadOfItsOwn) {
  const int port = Start();
  Client first(port), second(port);
  // The second is answered while the first is still connected (and its thread waiting).
  second.Say("b");
  EXPECT_EQ(second.Hear(), "echo b");
  first.Say("a");
  EXPECT_EQ(first.Hear(), "echo a");
  EXPECT_EQ(echo_.served, 2);
}

TEST_F(TcpListenerTest, ClosesConnectionsBeyondTheLimitUnserved) {
  ListenerOptions options;
  options.max_connections = 1;
  const int port = Start(options);
  Client first(port);
  first.Say("a");
  ASSERT_EQ(first.Hear(), "echo a");  // the first is being served
  Client second(port);
  EXPECT_EQ(second.Hear(), "EOF");
  first.Say("still here");
  EXPECT_EQ(first.Hear(), "echo still here");
  EXPECT_EQ(echo_.served, 1);
}

TEST_F(TcpListenerTest, StopEndsOpenConnectionsAndWaitsForThem) {
  Client idle(Start());
  idle.Say("a");
  ASSERT_EQ(idle.Hear(), "echo a");  // its thread now waits for the next line
  listener_->Stop();
  EXPECT_EQ(echo_.open, 0);  // Stop() returned after the connection's thread was done
  EXPECT_EQ(idle.Hear(), "EOF");
  listener_->Stop();  // a second stop does nothing
}

TEST_F(TcpListenerTest, APortInUseIsAClearError) {
  const int port = Start();
  TcpListener second(ListenerOptions{"127.0.0.1", port}, echo_.Fn());
  std::string error;
  EXPECT_EQ(second.Start(&error), -1);
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << error;
}

TEST_F(TcpListenerTest, StoppingAListenerThatNeverStartedDoesNothing) {
  TcpListener never(ListenerOptions{}, echo_.Fn());
  never.Stop();
}

}  // namespace
}  // namespace hashmon
