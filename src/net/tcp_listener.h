// A blocking TCP listener that serves each connection on a thread of its own: the shape
// of hashmon's small servers (the API and dashboard, the feed server of demos and tests,
// the tests' HTTP receiver). It stops cleanly: no new connection, every open one shut
// down, and Stop() returns once each has finished.
#ifndef HASHMON_NET_TCP_LISTENER_H_
#define HASHMON_NET_TCP_LISTENER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace hashmon {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port (see Start)
  // Connections beyond this many at once are closed unserved.
  size_t max_connections = std::numeric_limits<size_t>::max();
  // When set, a client that goes quiet mid-request (or stops reading) does not hold its
  // thread for ever: a read or write waiting this long fails.
  int socket_timeout_seconds = 0;
};

class TcpListener {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  // Serves one connection; it returns when the client is done or the socket fails.
  using ServeFn = std::function<void(const std::shared_ptr<Socket>&)>;

  TcpListener(ListenerOptions options, ServeFn serve);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // Binds and accepts on a thread. Returns the bound port, or -1 with *error
  // ("cannot listen on HOST:PORT: why").
  int Start(std::string* error);
  // Stops accepting, shuts every open connection down and waits until each has ended.
  void Stop();

 private:
  void AcceptLoop();

  ListenerOptions options_;
  ServeFn serve_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable idle_;
  std::set<std::shared_ptr<Socket>> open_;  // each served by a thread of its own
};

}  // namespace hashmon

#endif  // HASHMON_NET_TCP_LISTENER_H_
